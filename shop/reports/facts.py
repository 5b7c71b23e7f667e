"""The dashboard's figures read straight from the facts, grouped by China-time day: what `flask shop rollup`
stores for closed days, and what the dashboard reads live for the days not rolled up yet. Reads only.

Each query filters on one indexed timestamp ([start, end), naive UTC) and groups by china_day of it."""
from collections import defaultdict

from sqlalchemy import and_, case, exists, func, literal, select

from ..accounts.models import User
from ..distribution.models import Commission, Distributor
from ..extensions import db
from ..orders.models import Order, OrderLine
from ..payments.models import AUTO, SUCCEEDED, Refund
from ..wallet.models import LedgerEntry
from .days import as_date, china_day

#: Every daily figure, as named on DailyFigures.
FIGURES = ("sales_fen", "orders", "distributor_sales_fen", "refunds_fen", "refunds", "new_members",
           "new_distributors", "commission_created_fen", "commission_settled_fen", "commission_reversed_fen")
SETTLED, REVERSED, CLAWBACK = "commission_settled", "commission_reversed", "commission_clawback"


def _within(column, start, end):
    return and_(column >= start, column < end)


def _by_day(column, *values, where=(), by_day=True):
    """SELECT day, values... WHERE where GROUP BY day, the day being china_day(column); without by_day, the day
    is NULL and nothing is grouped yet (the caller groups by its key only)."""
    if not by_day:
        return select(literal(None).label("day"), *values).where(*where)
    day = china_day(column).label("day")
    return select(day, *values).where(*where).group_by(day)


def _through_distributor():
    """An order came through a distributor when it pays a level-1 commission (rather than when its upline
    snapshot names someone: a referrer who is not an active distributor earns nothing and brought no sale)."""
    return exists().where(Commission.order_id == Order.id, Commission.level == 1)


def _order_rows(start, end):
    paid = Order.pay_total_fen
    return db.session.execute(_by_day(
        Order.paid_at, func.sum(paid), func.count(Order.id), func.sum(case((_through_distributor(), paid), else_=0)),
        where=[_within(Order.paid_at, start, end)]))


def _refund_rows(start, end):
    return db.session.execute(_by_day(
        Refund.succeeded_at, func.sum(Refund.amount_fen), func.count(Refund.id),
        where=[_within(Refund.succeeded_at, start, end), Refund.status == SUCCEEDED, Refund.kind != AUTO]))


def _count_rows(column, start, end):
    return db.session.execute(_by_day(column, func.count(), where=[_within(column, start, end)]))


def _commission_rows(start, end):
    return db.session.execute(_by_day(Commission.created_at, func.sum(Commission.amount_fen),
                                      where=[_within(Commission.created_at, start, end)]))


def _ledger_rows(start, end):
    """Settled and taken-back commission from the append-only ledger: what happened that day, never rewritten."""
    taken = case((LedgerEntry.kind == SETTLED, 0), (LedgerEntry.kind == REVERSED, -LedgerEntry.d_frozen),
                 else_=-LedgerEntry.d_available)
    settled = case((LedgerEntry.kind == SETTLED, LedgerEntry.d_available), else_=0)
    return db.session.execute(_by_day(
        LedgerEntry.created_at, func.sum(settled), func.sum(taken),
        where=[LedgerEntry.kind.in_((SETTLED, REVERSED, CLAWBACK)), _within(LedgerEntry.created_at, start, end)]))


def daily_figures(start, end):
    """{date: {figure: int}} for every China day in [start, end) with any activity (missing figures are 0)."""
    days = defaultdict(lambda: dict.fromkeys(FIGURES, 0))
    sources = ((_order_rows(start, end), ("sales_fen", "orders", "distributor_sales_fen")),
               (_refund_rows(start, end), ("refunds_fen", "refunds")),
               (_count_rows(User.created_at, start, end), ("new_members",)),
               (_count_rows(Distributor.joined_at, start, end), ("new_distributors",)),
               (_commission_rows(start, end), ("commission_created_fen",)),
               (_ledger_rows(start, end), ("commission_settled_fen", "commission_reversed_fen")))
    for rows, names in sources:
        for day, *values in rows:
            days[as_date(day)].update(zip(names, (int(v or 0) for v in values)))
    return dict(days)


def _day_or_none(day):
    return None if day is None else as_date(day)


def daily_product_sales(start, end, by_day=True):
    """[(date, product_id, sales_fen, quantity)] of the lines of orders paid in [start, end); product 0 stands
    for lines whose product was deleted. Without by_day: one row per product, its date None."""
    product = func.coalesce(OrderLine.product_id, 0).label("product_id")
    stmt = _by_day(Order.paid_at, product, func.sum(OrderLine.paid_amount_fen), func.sum(OrderLine.quantity),
                   where=[_within(Order.paid_at, start, end)], by_day=by_day).join_from(Order, OrderLine)
    return [(_day_or_none(day), pid, int(fen), int(qty)) for day, pid, fen, qty in db.session.execute(
        stmt.group_by(product))]


def daily_distributor_sales(start, end, by_day=True):
    """[(date, user_id, commission_fen, sales_fen)]: commission created in [start, end) per beneficiary (every
    level), and the line sales they brought at level 1 (their level-1 commissions' base). Without by_day: one
    row per beneficiary, its date None."""
    level1 = func.sum(case((Commission.level == 1, Commission.base_fen), else_=0))
    stmt = _by_day(Commission.created_at, Commission.beneficiary_id, func.sum(Commission.amount_fen), level1,
                   where=[_within(Commission.created_at, start, end)], by_day=by_day)
    return [(_day_or_none(day), uid, int(fen), int(sales)) for day, uid, fen, sales in db.session.execute(
        stmt.group_by(Commission.beneficiary_id))]
