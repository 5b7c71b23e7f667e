"""Closing groups at their deadline and refunding the group orders that did not make it.

A group past expires_at that is not full fails, and every paid member's order is refunded in full — or, with
the activity's `simulate` (模拟成团) and exactly one member short, it succeeds anyway. Refunds go through the
normal merchant refund path (payments/refunds.py merchant_refund, with no staff actor): a FULL refund of a paid
order, which reverses the order's commissions line by line (distribution/earnings), puts the stock back, moves
the order to 已退款 and sends refund_succeeded (so coupons and points come back). create_auto_refund is not used:
it is for payments that could not be applied to their order, and it touches neither the order's refunded sum
nor its commissions. merchant_refund owns its transactions and calls the gateway, so it always runs after the
transaction that decided the refund has committed.
"""
import logging

from flask import after_this_request, has_request_context
from flask_babel import gettext as _
from sqlalchemy import select

from ..clock import utcnow
from ..database import require_outermost, single_runner, transaction
from ..errors import ServiceError
from ..extensions import db
from ..orders.models import Order
from ..payments import refunds
from ..payments.models import APPROVED
from . import models as m
from .joining import lock_group, lock_intent
from .models import Group, GroupOrder

log = logging.getLogger("shop.groupbuy")
CLOSE_LOCK_KEY = 7_301_016


def close_group(group_id, now=None, force=False):
    """Decide one group at (or, with `force`, before) its deadline: succeeded (simulate, one short) or failed
    with its members' orders marked for refund. Returns the new status, or None when it was no longer open or
    not yet due. Owns its transaction (the group row locked)."""
    now = now or utcnow()
    with transaction():
        group = lock_group(group_id=group_id)
        if group is None or group.status != m.OPEN or (group.expires_at > now and not force):
            return None
        if group.activity.simulate and group.paid_count == group.needed - 1:
            group.status, group.succeeded_at = m.SUCCEEDED, now
            return m.SUCCEEDED
        group.status, group.failed_at = m.FAILED, now
        for intent in db.session.scalars(select(GroupOrder).where(GroupOrder.group_id == group.id,
                                                                  GroupOrder.state == m.JOINED)):
            intent.state, intent.note = m.TO_REFUND, "group failed"
    return m.FAILED


def close_expired(now=None, echo=None):
    """Close every open group past its deadline, one group per transaction, then send the refunds due; safe to
    run twice or on two hosts (one runs, the other says so). Returns {outcome: count}."""
    require_outermost()
    now = now or utcnow()
    counts = {}
    with single_runner(CLOSE_LOCK_KEY) as held:
        if not held:
            return {"busy": 1}
        ids = db.session.scalars(select(Group.id).where(Group.status == m.OPEN, Group.expires_at <= now)
                                 .order_by(Group.expires_at)).all()
        db.session.rollback()
        for group_id in ids:
            outcome = close_group(group_id, now)
            if outcome:
                counts[outcome] = counts.get(outcome, 0) + 1
                if echo:
                    echo(f"group {group_id}: {outcome}")
        counts["refunded"] = refund_due(echo=echo)
    return counts


def refund_due(order_ids=None, echo=None):
    """Refund every group order marked to refund (or just `order_ids`). Owns one transaction per order.
    Returns how many were sent."""
    require_outermost()
    stmt = select(GroupOrder.order_id).where(GroupOrder.state == m.TO_REFUND).order_by(GroupOrder.order_id)
    if order_ids is not None:
        stmt = stmt.where(GroupOrder.order_id.in_(order_ids))
    ids = db.session.scalars(stmt).all()
    db.session.rollback()
    sent = 0
    for order_id in ids:
        try:
            sent += refund_order(order_id)
        except Exception:  # one gateway's trouble must not stop the others; the next run retries
            db.session.rollback()
            log.exception("group order %s: refund failed; it will be retried", order_id)
            continue
        if echo:
            echo(f"order {order_id}: refunded")
    return sent


def refund_order(order_id):
    """Refund one group order in full through merchant_refund, unless a refund of it already exists (a retry, a
    second host), then mark it refunded. Owns its transactions; returns 1 when a refund was sent."""
    order = db.session.get(Order, order_id)
    sent, existing = 0, refunds.open_refund(order_id)
    if existing is not None and existing.status == APPROVED:  # approved earlier, the gateway call failed
        refunds.execute_refund(existing.id)
        sent = 1
    elif order.status in refunds.REFUNDABLE and refunds.open_refund(order.id) is None:
        try:
            refunds.merchant_refund(order, _("拼团未成功，自动退款"), None, restock=True)
            sent = 1
        except ServiceError as err:  # an open refund appeared meanwhile: it is on its way
            log.info("group order %s: %s", order_id, err.message)
    with transaction():
        intent = lock_intent(order_id)
        if intent.state == m.TO_REFUND:
            intent.state = m.REFUNDED
    return sent


def refund_after_request(order_id):
    """After the payment's transaction commits: refund an overflow payment at once when this is a request (the
    payment notification); `flask shop close-groups` sends whatever is left."""
    if not has_request_context():
        return

    @after_this_request
    def send(response):
        try:
            refund_due([order_id])
        except Exception:
            db.session.rollback()
            log.exception("group order %s: refund after payment failed; close-groups retries", order_id)
        return response
