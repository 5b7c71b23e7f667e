"""payment alerts: handled with a note and by whom; kinds for stuck refunds and transfers, audit and settlement failures, foreign notifications

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 16:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

OLD_KINDS = "('amount_mismatch', 'transaction_reused', 'auto_refund', 'refund_amount_mismatch')"
NEW_KINDS = ("('amount_mismatch', 'transaction_reused', 'auto_refund', 'refund_amount_mismatch', 'refund_stuck', "
             "'transfer_stuck', 'audit_failed', 'foreign_notice', 'settle_failed')")


def upgrade():
    # payment_alerts has no foreign keys pointing at it, so SQLite's table copy needs no pragma dance.
    with op.batch_alter_table('payment_alerts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('note', sa.String(length=300), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('resolved_by', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_payment_alerts_resolved_by_users'), 'users', ['resolved_by'],
                                    ['id'])
        batch_op.drop_constraint(op.f('ck_payment_alerts_kind_valid'), type_='check')
        batch_op.create_check_constraint(op.f('ck_payment_alerts_kind_valid'), f'kind IN {NEW_KINDS}')
        batch_op.create_index('ix_payment_alerts_resolved_kind', ['resolved_at', 'kind'], unique=False)


def downgrade():
    op.execute("DELETE FROM payment_alerts WHERE kind IN ('refund_stuck', 'transfer_stuck', 'audit_failed', "
               "'foreign_notice', 'settle_failed')")
    with op.batch_alter_table('payment_alerts', schema=None) as batch_op:
        batch_op.drop_index('ix_payment_alerts_resolved_kind')
        batch_op.drop_constraint(op.f('ck_payment_alerts_kind_valid'), type_='check')
        batch_op.create_check_constraint(op.f('ck_payment_alerts_kind_valid'), f'kind IN {OLD_KINDS}')
        batch_op.drop_constraint(batch_op.f('fk_payment_alerts_resolved_by_users'), type_='foreignkey')
        batch_op.drop_column('resolved_by')
        batch_op.drop_column('note')
