"""Staff accounts of their own (with a role and a session version) and the operation log; the merchant's admins
become staff under the same ids, and every column naming who acted in the admin points at staff

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 19:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

#: (table, column) of every column that records which staff member acted.
ACTORS = (('binding_logs', 'actor_id'), ('commission_rule_versions', 'actor_id'),
          ('distributor_applications', 'decided_by'), ('ledger_entries', 'actor_id'),
          ('payment_alerts', 'resolved_by'), ('refunds', 'decided_by'), ('withdrawals', 'decided_by'))


def upgrade():
    op.create_table('staff',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('login', sa.String(length=40), nullable=False),
    sa.Column('display_name', sa.String(length=40), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', sa.String(length=10), nullable=False),
    sa.Column('disabled', sa.Boolean(), nullable=False),
    sa.Column('session_version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_login_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("role IN ('owner', 'operator', 'service', 'finance', 'viewer')", name=op.f('ck_staff_role_valid')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff')),
    sa.UniqueConstraint('login', name=op.f('uq_staff_login'))
    )
    op.create_table('operation_logs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('ip', sa.String(length=45), nullable=False),
    sa.Column('area', sa.String(length=30), nullable=False),
    sa.Column('endpoint', sa.String(length=80), nullable=False),
    sa.Column('target', sa.String(length=200), nullable=False),
    sa.Column('form', sa.JSON(), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_operation_logs_staff_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_operation_logs'))
    )
    op.create_index('ix_operation_logs_area_created', 'operation_logs', ['area', 'created_at'], unique=False)
    op.create_index(op.f('ix_operation_logs_created_at'), 'operation_logs', ['created_at'], unique=False)
    op.create_index('ix_operation_logs_staff_created', 'operation_logs', ['staff_id', 'created_at'], unique=False)

    copy_admins_to_staff()
    for table, column in ACTORS:
        repoint(table, column, 'users', 'staff')


def copy_admins_to_staff():
    """Every member with is_admin becomes an owner under the same id (so the recorded actors stay who they were);
    a member named as an actor who is no longer an admin is kept as a disabled read-only staff member."""
    named = " UNION ".join(f"SELECT {column} FROM {table} WHERE {column} IS NOT NULL" for table, column in ACTORS)
    op.execute(f"""
        INSERT INTO staff (id, login, display_name, password_hash, role, disabled, session_version, created_at,
                           last_login_at)
        SELECT id, phone, CASE WHEN nickname = '' THEN phone ELSE nickname END, coalesce(password_hash, '!'),
               CASE WHEN is_admin THEN 'owner' ELSE 'viewer' END, CASE WHEN is_admin THEN disabled ELSE true END,
               1, created_at, last_login_at
        FROM users WHERE is_admin OR id IN ({named})
    """)
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("SELECT setval(pg_get_serial_sequence('staff', 'id'), coalesce(max(id), 0) + 1, false) FROM staff")


def repoint(table, column, old, new):
    """Point table.column's foreign key at `new`.id instead of `old`.id.

    SQLite cannot alter a constraint, and the batch table copy is unsafe here: refunds and
    commission_rule_versions have foreign keys pointing at them (the copy's DROP TABLE would cascade or fail with
    foreign keys on), and ledger_entries carries its append-only triggers. The constraint only names another
    table whose rows have the same ids, so the stored table definition is edited in place, SQLite's documented
    way for a change that leaves the stored data as it is."""
    old_name, new_name = f'fk_{table}_{column}_{old}', f'fk_{table}_{column}_{new}'
    if op.get_bind().dialect.name != 'sqlite':
        op.drop_constraint(old_name, table, type_='foreignkey')
        op.create_foreign_key(new_name, table, new, [column], ['id'])
        return
    old_sql = f'CONSTRAINT {old_name} FOREIGN KEY({column}) REFERENCES {old} (id)'
    new_sql = f'CONSTRAINT {new_name} FOREIGN KEY({column}) REFERENCES {new} (id)'
    bind = op.get_bind()
    sql = bind.execute(sa.text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :t"), {'t': table}).scalar()
    if sql.count(old_sql) != 1:
        raise RuntimeError(f'{table}: expected exactly one "{old_sql}"')
    version = bind.execute(sa.text('PRAGMA schema_version')).scalar()
    bind.execute(sa.text('PRAGMA writable_schema = ON'))
    bind.execute(sa.text("UPDATE sqlite_master SET sql = :sql WHERE type = 'table' AND name = :t"),
                 {'sql': sql.replace(old_sql, new_sql), 't': table})
    bind.execute(sa.text(f'PRAGMA schema_version = {version + 1}'))
    bind.execute(sa.text('PRAGMA writable_schema = OFF'))


def downgrade():
    for table, column in ACTORS:
        # Staff created after 0008 are no members: what they did keeps no actor.
        forget = f"UPDATE {table} SET {column} = NULL WHERE {column} NOT IN (SELECT id FROM users)"
        without_ledger_guard(forget) if table == 'ledger_entries' else op.execute(forget)
        repoint(table, column, 'staff', 'users')
    op.drop_index('ix_operation_logs_staff_created', table_name='operation_logs')
    op.drop_index(op.f('ix_operation_logs_created_at'), table_name='operation_logs')
    op.drop_index('ix_operation_logs_area_created', table_name='operation_logs')
    op.drop_table('operation_logs')
    op.drop_table('staff')


def without_ledger_guard(statement):
    """Run one UPDATE of the append-only ledger with its guard lifted (a downgrade only)."""
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ALTER TABLE ledger_entries DISABLE TRIGGER ledger_entries_no_change')
        op.execute(statement)
        op.execute('ALTER TABLE ledger_entries ENABLE TRIGGER ledger_entries_no_change')
        return
    bind = op.get_bind()
    guard = bind.execute(sa.text("SELECT sql FROM sqlite_master WHERE name = 'ledger_entries_no_update'")).scalar()
    op.execute('DROP TRIGGER ledger_entries_no_update')
    op.execute(statement)
    op.execute(guard)
