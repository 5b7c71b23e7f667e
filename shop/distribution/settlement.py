"""Settlement (结算): frozen commissions become available once their order is completed and the
after-sale window has passed. Idempotent, and safe on two hosts (an advisory lock on PostgreSQL)."""
from datetime import timedelta

from sqlalchemy import exists, select, text

from ..clock import utcnow
from ..extensions import db
from ..orders import status as st
from ..orders.models import Order
from ..payments.models import Refund
from ..settings import get_setting
from .earnings import settle
from .models import FROZEN, Commission

SETTLE_LOCK_KEY = 7_301_002
OPEN_REFUNDS = ("requested", "approved", "processing")


def freeze_days():
    """Never shorter than the refund window."""
    return max(int(get_setting("commission_freeze_days")), int(get_setting("refund_window_days")))


def due_commission_ids(now):
    cutoff = now - timedelta(days=freeze_days())
    open_refund = exists().where(Refund.order_id == Order.id, Refund.status.in_(OPEN_REFUNDS))
    return db.session.scalars(
        select(Commission.id).join(Order, Order.id == Commission.order_id)
        .where(Commission.status == FROZEN, Order.status == st.COMPLETED, Order.completed_at <= cutoff, ~open_refund)
        .order_by(Commission.id)).all()


def settle_due_commissions(now=None, echo=None, batch=200):
    """Settle every due commission; returns (settled count, amount) or None when another host holds
    the lock. Commits per batch and reports progress."""
    now = now or utcnow()
    with db.engine.connect() as lock_conn:
        if db.engine.dialect.name == "postgresql":
            if not lock_conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": SETTLE_LOCK_KEY}).scalar():
                if echo:
                    echo("another settlement is running; nothing done")
                return None
        try:
            ids = due_commission_ids(now)
            db.session.rollback()
            count = amount = 0
            for i, commission_id in enumerate(ids, start=1):
                moved = settle(commission_id, now)
                if moved:
                    count, amount = count + 1, amount + moved
                if i % batch == 0 or i == len(ids):
                    db.session.commit()
                    if echo:
                        echo(f"settled {i}/{len(ids)} commissions")
            db.session.commit()
            return count, amount
        finally:
            if db.engine.dialect.name == "postgresql":
                lock_conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": SETTLE_LOCK_KEY})
                lock_conn.commit()
