"""The audit's checks of agents' dividends (wallet/audit.py run_audit calls them): each dividend is what the rule
allows on its line, in its agent's region, on a paid order, inside the cap with the line's commissions, and its
ledger entries add up to what it is worth now, in the right bucket. A read: writes nothing."""
from collections import defaultdict

from sqlalchemy import func, select

from ..distribution.earnings import order_rules
from ..distribution.models import CLAWED_BACK, FROZEN, REVERSED, SETTLED, Commission
from ..extensions import db
from ..orders.models import Order, OrderLine
from ..wallet.audit_shopper import PAID_STATUSES
from ..wallet.models import LedgerEntry
from .models import DIVIDEND_REF, Agent, AgentDividend
from .rule import BP


def check_agent_dividends(report):
    """Add the dividends' problems to the report and their net total to its figures ("agent dividend net")."""
    sums = {row[0]: (int(row[1]), int(row[2])) for row in db.session.execute(
        select(LedgerEntry.ref_id, func.sum(LedgerEntry.d_frozen), func.sum(LedgerEntry.d_available))
        .where(LedgerEntry.ref_type == DIVIDEND_REF).group_by(LedgerEntry.ref_id))}
    rows = db.session.execute(select(AgentDividend, OrderLine, Order, Agent)
                              .join(OrderLine, OrderLine.id == AgentDividend.order_line_id)
                              .join(Order, Order.id == AgentDividend.order_id)
                              .join(Agent, Agent.id == AgentDividend.agent_id)).all()
    total_net, per_line = 0, defaultdict(int)
    for d, line, order, agent in rows:
        total_net += d.net_fen
        per_line[(order, line)] += d.amount_fen
        for text in _dividend_problems(d, line, order, agent, sums.pop(d.id, (0, 0))):
            report.problem(f"agent dividend {d.id}: {text}")
    for ref_id in sums:
        report.problem(f"dividend ledger entries refer to dividend {ref_id}, which does not exist")
    _within_cap(report, per_line)
    report.figures["agent dividend net"] = total_net
    return total_net


def _dividend_problems(d, line, order, agent, ledger_sums):
    net = d.net_fen
    want = {FROZEN: (net, 0), REVERSED: (0, 0), SETTLED: (0, net), CLAWED_BACK: (0, 0)}.get(d.status)
    if want is None or ledger_sums != want:
        yield f"({d.status}, net {net}) ledger frozen {ledger_sums[0]} available {ledger_sums[1]}"
    if order.status not in PAID_STATUSES or line.order_id != d.order_id:
        yield f"order {order.order_no} is not paid"
    if not line.commissionable or d.base_fen != line.paid_amount_fen:
        yield f"base {d.base_fen} is not line {line.id}'s paid amount {line.paid_amount_fen}"
    if d.amount_fen > d.base_fen * d.rate_bp // BP or d.level != agent.level or d.beneficiary_id != agent.user_id:
        yield f"{d.amount_fen} over its rate {d.rate_bp} bp of {d.base_fen}, or not its agent's"
    region = (order.ship_province or "", order.ship_city or "", order.ship_district or "")
    wanted = {"province": 1, "city": 2, "district": 3}[agent.level]
    if region[:wanted] != (agent.province, agent.city, agent.district)[:wanted]:
        yield f"order {order.order_no} ({''.join(region)}) is outside {agent.region_text}"


def _within_cap(report, per_line):
    """Commissions and dividends of a line together stay within the cap and the paid amount."""
    commissions = dict(db.session.execute(select(Commission.order_line_id, func.sum(Commission.amount_fen))
                                          .group_by(Commission.order_line_id)).all())
    for (order, line), dividends in per_line.items():
        total = dividends + int(commissions.get(line.id, 0))
        cap_bp = order_rules(order).cap_bp
        if total > line.paid_amount_fen or total > line.paid_amount_fen * cap_bp // BP:
            report.problem(f"order {order.order_no} line {line.id}: commissions and dividends {total} over "
                           f"paid {line.paid_amount_fen} or cap {cap_bp} bp")
