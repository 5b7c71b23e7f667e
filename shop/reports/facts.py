"""The dashboard's figures read straight from the facts, grouped by China-time day: what `flask shop rollup`
stores for closed days, and what the dashboard reads live for the days not rolled up yet. Reads only.

Each query filters on one indexed timestamp ([start, end), naive UTC) and groups by china_day of it."""
from collections import defaultdict

from sqlalchemy import and_, case, exists, func, select

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


def _by_day(column, *values, where=()):
    """SELECT day, values... WHERE where GROUP BY day, the day being china_day(column)."""
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


def product_sales(start, end, by_day=True):
    """SELECT [day,] key (product id; 0 for lines whose product was deleted), value (paid line amount), extra
    (quantity) of the lines of orders paid in [start, end), per product [and day]. Not executed."""
    product = func.coalesce(OrderLine.product_id, 0)
    sums = (product.label("key"), func.sum(OrderLine.paid_amount_fen).label("value"),
            func.sum(OrderLine.quantity).label("extra"))
    where = [_within(Order.paid_at, start, end)]
    stmt = _by_day(Order.paid_at, *sums, where=where) if by_day else select(*sums).where(*where)
    return stmt.join_from(Order, OrderLine).group_by(product)


def distributor_sales(start, end, by_day=True):
    """SELECT [day,] key (beneficiary), value (commission created, every level), extra (the line sales they brought
    at level 1: their level-1 commissions' base) for commissions created in [start, end). Not executed."""
    sums = (Commission.beneficiary_id.label("key"), func.sum(Commission.amount_fen).label("value"),
            func.sum(case((Commission.level == 1, Commission.base_fen), else_=0)).label("extra"))
    where = [_within(Commission.created_at, start, end)]
    stmt = _by_day(Commission.created_at, *sums, where=where) if by_day else select(*sums).where(*where)
    return stmt.group_by(Commission.beneficiary_id)


def daily_product_sales(start, end):
    """[(date, product_id, sales_fen, quantity)] per day and product, for the roll-ups."""
    return [(as_date(day), k, int(v), int(x)) for day, k, v, x in db.session.execute(product_sales(start, end))]


def daily_distributor_sales(start, end):
    """[(date, user_id, commission_fen, sales_fen)] per day and beneficiary, for the roll-ups."""
    return [(as_date(day), k, int(v), int(x)) for day, k, v, x in db.session.execute(distributor_sales(start, end))]
