"""Applying payments: one transaction per notification, exactly once, however often it arrives.

Lock the order row; a transaction id already recorded is acknowledged and changes nothing; an
amount that differs from the order total changes nothing and raises an alert; otherwise the order
is marked paid, the payment recorded (unique on gateway + transaction id), the commissions
computed from the order's upline snapshot and inserted frozen with their ledger entries, the
distributors' figures and grades updated — and only then is the transaction committed.
"""
import logging
from datetime import timedelta

from blinker import signal
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import bindparam, insert, select, update

from ..agents.dividends import create_dividends
from ..catalog.models import Product
from ..clock import utcnow
from ..database import require_outermost, transaction
from ..distribution.binding import record_paid_order
from ..distribution.earnings import create_commissions
from ..distribution.grades import check_upgrades
from ..errors import ServiceError
from ..extensions import db
from ..ops import notices
from ..orders import status as st
from ..orders.events import order_paid
from ..orders.locked import lock_order
from ..orders.models import Order
from ..orders.services import reserve_stock, return_to_stock
from ..settings import get_setting
from ..statements import adopt, loaded, run, scalar
from .alerts import PaymentRefused, payment_alert, record_alert, refused_with_alert
from .gateways import RefundNotice, TransferNotice, external_url, get_gateway
from .gateways.base import ForeignNotification
from .models import AMOUNT_MISMATCH, APPLIED, FOREIGN_NOTICE, TO_REFUND, TRANSACTION_REUSED, Payment
from .refunds import apply_refund_result, create_auto_refund, execute_pending_auto_refunds

log = logging.getLogger("shop.payments")

#: Sent inside the payment transaction just before commit (receivers may veto by raising).
payment_applied = signal("payment-applied")

# Outcomes of apply_payment.
APPLIED_NOW, DUPLICATE, LATE_ACCEPTED, REFUND_SCHEDULED, NOT_PAID = (
    "applied", "duplicate", "late_accepted", "refund_scheduled", "not_paid")


# The notification's statements, built once (bound parameters only): building a statement and its cache key
# costs more CPU than sending it (bench/README.md, notify_bench.py).
_PAYMENT_ORDER = select(Payment.order_id).where(Payment.gateway == bindparam("gateway"),
                                                Payment.transaction_id == bindparam("transaction_id"))
_INSERT_PAYMENT = insert(Payment.__table__).returning(Payment.__table__.c.id)
_products = Product.__table__
# A product's sales show on its page up to the page cache's TTL late: no new catalog generation at every payment.
_ADD_SALES = (update(_products).where(_products.c.id == bindparam("product_id"))
              .values(sales=_products.c.sales + bindparam("quantity")).execution_options(catalog_unchanged=True))


def apply_payment(notice):
    """Apply a verified payment notice; returns an outcome constant. Owns its transaction: the order row
    lock, the duplicate check and the commit are one transaction, so a payment is applied exactly once.

    Raises PaymentRefused (nothing changed; an alert recorded for the merchant where one is due) for an
    unknown order, a wrong amount or a transaction id that belongs to another order. An automatic refund
    is sent to the gateway after the commit.
    """
    if not notice.succeeded:
        return NOT_PAID
    with refused_with_alert():
        order = lock_order(notice.order_no)
        if order is None:
            raise PaymentRefused(f"unknown order {notice.order_no!r}", status=404)
        paid_order_id = scalar(_PAYMENT_ORDER, {"gateway": notice.gateway, "transaction_id": notice.transaction_id})
        if paid_order_id is not None and paid_order_id != order.id:
            raise PaymentRefused("transaction id belongs to another order", status=409, alert=payment_alert(
                TRANSACTION_REUSED, f"transaction {notice.transaction_id} was already applied to another order; "
                                      f"notification for {notice.order_no} refused", notice))
        if paid_order_id is not None:
            notices.duplicate()
            return DUPLICATE
        if notice.amount_fen != order.pay_total_fen:
            raise PaymentRefused("amount does not match the order total", status=400, alert=payment_alert(
                AMOUNT_MISMATCH, f"order {order.order_no} total {order.pay_total_fen} fen but the gateway "
                                   f"reports {notice.amount_fen} fen", notice))
        outcome = _take_payment(order, notice)
    if outcome == REFUND_SCHEDULED:
        execute_pending_auto_refunds(order_id=order.id)
    return outcome


def receive_notification(gateway_name, headers, body):
    """Verify a gateway's notification and apply it (a payment, a refund or a withdrawal's transfer) exactly once.
    Owns its transactions.

    Raises NotificationRejected for one that is forged, stale or malformed; a genuine one for another merchant,
    app or currency (ForeignNotification) is refused too, and the merchant is alerted.
    """
    try:
        notice = get_gateway(gateway_name).parse_notification(headers, body)
    except ForeignNotification as foreign:
        record_alert(payment_alert(FOREIGN_NOTICE, f"{gateway_name}: {foreign.reason}; refused",
                                   order_no=foreign.order_no))
        raise
    notices.identify(notice)
    if isinstance(notice, RefundNotice):
        return apply_refund_result(notice)
    if isinstance(notice, TransferNotice):
        from ..wallet.transfers import apply_transfer_result
        return apply_transfer_result(notice)
    return apply_payment(notice)


def _take_payment(order, notice):
    now = utcnow()
    outcome, status = APPLIED_NOW, APPLIED
    if order.status == st.PENDING:
        st.move(order, st.PAID, paid_at=now)
    elif order.status == st.CANCELLED and _reserve_again(order):
        st.move(order, st.PAID, paid_at=now)
        outcome = LATE_ACCEPTED
    else:
        # Cancelled and out of stock, or already paid by another transaction: never lost, refunded.
        outcome, status = REFUND_SCHEDULED, TO_REFUND
    payment = _insert_payment(order_id=order.id, gateway=notice.gateway, transaction_id=notice.transaction_id,
                              amount_fen=notice.amount_fen, status=status, paid_at=notice.paid_at or now,
                              payer_openid=notice.payer_openid, raw=notice.raw or None, created_at=now)
    if outcome == REFUND_SCHEDULED:
        create_auto_refund(order, payment, notice, now)
    else:
        _on_paid(order, now)
    payment_applied.send(current_app._get_current_object(), order=order, payment=payment)
    return outcome


def _insert_payment(**values):
    """The payment row, inserted by one prebuilt Core INSERT (the unit of work's flush costs more than the
    statement), then handed to the session as the persistent Payment it is."""
    return adopt(loaded(Payment, dict(values, id=scalar(_INSERT_PAYMENT, values))))


def _reserve_again(order):
    """Take the stock again for a late payment; all lines or none (the savepoint-free way: undo). An order that
    used a discount or an activity is not revived: what it used was given back at the cancel (orders/events.py)."""
    if order.discount_detail or any(line.activity_kind or not line.stock_from_sku for line in order.lines):
        return False
    taken = []
    for line in sorted(order.lines, key=lambda ln: ln.sku_id or 0):
        if line.sku_id is None or not reserve_stock(line.sku_id, line.quantity):
            return_to_stock(taken)
            return False
        taken.append((line.sku_id, line.quantity))
    return True


def _on_paid(order, now):
    """Everything a paid order changes besides its status: commissions, the regional agents' dividends (after the
    commissions: the cap counts both), figures, sales, the marketing tools' order_paid receivers."""
    earned = create_commissions(order)
    create_dividends(order)
    goods_paid = sum(line.paid_amount_fen for line in order.lines)
    reasons = record_paid_order(order.user_id, goods_paid, now, check_grades=False, earned=earned)
    for user_id in earned:
        reasons.setdefault(user_id, "commission earned")
    check_upgrades(reasons)
    for line in order.lines:
        if line.product_id:
            run(_ADD_SALES, {"product_id": line.product_id, "quantity": line.quantity})
    order_paid.send(current_app._get_current_object(), order=order, now=now)


def start_payment(order, gateway_name=None, client_ip=None, openid=None, channel=None):
    """Open a payment for an unpaid order with the configured gateway; returns a PaymentStart. `channel` is the
    trade type (channels.choose_channel); JSAPI needs the member's bound openid.

    Owns its transaction, committed before the gateway is called: the order then shows which gateway to
    ask even if the call times out (reconcile_payments asks it). Refused inside another transaction().
    """
    if order.status != st.PENDING:
        raise ServiceError(_("订单当前状态为「%(s)s」，无需付款", s=order.status_label), status=409)
    gateway = get_gateway(gateway_name)
    with transaction(outermost=True):
        order.pay_gateway, order.pay_opened_at = gateway.name, utcnow()
    return gateway.create_payment(
        order_no=order.order_no, amount_fen=order.pay_total_fen, description=_order_description(order),
        notify_url=external_url("payments.notify", gateway=gateway.name), client_ip=client_ip,
        openid=openid, return_url=external_url("orders.detail", order_no=order.order_no), trade_type=channel)


def _order_description(order):
    title = order.lines[0].title if order.lines else order.order_no
    return (title if len(order.lines) == 1 else _("%(t)s 等%(n)s件", t=title, n=order.quantity))[:120]


def reconcile_payments(minutes=10, now=None, echo=None, max_hours=None):
    """Ask the gateway about unpaid orders whose payment was opened over `minutes` ago, and no longer ago than
    `max_hours` (the reconcile_max_hours setting), and apply what it reports through the same path as a
    notification. Owns one transaction per order (apply_payment); refused inside another transaction()."""
    require_outermost()
    now = now or utcnow()
    oldest = now - timedelta(hours=max_hours or int(get_setting("reconcile_max_hours")))
    rows = db.session.execute(select(Order.order_no, Order.pay_gateway).where(
        Order.status.in_((st.PENDING, st.CANCELLED)), Order.pay_opened_at.isnot(None),
        Order.pay_opened_at <= now - timedelta(minutes=minutes), Order.pay_opened_at >= oldest)).all()
    db.session.rollback()  # end the read: each order below is applied in its own transaction
    counts = {}
    for order_no, gateway_name in rows:
        try:
            notice = get_gateway(gateway_name).query_payment(order_no)
            outcome = apply_payment(notice) if notice is not None else NOT_PAID
        except PaymentRefused as err:
            outcome = "refused"
            log.warning("reconcile %s refused: %s", order_no, err.reason)
        except Exception as err:  # one order's gateway trouble must not stop the others
            db.session.rollback()  # a failed read outside any transaction() must not poison the next order
            outcome = "error"
            log.exception("reconcile %s failed: %s", order_no, err)
        counts[outcome] = counts.get(outcome, 0) + 1
        if echo and outcome not in (NOT_PAID, DUPLICATE):
            echo(f"{order_no}: {outcome}")
    return counts
