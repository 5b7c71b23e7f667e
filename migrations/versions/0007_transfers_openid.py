"""WeChat transfers as a state machine (out-bill number, bill state, package, failure reason), the member's bound
openid, and a refund's gateway failure reason and restock flag

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 18:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

TRANSFER_STATES = ("('ACCEPTED', 'PROCESSING', 'WAIT_USER_CONFIRM', 'TRANSFERING', 'SUCCESS', 'FAIL', 'CANCELING', "
                   "'CANCELLED')")


def upgrade():
    # Plain ADD COLUMN and CREATE INDEX where they suffice: users and refunds have foreign keys pointing at them,
    # which SQLite's batch table copy would have to step around.
    op.add_column('refunds', sa.Column('restocked', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column('refunds', sa.Column('fail_reason', sa.String(length=200), nullable=True))

    op.add_column('users', sa.Column('wechat_openid', sa.String(length=64), nullable=True))
    op.create_index('uq_users_wechat_openid', 'users', ['wechat_openid'], unique=True)

    with op.batch_alter_table('sandbox_transfers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notify_url', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('package_info', sa.String(length=1024), nullable=True))
        batch_op.add_column(sa.Column('fail_reason', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('user_name_given', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('updated_at', sa.DateTime(), nullable=True))
        batch_op.alter_column('status', existing_type=sa.VARCHAR(length=12), type_=sa.String(length=20),
                              existing_nullable=False)

    # No foreign key points at withdrawals: the batch copy (needed for the CHECK on SQLite) is safe.
    with op.batch_alter_table('withdrawals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('out_bill_no', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('transfer_bill_no', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('transfer_state', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('package_info', sa.String(length=1024), nullable=True))
        batch_op.add_column(sa.Column('transfer_sent_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('fail_reason', sa.String(length=200), nullable=True))
        batch_op.create_index('ix_withdrawals_transfer_open', ['transfer_state', 'transfer_sent_at'], unique=False)
        batch_op.create_index('uq_withdrawals_out_bill_no', ['out_bill_no'], unique=True)
        batch_op.create_check_constraint(op.f('ck_withdrawals_transfer_state_valid'),
                                         f'transfer_state IN {TRANSFER_STATES}')
    # WeChat withdrawals approved before this revision sent their transfer under the withdrawal number.
    op.execute("UPDATE withdrawals SET out_bill_no = withdrawal_no, transfer_state = 'PROCESSING', "
               "transfer_sent_at = decided_at WHERE method = 'wechat' AND status = 'approved'")


def downgrade():
    with op.batch_alter_table('withdrawals', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_withdrawals_transfer_state_valid'), type_='check')
        batch_op.drop_index('uq_withdrawals_out_bill_no')
        batch_op.drop_index('ix_withdrawals_transfer_open')
        for column in ('fail_reason', 'transfer_sent_at', 'package_info', 'transfer_state', 'transfer_bill_no',
                       'out_bill_no'):
            batch_op.drop_column(column)

    with op.batch_alter_table('sandbox_transfers', schema=None) as batch_op:
        batch_op.alter_column('status', existing_type=sa.String(length=20), type_=sa.VARCHAR(length=12),
                              existing_nullable=False)
        for column in ('updated_at', 'user_name_given', 'fail_reason', 'package_info', 'notify_url'):
            batch_op.drop_column(column)

    op.drop_index('uq_users_wechat_openid', table_name='users')
    op.drop_column('users', 'wechat_openid')
    op.drop_column('refunds', 'fail_reason')
    op.drop_column('refunds', 'restocked')
