"""Agents' dividends (代理分红) in the order's life: created frozen inside the payment transaction next to the
commissions, reversed or clawed back in proportion when lines are refunded, settled by the commissions' rule.
Every money move is a ledger entry of the dividend kinds (models.DIVIDEND_*), ref_type DIVIDEND_REF."""
import logging
from collections import defaultdict
from datetime import timedelta

from sqlalchemy import and_, bindparam, func, insert, or_, select

from ..clock import utcnow
from ..database import transaction
from ..distribution.earnings import order_rules
from ..distribution.models import CLAWED_BACK, FROZEN, REVERSED, SETTLED, Commission
from ..extensions import db
from ..orders import status as st
from ..orders.models import Order
from ..payments.alerts import payment_alert, record_alert
from ..payments.models import SETTLE_FAILED
from ..statements import run
from ..wallet import ledger, memos
from . import rule
from .models import (
    ACTIVE,
    CITY,
    DISTRICT,
    DIVIDEND_CLAWBACK,
    DIVIDEND_FROZEN,
    DIVIDEND_REF,
    DIVIDEND_REVERSED,
    DIVIDEND_SETTLED,
    PROVINCE,
    Agent,
    AgentDividend,
)

log = logging.getLogger("shop.agents")


def region_match(province, city, district):
    """SQL: the appointments whose region holds (province, city, district), at any level."""
    return or_(and_(Agent.level == PROVINCE, Agent.province == province),
               and_(Agent.level == CITY, Agent.province == province, Agent.city == city),
               and_(Agent.level == DISTRICT, Agent.province == province, Agent.city == city,
                    Agent.district == district))


def order_in_region(agent):
    """SQL: the order's region snapshot lies in the agent's region."""
    parts = [Order.ship_province == agent.province]
    if agent.level != PROVINCE:
        parts.append(Order.ship_city == agent.city)
    if agent.level == DISTRICT:
        parts.append(Order.ship_district == agent.district)
    return and_(*parts)


def region_agents(order):
    """The active agents of the order's region snapshot, as the pure rule takes them. Reads only."""
    if not order.ship_province:
        return []
    found = run(_REGION_AGENTS, {"province": order.ship_province, "city": order.ship_city or "",
                                 "district": order.ship_district or ""})
    return [rule.RegionAgent(*row) for row in found]


# Built once (bound parameters only): every payment asks.
_REGION_AGENTS = select(Agent.id, Agent.user_id, Agent.level, Agent.rate_bp).where(
    Agent.status == ACTIVE, region_match(bindparam("province"), bindparam("city"), bindparam("district")))


def expected_dividends(order, agents):
    """What the rule pays `agents` on the order: commissionable lines, the commissions stored on each line counted
    in the cap. Reads only."""
    lines = [(ln.id, ln.paid_amount_fen) for ln in order.lines if ln.commissionable]
    if not agents or not lines:
        return []
    commissions = dict(db.session.execute(
        select(Commission.order_line_id, func.sum(Commission.amount_fen))
        .where(Commission.order_id == order.id).group_by(Commission.order_line_id)).all())
    return rule.order_dividends(lines, {k: int(v) for k, v in commissions.items()}, order_rules(order).cap_bp,
                                agents)


def create_dividends(order):
    """Insert the order's dividends frozen and credit each agent's frozen balance; returns {agent user: amount}.
    Call after create_commissions (the cap counts them). Joins the caller's transaction (the payment's, which holds
    the order row lock; the unique (line, level) key refuses a second set)."""
    dividends = expected_dividends(order, region_agents(order))
    if not dividends:
        return {}
    now = utcnow()
    rows = [dict(order_id=order.id, order_line_id=d.line_id, agent_id=d.agent_id, beneficiary_id=d.user_id,
                 buyer_id=order.user_id, level=d.level, amount_fen=d.amount_fen, base_fen=d.base_fen,
                 rate_bp=d.rate_bp, reversed_fen=0, clawed_back_fen=0, status=FROZEN, created_at=now)
            for d in dividends]
    table = AgentDividend.__table__
    ids = {(line, level): id_ for id_, line, level in db.session.execute(
        insert(table).returning(table.c.id, table.c.order_line_id, table.c.level), rows)}
    ledger.post_many([ledger.Posting(d.user_id, DIVIDEND_FROZEN, DIVIDEND_REF, ids[(d.line_id, d.level)],
                                     frozen=d.amount_fen, order_id=order.id, memo=memos.DIVIDEND.write(order_no=order.order_no, region=d.level))
                      for d in dividends], now)
    totals = defaultdict(int)
    for d in dividends:
        totals[d.user_id] += d.amount_fen
    return dict(totals)


def take_back_dividend(dividend, target_net_fen, refund_id):
    """Reduce a dividend to target_net_fen: from frozen before settlement, as a debt on available after it.
    Joins the caller's transaction (the refund's)."""
    delta = dividend.net_fen - target_net_fen
    if delta <= 0 or dividend.status not in (FROZEN, SETTLED):
        return 0
    memo = memos.REFUND.write(refund_id=refund_id)
    if dividend.status == FROZEN:
        dividend.reversed_fen += delta
        dividend.status = REVERSED if dividend.net_fen == 0 else FROZEN
        ledger.post(dividend.beneficiary_id, DIVIDEND_REVERSED, frozen=-delta, ref_type=DIVIDEND_REF,
                    ref_id=dividend.id, order_id=dividend.order_id, memo=memo)
    else:
        dividend.clawed_back_fen += delta
        dividend.status = CLAWED_BACK if dividend.net_fen == 0 else SETTLED
        ledger.post(dividend.beneficiary_id, DIVIDEND_CLAWBACK, available=-delta, ref_type=DIVIDEND_REF,
                    ref_id=dividend.id, order_id=dividend.order_id, memo=memo, allow_debt=True)
    db.session.flush()
    return delta


def adjust_dividends_for_refunded_quantities(order_line, refunded_quantity, refund_id):
    """Keep each dividend of the line at floor(amount × remaining / quantity), as commissions are kept.
    Joins the caller's transaction (the refund's)."""
    remaining = order_line.quantity - refunded_quantity
    return sum(take_back_dividend(d, d.amount_fen * remaining // order_line.quantity, refund_id)
               for d in db.session.scalars(select(AgentDividend).where(AgentDividend.order_line_id == order_line.id)
                                           .order_by(AgentDividend.id).with_for_update()
                                           .execution_options(populate_existing=True)))


def settle_dividend(dividend_id, now=None):
    """Frozen -> available for one dividend, exactly once (row locked first); returns the amount moved.
    Joins the caller's transaction."""
    dividend = db.session.execute(select(AgentDividend).where(AgentDividend.id == dividend_id).with_for_update()
                                  .execution_options(populate_existing=True)).scalar_one_or_none()
    if dividend is None or dividend.status != FROZEN:
        return 0
    dividend.status, dividend.settled_at = SETTLED, now or utcnow()
    amount = dividend.net_fen
    if amount:
        ledger.post(dividend.beneficiary_id, DIVIDEND_SETTLED, frozen=-amount, available=amount,
                    ref_type=DIVIDEND_REF, ref_id=dividend.id, order_id=dividend.order_id)
    db.session.flush()
    return amount


def due_dividend_ids(now):
    """Ids of the frozen dividends due at `now`: the commissions' rule (settlement.py), without fraud holds (the
    merchant appointed the agent). Reads only."""
    from ..distribution.settlement import freeze_days, has_open_refund
    cutoff = now - timedelta(days=freeze_days())
    return db.session.scalars(
        select(AgentDividend.id).join(Order, Order.id == AgentDividend.order_id)
        .where(AgentDividend.status == FROZEN, Order.status == st.COMPLETED, Order.completed_at <= cutoff,
               ~has_open_refund(Order.id)).order_by(AgentDividend.id)).all()


def settle_due_dividends(now):
    """Settle every due dividend, one transaction each (a failure is logged and alerted, the run goes on); returns
    (count, amount). Called by settlement.settle_due_commissions under its single-host lock."""
    with transaction():
        ids = due_dividend_ids(now)
    count = amount = 0
    for dividend_id in ids:
        moved = _settle_alone(dividend_id, now)
        count, amount = count + bool(moved), amount + moved
    return count, amount


def _settle_alone(dividend_id, now):
    from ..distribution.settlement import has_open_refund
    try:
        with transaction():
            order_id = db.session.scalar(select(AgentDividend.order_id).where(AgentDividend.id == dividend_id))
            return 0 if db.session.scalar(select(has_open_refund(order_id))) else settle_dividend(dividend_id, now)
    except Exception as err:  # one dividend's trouble must not stop settlement for the whole shop
        log.exception("agent dividend %s could not be settled", dividend_id)
        record_alert(payment_alert(SETTLE_FAILED, f"agent dividend {dividend_id} could not be settled: {err}"))
        return 0
