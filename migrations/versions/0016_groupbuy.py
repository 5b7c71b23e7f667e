"""group buying (拼团): activities with SKU group prices, groups, their members and each group order's intent

Revision ID: 0016
Revises: 0013
Create Date: 2026-11-29 21:48:22.753379

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('group_activities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=60), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('group_size', sa.Integer(), nullable=False),
    sa.Column('hours_limit', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('ends_at', sa.DateTime(), nullable=False),
    sa.Column('per_member_limit', sa.Integer(), nullable=False),
    sa.Column('max_quantity', sa.Integer(), nullable=False),
    sa.Column('commission', sa.Boolean(), nullable=False),
    sa.Column('overflow', sa.String(length=10), nullable=False),
    sa.Column('simulate', sa.Boolean(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.CheckConstraint("overflow IN ('refund', 'new_group')", name=op.f('ck_group_activities_overflow_valid')),
    sa.CheckConstraint('group_size BETWEEN 2 AND 50', name=op.f('ck_group_activities_group_size_range')),
    sa.ForeignKeyConstraint(['created_by'], ['staff.id'], name=op.f('fk_group_activities_created_by_staff')),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_group_activities_product_id_products')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_group_activities'))
    )
    op.create_index('ix_group_activities_product', 'group_activities', ['product_id', 'is_active'])

    op.create_table('group_prices',
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('sku_id', sa.Integer(), nullable=False),
    sa.Column('price_fen', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('price_fen > 0', name=op.f('ck_group_prices_price_positive')),
    sa.ForeignKeyConstraint(['activity_id'], ['group_activities.id'], name=op.f('fk_group_prices_activity_id_group_activities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sku_id'], ['skus.id'], name=op.f('fk_group_prices_sku_id_skus')),
    sa.PrimaryKeyConstraint('activity_id', 'sku_id', name=op.f('pk_group_prices'))
    )
    op.create_table('groups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_no', sa.String(length=32), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('leader_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('needed', sa.Integer(), nullable=False),
    sa.Column('paid_count', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('succeeded_at', sa.DateTime(), nullable=True),
    sa.Column('failed_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("status IN ('open', 'succeeded', 'failed')", name=op.f('ck_groups_status_valid')),
    sa.CheckConstraint('paid_count <= needed', name=op.f('ck_groups_never_over_full')),
    sa.ForeignKeyConstraint(['activity_id'], ['group_activities.id'], name=op.f('fk_groups_activity_id_group_activities')),
    sa.ForeignKeyConstraint(['leader_id'], ['users.id'], name=op.f('fk_groups_leader_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_groups')),
    sa.UniqueConstraint('group_no', name=op.f('uq_groups_group_no'))
    )
    op.create_index('ix_groups_activity', 'groups', ['activity_id', 'status'])
    op.create_index('ix_groups_status_expires', 'groups', ['status', 'expires_at'])

    op.create_table('group_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('paid_at', sa.DateTime(), nullable=False),
    sa.Column('is_leader', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['groups.id'], name=op.f('fk_group_members_group_id_groups')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_group_members_order_id_orders')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_group_members_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_group_members')),
    sa.UniqueConstraint('group_id', 'user_id', name=op.f('uq_group_members_group_id')),
    sa.UniqueConstraint('order_id', name=op.f('uq_group_members_order_id'))
    )
    op.create_index(op.f('ix_group_members_user_id'), 'group_members', ['user_id'])

    op.create_table('group_orders',
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('join_no', sa.String(length=32), nullable=True),
    sa.Column('group_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('note', sa.String(length=100), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("state IN ('pending', 'joined', 'to_refund', 'refunded', 'released')", name=op.f('ck_group_orders_state_valid')),
    sa.ForeignKeyConstraint(['activity_id'], ['group_activities.id'], name=op.f('fk_group_orders_activity_id_group_activities')),
    sa.ForeignKeyConstraint(['group_id'], ['groups.id'], name=op.f('fk_group_orders_group_id_groups')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_group_orders_order_id_orders')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_group_orders_user_id_users')),
    sa.PrimaryKeyConstraint('order_id', name=op.f('pk_group_orders'))
    )
    op.create_index(op.f('ix_group_orders_group_id'), 'group_orders', ['group_id'])
    op.create_index('ix_group_orders_member', 'group_orders', ['activity_id', 'user_id'])
    op.create_index('ix_group_orders_state', 'group_orders', ['state'])



def downgrade():
    op.drop_index('ix_group_orders_state', table_name='group_orders')
    op.drop_index('ix_group_orders_member', table_name='group_orders')
    op.drop_index(op.f('ix_group_orders_group_id'), table_name='group_orders')

    op.drop_table('group_orders')
    op.drop_index(op.f('ix_group_members_user_id'), table_name='group_members')

    op.drop_table('group_members')
    op.drop_index('ix_groups_status_expires', table_name='groups')
    op.drop_index('ix_groups_activity', table_name='groups')

    op.drop_table('groups')
    op.drop_table('group_prices')
    op.drop_index('ix_group_activities_product', table_name='group_activities')

    op.drop_table('group_activities')
