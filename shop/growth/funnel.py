"""The invite funnel (邀请漏斗): visits of a distributor's links by source, registrations of members they brought in,
those members' first paid orders, and their sales, over the last 7 or 30 days. Per distributor (the center's "my
funnel") and for every distributor at once (the admin): the same grouped statements, one per stage, whatever the
number of distributors. Reads only."""
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import func, select

from ..accounts.models import User
from ..clock import to_china, utcnow
from ..distribution.models import ReferralNode
from ..extensions import db
from ..orders import status as st
from ..orders.models import Order
from .models import VISIT_SOURCES, VisitCounter

PERIODS = (7, 30)
PAID_STATUSES = (st.PAID, st.SHIPPED, st.COMPLETED, st.REFUNDED)


@dataclass
class Funnel:
    """One distributor's (or everyone's) stages; money in fen."""

    visits_by_source: dict = field(default_factory=dict)
    registrations: int = 0
    first_orders: int = 0
    orders: int = 0
    sales_fen: int = 0

    @property
    def visits(self):
        return sum(self.visits_by_source.values())

    def sources(self):
        """(source, visits) for every known source, in the vocabulary's order."""
        return [(source, self.visits_by_source.get(source, 0)) for source in VISIT_SOURCES]

    def stages(self):
        """(stage, count, percent of the stage before or None): visits, registrations, first paid orders."""
        counts = [("visits", self.visits), ("registrations", self.registrations), ("first_orders", self.first_orders)]
        out, before = [], None
        for name, count in counts:
            out.append((name, count, None if before is None else (count * 10000 // before if before else 0)))
            before = count
        return out


def period_bounds(days, now=None):
    """(first China day counted, naive-UTC start): the last `days` days, today included."""
    now = now or utcnow()
    first_day = to_china(now).date() - timedelta(days=days - 1)
    return first_day, now - timedelta(days=days)


def _only(stmt, column, distributor_id):
    return stmt if distributor_id is None else stmt.where(column == distributor_id)


def visits(days, distributor_id=None, now=None):
    """{(distributor_id, source): visits}."""
    first_day = period_bounds(days, now)[0]
    stmt = (select(VisitCounter.distributor_id, VisitCounter.source, func.sum(VisitCounter.visits))
            .where(VisitCounter.day >= first_day).group_by(VisitCounter.distributor_id, VisitCounter.source))
    return {(d, s): int(n) for d, s, n in db.session.execute(_only(stmt, VisitCounter.distributor_id,
                                                                   distributor_id))}


def registrations(days, distributor_id=None, now=None):
    """{referrer_id: members who registered in the period and are bound to them}."""
    since = period_bounds(days, now)[1]
    stmt = (select(ReferralNode.referrer_id, func.count()).join(User, User.id == ReferralNode.user_id)
            .where(ReferralNode.referrer_id.is_not(None), User.created_at >= since).group_by(ReferralNode.referrer_id))
    return dict(db.session.execute(_only(stmt, ReferralNode.referrer_id, distributor_id)).all())


def first_orders(days, distributor_id=None, now=None):
    """{referrer_id: their members whose first paid order was in the period}."""
    since = period_bounds(days, now)[1]
    buyers = select(Order.user_id, func.min(Order.paid_at).label("first_paid")).where(
        Order.status.in_(PAID_STATUSES), Order.paid_at.is_not(None))
    if distributor_id is not None:
        buyers = buyers.where(Order.user_id.in_(select(ReferralNode.user_id)
                                                .where(ReferralNode.referrer_id == distributor_id)))
    buyers = buyers.group_by(Order.user_id).subquery()
    stmt = (select(ReferralNode.referrer_id, func.count()).join(buyers, buyers.c.user_id == ReferralNode.user_id)
            .where(ReferralNode.referrer_id.is_not(None), buyers.c.first_paid >= since)
            .group_by(ReferralNode.referrer_id))
    return dict(db.session.execute(_only(stmt, ReferralNode.referrer_id, distributor_id)).all())


def sales(days, distributor_id=None, now=None):
    """{referrer_id: (paid orders, paid less refunded, in fen)} of their members in the period."""
    since = period_bounds(days, now)[1]
    stmt = (select(ReferralNode.referrer_id, func.count(Order.id), func.sum(Order.pay_total_fen - Order.refunded_fen))
            .join(Order, Order.user_id == ReferralNode.user_id)
            .where(ReferralNode.referrer_id.is_not(None), Order.status.in_(PAID_STATUSES), Order.paid_at >= since)
            .group_by(ReferralNode.referrer_id))
    return {d: (int(n), int(s or 0)) for d, n, s in db.session.execute(_only(stmt, ReferralNode.referrer_id,
                                                                              distributor_id))}


def funnels(days, distributor_id=None, now=None):
    """{distributor_id: Funnel} of everyone with anything in the period (or only `distributor_id`)."""
    out = {}

    def of(d):
        return out.setdefault(d, Funnel())

    for (d, source), n in visits(days, distributor_id, now).items():
        of(d).visits_by_source[source] = n
    for d, n in registrations(days, distributor_id, now).items():
        of(d).registrations = n
    for d, n in first_orders(days, distributor_id, now).items():
        of(d).first_orders = n
    for d, (n, fen) in sales(days, distributor_id, now).items():
        of(d).orders, of(d).sales_fen = n, fen
    return out


def my_funnel(distributor_id, days, now=None):
    """One distributor's Funnel (empty when nothing happened)."""
    return funnels(days, distributor_id, now).get(distributor_id, Funnel())


def total(by_distributor):
    """Everyone's funnels added up."""
    whole = Funnel()
    for f in by_distributor.values():
        for source, n in f.visits_by_source.items():
            whole.visits_by_source[source] = whole.visits_by_source.get(source, 0) + n
        whole.registrations += f.registrations
        whole.first_orders += f.first_orders
        whole.orders += f.orders
        whole.sales_fen += f.sales_fen
    return whole
