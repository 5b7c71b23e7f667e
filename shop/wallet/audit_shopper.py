"""The shopper's side of the money, for `flask shop audit`: payments, refunds, the commissions refunds take
back, and nothing left in flight for too long. Reads only; each check adds its problems to the report."""
from collections import defaultdict
from datetime import timedelta

from sqlalchemy import func, select

from ..clock import utcnow
from ..distribution.models import Commission
from ..extensions import db
from ..growth.models import VOIDED, FraudFlag
from ..orders import status as st
from ..orders.models import Order, OrderLine
from ..payments.models import APPLIED, APPROVED, AUTO, PROCESSING, SUCCEEDED, Payment, Refund, RefundLine
from ..settings import get_setting
from .models import W_APPROVED, Withdrawal

PAID_STATUSES = (st.PAID, st.SHIPPED, st.COMPLETED, st.REFUNDED)


def check_shopper_side(report, now=None):
    """Every check below, into `report`."""
    _payments_match_paid_orders(report)
    _refunds_add_up(report)
    _refunded_quantities_take_commissions_back(report)
    _nothing_stuck_in_flight(report, now or utcnow())


def _payments_match_paid_orders(report):
    """A paid order has exactly one applied payment, of its total; an unpaid one has none."""
    applied = defaultdict(list)
    for order_id, amount in db.session.execute(select(Payment.order_id, Payment.amount_fen)
                                               .where(Payment.status == APPLIED)):
        applied[order_id].append(amount)
    for order in db.session.execute(select(Order.id, Order.order_no, Order.status, Order.pay_total_fen)):
        want = [order.pay_total_fen] if order.status in PAID_STATUSES else []
        if applied.get(order.id, []) != want:
            report.problem(f"order {order.order_no} ({order.status}): applied payments {applied.get(order.id, [])} "
                           f"!= {want}")
    report.figures["applied payments"] = sum(len(v) for v in applied.values())


def _refunds_add_up(report):
    """Succeeded after-sale refunds add up to the order's refunded_fen; no payment gives back more than it took."""
    by_order, by_payment = defaultdict(int), defaultdict(int)
    for refund in db.session.execute(select(Refund.order_id, Refund.payment_id, Refund.kind, Refund.amount_fen)
                                     .where(Refund.status == SUCCEEDED)):
        by_payment[refund.payment_id] += refund.amount_fen
        if refund.kind != AUTO:
            by_order[refund.order_id] += refund.amount_fen
    for order in db.session.execute(select(Order.id, Order.order_no, Order.refunded_fen)):
        if order.refunded_fen != by_order.get(order.id, 0):
            report.problem(f"order {order.order_no}: refunded {order.refunded_fen} != succeeded refunds "
                           f"{by_order.get(order.id, 0)}")
    for payment in db.session.execute(select(Payment.id, Payment.transaction_id, Payment.amount_fen)):
        if by_payment.get(payment.id, 0) > payment.amount_fen:
            report.problem(f"payment {payment.transaction_id}: refunded {by_payment[payment.id]} > paid "
                           f"{payment.amount_fen}")
    report.figures["refunded"] = sum(by_order.values())


def _refunded_quantities_take_commissions_back(report):
    """Each commission is worth floor(amount x units kept / units) of its line: refunded units are taken back; a
    commission staff voided as fraud (growth/review.py) is worth nothing."""
    refunded = dict(db.session.execute(
        select(RefundLine.order_line_id, func.sum(RefundLine.quantity)).join(Refund, Refund.id == RefundLine.refund_id)
        .where(Refund.status == SUCCEEDED, Refund.kind != AUTO).group_by(RefundLine.order_line_id)).all())
    rows = db.session.execute(select(Commission.id, Commission.amount_fen, Commission.net_fen,
                                     Commission.order_line_id, OrderLine.quantity)
                              .join(OrderLine, OrderLine.id == Commission.order_line_id))
    voided = set(db.session.scalars(select(FraudFlag.commission_id).where(FraudFlag.status == VOIDED)))
    for c in rows:
        kept = 0 if c.id in voided else c.quantity - int(refunded.get(c.order_line_id, 0))
        if c.net_fen != c.amount_fen * kept // c.quantity:
            report.problem(f"commission {c.id}: net {c.net_fen} != {c.amount_fen} x {kept}/{c.quantity} units kept")


def _nothing_stuck_in_flight(report, now):
    """No refund sent to the gateway nor transfer out is still open after the stuck_after_hours setting."""
    hours = int(get_setting("stuck_after_hours"))
    cutoff = now - timedelta(hours=hours)
    for refund_no, status in db.session.execute(select(Refund.refund_no, Refund.status).where(
            Refund.status.in_((APPROVED, PROCESSING)), Refund.decided_at <= cutoff)):
        report.problem(f"refund {refund_no} still {status} after more than {hours} hours")
    for withdrawal_no, in db.session.execute(select(Withdrawal.withdrawal_no).where(
            Withdrawal.status == W_APPROVED, Withdrawal.decided_at <= cutoff)):
        report.problem(f"withdrawal {withdrawal_no} still being paid out after more than {hours} hours")
