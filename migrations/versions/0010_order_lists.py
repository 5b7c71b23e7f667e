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
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('fk_orders_referrer_id_users'), type_='foreignkey')
        batch_op.drop_column('referrer_id')
