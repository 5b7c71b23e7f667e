"""The admin's order and member lists: an order's direct referrer (from its upline snapshot) as an indexed column,
and indexes for the date, product and distributor filters

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 18:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

BATCH = 1000


def upgrade():
    # Plain ADD COLUMN (no table copy): users and orders have foreign keys pointing at them. SQLite takes the
    # foreign key inline only.
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE orders ADD COLUMN referrer_id INTEGER REFERENCES users (id)')
    else:
        op.add_column('orders', sa.Column('referrer_id', sa.Integer(), nullable=True))
        op.create_foreign_key(op.f('fk_orders_referrer_id_users'), 'orders', 'users', ['referrer_id'], ['id'])
    op.create_index('ix_orders_referrer', 'orders', ['referrer_id', 'id'], unique=False)
    op.create_index('ix_orders_created_at', 'orders', ['created_at'], unique=False)
    op.create_index('ix_order_lines_product', 'order_lines', ['product_id', 'order_id'], unique=False)
    op.create_index('ix_users_created_at', 'users', ['created_at'], unique=False)
    op.create_index('ix_referral_nodes_own_paid', 'referral_nodes', ['own_paid_fen'], unique=False)
    backfill_referrers()


def backfill_referrers():
    """Orders placed before this revision: the first ancestor of their stored upline, in batches by id."""
    orders = sa.table('orders', sa.column('id', sa.Integer), sa.column('upline', sa.JSON),
                      sa.column('referrer_id', sa.Integer))
    conn, last = op.get_bind(), 0
    while True:
        rows = conn.execute(sa.select(orders.c.id, orders.c.upline).where(orders.c.id > last)
                            .order_by(orders.c.id).limit(BATCH)).all()
        if not rows:
            return
        last = rows[-1].id
        values = [{"oid": row.id, "rid": first_ancestor(row.upline)} for row in rows]
        values = [v for v in values if v["rid"] is not None]
        if values:
            conn.execute(orders.update().where(orders.c.id == sa.bindparam('oid'))
                         .values(referrer_id=sa.bindparam('rid')), values)


def first_ancestor(upline):
    ancestors = (upline or {}).get("ancestors") or []
    return ancestors[0]["user_id"] if ancestors and ancestors[0] else None


def downgrade():
    op.drop_index('ix_referral_nodes_own_paid', table_name='referral_nodes')
    op.drop_index('ix_users_created_at', table_name='users')
    op.drop_index('ix_order_lines_product', table_name='order_lines')
    op.drop_index('ix_orders_created_at', table_name='orders')
    op.drop_index('ix_orders_referrer', table_name='orders')
    if op.get_bind().dialect.name == 'sqlite':
        forget_inline_foreign_key()
        op.execute('ALTER TABLE orders DROP COLUMN referrer_id')
    else:
        op.drop_constraint(op.f('fk_orders_referrer_id_users'), 'orders', type_='foreignkey')
        op.drop_column('orders', 'referrer_id')


def forget_inline_foreign_key():
    """SQLite drops no column a foreign key names, and a batch copy of orders is unsafe (tables point at it): the
    inline REFERENCES added by upgrade() is removed from the stored table definition first (a constraint-only
    edit, which leaves the stored rows as they are), then the column is dropped."""
    bind = op.get_bind()
    inline, plain = 'referrer_id INTEGER REFERENCES users (id)', 'referrer_id INTEGER'
    sql = bind.execute(sa.text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'orders'")).scalar()
    if sql.count(inline) != 1:
        raise RuntimeError(f'orders: expected exactly one "{inline}"')
    version = bind.execute(sa.text('PRAGMA schema_version')).scalar()
    bind.execute(sa.text('PRAGMA writable_schema = ON'))
    bind.execute(sa.text("UPDATE sqlite_master SET sql = :sql WHERE type = 'table' AND name = 'orders'"),
                 {'sql': sql.replace(inline, plain)})
    bind.execute(sa.text(f'PRAGMA schema_version = {version + 1}'))
    bind.execute(sa.text('PRAGMA writable_schema = OFF'))
