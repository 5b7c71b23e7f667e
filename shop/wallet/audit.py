"""`flask shop audit`: every money invariant, checked from the raw rows."""
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..agents.audit import check_agent_dividends
from ..agents.models import AgentDividend
from ..distribution.earnings import expected_shares, order_rules
from ..distribution.models import CLAWED_BACK, FROZEN, REVERSED, SETTLED, Commission
from ..extensions import db
from ..orders.models import Order
from ..payments.alerts import payment_alert, record_alert
from ..payments.models import AUDIT_FAILED
from ..points.audit import check_points
from ..pool.audit import check_pool
from .audit_shopper import PAID_STATUSES, check_shopper_side
from .models import ADJUSTMENT, W_APPROVED, W_PAID, W_REQUESTED, Account, Adjustment, LedgerEntry, Withdrawal

#: `flask shop audit` runs on one host at a time (shop.database.single_runner): one report and one alert per run.
AUDIT_LOCK_KEY = 7_301_021


@dataclass
class AuditReport:
    figures: dict = field(default_factory=dict)
    problems: list = field(default_factory=list)

    @property
    def clean(self):
        return not self.problems

    def problem(self, text):
        self.problems.append(text)


def run_audit(echo=None, now=None):
    """Check every invariant, the distributors' side and the shopper's; returns an AuditReport (clean when no
    problem was found). A read: writes nothing."""
    report = AuditReport()
    _accounts_match_ledger(report)
    _ledger_running_balances(report)
    _commissions(report, echo)
    _adjustments(report)
    check_pool(report)
    check_agent_dividends(report)
    _commission_ledger(report)
    _withdrawals(report)
    _debts(report)
    check_shopper_side(report, now)
    check_points(report)
    return report


def alert_problems(report):
    """An AUDIT_FAILED alert for the merchant when the audit found problems (the first few, and how many);
    owns its transaction. Nothing when the audit is clean."""
    if report.clean:
        return None
    shown = "; ".join(report.problems[:3])
    alert = payment_alert(AUDIT_FAILED, f"audit found {len(report.problems)} problem(s): {shown}")
    record_alert(alert)
    return alert


def _accounts_match_ledger(report):
    sums = {row[0]: row[1:] for row in db.session.execute(
        select(LedgerEntry.user_id, func.sum(LedgerEntry.d_frozen), func.sum(LedgerEntry.d_available),
               func.sum(LedgerEntry.d_withdrawing), func.sum(LedgerEntry.d_withdrawn)).group_by(LedgerEntry.user_id))}
    accounts = db.session.scalars(select(Account)).all()
    report.figures["accounts"] = len(accounts)
    report.figures["ledger entries"] = db.session.scalar(select(func.count()).select_from(LedgerEntry))
    for acc in accounts:
        balances = (acc.frozen_fen, acc.available_fen, acc.withdrawing_fen, acc.withdrawn_fen)
        ledger = tuple(int(x or 0) for x in sums.pop(acc.user_id, (0, 0, 0, 0)))
        if balances != ledger:
            report.problem(f"account {acc.user_id}: balances {balances} != ledger sums {ledger}")
    for user_id in sums:
        report.problem(f"ledger entries for user {user_id} without an account")
    totals = db.session.execute(select(func.coalesce(func.sum(Account.frozen_fen), 0),
                                       func.coalesce(func.sum(Account.available_fen), 0),
                                       func.coalesce(func.sum(Account.withdrawing_fen), 0),
                                       func.coalesce(func.sum(Account.withdrawn_fen), 0))).one()
    report.figures.update(dict(zip(("frozen", "available", "withdrawing", "withdrawn"), map(int, totals))))


def _ledger_running_balances(report):
    running = defaultdict(lambda: [0, 0, 0, 0])
    rows = db.session.execute(select(LedgerEntry.id, LedgerEntry.user_id, LedgerEntry.d_frozen,
                                     LedgerEntry.d_available, LedgerEntry.d_withdrawing, LedgerEntry.d_withdrawn,
                                     LedgerEntry.frozen_after, LedgerEntry.available_after,
                                     LedgerEntry.withdrawing_after, LedgerEntry.withdrawn_after)
                              .order_by(LedgerEntry.id)).yield_per(2000)
    for row in rows:
        acc = running[row.user_id]
        for i, delta in enumerate(row[2:6]):
            acc[i] += delta
        if tuple(acc) != tuple(row[6:10]):
            report.problem(f"ledger entry {row.id}: balances after {tuple(row[6:10])} != running sums {tuple(acc)}")
            acc[:] = list(row[6:10])


def _commissions(report, echo=None):
    """Every paid order has exactly its commission set, within the paid amount and the cap."""
    stored = defaultdict(dict)
    for c in db.session.execute(select(Commission.order_id, Commission.order_line_id, Commission.level,
                                       Commission.beneficiary_id, Commission.amount_fen)):
        stored[c.order_id][(c.order_line_id, c.level, c.beneficiary_id)] = c.amount_fen
    checked = 0
    orders = db.session.scalars(select(Order).where(Order.status.in_(PAID_STATUSES))
                                .options(selectinload(Order.lines)).order_by(Order.id)).all()
    for order in orders:
        expected = {(s.line_id, s.level, s.beneficiary_id): s.amount_fen for s in expected_shares(order)}
        got = stored.pop(order.id, {})
        if expected != got:
            report.problem(f"order {order.order_no}: commissions {sorted(got.items())} != expected "
                           f"{sorted(expected.items())}")
        cap_bp = order_rules(order).cap_bp
        for line in order.lines:
            total = sum(v for (line_id, _l, _b), v in got.items() if line_id == line.id)
            if total > line.paid_amount_fen or total > line.paid_amount_fen * cap_bp // 10000:
                report.problem(f"order {order.order_no} line {line.id}: commission {total} over paid "
                               f"{line.paid_amount_fen} or cap {cap_bp} bp")
        checked += 1
        if echo and checked % 1000 == 0:
            echo(f"checked {checked}/{len(orders)} orders")
    for order_id in stored:
        report.problem(f"order id {order_id}: commissions exist but the order is not paid")
    report.figures["paid orders checked"] = checked


def _commission_ledger(report):
    """Each commission's ledger entries add up to what it is worth now, in the right bucket."""
    sums = {row[0]: (int(row[1]), int(row[2])) for row in db.session.execute(
        select(LedgerEntry.ref_id, func.sum(LedgerEntry.d_frozen), func.sum(LedgerEntry.d_available))
        .where(LedgerEntry.ref_type == "commission").group_by(LedgerEntry.ref_id))}
    total_net = 0
    for c in db.session.scalars(select(Commission)):
        net = c.amount_fen - c.reversed_fen - c.clawed_back_fen
        total_net += net
        frozen, available = sums.get(c.id, (0, 0))
        want = {FROZEN: (net, 0), REVERSED: (0, 0), SETTLED: (0, net), CLAWED_BACK: (0, 0)}.get(c.status)
        if want is None or (frozen, available) != want:
            report.problem(f"commission {c.id} ({c.status}, net {net}): ledger frozen {frozen} available {available}")
        if c.status == CLAWED_BACK and c.clawed_back_fen == 0:
            report.problem(f"commission {c.id}: clawed back without a clawback amount")
    report.figures["commission net"] = total_net
    held = sum(report.figures.get(k, 0) for k in ("frozen", "available", "withdrawing", "withdrawn"))
    adjusted = report.figures.get("adjustments", 0)
    pool = report.figures.get("pool net", 0)
    dividends = report.figures.get("agent dividend net", 0)
    if held != total_net + adjusted + pool + dividends:
        report.problem(f"money held in accounts {held} != commission net {total_net} + adjustments {adjusted}"
                       f" + pool {pool} + agent dividends {dividends}")


def _adjustments(report):
    """Each manual adjustment has exactly its one ledger entry (its amount, on available, same member), and every
    adjustment entry has its adjustment."""
    entries = defaultdict(list)
    for e in db.session.execute(select(LedgerEntry.ref_id, LedgerEntry.user_id, LedgerEntry.d_frozen,
                                       LedgerEntry.d_available, LedgerEntry.d_withdrawing, LedgerEntry.d_withdrawn)
                                .where(LedgerEntry.kind == ADJUSTMENT)):
        entries[e.ref_id].append((e.user_id, e.d_frozen, e.d_available, e.d_withdrawing, e.d_withdrawn))
    total = 0
    for a in db.session.execute(select(Adjustment.id, Adjustment.user_id, Adjustment.amount_fen)):
        total += a.amount_fen
        if entries.pop(a.id, []) != [(a.user_id, 0, a.amount_fen, 0, 0)]:
            report.problem(f"adjustment {a.id} ({a.amount_fen} for user {a.user_id}): not exactly one matching entry")
    for ref_id in entries:
        report.problem(f"adjustment ledger entries refer to adjustment {ref_id}, which does not exist")
    report.figures["adjustments"] = total


def _withdrawals(report):
    pending = defaultdict(int)
    paid = defaultdict(int)
    for w in db.session.scalars(select(Withdrawal)):
        if w.status in (W_REQUESTED, W_APPROVED):
            pending[w.user_id] += w.amount_fen
        elif w.status == W_PAID:
            paid[w.user_id] += w.amount_fen
        if w.net_fen != w.amount_fen - w.fee_fen:
            report.problem(f"withdrawal {w.withdrawal_no}: net {w.net_fen} != amount - fee")
    for acc in db.session.scalars(select(Account)):
        if acc.withdrawing_fen != pending.get(acc.user_id, 0):
            report.problem(f"account {acc.user_id}: withdrawing {acc.withdrawing_fen} != open withdrawals "
                           f"{pending.get(acc.user_id, 0)}")
        if acc.withdrawn_fen != paid.get(acc.user_id, 0):
            report.problem(f"account {acc.user_id}: withdrawn {acc.withdrawn_fen} != paid withdrawals "
                           f"{paid.get(acc.user_id, 0)}")


def _debts(report):
    """A negative available balance is only ever a clawback debt."""
    clawed = set(db.session.scalars(select(Commission.beneficiary_id).where(Commission.clawed_back_fen > 0)))
    clawed |= report.figures.pop("pool debtors", set())
    clawed |= set(db.session.scalars(select(AgentDividend.beneficiary_id).where(AgentDividend.clawed_back_fen > 0)))
    debts = 0
    for acc in db.session.scalars(select(Account).where(Account.available_fen < 0)):
        debts += 1
        if acc.user_id not in clawed:
            report.problem(f"account {acc.user_id}: available {acc.available_fen} below zero without a clawback")
    report.figures["accounts in debt"] = debts
