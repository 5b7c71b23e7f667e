"""points: each member's points balance, the append-only points ledger and the daily check-ins

Revision ID: 0015
Revises: 0013
Create Date: 2026-11-29 22:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

KINDS = ('earn_order', 'checkin', 'checkin_streak', 'invite', 'spend', 'spend_returned', 'earn_revoked', 'expired',
         'staff_adjust')


def upgrade():
    op.create_table(
        'points_accounts',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('balance', sa.BigInteger(), nullable=False),
        sa.CheckConstraint('balance >= 0', name=op.f('ck_points_accounts_balance_not_negative')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_points_accounts_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', name=op.f('pk_points_accounts')),
    )
    op.create_table(
        'points_entries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('delta', sa.BigInteger(), nullable=False),
        sa.Column('balance_after', sa.BigInteger(), nullable=False),
        sa.Column('ref_type', sa.String(length=12), nullable=False),
        sa.Column('ref_id', sa.Integer(), nullable=False),
        sa.Column('order_id', sa.Integer(), nullable=True),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('memo', sa.String(length=200), nullable=False),
        sa.Column('basis_fen', sa.BigInteger(), nullable=True),
        sa.Column('unrecovered', sa.BigInteger(), nullable=False),
        sa.Column('once_key', sa.String(length=40), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint('delta <> 0 OR unrecovered > 0', name=op.f('ck_points_entries_delta_not_zero')),
        sa.CheckConstraint('balance_after >= 0', name=op.f('ck_points_entries_balance_after_not_negative')),
        sa.CheckConstraint("kind IN (%s)" % ", ".join(f"'{k}'" for k in KINDS), name=op.f('ck_points_entries_kind_valid')),
        sa.ForeignKeyConstraint(['actor_id'], ['staff.id'], name=op.f('fk_points_entries_actor_id_staff')),
        sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_points_entries_order_id_orders')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_points_entries_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_points_entries')),
        sa.UniqueConstraint('once_key', name=op.f('uq_points_entries_once_key')),
    )
    op.create_index('ix_points_entries_user', 'points_entries', ['user_id', 'id'])
    op.create_index('ix_points_entries_order', 'points_entries', ['order_id', 'kind'])
    op.create_index('ix_points_entries_kind_created', 'points_entries', ['kind', 'created_at'])
    op.create_table(
        'points_checkins',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('streak', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_points_checkins_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_points_checkins')),
        sa.UniqueConstraint('user_id', 'day', name='uq_points_checkins_user_day'),
    )
    _append_only()


def _append_only():
    """The points ledger is append-only, like the money ledger: the database refuses UPDATE and DELETE."""
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("""
            CREATE FUNCTION points_entries_append_only() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION 'points_entries is append-only: % refused', TG_OP;
            END $$ LANGUAGE plpgsql""")
        op.execute("CREATE TRIGGER points_entries_no_change BEFORE UPDATE OR DELETE ON points_entries "
                   "FOR EACH ROW EXECUTE FUNCTION points_entries_append_only()")
    else:
        for action in ('UPDATE', 'DELETE'):
            op.execute(f"""
                CREATE TRIGGER points_entries_no_{action.lower()} BEFORE {action} ON points_entries
                BEGIN SELECT RAISE(ABORT, 'points_entries is append-only: {action} refused'); END""")


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP TRIGGER IF EXISTS points_entries_no_change ON points_entries")
        op.execute("DROP FUNCTION IF EXISTS points_entries_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS points_entries_no_update")
        op.execute("DROP TRIGGER IF EXISTS points_entries_no_delete")
    op.drop_table('points_checkins')
    op.drop_index('ix_points_entries_kind_created', table_name='points_entries')
    op.drop_index('ix_points_entries_order', table_name='points_entries')
    op.drop_index('ix_points_entries_user', table_name='points_entries')
    op.drop_table('points_entries')
    op.drop_table('points_accounts')
