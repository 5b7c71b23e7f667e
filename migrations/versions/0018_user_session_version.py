"""members' session version: a member's sessions and remember-me cookies carry it and stop working once it moves
on (login, logout, password change)

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-30 00:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('users', sa.Column('session_version', sa.Integer(), nullable=False, server_default='1'))


def downgrade():
    with op.batch_alter_table('users') as batch_op:
        batch_op.drop_column('session_version')
