"""Top products and top distributors over a range of days, in one statement each: the rolled-up days' rows and
the live days' facts (UNION ALL), summed by key, ranked, the first N kept; then their names. Reads only."""
from dataclasses import dataclass

from sqlalchemy import func, select, union_all

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


def _rolled(model, key, value, extra, first, last):
    return select(key.label("key"), value.label("value"), extra.label("extra")).where(
        model.day >= first, model.day <= last)


def _top(parts, limit):
    """[(key, value, extra)] summed over the parts (SELECTs of key, value, extra), highest value first."""
    if not parts:
        return []
    rows = union_all(*parts).subquery() if len(parts) > 1 else parts[0].subquery()
    total = func.sum(rows.c.value)
    stmt = (select(rows.c.key, total, func.sum(rows.c.extra)).group_by(rows.c.key)
            .order_by(total.desc(), rows.c.key).limit(limit))
    return [(k, int(v), int(x)) for k, v, x in db.session.execute(stmt)]


def top_products(rolled_range, live_bounds, limit=10):
    """[Ranked(product_id, title, sales_fen, quantity)] best-selling first; rolled_range: (first, last) dates
    or None; live_bounds: naive-UTC (start, end) or None."""
    m = DailyProductSales
    parts = ([_rolled(m, m.product_id, m.sales_fen, m.quantity, *rolled_range)] if rolled_range else []) + (
        [facts.product_sales(*live_bounds, by_day=False)] if live_bounds else [])
    rows = _top(parts, limit)
    titles = dict(db.session.execute(select(Product.id, Product.title).where(Product.id.in_([r[0] for r in rows]))).all())
    return [Ranked(k, titles.get(k, ""), value, extra) for k, value, extra in rows]


def top_distributors(rolled_range, live_bounds, limit=10):
    """[Ranked(user_id, name, commission_fen, level-1 sales_fen)], most commission first."""
    m = DailyDistributorSales
    parts = ([_rolled(m, m.user_id, m.commission_fen, m.sales_fen, *rolled_range)] if rolled_range else []) + (
        [facts.distributor_sales(*live_bounds, by_day=False)] if live_bounds else [])
    rows = _top(parts, limit)
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_([r[0] for r in rows])))}
    return [Ranked(k, users[k].display_name if k in users else "", value, extra) for k, value, extra in rows]
