"""growth and fraud: visit counters per distributor, source and day; member sightings (device cookie, IP);
fraud flags that hold a commission until staff clear or void it

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29 18:29:37.624141

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('member_sightings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('device_id', sa.String(length=32), nullable=True),
    sa.Column('ip', sa.String(length=45), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('register', 'login', 'order')", name=op.f('ck_member_sightings_kind_valid')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_member_sightings_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_member_sightings'))
    )
    with op.batch_alter_table('member_sightings', schema=None) as batch_op:
        batch_op.create_index('ix_member_sightings_device', ['device_id'], unique=False)
        batch_op.create_index('ix_member_sightings_ip', ['ip', 'created_at'], unique=False)
        batch_op.create_index('ix_member_sightings_user', ['user_id', 'id'], unique=False)

    op.create_table('visit_counters',
    sa.Column('distributor_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=8), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('visits', sa.Integer(), nullable=False),
    sa.CheckConstraint("source IN ('link', 'qr', 'poster', 'share')", name=op.f('ck_visit_counters_source_valid')),
    sa.ForeignKeyConstraint(['distributor_id'], ['users.id'], name=op.f('fk_visit_counters_distributor_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('distributor_id', 'source', 'day', name=op.f('pk_visit_counters'))
    )
    with op.batch_alter_table('visit_counters', schema=None) as batch_op:
        batch_op.create_index('ix_visit_counters_day', ['day', 'distributor_id'], unique=False)

    op.create_table('fraud_flags',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('referrer_id', sa.Integer(), nullable=False),
    sa.Column('commission_id', sa.Integer(), nullable=True),
    sa.Column('order_id', sa.Integer(), nullable=True),
    sa.Column('reasons', sa.String(length=60), nullable=False),
    sa.Column('detail', sa.String(length=300), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_by_name', sa.String(length=40), nullable=True),
    sa.Column('decision_reason', sa.String(length=200), nullable=True),
    sa.CheckConstraint("kind IN ('binding', 'commission')", name=op.f('ck_fraud_flags_kind_valid')),
    sa.CheckConstraint("status IN ('held', 'cleared', 'voided')", name=op.f('ck_fraud_flags_status_valid')),
    sa.ForeignKeyConstraint(['commission_id'], ['commissions.id'], name=op.f('fk_fraud_flags_commission_id_commissions')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_fraud_flags_order_id_orders')),
    sa.ForeignKeyConstraint(['referrer_id'], ['users.id'], name=op.f('fk_fraud_flags_referrer_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_fraud_flags_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fraud_flags')),
    sa.UniqueConstraint('commission_id', name=op.f('uq_fraud_flags_commission_id'))
    )
    with op.batch_alter_table('fraud_flags', schema=None) as batch_op:
        batch_op.create_index('ix_fraud_flags_kind_status', ['kind', 'status', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_fraud_flags_order_id'), ['order_id'], unique=False)
        batch_op.create_index('ix_fraud_flags_pair', ['user_id', 'referrer_id'], unique=False)



def downgrade():
    with op.batch_alter_table('fraud_flags', schema=None) as batch_op:
        batch_op.drop_index('ix_fraud_flags_pair')
        batch_op.drop_index(batch_op.f('ix_fraud_flags_order_id'))
        batch_op.drop_index('ix_fraud_flags_kind_status')

    op.drop_table('fraud_flags')
    with op.batch_alter_table('visit_counters', schema=None) as batch_op:
        batch_op.drop_index('ix_visit_counters_day')

    op.drop_table('visit_counters')
    with op.batch_alter_table('member_sightings', schema=None) as batch_op:
        batch_op.drop_index('ix_member_sightings_user')
        batch_op.drop_index('ix_member_sightings_ip')
        batch_op.drop_index('ix_member_sightings_device')

    op.drop_table('member_sightings')
