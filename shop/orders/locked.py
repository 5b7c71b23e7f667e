"""An order row locked for the payment path, with its lines, read by one prebuilt statement through the DBAPI cursor
(shop/statements.py) and handed to the session as loaded objects: the ORM's loading of a joined row costs several
times what PostgreSQL spends on it, and every payment notification locks its order first."""
from functools import cache

from sqlalchemy import bindparam, inspect, select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from ..extensions import db
from ..statements import adopt, loaded, run
from .models import Order, OrderLine

# The ORM's way, for an order the session already holds (its objects are refreshed in place).
_LOCK_LOADED = (select(Order).where(Order.order_no == bindparam("order_no")).options(joinedload(Order.lines))
                .with_for_update(of=Order).execution_options(populate_existing=True))


def _keys(model):
    """The attribute key of every column the model maps, in its table's order."""
    return [inspect(model).get_property_by_column(c).key for c in model.__table__.columns]


@cache
def _statement():
    """(the SELECT of the order's and its lines' columns, order keys, line keys), built once the mappers are
    configured (at the first payment, not at import)."""
    orders, lines = Order.__table__, OrderLine.__table__
    stmt = (select(*orders.columns, *lines.columns).select_from(orders.outerjoin(lines, lines.c.order_id == orders.c.id))
            .where(orders.c.order_no == bindparam("order_no")).order_by(lines.c.id).with_for_update(of=orders))
    return stmt, _keys(Order), _keys(OrderLine)


def lock_order(order_no):
    """The order `order_no` with its lines, its row locked (FOR UPDATE OF orders only) until the caller's
    transaction ends; None when there is none. Joins the caller's transaction."""
    stmt, order_keys, line_keys = _statement()
    rows = run(stmt, {"order_no": order_no})
    if not rows:
        return None
    width = len(order_keys)
    order = dict(zip(order_keys, rows[0][:width]))
    lines = [dict(zip(line_keys, row[width:])) for row in rows if row[width] is not None]
    if _held(order, lines):
        return db.session.execute(_LOCK_LOADED, {"order_no": order_no}).unique().scalar_one()
    built, parts = loaded(Order, order), [loaded(OrderLine, line) for line in lines]
    set_committed_value(built, "lines", parts)
    for part in parts:
        set_committed_value(part, "order", built)
    return adopt(built, *parts)


def _held(order, lines):
    """Whether the session already holds the order or one of its lines (then it is refreshed the ORM's way)."""
    held = db.session.identity_map
    return identity_key(Order, order["id"]) in held or any(identity_key(OrderLine, ln["id"]) in held for ln in lines)
