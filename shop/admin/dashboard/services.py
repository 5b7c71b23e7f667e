"""Dashboard figures: sales, refunds, members and commission over a range of China-time days, their daily charts
and top lists, withdrawals waiting, the latest audit; and what waits today (orders, low stock). Reads only.

Closed days come from the daily roll-ups (`flask shop rollup`), the days after the last roll-up from the facts,
so a range costs the same few statements whether the roll-ups are current or not."""
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ...catalog.models import Product, Sku
from ...clock import to_china, today_start, utcnow
from ...extensions import db
from ...money import BP
from ...orders import status as st
from ...orders.models import Order
from ...reports import facts, tops
from ...reports.audits import latest_audit_run
from ...reports.days import bounds, days_between
from ...reports.rollups import rolled_through, stored_days
from ...wallet.models import W_REQUESTED, Withdrawal

#: SKUs at or below this stock are listed on the dashboard.
LOW_STOCK = 5
#: The periods offered, with how many days (today included) each covers; "range" is chosen by the merchant.
PERIODS = {"today": 1, "7d": 7, "30d": 30}
#: The longest range the merchant may choose.
MAX_RANGE_DAYS = 366


@dataclass
class Report:
    """A range's figures, daily series and top lists (money in fen)."""
    first: date
    last: date
    days: list = field(default_factory=list)
    totals: dict = field(default_factory=dict)
    top_products: list = field(default_factory=list)
    top_distributors: list = field(default_factory=list)

    @property
    def average_order_fen(self):
        return self.totals["sales_fen"] // self.totals["orders"] if self.totals["orders"] else 0

    @property
    def distributor_share_bp(self):
        """Share of paid sales whose orders pay a level-1 commission, in basis points (None without sales)."""
        sales = self.totals["sales_fen"]
        return self.totals["distributor_sales_fen"] * BP // sales if sales else None


def china_today(now=None):
    """Today's date in China time."""
    return to_china(now or utcnow()).date()


def period_days(period, today):
    """(first, last) dates of a named period ending today."""
    return today - timedelta(days=PERIODS[period] - 1), today


def _split(first, last):
    """The rolled-up part (first, last) and the live part's naive-UTC bounds of a range; either may be None."""
    through = rolled_through()
    rolled = (first, min(last, through)) if through and through >= first else None
    live_first = max(first, through + timedelta(days=1)) if through else first
    return rolled, (bounds(live_first, last) if live_first <= last else None)


def range_report(first, last):
    """Figures, daily series and top lists for the China days first..last (dates, both included)."""
    rolled, live = _split(first, last)
    by_day = stored_days(*rolled) if rolled else {}
    by_day.update(facts.daily_figures(*live) if live else {})
    empty = dict.fromkeys(facts.FIGURES, 0)
    days = [(day, by_day.get(day, empty)) for day in days_between(first, last)]
    totals = {name: sum(figures[name] for _day, figures in days) for name in facts.FIGURES}
    return Report(first, last, days, totals, tops.top_products(rolled, live), tops.top_distributors(rolled, live))


def withdrawals_waiting():
    """(count, amount_fen) of withdrawals waiting for a decision."""
    count, amount = db.session.execute(select(func.count(Withdrawal.id), func.coalesce(func.sum(Withdrawal.amount_fen), 0))
                                       .where(Withdrawal.status == W_REQUESTED)).one()
    return count, int(amount)


def low_stock_skus(limit=50):
    """Active SKUs with LOW_STOCK or fewer left, emptiest first, each with its product."""
    return db.session.scalars(
        select(Sku).where(Sku.is_active.is_(True), Sku.stock <= LOW_STOCK).options(joinedload(Sku.product))
        .order_by(Sku.stock, Sku.id).limit(limit)).all()


def waiting_orders():
    """{status: count} of the orders waiting on someone (unpaid, to ship): a range of the status index, where a
    count of every status would read every order."""
    return dict(db.session.execute(select(Order.status, func.count()).where(Order.status.in_((st.PENDING, st.PAID)))
                                   .group_by(Order.status)).all())


def dashboard_figures(now=None):
    """What waits today: today's orders, orders waiting on someone, catalog size, low stock, withdrawals, audit."""
    counts = waiting_orders()
    return {
        "today_orders": db.session.scalar(select(func.count(Order.id)).where(Order.created_at >= today_start(now))),
        "pending": counts.get(st.PENDING, 0),
        "to_ship": counts.get(st.PAID, 0),
        "products": db.session.scalar(select(func.count(Product.id))),
        "low_stock": low_stock_skus(),
        "withdrawals": withdrawals_waiting(),
        "audit": latest_audit_run(),
    }
