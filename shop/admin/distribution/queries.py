"""The distributor list the merchant works from: filtered, ordered, one page or the whole export, each in a fixed
number of statements whatever it holds. Reads only."""
from datetime import timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import contains_eager, joinedload

from ...accounts.models import User
from ...clock import day_start
from ...distribution.models import Distributor, ReferralNode
from ...extensions import db
from ...pagination import paginate
from ..sorting import Sorting

#: Rows in one Excel export at most (in the list's order).
EXPORT_LIMIT = 10_000

TEAM = (ReferralNode.direct_count + ReferralNode.level2_count + ReferralNode.level3_count)
EARNED = ReferralNode.commission_frozen_fen + ReferralNode.commission_settled_fen
#: The list's sortable columns (newest first unless asked); a distributor without a tree node counts as 0.
SORTING = Sorting({"joined": Distributor.joined_at, "direct": func.coalesce(ReferralNode.direct_count, 0),
                   "team": func.coalesce(TEAM, 0), "sales": func.coalesce(ReferralNode.team_sales_fen, 0),
                   "commission": func.coalesce(EARNED, 0)}, default="joined", tiebreak=Distributor.user_id)


def _search(stmt, q):
    if not q:
        return stmt
    return stmt.where(or_(User.phone.contains(q, autoescape=True), User.nickname.contains(q, autoescape=True),
                          Distributor.invite_code == q.upper()))


def _grade(stmt, grade):
    if grade == "none":
        return stmt.where(Distributor.grade_id.is_(None))
    return stmt.where(Distributor.grade_id == int(grade)) if grade else stmt


def _ranges(stmt, filters):
    """Team size and commission between their bounds; a member without a tree node counts as 0."""
    team, earned = func.coalesce(TEAM, 0), func.coalesce(EARNED, 0)
    for column, low, high in ((team, filters.team_min, filters.team_max),
                              (earned, filters.commission_min, filters.commission_max)):
        stmt = stmt.where(column >= low) if low is not None else stmt
        stmt = stmt.where(column <= high) if high is not None else stmt
    return stmt


def _joined(stmt, filters):
    if filters.start:
        stmt = stmt.where(Distributor.joined_at >= day_start(filters.start))
    if filters.end:
        stmt = stmt.where(Distributor.joined_at < day_start(filters.end + timedelta(days=1)))
    return stmt


def filtered(filters, sort=SORTING.standard):
    """The statement: distributors with their member and grade, filtered and in the chosen order."""
    stmt = (select(Distributor).join(User, User.id == Distributor.user_id)
            .outerjoin(ReferralNode, ReferralNode.user_id == Distributor.user_id)
            .options(contains_eager(Distributor.user), joinedload(Distributor.grade)))
    if filters.status:
        stmt = stmt.where(Distributor.status == filters.status)
    stmt = _joined(_ranges(_grade(_search(stmt, filters.q), filters.grade), filters), filters)
    return stmt.order_by(*sort.order_by())


def nodes_of(distributors):
    """{user_id: ReferralNode} of these distributors, in one statement."""
    ids = [d.user_id for d in distributors]
    return {n.user_id: n for n in db.session.scalars(select(ReferralNode).where(ReferralNode.user_id.in_(ids)))} \
        if ids else {}


def distributor_page(filters, page=1, sort=SORTING.standard):
    """(page of distributors, {user_id: ReferralNode})."""
    distributors = paginate(filtered(filters, sort), page)
    return distributors, nodes_of(distributors.items)


def export_rows(filters, sort=SORTING.standard):
    """(distributors, {user_id: ReferralNode}, {user_id: User} of their referrers) for every filtered row in the
    list's order, up to EXPORT_LIMIT."""
    distributors = db.session.scalars(filtered(filters, sort).limit(EXPORT_LIMIT)).unique().all()
    nodes = nodes_of(distributors)
    ids = {n.referrer_id for n in nodes.values() if n.referrer_id}
    referrers = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))} if ids else {}
    return distributors, nodes, referrers
