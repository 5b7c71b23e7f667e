"""Reconcile refunds: ask the gateway about refunds it may have finished without our hearing of it (a lost
notification, a timeout, a worker that died after committing PROCESSING) and apply its answer through the
same path as a notification (refunds.apply_refund_result). Batch command: one transaction per refund."""
import logging
from datetime import timedelta

from sqlalchemy import select, update

from ..clock import utcnow
from ..database import require_outermost, transaction
from ..extensions import db
from ..settings import get_setting
from .alerts import PaymentRefused, payment_alert, record_alert
from .gateways import get_gateway
from .models import APPROVED, PROCESSING, REFUND_STUCK, Payment, PaymentAlert, Refund
from .refunds import apply_refund_result, execute_refund

log = logging.getLogger("shop.payments")

#: A refund the gateway may hold: processing, or approved again after our call failed (it may have gone through).
SENT_STATUSES = (APPROVED, PROCESSING)
#: `flask shop reconcile-payments` runs on one host at a time (shop.database.single_runner): every host asking the
#: gateway about the same orders and refunds at once would only multiply its API calls.
RECONCILE_PAYMENTS_LOCK_KEY = 7_301_019


def reconcile_refunds(minutes=5, now=None, echo=None):
    """Query the refunds sent over `minutes` ago that are still open and apply each answer like a notification;
    one still open after the `stuck_after_hours` setting raises a REFUND_STUCK alert (once). Returns counts by
    outcome. Owns one transaction per refund; refused inside another transaction()."""
    require_outermost()
    now = now or utcnow()
    rows = db.session.execute(
        select(Refund.id, Refund.refund_no, Refund.status, Refund.decided_at, Payment.gateway)
        .join(Payment, Payment.id == Refund.payment_id)
        .where(Refund.status.in_(SENT_STATUSES), Refund.decided_at <= now - timedelta(minutes=minutes))
        .order_by(Refund.id)).all()
    db.session.rollback()  # end the read: each refund below is applied in its own transaction
    counts = {}
    for row in rows:
        outcome = _reconcile(row)
        counts[outcome] = counts.get(outcome, 0) + 1
        _alert_if_stuck(row, now)
        if echo and outcome != "unchanged":
            echo(f"refund {row.refund_no}: {outcome}")
    return counts


def _reconcile(row):
    try:
        notice = get_gateway(row.gateway).query_refund(row.refund_no)
        if notice is None:
            return _send_again(row)
        status = apply_refund_result(notice).status
        return "unchanged" if status == row.status else status
    except PaymentRefused as err:
        log.warning("reconcile refund %s refused: %s", row.refund_no, err.reason)
        return "refused"
    except Exception as err:  # one refund's trouble must not stop the others
        db.session.rollback()
        log.exception("reconcile refund %s failed: %s", row.refund_no, err)
        return "error"


def _send_again(row):
    """The gateway never heard of it: a processing refund died before the call and goes out again (same
    number, so the gateway can never pay it twice); an approved one waits for its retry."""
    if row.status != PROCESSING:
        return "unchanged"
    with transaction():
        db.session.execute(update(Refund).where(Refund.id == row.id, Refund.status == PROCESSING)
                           .values(status=APPROVED))
    return execute_refund(row.id).status


def _alert_if_stuck(row, now):
    hours = int(get_setting("stuck_after_hours"))
    refund = db.session.get(Refund, row.id, populate_existing=True)
    prefix, order_no = f"refund {refund.refund_no} ", refund.order.order_no
    stuck = refund.status in SENT_STATUSES and row.decided_at <= now - timedelta(hours=hours)
    known = stuck and db.session.scalar(select(PaymentAlert.id).where(
        PaymentAlert.kind == REFUND_STUCK, PaymentAlert.message.startswith(prefix))) is not None
    message = prefix + f"of order {order_no} is still {refund.status} after more than {hours} hours"
    db.session.rollback()  # the read ends before the alert's own transaction
    if stuck and not known:
        record_alert(payment_alert(REFUND_STUCK, message, order_no=order_no))
