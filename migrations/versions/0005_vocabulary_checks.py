"""status and kind columns checked against their closed sets; commissions store their quantity instead of
an explanation sentence

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 15:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

BIND_SOURCES = "('link', 'share', 'qr', 'code', 'admin')"
#: table -> {column: the allowed values}, as the models declare them (shop.vocabulary.one_of).
CHECKS = {
    'orders': {'status': "('pending', 'paid', 'shipped', 'completed', 'cancelled', 'refunded')"},
    'commissions': {'status': "('frozen', 'settled', 'reversed', 'clawed_back')",
                    'source': "('product', 'grade', 'global')"},
    'withdrawals': {'status': "('requested', 'approved', 'paid', 'rejected', 'failed')",
                    'method': "('wechat', 'alipay', 'bank')"},
    'refunds': {'status': "('requested', 'approved', 'rejected', 'processing', 'succeeded', 'failed')",
                'kind': "('full', 'partial', 'auto')"},
    'payments': {'status': "('applied', 'to_refund', 'refunded')"},
    'payment_alerts': {'kind': "('amount_mismatch', 'transaction_reused', 'auto_refund', 'refund_amount_mismatch')"},
    'distributors': {'status': "('active', 'disabled')", 'source': "('everyone', 'apply', 'threshold', 'admin')"},
    'distributor_applications': {'status': "('pending', 'approved', 'rejected')"},
    'referral_nodes': {'bind_source': BIND_SOURCES, 'pending_source': BIND_SOURCES},
    'binding_logs': {'source': BIND_SOURCES},
    'product_commissions': {'mode': "('percent', 'fixed')"},
}


def upgrade():
    with _foreign_keys_off():
        # The sentence is rebuilt from the row in the reader's language; a fixed amount needs the line's units.
        with op.batch_alter_table('commissions', schema=None) as batch_op:
            batch_op.add_column(sa.Column('quantity', sa.Integer(), nullable=True))
        op.execute("UPDATE commissions SET quantity = "
                   "(SELECT order_lines.quantity FROM order_lines WHERE order_lines.id = commissions.order_line_id)")
        with op.batch_alter_table('commissions', schema=None) as batch_op:
            batch_op.alter_column('quantity', existing_type=sa.Integer(), nullable=False)
            batch_op.drop_column('explanation')
            batch_op.create_check_constraint(op.f('ck_commissions_quantity_positive'), 'quantity > 0')

        for table, columns in CHECKS.items():
            with op.batch_alter_table(table, schema=None) as batch_op:
                for column, values in columns.items():
                    batch_op.create_check_constraint(op.f(f'ck_{table}_{column}_valid'), f'{column} IN {values}')


def downgrade():
    with _foreign_keys_off():
        for table, columns in CHECKS.items():
            with op.batch_alter_table(table, schema=None) as batch_op:
                for column in columns:
                    batch_op.drop_constraint(op.f(f'ck_{table}_{column}_valid'), type_='check')

        # Revision 0004's code shows a stored Chinese sentence: write it back, as 0004 wrote it.
        with op.batch_alter_table('commissions', schema=None) as batch_op:
            batch_op.add_column(sa.Column('explanation', sa.String(length=300), nullable=True))
        bind = op.get_bind()
        rows = bind.execute(sa.text('SELECT id, level, amount_fen, base_fen, rate_bp, fixed_fen, quantity, source '
                                    'FROM commissions')).all()
        if rows:
            bind.execute(sa.text('UPDATE commissions SET explanation = :text WHERE id = :id'),
                         [{'id': row.id, 'text': _sentence_0004(row)} for row in rows])
        with op.batch_alter_table('commissions', schema=None) as batch_op:
            batch_op.alter_column('explanation', existing_type=sa.String(length=300), nullable=False)
            batch_op.drop_constraint(op.f('ck_commissions_quantity_positive'), type_='check')
            batch_op.drop_column('quantity')


def _sentence_0004(row):
    """The sentence revision 0004 stored: '一级佣金：实付 ¥100.00 × 10.00% = ¥10.00（全局比例）'."""
    def fen(amount):
        return f"¥{amount // 100}.{amount % 100:02d}"

    level = {1: '一级', 2: '二级', 3: '三级'}[row.level]
    if row.fixed_fen is not None:
        label, full = ('商品固定金额', row.fixed_fen * row.quantity)
        formula = f'每件 {fen(row.fixed_fen)} × {row.quantity} 件 = {fen(full)}'
    else:
        label = {'product': '商品比例', 'grade': '等级比例', 'global': '全局比例'}[row.source]
        full = row.base_fen * row.rate_bp // 10000
        formula = f'实付 {fen(row.base_fen)} × {row.rate_bp // 100}.{row.rate_bp % 100:02d}% = {fen(full)}'
    if row.amount_fen < full:
        formula += f'，受佣金封顶限制实得 {fen(row.amount_fen)}'
    return f'{level}佣金：{formula}（{label}）'[:300]


class _foreign_keys_off:
    """SQLite adds a constraint by copying the table and dropping the old one, which the foreign keys that
    point at it (order_lines -> orders, ...) refuse while enforced. PRAGMA foreign_keys is ignored inside a
    transaction, so the open one (an earlier revision's, in the same upgrade) is committed first; the
    foreign keys are checked before they are turned back on. Other databases alter in place."""

    def __enter__(self):
        self.sqlite = op.get_bind().dialect.name == 'sqlite'
        if self.sqlite:
            _set_foreign_keys('OFF')

    def __exit__(self, exc_type, exc, tb):
        if self.sqlite and exc_type is None:
            broken = op.get_bind().exec_driver_sql('PRAGMA foreign_key_check').fetchall()
            if broken:
                raise RuntimeError(f'foreign keys broken by the table copies: {broken[:5]}')
            _set_foreign_keys('ON')


def _set_foreign_keys(state):
    dbapi = op.get_bind().connection.dbapi_connection
    if dbapi.in_transaction:
        dbapi.commit()
    dbapi.execute(f'PRAGMA foreign_keys={state}')
