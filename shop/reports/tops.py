"""Top products and top distributors over a range of days: rolled-up days and live days merged exactly.
Reads only.

The rolled part gives its own top N; a key that also sold on a live day gets its rolled sum read as well. A key
missing from both cannot be in the top N: its whole total is a rolled sum below the rolled N-th."""
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import func, select

from ..accounts.models import User
from ..catalog.models import Product
from ..extensions import db
from . import facts
from .models import DailyDistributorSales, DailyProductSales


@dataclass
class Ranked:
    """One row of a top list: who, the figure it is ranked by, and a second figure."""
    key: int
    name: str
    value: int
    extra: int


def _rolled(model, key, columns, first, last, limit=None, keys=None):
    """{key: (value, extra)} summed over the rolled days first..last: the top `limit`, or the given keys."""
    stmt = (select(key, *(func.sum(c) for c in columns)).where(model.day >= first, model.day <= last)
            .group_by(key))
    if keys is not None:
        stmt = stmt.where(key.in_(keys))
    else:
        stmt = stmt.order_by(func.sum(columns[0]).desc(), key).limit(limit)
    return {k: (int(a), int(b)) for k, a, b in db.session.execute(stmt)}


def _merge(rolled, live, limit):
    values, extras = Counter(), Counter()
    for source in (rolled, live):
        for k, (value, extra) in source.items():
            values[k] += value
            extras[k] += extra
    return sorted(((k, values[k], extras[k]) for k in values), key=lambda row: (-row[1], row[0]))[:limit]


def _live(rows):
    """Per-day fact rows (day, key, value, extra) summed by key."""
    summed = {}
    for _day, k, value, extra in rows:
        old = summed.get(k, (0, 0))
        summed[k] = (old[0] + value, old[1] + extra)
    return summed


def _top(model, key, columns, rolled_range, live_rows, limit):
    live = _live(live_rows)
    rolled = {}
    if rolled_range:
        rolled = _rolled(model, key, columns, *rolled_range, limit=limit)
        missing = [k for k in live if k not in rolled]
        rolled.update(_rolled(model, key, columns, *rolled_range, keys=missing) if missing else {})
    return _merge(rolled, live, limit)


def top_products(rolled_range, live_bounds, limit=10):
    """[Ranked(product_id, title, sales_fen, quantity)] best-selling first; rolled_range: (first, last) dates
    or None; live_bounds: naive-UTC (start, end) or None."""
    live = facts.daily_product_sales(*live_bounds, by_day=False) if live_bounds else []
    rows = _top(DailyProductSales, DailyProductSales.product_id,
                (DailyProductSales.sales_fen, DailyProductSales.quantity), rolled_range, live, limit)
    titles = dict(db.session.execute(select(Product.id, Product.title).where(Product.id.in_([r[0] for r in rows]))).all())
    return [Ranked(k, titles.get(k, ""), value, extra) for k, value, extra in rows]


def top_distributors(rolled_range, live_bounds, limit=10):
    """[Ranked(user_id, name, commission_fen, level-1 sales_fen)], most commission first."""
    live = facts.daily_distributor_sales(*live_bounds, by_day=False) if live_bounds else []
    rows = _top(DailyDistributorSales, DailyDistributorSales.user_id,
                (DailyDistributorSales.commission_fen, DailyDistributorSales.sales_fen), rolled_range, live, limit)
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_([r[0] for r in rows])))}
    return [Ranked(k, users[k].display_name if k in users else "", value, extra) for k, value, extra in rows]
