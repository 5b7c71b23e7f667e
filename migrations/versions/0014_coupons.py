"""coupons and 助力免单: coupon templates and the members' coupons; the products enabled for share-to-win, the
campaigns and their helps

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-29 22:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'coupon_templates',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=40), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('amount_fen', sa.BigInteger(), nullable=False),
        sa.Column('percent_bp', sa.Integer(), nullable=False),
        sa.Column('max_discount_fen', sa.BigInteger(), nullable=False),
        sa.Column('threshold_fen', sa.BigInteger(), nullable=False),
        sa.Column('scope', sa.String(length=12), nullable=False),
        sa.Column('scope_ids', sa.JSON(), nullable=False),
        sa.Column('validity', sa.String(length=8), nullable=False),
        sa.Column('starts_at', sa.DateTime(), nullable=True),
        sa.Column('ends_at', sa.DateTime(), nullable=True),
        sa.Column('valid_days', sa.Integer(), nullable=False),
        sa.Column('total', sa.Integer(), nullable=False),
        sa.Column('issued', sa.Integer(), nullable=False),
        sa.Column('per_member', sa.Integer(), nullable=False),
        sa.Column('obtain', sa.String(length=8), nullable=False),
        sa.Column('enabled', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint("kind IN ('fixed', 'percent')", name=op.f('ck_coupon_templates_kind_valid')),
        sa.CheckConstraint("scope IN ('all', 'categories', 'products')", name=op.f('ck_coupon_templates_scope_valid')),
        sa.CheckConstraint("validity IN ('dates', 'days')", name=op.f('ck_coupon_templates_validity_valid')),
        sa.CheckConstraint("obtain IN ('claim', 'reward')", name=op.f('ck_coupon_templates_obtain_valid')),
        sa.CheckConstraint('issued >= 0 AND issued <= total', name=op.f('ck_coupon_templates_issued_within_total')),
        sa.CheckConstraint('amount_fen >= 0 AND threshold_fen >= 0 AND max_discount_fen >= 0',
                           name=op.f('ck_coupon_templates_amounts_not_negative')),
        sa.CheckConstraint('percent_bp >= 0 AND percent_bp <= 10000', name=op.f('ck_coupon_templates_percent_in_range')),
        sa.CheckConstraint('per_member >= 1', name=op.f('ck_coupon_templates_per_member_positive')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_coupon_templates')),
    )
    op.create_table(
        'coupons',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('template_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('valid_from', sa.DateTime(), nullable=False),
        sa.Column('valid_to', sa.DateTime(), nullable=False),
        sa.Column('source', sa.String(length=10), nullable=False),
        sa.Column('ref', sa.String(length=40), nullable=True),
        sa.Column('order_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('used_at', sa.DateTime(), nullable=True),
        sa.CheckConstraint("status IN ('unused', 'locked', 'used', 'expired')", name=op.f('ck_coupons_status_valid')),
        sa.CheckConstraint("source IN ('claim', 'register', 'invite', 'staff', 'assist')",
                           name=op.f('ck_coupons_source_valid')),
        sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_coupons_order_id_orders'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['template_id'], ['coupon_templates.id'],
                                name=op.f('fk_coupons_template_id_coupon_templates')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_coupons_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_coupons')),
        sa.UniqueConstraint('source', 'ref', name=op.f('uq_coupons_source')),
        sa.UniqueConstraint('template_id', 'user_id', 'seq', name=op.f('uq_coupons_template_id')),
    )
    op.create_index('ix_coupons_user_status', 'coupons', ['user_id', 'status', 'valid_to'], unique=False)
    op.create_index('ix_coupons_status_valid_to', 'coupons', ['status', 'valid_to'], unique=False)
    op.create_index(op.f('ix_coupons_order_id'), 'coupons', ['order_id'], unique=False)
    _create_assist()


def _create_assist():
    op.create_table(
        'assist_products',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('product_id', sa.Integer(), nullable=False),
        sa.Column('helps_needed', sa.Integer(), nullable=False),
        sa.Column('hours', sa.Integer(), nullable=False),
        sa.Column('enabled', sa.Boolean(), nullable=False),
        sa.Column('template_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint('helps_needed >= 1 AND hours >= 1', name=op.f('ck_assist_products_rule_positive')),
        sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_assist_products_product_id_products'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['template_id'], ['coupon_templates.id'],
                                name=op.f('fk_assist_products_template_id_coupon_templates')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_assist_products')),
        sa.UniqueConstraint('product_id', name=op.f('uq_assist_products_product_id')),
    )
    op.create_table(
        'assist_campaigns',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('assist_product_id', sa.Integer(), nullable=False),
        sa.Column('starter_id', sa.Integer(), nullable=False),
        sa.Column('helps_needed', sa.Integer(), nullable=False),
        sa.Column('helps', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('started_at', sa.DateTime(), nullable=False),
        sa.Column('deadline', sa.DateTime(), nullable=False),
        sa.Column('succeeded_at', sa.DateTime(), nullable=True),
        sa.Column('coupon_id', sa.Integer(), nullable=True),
        sa.CheckConstraint("status IN ('open', 'succeeded')", name=op.f('ck_assist_campaigns_status_valid')),
        sa.CheckConstraint('helps >= 0 AND helps <= helps_needed',
                           name=op.f('ck_assist_campaigns_helps_within_needed')),
        sa.ForeignKeyConstraint(['assist_product_id'], ['assist_products.id'],
                                name=op.f('fk_assist_campaigns_assist_product_id_assist_products'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['coupon_id'], ['coupons.id'], name=op.f('fk_assist_campaigns_coupon_id_coupons')),
        sa.ForeignKeyConstraint(['starter_id'], ['users.id'], name=op.f('fk_assist_campaigns_starter_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_assist_campaigns')),
    )
    op.create_index('ix_assist_campaigns_starter', 'assist_campaigns', ['starter_id', 'id'], unique=False)
    op.create_table(
        'assist_helps',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('campaign_id', sa.Integer(), nullable=False),
        sa.Column('helper_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['campaign_id'], ['assist_campaigns.id'],
                                name=op.f('fk_assist_helps_campaign_id_assist_campaigns'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['helper_id'], ['users.id'], name=op.f('fk_assist_helps_helper_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_assist_helps')),
        sa.UniqueConstraint('helper_id', name=op.f('uq_assist_helps_helper_id')),
    )
    op.create_index(op.f('ix_assist_helps_campaign_id'), 'assist_helps', ['campaign_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_assist_helps_campaign_id'), table_name='assist_helps')
    op.drop_table('assist_helps')
    op.drop_index('ix_assist_campaigns_starter', table_name='assist_campaigns')
    op.drop_table('assist_campaigns')
    op.drop_table('assist_products')
    op.drop_index(op.f('ix_coupons_order_id'), table_name='coupons')
    op.drop_index('ix_coupons_status_valid_to', table_name='coupons')
    op.drop_index('ix_coupons_user_status', table_name='coupons')
    op.drop_table('coupons')
    op.drop_table('coupon_templates')
