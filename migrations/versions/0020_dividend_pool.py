"""dividend pool (分红池): paid periods with their rule snapshot and totals, the orders in each base, each member's
share, and each refund that reached a paid period (clawed back or absorbed)

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-30 01:25:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('pool_periods',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=10), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('ends_at', sa.DateTime(), nullable=False),
    sa.Column('rate_bp', sa.Integer(), nullable=False),
    sa.Column('split', sa.String(length=8), nullable=False),
    sa.Column('grades', sa.JSON(), nullable=False),
    sa.Column('base_fen', sa.BigInteger(), nullable=False),
    sa.Column('pool_fen', sa.BigInteger(), nullable=False),
    sa.Column('shares_fen', sa.BigInteger(), nullable=False),
    sa.Column('remainder_fen', sa.BigInteger(), nullable=False),
    sa.Column('clawback_base_fen', sa.BigInteger(), nullable=False),
    sa.Column('absorbed_base_fen', sa.BigInteger(), nullable=False),
    sa.Column('paid_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('pool_fen >= 0 AND remainder_fen >= 0', name=op.f('ck_pool_periods_amounts_not_negative')),
    sa.CheckConstraint('shares_fen + remainder_fen = pool_fen', name=op.f('ck_pool_periods_shares_add_up')),
    sa.CheckConstraint("kind IN ('month', 'week')", name=op.f('ck_pool_periods_kind_valid')),
    sa.CheckConstraint("split IN ('equal', 'sales')", name=op.f('ck_pool_periods_split_valid')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pool_periods')),
    sa.UniqueConstraint('period', name=op.f('uq_pool_periods_period'))
    )
    op.create_table('pool_orders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('base_fen', sa.BigInteger(), nullable=False),
    sa.Column('referrer_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_pool_orders_order_id_orders')),
    sa.ForeignKeyConstraint(['period_id'], ['pool_periods.id'], name=op.f('fk_pool_orders_period_id_pool_periods')),
    sa.ForeignKeyConstraint(['referrer_id'], ['users.id'], name=op.f('fk_pool_orders_referrer_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pool_orders')),
    sa.UniqueConstraint('order_id', name=op.f('uq_pool_orders_order_id'))
    )
    op.create_index(op.f('ix_pool_orders_period_id'), 'pool_orders', ['period_id'], unique=False)
    op.create_table('pool_shares',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('grade_id', sa.Integer(), nullable=True),
    sa.Column('grade_name', sa.String(length=20), nullable=False),
    sa.Column('basis_fen', sa.BigInteger(), nullable=False),
    sa.Column('amount_fen', sa.BigInteger(), nullable=False),
    sa.Column('clawed_back_fen', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('amount_fen >= 0 AND clawed_back_fen >= 0 AND clawed_back_fen <= amount_fen',
                       name=op.f('ck_pool_shares_amounts_valid')),
    sa.ForeignKeyConstraint(['grade_id'], ['distributor_grades.id'],
                            name=op.f('fk_pool_shares_grade_id_distributor_grades')),
    sa.ForeignKeyConstraint(['period_id'], ['pool_periods.id'], name=op.f('fk_pool_shares_period_id_pool_periods')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_pool_shares_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pool_shares')),
    sa.UniqueConstraint('period_id', 'user_id', name=op.f('uq_pool_shares_period_id'))
    )
    op.create_index('ix_pool_shares_user_id', 'pool_shares', ['user_id', 'period_id'], unique=False)
    op.create_table('pool_adjustments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('refund_id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('policy', sa.String(length=8), nullable=False),
    sa.Column('base_fen', sa.BigInteger(), nullable=False),
    sa.Column('amount_fen', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("policy IN ('clawback', 'absorb')", name=op.f('ck_pool_adjustments_policy_valid')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_pool_adjustments_order_id_orders')),
    sa.ForeignKeyConstraint(['period_id'], ['pool_periods.id'],
                            name=op.f('fk_pool_adjustments_period_id_pool_periods')),
    sa.ForeignKeyConstraint(['refund_id'], ['refunds.id'], name=op.f('fk_pool_adjustments_refund_id_refunds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pool_adjustments')),
    sa.UniqueConstraint('refund_id', name=op.f('uq_pool_adjustments_refund_id'))
    )
    op.create_index(op.f('ix_pool_adjustments_period_id'), 'pool_adjustments', ['period_id'], unique=False)


def downgrade():
    op.drop_table('pool_adjustments')
    op.drop_index('ix_pool_shares_user_id', table_name='pool_shares')
    op.drop_table('pool_shares')
    op.drop_table('pool_orders')
    op.drop_table('pool_periods')
