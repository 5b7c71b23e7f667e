"""The points audit: every balance is the sum of its entries, the running balances add up, nothing is negative,
and each order's points agree (spent = what its discount says; returned ≤ spent, all of it once cancelled or
wholly refunded; taken back ≤ earned). Called by wallet.audit.run_audit; reads only."""
from collections import defaultdict

from sqlalchemy import func, select

from ..extensions import db
from ..orders import status as st
from ..orders.models import Order
from .models import EARN_ORDER, EARN_REVOKED, EXPIRED, SPEND, SPEND_RETURNED, PointsAccount, PointsEntry
from .orders import applied_points


def check_points(report):
    """Add the points figures and problems to an audit report (wallet.audit.AuditReport)."""
    _balances(report)
    _running(report)
    _orders(report)


def _balances(report):
    sums = dict(db.session.execute(select(PointsEntry.user_id, func.sum(PointsEntry.delta))
                                   .group_by(PointsEntry.user_id)).all())
    outstanding = 0
    for user_id, balance in db.session.execute(select(PointsAccount.user_id, PointsAccount.balance)):
        outstanding += balance
        ledger = int(sums.pop(user_id, 0) or 0)
        if balance != ledger:
            report.problem(f"points account {user_id}: balance {balance} != entries {ledger}")
        if balance < 0:
            report.problem(f"points account {user_id}: negative balance {balance}")
    for user_id in sums:
        report.problem(f"points entries for user {user_id} without a points account")
    report.figures["points outstanding"] = outstanding


def _running(report):
    running = defaultdict(int)
    rows = db.session.execute(select(PointsEntry.id, PointsEntry.user_id, PointsEntry.delta, PointsEntry.balance_after)
                              .order_by(PointsEntry.id)).yield_per(2000)
    count = 0
    for row in rows:
        count += 1
        running[row.user_id] += row.delta
        if running[row.user_id] != row.balance_after or row.balance_after < 0:
            report.problem(f"points entry {row.id}: balance after {row.balance_after} != running sum "
                           f"{running[row.user_id]}")
            running[row.user_id] = row.balance_after
    report.figures["points entries"] = count


def _orders(report):
    sums = defaultdict(dict)
    for order_id, kind, delta, unrecovered in db.session.execute(
            select(PointsEntry.order_id, PointsEntry.kind, func.sum(PointsEntry.delta), func.sum(PointsEntry.unrecovered))
            .where(PointsEntry.order_id.is_not(None)).group_by(PointsEntry.order_id, PointsEntry.kind)):
        sums[order_id][kind] = (int(delta or 0), int(unrecovered or 0))
    spent_orders = db.session.execute(select(Order.id, Order.order_no, Order.status, Order.discount_detail)
                                      .where(Order.id.in_(list(sums)) | Order.discount_detail.is_not(None))).all()
    for order_id, order_no, status, detail in spent_orders:
        _order(report, order_no, status, applied_points(detail), sums.get(order_id, {}))
    report.figures["points expired"] = -int(db.session.scalar(select(func.coalesce(func.sum(PointsEntry.delta), 0))
                                                               .where(PointsEntry.kind == EXPIRED)) or 0)


def _order(report, order_no, status, used, sums):
    spent, returned = -sums.get(SPEND, (0, 0))[0], sums.get(SPEND_RETURNED, (0, 0))[0]
    if spent != used:
        report.problem(f"order {order_no}: points spent {spent} != points in its discount {used}")
    if returned > spent:
        report.problem(f"order {order_no}: points returned {returned} > spent {spent}")
    if status in (st.CANCELLED, st.REFUNDED) and returned != spent:
        report.problem(f"order {order_no} ({status}): points returned {returned} != spent {spent}")
    earned = sums.get(EARN_ORDER, (0, 0))[0]
    taken, unrecovered = sums.get(EARN_REVOKED, (0, 0))
    if -taken + unrecovered > earned:
        report.problem(f"order {order_no}: points taken back {-taken + unrecovered} > earned {earned}")
