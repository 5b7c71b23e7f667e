"""After-sale refunds: full or per line with quantities; requested by the shopper within the window,
approved or rejected by the merchant, executed through the gateway; commissions follow exactly once."""
import logging
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from ..agents.dividends import adjust_dividends_for_refunded_quantities
from ..agents.models import AgentDividend
from ..clock import utcnow
from ..database import require_outermost, transaction
from ..distribution.earnings import adjust_for_refunded_quantities
from ..distribution.models import Commission
from ..errors import NotFound, ServiceError
from ..extensions import db
from ..groupbuy.guard import refund_refusal
from ..numbers import new_number
from ..ops import notices
from ..orders import status as st
from ..orders.events import refund_succeeded
from ..orders.models import Order, OrderLine
from ..orders.services import return_to_stock
from ..settings import get_setting
from ..wallet import ledger
from .alerts import PaymentRefused, payment_alert, refused_with_alert
from .gateways import GatewayError, external_url, get_gateway
from .models import (
    APPLIED,
    APPROVED,
    AUTO,
    AUTO_REFUNDED,
    FAILED,
    FULL,
    OPEN_REFUND_STATUSES,
    PARTIAL,
    PROCESSING,
    REFUND_AMOUNT_MISMATCH,
    REFUNDED,
    REJECTED,
    REQUESTED,
    SUCCEEDED,
    Payment,
    Refund,
    RefundLine,
)

log = logging.getLogger("shop.payments")

REFUNDABLE = (st.PAID, st.SHIPPED, st.COMPLETED)


def new_refund_no():
    """R + date + random digits, checked for uniqueness. Reads only."""
    return new_number("R", Refund.refund_no)


def refunded_quantities(order_id, include_open=True):
    """{order_line_id: quantity} already refunded (and, by default, asked for in an open refund).
    Reads only."""
    statuses = (SUCCEEDED,) + (OPEN_REFUND_STATUSES if include_open else ())
    rows = db.session.execute(select(RefundLine.order_line_id, func.sum(RefundLine.quantity))
                              .join(Refund, Refund.id == RefundLine.refund_id)
                              .where(Refund.order_id == order_id, Refund.status.in_(statuses))
                              .group_by(RefundLine.order_line_id)).all()
    return {line_id: int(qty) for line_id, qty in rows}


def line_refund_amount(line, already, quantity):
    """Money for `quantity` more units: the cumulative floor split, so the last unit takes the rest.
    No database access."""
    return (line.paid_amount_fen * (already + quantity) // line.quantity
            - line.paid_amount_fen * already // line.quantity)


def request_refund(user, order, reason, quantities=None):
    """The shopper asks for a refund: quantities {order_line_id: qty}, or None for everything left.
    Owns its transaction; the order row stays locked until it commits (one open refund per order)."""
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("请填写退款原因"))
    if order.user_id != user.id:
        raise NotFound()
    with transaction():
        order = lock_order_for_refund(order.id)
        if order.status == st.COMPLETED:
            window = timedelta(days=int(get_setting("refund_window_days")))
            if utcnow() - order.completed_at > window:
                raise ServiceError(_("已超过售后期，不能再申请退款"), status=409)
        if refusal := refund_refusal(order):
            raise ServiceError(refusal, status=409)
        return _create_refund(order, reason, quantities, user_id=user.id)


def _create_refund(order, reason, quantities, user_id, kind=None):
    done = refunded_quantities(order.id)
    lines = {line.id: line for line in order.lines}
    if quantities is None:
        wanted = {lid: line.quantity - done.get(lid, 0) for lid, line in lines.items()
                  if line.quantity - done.get(lid, 0) > 0}
    else:
        wanted = {}
        for lid, qty in quantities.items():
            lid, qty = int(lid), int(qty)
            if qty == 0:
                continue
            if lid not in lines:
                raise ServiceError(_("退款商品不属于这个订单"), status=404)
            if qty < 0 or qty > lines[lid].quantity - done.get(lid, 0):
                raise ServiceError(_("「%(t)s」最多可退%(n)s件", t=lines[lid].title,
                                     n=lines[lid].quantity - done.get(lid, 0)))
            wanted[lid] = qty
    if not wanted:
        raise ServiceError(_("没有可退款的商品"))
    refund = Refund(refund_no=new_refund_no(), order_id=order.id, user_id=user_id, reason=reason[:200],
                    status=REQUESTED, amount_fen=0)
    for lid, qty in wanted.items():
        amount = line_refund_amount(lines[lid], done.get(lid, 0), qty)
        refund.lines.append(RefundLine(order_line_id=lid, quantity=qty, amount_fen=amount))
        refund.amount_fen += amount
    everything = all(done.get(lid, 0) + wanted.get(lid, 0) == line.quantity for lid, line in lines.items())
    refund.kind = kind or (FULL if everything else PARTIAL)
    if everything:
        refund.shipping_fen = order.shipping_fen
        refund.amount_fen += order.shipping_fen
    refund.payment_id = db.session.scalar(select(Payment.id).where(Payment.order_id == order.id,
                                                                   Payment.status == APPLIED))
    db.session.add(refund)
    db.session.flush()
    return refund


def merchant_refund(order, reason, actor, quantities=None, restock=False):
    """The merchant refunds on their own initiative (any time after payment): created approved, then
    sent like approve_refund; with `restock` the quantities go back to stock at once. One open refund
    per order (the order row stays locked until the approval commits). Owns its transactions; refused
    inside another transaction()."""
    with transaction(outermost=True):
        order = lock_order_for_refund(order.id)
        refund = _create_refund(order, (reason or "").strip() or _("商家主动退款"), quantities,
                                user_id=order.user_id)
        _decide(refund.id, actor, APPROVED)
        if restock:
            restock_refund(refund)
    return execute_refund(refund.id)


def _lock_refund(refund_id, allowed):
    refund = db.session.execute(select(Refund).where(Refund.id == refund_id).with_for_update()
                                .execution_options(populate_existing=True)).scalar_one_or_none()
    if refund is None:
        raise NotFound()
    if refund.status not in allowed:
        raise ServiceError(_("该退款申请已处理"), status=409)
    return refund


def _decide(refund_id, actor, status, **values):
    refund = _lock_refund(refund_id, (REQUESTED,))
    refund.status, refund.decided_at, refund.decided_by = status, utcnow(), actor.id if actor else None
    for key, value in values.items():
        setattr(refund, key, value)
    return refund


def approve_refund(refund_id, actor, restock=False):
    """Approve and send to the gateway; with `restock` the quantities go back to stock in the approval's
    transaction (exactly once: only a requested refund is approved). Owns its transactions (the approval
    commits before the gateway is called, see execute_refund); refused inside another transaction()."""
    with transaction(outermost=True):
        refund = _decide(refund_id, actor, APPROVED)
        if restock:
            restock_refund(refund)
    return execute_refund(refund_id)


def reject_refund(refund_id, actor, reason):
    """Refuse a requested refund with a reason the shopper sees. Owns its transaction."""
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("请填写拒绝原因"))
    with transaction():
        return _decide(refund_id, actor, REJECTED, reject_reason=reason[:200])


def execute_refund(refund_id):
    """Ask the gateway to pay the refund back; success is applied at once, PROCESSING waits for the
    refund notification (or reconcile). A gateway failure leaves it approved for a retry.

    Owns its transactions: PROCESSING commits before the gateway is called (a crash during the call
    leaves a refund the reconcile command queries), so refused inside another transaction().
    """
    with transaction(outermost=True):
        refund = _lock_refund(refund_id, (APPROVED,))
        payment = db.session.get(Payment, refund.payment_id) if refund.payment_id else None
        if payment is None:
            raise ServiceError(_("找不到这笔退款对应的付款"), status=409)
        order = db.session.get(Order, refund.order_id)
        refund.status = PROCESSING
    try:
        result = get_gateway(payment.gateway).refund(
            order_no=order.order_no, refund_no=refund.refund_no, amount_fen=refund.amount_fen,
            total_fen=payment.amount_fen, reason=refund.reason,
            notify_url=external_url("payments.refund_notify", gateway=payment.gateway))
    except GatewayError as err:
        with transaction():
            db.session.execute(update(Refund).where(Refund.id == refund.id, Refund.status == PROCESSING)
                               .values(status=APPROVED, fail_reason=err.message[:200]))
        raise
    return apply_refund_result(result)


def _moves_on(refund, notice):
    """A success is applied from either state a sent refund can be in: after a timeout our call put it back
    to approved, but the gateway may well have paid it. A failure only concerns a refund we know is out."""
    if notice.succeeded:
        return refund.status in (APPROVED, PROCESSING)
    return notice.failed and refund.status == PROCESSING


def apply_refund_result(notice):
    """Apply a refund result (from the gateway's answer, a notification or a query), exactly once.

    Owns its transaction; a result with another amount is refused (PaymentRefused, nothing changed)
    with an alert for the merchant.
    """
    with refused_with_alert():
        refund = db.session.execute(select(Refund).where(Refund.refund_no == notice.refund_no).with_for_update()
                                    .execution_options(populate_existing=True)).scalar_one_or_none()
        if refund is None:
            raise NotFound()
        if not _moves_on(refund, notice):
            notices.duplicate()
            return refund  # already applied (duplicate notification) or not ours to change
        if notice.succeeded and notice.amount_fen != refund.amount_fen:
            message = (f"refund {refund.refund_no}: the gateway reports {notice.amount_fen} fen, "
                       f"we asked for {refund.amount_fen} fen")
            raise PaymentRefused(message, status=400, alert=payment_alert(
                REFUND_AMOUNT_MISMATCH, message, order_no=notice.order_no))
        if notice.succeeded:
            _refund_succeeded(refund, notice)
        elif notice.failed:
            refund.status, refund.fail_reason = FAILED, _failure_text(notice)
    return refund


def _failure_text(notice):
    """What staff are told when the gateway did not refund: its status and the account it names, if any."""
    account = (notice.raw or {}).get("user_received_account")
    return f"{notice.status}" + (f" ({account})" if account else "")


def _refund_succeeded(refund, notice):
    now = utcnow()
    refund.status, refund.succeeded_at, refund.gateway_refund_id = SUCCEEDED, now, notice.refund_id
    refund.fail_reason = None
    order = db.session.execute(select(Order).where(Order.id == refund.order_id).with_for_update()
                               .execution_options(populate_existing=True)).scalar_one()
    if refund.kind == AUTO:
        db.session.execute(update(Payment).where(Payment.id == refund.payment_id).values(status=REFUNDED))
        return
    order.refunded_fen += refund.amount_fen
    # Before reversing each line's commissions and dividends one by one: their accounts, in the payment's order
    # (commissions' beneficiaries, then agents', each group ascending), so a payment and a refund never deadlock.
    ledger.lock_accounts(select(Commission.beneficiary_id).where(Commission.order_id == order.id))
    ledger.lock_accounts(select(AgentDividend.beneficiary_id).where(AgentDividend.order_id == order.id))
    done = refunded_quantities(order.id, include_open=False)
    for rline in refund.lines:
        line = db.session.get(OrderLine, rline.order_line_id)
        adjust_for_refunded_quantities(line, done.get(line.id, 0), refund.id)
        adjust_dividends_for_refunded_quantities(line, done.get(line.id, 0), refund.id)
    refund.commissions_adjusted_at = now
    whole = all(done.get(line.id, 0) == line.quantity for line in order.lines)
    if whole:
        st.move(order, st.REFUNDED)
    refund_succeeded.send(current_app._get_current_object(), order=order, refund=refund, whole=whole)


def get_user_refund_lines(user, order):
    """What the shopper may still ask back, per line: [(line, refundable quantity)]. Reads only."""
    done = refunded_quantities(order.id)
    return [(line, line.quantity - done.get(line.id, 0)) for line in order.lines]


# --- automatic refunds: a payment that could not be applied ------------------------------------

def create_auto_refund(order, payment, notice, now):
    """Refund a payment the order could not take (cancelled and out of stock, or paid twice), approved at
    once, and tell the merchant. Joins the caller's transaction (the payment notification's)."""
    refund = Refund(refund_no=new_refund_no(), order_id=order.id, payment_id=payment.id, user_id=order.user_id,
                    kind=AUTO, status=APPROVED, amount_fen=payment.amount_fen,
                    reason="payment could not be applied (order %s)" % order.status, decided_at=now)
    db.session.add(refund)
    db.session.add(payment_alert(AUTO_REFUNDED, f"payment for {order.status} order {order.order_no} is refunded "
                                                f"automatically", notice))
    return refund


def execute_pending_auto_refunds(order_id=None):
    """Send approved automatic refunds to the gateway (also retried by reconcile). Owns one transaction
    per refund (execute_refund); refused inside another transaction()."""
    require_outermost()
    stmt = select(Refund.id).where(Refund.kind == AUTO, Refund.status == APPROVED)
    if order_id is not None:
        stmt = stmt.where(Refund.order_id == order_id)
    for refund_id in db.session.scalars(stmt).all():
        try:
            execute_refund(refund_id)
        except Exception:
            db.session.rollback()  # a failed read outside any transaction() must not poison the next refund
            log.exception("automatic refund %s failed; it will be retried", refund_id)


# --- one open refund per order, and 退回库存 ------------------------------------------------------

def lock_order_for_refund(order_id):
    """The order row, locked until the caller's transaction ends, checked refundable and free of any open
    refund: two refunds of one order are never created at once. Joins the caller's transaction."""
    order = db.session.execute(select(Order).where(Order.id == order_id).with_for_update()
                               .execution_options(populate_existing=True)).scalar_one()
    if order.status not in REFUNDABLE:
        raise ServiceError(_("订单当前状态不能申请退款"), status=409)
    if open_refund(order.id) is not None:
        raise ServiceError(_("这个订单已有一个退款申请在处理中"), status=409)
    return order


def restock_refund(refund):
    """Put a refund's quantities back to stock. Called only in the transaction that approves it (a requested
    refund is approved once), so a retry or a duplicate notification never restocks twice. Joins the
    caller's transaction. Lines that never took the SKU's stock (a flash sale's own stock) put nothing back."""
    skus = {line.id: line.sku_id for line in db.session.get(Order, refund.order_id).lines if line.stock_from_sku}
    return_to_stock([(skus[rl.order_line_id], rl.quantity) for rl in refund.lines if rl.order_line_id in skus])
    refund.restocked = True


def open_refund(order_id):
    """The order's refund still on its way (at most one), or None. Reads only."""
    return db.session.scalar(select(Refund).where(Refund.order_id == order_id,
                                                  Refund.status.in_(OPEN_REFUND_STATUSES)))


def open_refunds(order_ids):
    """{order_id: open Refund} for a page of orders, in one statement. Reads only."""
    if not order_ids:
        return {}
    rows = db.session.scalars(select(Refund).where(Refund.order_id.in_(order_ids),
                                                   Refund.status.in_(OPEN_REFUND_STATUSES)))
    return {refund.order_id: refund for refund in rows}


def order_refunds(order_id):
    """Every refund of an order (automatic ones aside), newest first, with its lines. Reads only."""
    return db.session.scalars(select(Refund).where(Refund.order_id == order_id, Refund.kind != AUTO)
                              .options(selectinload(Refund.lines)).order_by(Refund.id.desc())).all()
