"""The merchant's points use cases: the overview figures, a member's points ledger, the points rules and staff
adjustments (the rules themselves live in shop.points)."""
from sqlalchemy import case, func, or_, select

from ...accounts.models import User
from ...database import transaction
from ...errors import NotFound, ServiceError
from ...extensions import db
from ...orders.models import Order
from ...pagination import PER_PAGE, Window
from ...points import services as points
from ...points.ledger import balance_of
from ...points.models import (
    EARN_REVOKED,
    EARNING_KINDS,
    EXPIRED,
    SPEND,
    SPEND_RETURNED,
    STAFF_ADJUST,
    Checkin,
    PointsAccount,
    PointsEntry,
)
from ...settings import POINTS_BOUNDS, bounds_errors, get_setting, set_setting
from ...staff.models import Staff


def overview():
    """{issued, spent, expired, revoked, adjusted, outstanding, members, checkins_today}: one aggregate over the
    entries, one over the balances, one count. Reads only."""
    by_kind = {kind: int(total or 0) for kind, total in db.session.execute(
        select(PointsEntry.kind, func.sum(PointsEntry.delta)).group_by(PointsEntry.kind)).all()}
    members, outstanding = db.session.execute(select(
        func.count(case((PointsAccount.balance > 0, 1))), func.coalesce(func.sum(PointsAccount.balance), 0))).one()
    checkins = db.session.scalar(select(func.count(Checkin.id)).where(Checkin.day == points.china_day()))
    return {"issued": sum(by_kind.get(k, 0) for k in EARNING_KINDS),
            "by_kind": by_kind, "spent": -(by_kind.get(SPEND, 0) + by_kind.get(SPEND_RETURNED, 0)),
            "expired": -by_kind.get(EXPIRED, 0), "revoked": -by_kind.get(EARN_REVOKED, 0),
            "adjusted": by_kind.get(STAFF_ADJUST, 0), "outstanding": int(outstanding), "members": members,
            "checkins_today": checkins}


def find_members(text, limit=20):
    """Members whose phone or nickname matches, with their balances: [(User, balance)]. Reads only."""
    text = (text or "").strip()[:20]
    if not text:
        return []
    return db.session.execute(
        select(User, func.coalesce(PointsAccount.balance, 0)).outerjoin(PointsAccount, PointsAccount.user_id == User.id)
        .where(or_(User.phone == text, User.nickname.contains(text, autoescape=True)))
        .order_by(User.id).limit(limit)).all()


def recent_entries(page=1):
    """A page of every member's points entries, newest first: (PointsEntry, User). Reads only."""
    count = db.session.scalar(select(func.count(PointsEntry.id)))
    rows = db.session.execute(select(PointsEntry, User).join(User, User.id == PointsEntry.user_id)
                              .order_by(PointsEntry.id.desc()).limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    return Window(rows, page, PER_PAGE, count)


def get_member(user_id):
    """The member, or a 404. Reads only."""
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound()
    return user


def member_ledger(user_id, page=1):
    """(page of (PointsEntry, order_no or None, actor or None) newest first, balance). Reads only."""
    count = db.session.scalar(select(func.count(PointsEntry.id)).where(PointsEntry.user_id == user_id))
    rows = db.session.execute(
        select(PointsEntry, Order.order_no, Staff).outerjoin(Order, Order.id == PointsEntry.order_id)
        .outerjoin(Staff, Staff.id == PointsEntry.actor_id).where(PointsEntry.user_id == user_id)
        .order_by(PointsEntry.id.desc()).limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    return Window(rows, page, PER_PAGE, count), balance_of(user_id)


def points_rules():
    """{setting key: value} of every points rule. Reads only."""
    return {key: get_setting(key) for key in POINTS_BOUNDS}


def save_points_rules(values):
    """Store the points rules, all or none; commits."""
    errors = bounds_errors(values, POINTS_BOUNDS)
    if errors:
        raise ServiceError("；".join(errors.values()))
    with transaction():
        for key in POINTS_BOUNDS:
            set_setting(key, values[key])


def adjust(user, delta, reason, actor):
    """人工调整积分 with the required reason; never below zero; commits (points.services.adjust)."""
    return points.adjust(user.id, delta, reason, actor)
