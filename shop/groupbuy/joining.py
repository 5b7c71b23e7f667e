"""A group order's payment (inside the payment transaction): open a group, take a seat in one, or — when the
group filled or expired meanwhile — open a new group or have the payment refunded, per the activity's
`overflow`. The group row is locked (SELECT ... FOR UPDATE) while its seats are counted, so concurrent payers
never put more than `needed` members in a group."""
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from ..clock import utcnow
from ..extensions import db
from ..numbers import new_number
from . import models as m
from .models import Group, GroupMember, GroupOrder
from .services import joinable_refusal


def lock_intent(order_id):
    return db.session.execute(select(GroupOrder).where(GroupOrder.order_id == order_id).with_for_update()
                              .execution_options(populate_existing=True)).scalar_one_or_none()


def lock_group(group_no=None, group_id=None):
    stmt = select(Group).where(Group.group_no == group_no) if group_no else select(Group).where(Group.id == group_id)
    return db.session.execute(stmt.with_for_update(of=Group).execution_options(populate_existing=True)).scalar_one_or_none()


def take_payment(order, now=None):
    """Seat the paying member; returns the intent's new state (JOINED or TO_REFUND), or None for an order that
    is no pending group order (a duplicate is never seated twice). Joins the caller's transaction."""
    intent = lock_intent(order.id)
    if intent is None or intent.state != m.PENDING:
        return None
    now = now or utcnow()
    activity = db.session.get(m.GroupActivity, intent.activity_id)
    if not intent.join_no:
        return _open(intent, order, now) if activity.running(now) else _to_refund(intent, _("拼团活动已结束"))
    group = lock_group(group_no=intent.join_no)
    refusal = joinable_refusal(group, order.user_id, now) if group is not None else "gone"
    if refusal is None:
        return _seat(group, intent, order, now)
    if activity.overflow == m.NEW_GROUP and activity.running(now):
        return _open(intent, order, now)
    return _to_refund(intent, refusal)


def _to_refund(intent, why):
    intent.state, intent.note = m.TO_REFUND, str(why)[:100]
    return m.TO_REFUND


def _open(intent, order, now):
    activity = db.session.get(m.GroupActivity, intent.activity_id)
    group = Group(group_no=new_number("G", Group.group_no), activity_id=activity.id, leader_id=order.user_id,
                  status=m.OPEN, needed=activity.group_size, paid_count=0, created_at=now,
                  expires_at=now + timedelta(hours=activity.hours_limit))
    db.session.add(group)
    db.session.flush()
    return _seat(group, intent, order, now, leader=True)


def _seat(group, intent, order, now, leader=False):
    db.session.add(GroupMember(group_id=group.id, user_id=order.user_id, order_id=order.id, paid_at=now,
                               is_leader=leader))
    group.paid_count += 1
    if group.paid_count >= group.needed:
        group.status, group.succeeded_at = m.SUCCEEDED, now
    intent.group_id, intent.state = group.id, m.JOINED
    return m.JOINED



def leave_on_refund(order):
    """A member whose order is refunded in full while the group is still open gives the seat back (the group
    row locked), so the group only succeeds with paid members. Joins the caller's transaction (the refund)."""
    intent = lock_intent(order.id)
    if intent is None or intent.state != m.JOINED:
        return
    group = lock_group(group_id=intent.group_id)
    if group.status != m.OPEN:
        intent.state = m.REFUNDED if group.status == m.FAILED else intent.state
        return
    member = db.session.scalar(select(GroupMember).where(GroupMember.order_id == order.id))
    db.session.delete(member)
    group.paid_count -= 1
    intent.state, intent.note = m.REFUNDED, "refunded while the group was open"
