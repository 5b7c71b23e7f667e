"""Daily roll-ups of the dashboard's figures, audit runs, and indexes on the facts' timestamps

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29 19:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('daily_figures',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('sales_fen', sa.BigInteger(), nullable=False),
    sa.Column('orders', sa.Integer(), nullable=False),
    sa.Column('distributor_sales_fen', sa.BigInteger(), nullable=False),
    sa.Column('refunds_fen', sa.BigInteger(), nullable=False),
    sa.Column('refunds', sa.Integer(), nullable=False),
    sa.Column('new_members', sa.Integer(), nullable=False),
    sa.Column('new_distributors', sa.Integer(), nullable=False),
    sa.Column('commission_created_fen', sa.BigInteger(), nullable=False),
    sa.Column('commission_settled_fen', sa.BigInteger(), nullable=False),
    sa.Column('commission_reversed_fen', sa.BigInteger(), nullable=False),
    sa.Column('built_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_daily_figures'))
    )
    op.create_table('daily_product_sales',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('product_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('sales_fen', sa.BigInteger(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('day', 'product_id', name=op.f('pk_daily_product_sales'))
    )
    op.create_index('ix_daily_product_sales_product', 'daily_product_sales', ['product_id', 'day'], unique=False)
    op.create_table('daily_distributor_sales',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('user_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('commission_fen', sa.BigInteger(), nullable=False),
    sa.Column('sales_fen', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('day', 'user_id', name=op.f('pk_daily_distributor_sales'))
    )
    op.create_index('ix_daily_distributor_sales_user', 'daily_distributor_sales', ['user_id', 'day'], unique=False)
    op.create_table('audit_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ran_at', sa.DateTime(), nullable=False),
    sa.Column('clean', sa.Boolean(), nullable=False),
    sa.Column('problem_count', sa.Integer(), nullable=False),
    sa.Column('summary', sa.String(length=300), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_runs'))
    )
    op.create_index(op.f('ix_audit_runs_ran_at'), 'audit_runs', ['ran_at'], unique=False)
    # Plain CREATE INDEX on the fact tables (no batch copy: foreign keys point at most of them).
    op.create_index('ix_orders_paid_at', 'orders', ['paid_at'], unique=False)
    op.create_index('ix_refunds_succeeded_at', 'refunds', ['succeeded_at'], unique=False)
    op.create_index('ix_distributors_joined_at', 'distributors', ['joined_at'], unique=False)
    op.create_index('ix_ledger_entries_kind_created', 'ledger_entries', ['kind', 'created_at'], unique=False)


def downgrade():
    op.drop_index('ix_ledger_entries_kind_created', table_name='ledger_entries')
    op.drop_index('ix_distributors_joined_at', table_name='distributors')
    op.drop_index('ix_refunds_succeeded_at', table_name='refunds')
    op.drop_index('ix_orders_paid_at', table_name='orders')
    op.drop_index(op.f('ix_audit_runs_ran_at'), table_name='audit_runs')
    op.drop_table('audit_runs')
    op.drop_index('ix_daily_distributor_sales_user', table_name='daily_distributor_sales')
    op.drop_table('daily_distributor_sales')
    op.drop_index('ix_daily_product_sales_product', table_name='daily_product_sales')
    op.drop_table('daily_product_sales')
    op.drop_table('daily_figures')
