"""Paying the dividend pool (分红池), once per period.

- Base: the goods paid (order lines' paid amounts, shipping excluded: the commission base) of the orders
  completed in the period (China time), net of the refunds that succeeded before payout. An order is in at most
  one period's base (pool_orders.order_id is unique), even if the merchant switches between weeks and months.
- Pool: floor(base x rate / 10000). Eligible: the active distributors whose grade is one of the chosen grades.
- Split: equal, or by each member's sales in the period. A member's sales are the base of the period's orders
  they referred at level 1 (orders.referrer_id, the first ancestor of the order's upline snapshot): the same
  orders the dashboard's distributor sales count (the base of their level-1 commissions), and the same net
  amount the pool base counts, so one order weighs the same in the pool and in the split.
- Remainder (rules.split: plain floor) stays with the merchant; shares + remainder == pool (a CHECK too).
- When: a period is paid only once the refund window has passed for every order in it (its end + the commission
  freeze days, never shorter than the refund window), so each share is credited straight to the available
  (withdrawable) balance: the same moment a commission on the last order of the period would settle. A refund
  that still comes (an open after-sale refund at payout, or a merchant-started one) claws back or is absorbed
  (pool.refunds).
- Exactly once: one PoolPeriod row per period (unique), the whole payout in one transaction, and on PostgreSQL
  an advisory lock (POOL_LOCK_KEY) so two hosts never compute it at once.
"""
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..clock import local_time, utcnow
from ..database import single_runner, transaction
from ..distribution.models import ACTIVE, Distributor, Grade
from ..distribution.settlement import freeze_days
from ..errors import ServiceError
from ..extensions import db
from ..orders import status as st
from ..orders.models import Order, OrderLine
from ..payments.models import SUCCEEDED, Refund, RefundLine
from ..settings import get_setting
from ..wallet import ledger, memos
from . import rules
from .models import REF_TYPE, SHARE_KIND, PoolOrder, PoolPeriod, PoolShare

POOL_LOCK_KEY = 7_301_040
BUSY, OFF = "busy", "off"


def payable_from(period):
    """When a period may be paid: its end plus the after-sale window (naive UTC)."""
    return period.ends_at + timedelta(days=freeze_days())


def choose_period(label, now):
    """The Period to pay: the one named (refused when the label is not a period or its after-sale window is still
    open), or the latest period of the merchant's kind whose window has passed (a week's window outlasts the next
    week, so the last closed week is often not due yet)."""
    if not label:
        period = rules.last_closed(get_setting("pool_period"), now)
        while now < payable_from(period):
            period = rules.last_closed(period.kind, period.starts_at)
        return period
    period = rules.parse_period(label)
    if period is None:
        raise ServiceError(_("期间格式应为 2026-11 或 2026-W48"))
    if now < payable_from(period):
        raise ServiceError(_("%(period)s 的售后期未结束，%(when)s 后才能发放分红", period=period.label,
                             when=local_time(payable_from(period))))
    return period


def base_orders(period):
    """[(order_id, referrer_id, goods net of succeeded refunds)] of the orders completed in the period and in no
    paid period yet. Locks the orders first, so a refund succeeding meanwhile is either in or waits for us."""
    where = (Order.status == st.COMPLETED, Order.completed_at >= period.starts_at,
             Order.completed_at < period.ends_at, ~select(PoolOrder.id).where(PoolOrder.order_id == Order.id).exists())
    ids = db.session.scalars(select(Order.id).where(*where).order_by(Order.id).with_for_update()).all()
    if not ids:
        return []
    paid = dict(db.session.execute(select(OrderLine.order_id, func.sum(OrderLine.paid_amount_fen))
                                   .where(OrderLine.order_id.in_(ids)).group_by(OrderLine.order_id)).all())
    refunded = dict(db.session.execute(
        select(Refund.order_id, func.sum(RefundLine.amount_fen)).join(RefundLine, RefundLine.refund_id == Refund.id)
        .where(Refund.order_id.in_(ids), Refund.status == SUCCEEDED).group_by(Refund.order_id)).all())
    referrers = dict(db.session.execute(select(Order.id, Order.referrer_id).where(Order.id.in_(ids))).all())
    return [(i, referrers[i], int(paid.get(i) or 0) - int(refunded.get(i) or 0)) for i in ids]


def eligible_members(grade_ids):
    """[(user_id, grade_id, grade name)] of the active distributors of the chosen grades, by user id."""
    return db.session.execute(select(Distributor.user_id, Grade.id, Grade.name).join(Grade)
                              .where(Distributor.grade_id.in_(grade_ids or [-1]), Distributor.status == ACTIVE)
                              .order_by(Distributor.user_id)).all()


def weights_of(split, bases):
    """{user_id: weight} for a split: 1 each (equal), or the member's sales (bases: {user_id: sales})."""
    return {user_id: (1 if split == "equal" else sales) for user_id, sales in bases.items()}


def pay_dividends(label=None, now=None, echo=None, batch=100):
    """Pay one period's pool (the last closed one by default); returns the PoolPeriod, None when it was paid
    before, BUSY when another host is paying, or OFF when the merchant's rate is 0 (no period row: turning the pool
    on later still pays it). Owns its transaction: all shares or none."""
    now = now or utcnow()
    with single_runner(POOL_LOCK_KEY) as held:
        if not held:
            return BUSY
        if not get_setting("pool_rate_bp"):
            return OFF
        period = choose_period(label, now)
        try:
            with transaction():
                return _pay(period, now, echo, batch)
        except IntegrityError:  # another run inserted the period's row first: it is paid
            return None


def _pay(period, now, echo, batch):
    if db.session.scalar(select(PoolPeriod.id).where(PoolPeriod.period == period.label)):
        return None
    rate, split = int(get_setting("pool_rate_bp")), get_setting("pool_split")
    members = eligible_members(get_setting("pool_grade_ids"))
    orders = base_orders(period)
    base = sum(goods for *_ids, goods in orders)
    sales = dict.fromkeys((m.user_id for m in members), 0)
    for _order_id, referrer_id, goods in orders:
        if referrer_id in sales:
            sales[referrer_id] += goods
    pool = rules.pool_of(base, rate)
    shares, remainder = rules.split(pool, weights_of(split, sales))
    row = PoolPeriod(period=period.label, kind=period.kind, starts_at=period.starts_at, ends_at=period.ends_at,
                     rate_bp=rate, split=split, grades=_grades(members), base_fen=base, pool_fen=pool,
                     shares_fen=pool - remainder, remainder_fen=remainder, paid_at=now)
    db.session.add(row)
    db.session.flush()  # the unique period: a second run stops here
    db.session.add_all(PoolOrder(period_id=row.id, order_id=i, referrer_id=r, base_fen=g) for i, r, g in orders)
    ledger.lock_accounts([m.user_id for m in members])  # one order for every transaction that posts to several
    for done, member in enumerate(members, 1):
        _post_share(row, member, sales[member.user_id], shares[member.user_id])
        if echo and (done % batch == 0 or done == len(members)):
            echo(f"paid {done}/{len(members)} members")
    db.session.flush()
    return row


def _grades(members):
    ids = get_setting("pool_grade_ids")
    names = dict(db.session.execute(select(Grade.id, Grade.name).where(Grade.id.in_(ids or [-1]))).all())
    return [{"id": i, "name": names.get(i, "")} for i in ids]


def _post_share(period, member, sales, amount):
    share = PoolShare(period_id=period.id, user_id=member.user_id, grade_id=member.id, grade_name=member.name,
                      basis_fen=sales, amount_fen=amount)
    db.session.add(share)
    db.session.flush()
    if amount:
        ledger.post(member.user_id, SHARE_KIND, available=amount, ref_type=REF_TYPE, ref_id=share.id,
                    memo=memos.POOL.write(period=period.period))
    return share
