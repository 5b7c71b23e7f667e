"""marketing core: the discounts taken at checkout on orders and each line's share of them; a line's activity,
whether it pays commission and whether it took the SKU's stock

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-29 22:05:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN (no batch copy): other tables' foreign keys point at both.
    op.add_column('orders', sa.Column('discount_detail', sa.JSON(), nullable=True))
    op.add_column('order_lines', sa.Column('discount_detail', sa.JSON(), nullable=True))
    op.add_column('order_lines', sa.Column('activity_kind', sa.String(length=20), nullable=True))
    op.add_column('order_lines', sa.Column('activity_id', sa.Integer(), nullable=True))
    op.add_column('order_lines', sa.Column('commissionable', sa.Boolean(), server_default=sa.true(),
                                           nullable=False))
    op.add_column('order_lines', sa.Column('stock_from_sku', sa.Boolean(), server_default=sa.true(),
                                           nullable=False))


def downgrade():
    # Plain DROP COLUMN (SQLite 3.35+) rather than a batch copy, for the same reason.
    for column in ('stock_from_sku', 'commissionable', 'activity_id', 'activity_kind', 'discount_detail'):
        op.drop_column('order_lines', column)
    op.drop_column('orders', 'discount_detail')
