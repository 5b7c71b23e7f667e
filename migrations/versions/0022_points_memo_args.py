"""points entries' memo_args: the values of a memo kept as its message id, so the mall's own memos are translated
when read (shop/points/memos.py); NULL for staff's own words and for the entries before it, shown as written

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-01 07:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('points_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('memo_args', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('points_entries', schema=None) as batch_op:
        batch_op.drop_column('memo_args')
