"""What must hold after load or a fault, read straight from the database: the app's own audit is clean, no order
was paid twice, no commission was created twice, no stock went negative, and no payment the gateway took was lost
(the sandbox's own records against the orders)."""
from dataclasses import dataclass, field

from sqlalchemy import text


@dataclass
class Verdict:
    audit_problems: list = field(default_factory=list)
    paid_twice: list = field(default_factory=list)  # order ids with more than one applied payment
    commission_twice: list = field(default_factory=list)  # (order id, order line id, level) with more than one
    ledger_twice: list = field(default_factory=list)  # commissions with more than one creation entry
    negative_stock: list = field(default_factory=list)  # sku ids
    paid_not_applied: list = field(default_factory=list)  # paid at the gateway, never applied by the mall
    figures: dict = field(default_factory=dict)

    @property
    def clean(self):
        return not (self.audit_problems or self.paid_twice or self.commission_twice or self.ledger_twice
                    or self.negative_stock
                    or self.paid_not_applied)

    def lines(self):
        return [f"audit: {'clean' if not self.audit_problems else self.audit_problems[:5]}",
                f"orders paid twice: {self.paid_twice or 'none'}",
                f"commissions created twice (order, line, level): {self.commission_twice or 'none'}",
                f"commissions with two creation ledger entries: {self.ledger_twice or 'none'}",
                f"SKUs with negative stock: {self.negative_stock or 'none'}",
                f"paid at the gateway but not in the mall: {self.paid_not_applied or 'none'}",
                "figures: " + ", ".join(f"{k} {v}" for k, v in self.figures.items())]


PAID_TWICE = """SELECT order_id FROM payments WHERE status = 'applied' GROUP BY order_id HAVING count(*) > 1"""
# Per order line: an order of two lines (a cart that kept an item from a checkout refused during a fault) has two
# commissions at each level, one per line, which is right.
COMMISSION_TWICE = """SELECT order_id, order_line_id, level FROM commissions GROUP BY order_id, order_line_id, level
                      HAVING count(*) > 1"""
LEDGER_TWICE = """SELECT ref_id FROM ledger_entries WHERE ref_type = 'commission' AND kind = 'commission_frozen'
                  GROUP BY ref_id HAVING count(*) > 1"""
PAID_NOT_APPLIED = """SELECT t.order_no FROM sandbox_transactions t WHERE t.state IN ('SUCCESS', 'REFUND')
                      AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.order_no = t.order_no AND o.paid_at IS NOT NULL)"""
FIGURES = {
    "orders": "SELECT count(*) FROM orders",
    "paid orders": "SELECT count(*) FROM orders WHERE paid_at IS NOT NULL",
    "payments": "SELECT count(*) FROM payments",
    "commissions": "SELECT count(*) FROM commissions",
    "refunds succeeded": "SELECT count(*) FROM refunds WHERE status = 'succeeded'",
    "withdrawals paid": "SELECT count(*) FROM withdrawals WHERE status = 'paid'",
    "ledger entries": "SELECT count(*) FROM ledger_entries",
}


def verify(app):
    """Run every check on the app's database; a Verdict."""
    from shop.extensions import db
    from shop.wallet.audit import run_audit

    verdict = Verdict()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()  # connections from before a restart are gone
        verdict.audit_problems = list(run_audit().problems)
        run = db.session.execute
        verdict.paid_twice = [r[0] for r in run(text(PAID_TWICE))]
        verdict.commission_twice = [tuple(r) for r in run(text(COMMISSION_TWICE))]
        verdict.ledger_twice = [r[0] for r in run(text(LEDGER_TWICE))]
        verdict.negative_stock = [r[0] for r in run(text("SELECT id FROM skus WHERE stock < 0"))]
        verdict.paid_not_applied = [r[0] for r in run(text(PAID_NOT_APPLIED))]
        verdict.figures = {name: run(text(sql)).scalar() for name, sql in FIGURES.items()}
        db.session.remove()
    return verdict
