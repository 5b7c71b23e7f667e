"""flash sales: time slots, their items (own price, own stock, per-member limit, commission flag) and each
member's count per item (the per-member limit's counter row)

Revision ID: 0017
Revises: 0013
Create Date: 2026-11-29 21:47:10.022187

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('flash_slots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=60), nullable=False),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('ends_at', sa.DateTime(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_flash_slots_slot_window')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_flash_slots'))
    )
    with op.batch_alter_table('flash_slots', schema=None) as batch_op:
        batch_op.create_index('ix_flash_slots_window', ['is_active', 'ends_at', 'starts_at'], unique=False)

    op.create_table('flash_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slot_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('sku_id', sa.Integer(), nullable=False),
    sa.Column('price_fen', sa.BigInteger(), nullable=False),
    sa.Column('stock', sa.Integer(), nullable=False),
    sa.Column('sold', sa.Integer(), nullable=False),
    sa.Column('per_member_limit', sa.Integer(), nullable=False),
    sa.Column('commission', sa.Boolean(), nullable=False),
    sa.Column('sort', sa.Integer(), nullable=False),
    sa.CheckConstraint('per_member_limit >= 1', name=op.f('ck_flash_items_limit_positive')),
    sa.CheckConstraint('price_fen > 0', name=op.f('ck_flash_items_price_positive')),
    sa.CheckConstraint('sold >= 0 AND sold <= stock', name=op.f('ck_flash_items_sold_within_stock')),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_flash_items_product_id_products')),
    sa.ForeignKeyConstraint(['sku_id'], ['skus.id'], name=op.f('fk_flash_items_sku_id_skus')),
    sa.ForeignKeyConstraint(['slot_id'], ['flash_slots.id'], name=op.f('fk_flash_items_slot_id_flash_slots'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_flash_items')),
    sa.UniqueConstraint('slot_id', 'sku_id', name='uq_flash_items_slot_sku')
    )
    with op.batch_alter_table('flash_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_flash_items_product_id'), ['product_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_flash_items_sku_id'), ['sku_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_flash_items_slot_id'), ['slot_id'], unique=False)

    op.create_table('flash_takes',
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.CheckConstraint('quantity >= 0', name=op.f('ck_flash_takes_quantity_not_negative')),
    sa.ForeignKeyConstraint(['item_id'], ['flash_items.id'], name=op.f('fk_flash_takes_item_id_flash_items'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_flash_takes_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('item_id', 'user_id', name=op.f('pk_flash_takes'))
    )
    with op.batch_alter_table('flash_takes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_flash_takes_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('flash_takes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_flash_takes_user_id'))

    op.drop_table('flash_takes')
    with op.batch_alter_table('flash_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_flash_items_slot_id'))
        batch_op.drop_index(batch_op.f('ix_flash_items_sku_id'))
        batch_op.drop_index(batch_op.f('ix_flash_items_product_id'))

    op.drop_table('flash_items')
    with op.batch_alter_table('flash_slots', schema=None) as batch_op:
        batch_op.drop_index('ix_flash_slots_window')

    op.drop_table('flash_slots')
