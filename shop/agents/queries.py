"""Read models of the agents' pages (admin list and export, an agent's page, the distributor center): each in a
fixed number of statements. Reads only."""
from dataclasses import dataclass

from sqlalchemy import and_, case, func, or_, select

from ..accounts.models import User
from ..distribution.models import FROZEN, SETTLED
from ..extensions import db
from ..orders.models import Order
from ..pagination import paginate, window
from .dividends import order_in_region
from .models import AGENT_LEVELS, AGENT_STATUSES, Agent, AgentDividend


@dataclass(frozen=True)
class AgentFilters:
    """The admin list's filters from the query string; a value outside its set is dropped."""
    q: str = ""
    level: str = ""
    status: str = "active"

    @classmethod
    def from_args(cls, args):
        level, status = args.get("level", ""), args.get("status", "active")
        return cls(q=(args.get("q") or "").strip()[:40], level=level if level in AGENT_LEVELS else "",
                   status=status if status in AGENT_STATUSES or status == "all" else "active")

    def args(self):
        return {k: v for k, v in (("q", self.q), ("level", self.level), ("status", self.status)) if v}


def agents_statement(filters):
    """The filtered appointments with their members, newest first: the list and the export share it."""
    stmt = select(Agent, User).join(User, User.id == Agent.user_id)
    if filters.level:
        stmt = stmt.where(Agent.level == filters.level)
    if filters.status != "all":
        stmt = stmt.where(Agent.status == filters.status)
    if filters.q:
        like = f"%{filters.q}%"
        stmt = stmt.where(or_(User.phone == filters.q, User.nickname.contains(filters.q, autoescape=True),
                              (Agent.province + Agent.city + Agent.district).like(like)))
    return stmt.order_by(Agent.id.desc())


def agents_page(filters, page):
    """One page of (Agent, User) rows."""
    return window(agents_statement(filters), page)


@dataclass(frozen=True)
class Figures:
    orders: int = 0
    goods_fen: int = 0
    frozen_fen: int = 0
    settled_fen: int = 0
    reversed_fen: int = 0


def _sum_when(condition, value):
    return func.coalesce(func.sum(case((condition, value), else_=0)), 0)


def figures(agent_ids):
    """{agent id: Figures} in one statement: orders that paid the agent a dividend and their goods paid (the
    dividends' base), dividends frozen and settled (net), reversed and clawed back."""
    if not agent_ids:
        return {}
    d = AgentDividend
    rows = db.session.execute(select(
        d.agent_id, func.count(func.distinct(d.order_id)), func.coalesce(func.sum(d.base_fen), 0),
        _sum_when(d.status == FROZEN, d.net_fen), _sum_when(d.status == SETTLED, d.net_fen),
        func.coalesce(func.sum(d.reversed_fen + d.clawed_back_fen), 0))
        .where(d.agent_id.in_(list(agent_ids))).group_by(d.agent_id))
    found = {row[0]: Figures(*map(int, row[1:])) for row in rows}
    return {agent_id: found.get(agent_id, Figures()) for agent_id in agent_ids}


def total_figures(many):
    """The sum of several Figures (an agent of more than one region)."""
    return Figures(*(sum(getattr(f, name) for f in many) for name in Figures.__dataclass_fields__))


def dividends_page(agent_ids, page, per_page=20):
    """A page of dividends of these appointments with their orders, newest first."""
    return paginate(select(AgentDividend).join(Order, Order.id == AgentDividend.order_id)
                    .where(AgentDividend.agent_id.in_(list(agent_ids)))
                    .order_by(AgentDividend.id.desc()), page, per_page)


def region_orders_page(agents, page, per_page=20):
    """The orders paid into (or picked up in) these regions since each appointment, newest first, a dividend or not:
    an agent's region orders (no buyer shown)."""
    regions = [and_(order_in_region(agent), Order.paid_at >= agent.appointed_at) for agent in agents]
    return window(select(Order).where(or_(*regions)).order_by(Order.id.desc()), page, per_page, scalars=True)
