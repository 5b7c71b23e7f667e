"""Distributor admin: manual commission adjustments (each with its one ledger entry of kind "adjustment"), and who
changed a distributor's grade by hand

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 18:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('commission_adjustments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('amount_fen', sa.BigInteger(), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('amount_fen <> 0', name=op.f('ck_commission_adjustments_amount_not_zero')),
    sa.ForeignKeyConstraint(['actor_id'], ['staff.id'], name=op.f('fk_commission_adjustments_actor_id_staff')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_commission_adjustments_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_commission_adjustments'))
    )
    op.create_index('ix_commission_adjustments_user_id', 'commission_adjustments', ['user_id', 'id'], unique=False)
    # No foreign key points at grade_changes: SQLite's batch copy (needed for the new foreign key) is safe.
    with op.batch_alter_table('grade_changes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('actor_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_grade_changes_actor_id_staff'), 'staff', ['actor_id'], ['id'])


def downgrade():
    with op.batch_alter_table('grade_changes', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_grade_changes_actor_id_staff'), type_='foreignkey')
        batch_op.drop_column('actor_id')
    op.drop_index('ix_commission_adjustments_user_id', table_name='commission_adjustments')
    op.drop_table('commission_adjustments')
