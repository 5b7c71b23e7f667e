"""Points use cases: the daily check-in, staff adjustments, expiry, and the member's points pages' reads."""
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import case, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..clock import to_china, utcnow
from ..database import is_postgresql, require_outermost, transaction
from ..errors import ServiceError
from ..extensions import db
from ..pagination import Window
from ..settings import get_setting
from . import rules
from .ledger import balance_of, lock_account, post
from .memos import N_
from .models import CHECKIN, CHECKIN_STREAK, EARNING_KINDS, EXPIRED, STAFF_ADJUST, Checkin, PointsAccount, PointsEntry

EXPIRY_LOCK_KEY = 7_301_015
PER_PAGE = 20


def china_day(now=None):
    """The China-time calendar date of `now` (default: now)."""
    return to_china(now or utcnow()).date()


def check_in(user, now=None):
    """签到: one check-in per member per China day (a unique key, so double clicks and races give one), its points
    and, on every checkin_streak_days-th consecutive day, the streak bonus. Returns the Checkin.
    Owns its transaction; ServiceError when already checked in today."""
    now = now or utcnow()
    day = china_day(now)
    with transaction():
        yesterday = db.session.scalar(select(Checkin.streak).where(Checkin.user_id == user.id,
                                                                   Checkin.day == day - timedelta(days=1)))
        streak = (yesterday or 0) + 1
        insert = pg_insert if is_postgresql() else sqlite_insert
        inserted = db.session.execute(insert(Checkin).values(user_id=user.id, day=day, streak=streak, created_at=now)
                                      .on_conflict_do_nothing().returning(Checkin.id)).scalar()
        if inserted is None:
            raise ServiceError(_("今天已经签到过了，明天再来"), status=409)
        _checkin_points(user.id, inserted, streak, now)
    return db.session.get(Checkin, inserted)


def _checkin_points(user_id, checkin_id, streak, now):
    points = int(get_setting("checkin_points"))
    if points > 0:
        post(user_id, CHECKIN, points, ref_type="checkin", ref_id=checkin_id, now=now,
             memo=N_("连续签到第 %(n)s 天"), memo_args={"n": streak})
    bonus = rules.streak_bonus(streak, int(get_setting("checkin_streak_days")), int(get_setting("checkin_streak_bonus")))
    if bonus:
        post(user_id, CHECKIN_STREAK, bonus, ref_type="checkin", ref_id=checkin_id, now=now,
             memo=N_("连续签到 %(n)s 天奖励"), memo_args={"n": streak})


def checkin_strip(user_id, now=None, days=7):
    """(today's streak or yesterday's if not yet checked in, checked in today?, [(date, checked?)] for the last
    `days` China days ending today). Reads only."""
    today = china_day(now)
    rows = dict(db.session.execute(select(Checkin.day, Checkin.streak).where(
        Checkin.user_id == user_id, Checkin.day > today - timedelta(days=days + 1))).all())
    streak = rows.get(today) or rows.get(today - timedelta(days=1)) or 0
    strip = [(today - timedelta(days=i), (today - timedelta(days=i)) in rows) for i in range(days - 1, -1, -1)]
    return streak, today in rows, strip


def adjust(user_id, delta, reason, actor):
    """Staff add or take points, with the required reason; never below zero. Owns its transaction."""
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("请填写调整原因"))
    if not delta:
        raise ServiceError(_("调整积分不能为 0"))
    with transaction():
        balance = lock_account(user_id)
        if balance + delta < 0:
            raise ServiceError(_("积分不足，最多可扣减 %(n)s", n=balance))
        return post(user_id, STAFF_ADJUST, delta, ref_type="staff", ref_id=actor.id if actor else 0,
                    actor_id=actor.id if actor else None, memo=reason)


def expiry_candidates(cutoff):
    """Members holding points who earned some before the cutoff. Reads only."""
    return db.session.scalars(
        select(PointsAccount.user_id).where(PointsAccount.balance > 0, PointsAccount.user_id.in_(
            select(PointsEntry.user_id).where(PointsEntry.created_at < cutoff, PointsEntry.delta > 0,
                                              PointsEntry.kind.in_((*EARNING_KINDS, STAFF_ADJUST)))))
        .order_by(PointsAccount.user_id)).all()


def expire_points(now=None, days=None, echo=None):
    """Expire points earned more than points_valid_days ago and not yet used (the oldest are used first).
    Idempotent (what already expired counts as used), so safe to run twice; the CLI runs it under single_runner.
    Owns one transaction per member; refused inside another transaction(). Returns (members, points)."""
    require_outermost()
    days = int(get_setting("points_valid_days")) if days is None else days
    if days <= 0:
        return 0, 0
    now = now or utcnow()
    cutoff = now - timedelta(days=days)
    members, total = 0, 0
    user_ids = expiry_candidates(cutoff)
    db.session.rollback()  # end the read: each member below is expired in a transaction of their own
    for done, user_id in enumerate(user_ids, 1):
        expired = expire_member(user_id, cutoff, now)
        members, total = members + bool(expired), total + expired
        if echo and (expired or done % 500 == 0):
            echo(f"{done}/{len(user_ids)} member {user_id}: {expired} point(s) expired")
    return members, total


def expire_member(user_id, cutoff, now):
    """Expire one member's points earned before the cutoff and not used since; returns how many.
    Owns its transaction (the member's points row locked while counting)."""
    with transaction():
        lock_account(user_id)
        credit = (PointsEntry.delta > 0) & PointsEntry.kind.in_((*EARNING_KINDS, STAFF_ADJUST))
        earned_before, taken_out = db.session.execute(select(
            func.coalesce(func.sum(case((credit & (PointsEntry.created_at < cutoff), PointsEntry.delta), else_=0)), 0),
            func.coalesce(func.sum(case((credit, 0), else_=-PointsEntry.delta)), 0))
            .where(PointsEntry.user_id == user_id)).one()
        due = rules.expiry_due(int(earned_before), int(taken_out))
        if due > 0:
            post(user_id, EXPIRED, -due, ref_type="expiry", ref_id=0, now=now,
                 memo=N_("%(day)s 前获得的积分已过期"), memo_args={"day": china_day(cutoff).isoformat()})
        return due


def entries_page(user_id, page=1, per_page=PER_PAGE):
    """A page of the member's points entries, newest first. Reads only."""
    count = db.session.scalar(select(func.count(PointsEntry.id)).where(PointsEntry.user_id == user_id))
    rows = db.session.scalars(select(PointsEntry).where(PointsEntry.user_id == user_id)
                              .order_by(PointsEntry.id.desc()).limit(per_page).offset((page - 1) * per_page)).all()
    return Window(rows, page, per_page, count)


def summary(user_id, now=None):
    """What the 我的积分 page heads with: the balance, the check-in streak and strip, the rules. Reads only."""
    streak, checked, strip = checkin_strip(user_id, now)
    return {"balance": balance_of(user_id), "streak": streak, "checked_in": checked, "strip": strip,
            "checkin_points": get_setting("checkin_points"), "streak_days": get_setting("checkin_streak_days"),
            "streak_bonus": get_setting("checkin_streak_bonus"), "valid_days": get_setting("points_valid_days"),
            "rate": get_setting("points_per_yuan_spent"), "per_yuan": get_setting("points_per_yuan")}
