"""Settlement (结算): frozen commissions become available once their order is completed and the
after-sale window has passed, unless an after-sale refund of the order is open or a fraud flag holds it. The
one home of that rule: the scheduled command settles by it and the distributor center explains it with it.
Idempotent, and safe on two hosts (an advisory lock on PostgreSQL)."""
import logging
from datetime import timedelta

from sqlalchemy import exists, select

from ..clock import utcnow
from ..database import single_runner, transaction
from ..extensions import db
from ..growth.fraud import fraud_review, is_held
from ..orders import status as st
from ..orders.models import Order
from ..payments.alerts import payment_alert, record_alert
from ..payments.models import OPEN_REFUND_STATUSES, SETTLE_FAILED, Refund
from ..settings import get_setting
from .earnings import settle
from .models import CLAWED_BACK, FROZEN, REVERSED, SETTLED, Commission

log = logging.getLogger("shop.distribution")

SETTLE_LOCK_KEY = 7_301_002


def freeze_days():
    """Days after completion before commissions settle: never shorter than the refund window."""
    return max(int(get_setting("commission_freeze_days")), int(get_setting("refund_window_days")))


def has_open_refund(order_id):
    """SQL: the order (an id or a column) has an open after-sale refund."""
    return exists().where(Refund.order_id == order_id, Refund.status.in_(OPEN_REFUND_STATUSES))


def due_commission_ids(now):
    """Ids of the frozen commissions due at `now` (a read; joins the caller's transaction)."""
    cutoff = now - timedelta(days=freeze_days())
    return db.session.scalars(
        select(Commission.id).join(Order, Order.id == Commission.order_id)
        .where(Commission.status == FROZEN, Order.status == st.COMPLETED, Order.completed_at <= cutoff,
               ~has_open_refund(Order.id), ~is_held(Commission.id))
        .order_by(Commission.id)).all()


def availability(commission, order):
    """When one commission becomes (or became) available: (state, moment, freeze days); a read.

    settled: moment = settled_at; held / voided: a fraud flag holds it for staff, or staff voided it;
    due: the order is completed, moment = completed_at + freeze days
    (settlement moves it then, unless an after-sale refund is open: "after_sale"); after_completion: the
    order is not completed yet; reversed / clawed_back: it never will."""
    days = freeze_days()
    if commission.status == SETTLED:
        return "settled", commission.settled_at, days
    review = fraud_review(commission.id)  # held: waits for staff; voided: staff reversed it
    if review is not None:
        return review, None, days
    if commission.status in (REVERSED, CLAWED_BACK):
        return commission.status, None, days
    if order.completed_at is None:
        return "after_completion", None, days
    state = "after_sale" if db.session.scalar(select(has_open_refund(order.id))) else "due"
    return state, order.completed_at + timedelta(days=days), days


def settle_due_commissions(now=None, echo=None, batch=200):
    """Settle every due commission and agent dividend; returns (settled count, amount) or None when another host holds the
    lock. Owns its transactions: one per commission, so one that fails is logged and alerted and the run goes
    on; progress is reported every `batch` commissions."""
    now = now or utcnow()
    with single_runner(SETTLE_LOCK_KEY) as held:
        if not held:
            if echo:
                echo("another settlement is running; nothing done")
            return None
        with transaction():  # the read ends here: each commission below is a short transaction of its own
            ids = due_commission_ids(now)
        count = amount = 0
        for done, commission_id in enumerate(ids, 1):
            moved = _settle_alone(commission_id, now)
            count, amount = count + bool(moved), amount + moved
            if echo and (done % batch == 0 or done == len(ids)):
                echo(f"settled {done}/{len(ids)} commissions")
        from ..agents.dividends import settle_due_dividends  # by the same rule, under the same lock
        more, more_fen = settle_due_dividends(now)
        return count + more, amount + more_fen


def _settle_alone(commission_id, now):
    """One commission in its own transaction; a refund opened since the ids were read holds it back."""
    try:
        with transaction():
            order_id = db.session.scalar(select(Commission.order_id).where(Commission.id == commission_id))
            held = db.session.scalar(select(has_open_refund(order_id) | is_held(commission_id)))
            return 0 if held else settle(commission_id, now)
    except Exception as err:  # one commission's trouble must not stop settlement for the whole shop
        log.exception("commission %s could not be settled", commission_id)
        record_alert(payment_alert(SETTLE_FAILED, f"commission {commission_id} could not be settled: {err}"))
        return 0
