"""Group buying use cases for the storefront: the running activity of a product, its open groups, the checks
before a member opens or joins a group, the group order's intent recorded at placement, and what the member
and the order pages show."""
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select

from ..accounts.models import User
from ..clock import utcnow
from ..errors import NotFound, ServiceError
from ..extensions import db
from . import models as m
from .models import Group, GroupActivity, GroupMember, GroupOrder

#: Intents that count against the per-member limit: unpaid, or in a group.
HELD_STATES = (m.PENDING, m.JOINED)


def running_activity(activity_id, now=None):
    """The activity when it is on and within its dates; otherwise a clear refusal. Reads only."""
    activity = db.session.get(GroupActivity, activity_id)
    if activity is None or not activity.running(now):
        raise ServiceError(_("拼团活动不存在或已结束"), status=404)
    return activity


def product_activity(product_id, now=None):
    """The product's running group-buy activity (the earliest to end), or None. Reads only."""
    now = now or utcnow()
    return db.session.scalar(select(GroupActivity).where(
        GroupActivity.product_id == product_id, GroupActivity.is_active.is_(True),
        GroupActivity.starts_at <= now, GroupActivity.ends_at > now).order_by(GroupActivity.ends_at).limit(1))


def open_groups(activity_id, limit=5, now=None):
    """Groups of the activity one can still join, the closest to filling first. Reads only."""
    now = now or utcnow()
    return db.session.scalars(select(Group).where(
        Group.activity_id == activity_id, Group.status == m.OPEN, Group.expires_at > now,
        Group.paid_count < Group.needed).order_by((Group.needed - Group.paid_count), Group.expires_at)
        .limit(limit)).unique().all()


def get_group(group_no):
    """A group by its public number (anyone may see a group: it is shared); 404 otherwise. Reads only."""
    group = db.session.scalar(select(Group).where(Group.group_no == str(group_no or "")[:32]))
    if group is None:
        raise NotFound()
    return group


def is_member(group_id, user_id):
    """Whether the member already holds a seat in the group. Reads only."""
    return db.session.scalar(select(GroupMember.id).where(GroupMember.group_id == group_id,
                                                          GroupMember.user_id == user_id)) is not None


def held_orders(activity_id, user_id):
    """How many group orders the member holds in the activity (unpaid or in a group). Reads only."""
    return db.session.scalar(select(func.count()).select_from(GroupOrder).where(
        GroupOrder.activity_id == activity_id, GroupOrder.user_id == user_id,
        GroupOrder.state.in_(HELD_STATES)))


def joinable_refusal(group, user_id, now=None):
    """Why the member may not join the group (a message), or None. Reads only."""
    now = now or utcnow()
    if group.status == m.SUCCEEDED or group.paid_count >= group.needed:
        return _("这个团已满员，请发起新团或参加其他团")
    if group.status != m.OPEN:
        return _("这个团已结束，不能再参团")
    if group.expires_at <= now:
        return _("这个团已过期，不能再参团")
    if user_id is not None and is_member(group.id, user_id):
        return _("你已在这个团里，不能重复参团")
    return None


def check_checkout(activity, lines, user, join_no):
    """Refuse a group checkout that is not one line of an activity SKU within the limits, or a group one may not
    join. Reads only."""
    if len(lines) != 1:
        raise ServiceError(_("拼团商品需单独下单，请勿与其他商品一起结算"))
    line = lines[0]
    if activity.price_of(line.sku.id) is None:
        raise ServiceError(_("这个规格不参加拼团"))
    if line.quantity > activity.max_quantity:
        raise ServiceError(_("拼团每单最多购买%(n)s件", n=activity.max_quantity))
    if user is not None and held_orders(activity.id, user.id) >= activity.per_member_limit:
        raise ServiceError(_("每人在本活动最多参与%(n)s次拼团", n=activity.per_member_limit))
    if join_no:
        group = db.session.scalar(select(Group).where(Group.group_no == join_no[:32]))
        if group is None or group.activity_id != activity.id:
            raise ServiceError(_("要参加的团不存在"), status=404)
        refusal = joinable_refusal(group, user.id if user is not None else None)
        if refusal:
            raise ServiceError(refusal, status=409)


def record_intent(order, activity_id, user, join_no):
    """Remember what the group order is for (open or join), checking the member's limit again. Joins the
    caller's transaction (the placement)."""
    activity = db.session.get(GroupActivity, activity_id)
    # The member's row locked: two placements at once cannot both pass the limit.
    db.session.execute(select(User.id).where(User.id == user.id).with_for_update())
    if held_orders(activity_id, user.id) >= activity.per_member_limit:
        raise ServiceError(_("每人在本活动最多参与%(n)s次拼团", n=activity.per_member_limit))
    db.session.add(GroupOrder(order_id=order.id, activity_id=activity_id, user_id=user.id, join_no=join_no or None,
                              state=m.PENDING, created_at=utcnow()))


def release_intent(order):
    """A cancelled unpaid group order frees its place in the member's limit. Joins the caller's transaction."""
    intent = db.session.get(GroupOrder, order.id)
    if intent is not None and intent.state == m.PENDING:
        intent.state = m.RELEASED


@dataclass
class OrderGroupStatus:
    """What the order page says about a group order."""
    state: str
    label: str
    group: Group | None


def group_status_for_order(order):
    """None for an order that is not a group order; otherwise its state, words and group. Reads only."""
    intent = db.session.get(GroupOrder, order.id)
    if intent is None:
        return None
    group = intent.group
    if intent.state == m.JOINED and group is not None:
        label = {m.OPEN: _("待成团"), m.SUCCEEDED: _("拼团成功"), m.FAILED: _("拼团失败")}[group.status]
    else:
        label = {m.PENDING: _("待付款后成团"), m.TO_REFUND: _("拼团未成功，退款中"), m.REFUNDED: _("拼团未成功，已退款"),
                 m.RELEASED: _("已取消")}.get(intent.state, _("拼团"))
    return OrderGroupStatus(intent.state, label, group)


def my_groups(user, limit=50):
    """The member's group orders, newest first, with their groups. Reads only."""
    return db.session.scalars(select(GroupOrder).where(GroupOrder.user_id == user.id,
                                                       GroupOrder.state != m.RELEASED)
                              .order_by(GroupOrder.created_at.desc()).limit(limit)).all()
