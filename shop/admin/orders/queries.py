"""The order list's read model: the filtered orders as one statement, a page of them in a fixed number of
statements, and every filtered row in batches for the export. Reads only.

Each filter is an indexed lookup: status and date on ix_orders_status_created / ix_orders_created_at, the buyer by
users.phone (unique), the product through ix_order_lines_product, the distributor through ix_orders_referrer."""
from datetime import timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload, selectinload

from ...accounts.models import User
from ...catalog.models import Product
from ...clock import day_start
from ...converters import MAX_ID
from ...distribution.models import Distributor
from ...extensions import db
from ...orders.models import Order, OrderLine
from ...pagination import paginate
from ..sorting import Sorting

#: Orders fetched per statement by the export.
EXPORT_BATCH = 500
PHONE_LENGTH = 11
#: The largest id an INTEGER column holds: a longer number typed in a filter is a title, never an id.
#: The list's sortable columns (newest first unless asked).
SORTING = Sorting({"created": Order.created_at, "total": Order.pay_total_fen, "status": Order.status},
                  default="created", tiebreak=Order.id)


def filtered(filters):
    """SELECT of the orders the filters keep (no order, no loading options)."""
    stmt = select(Order)
    for condition in _conditions(filters):
        stmt = stmt.where(condition)
    return stmt


def _conditions(f):
    if f.status:
        yield Order.status == f.status
    if f.start:
        yield Order.created_at >= day_start(f.start)
    if f.end:
        yield Order.created_at < day_start(f.end + timedelta(days=1))
    if f.q:
        yield or_(Order.order_no.contains(f.q, autoescape=True), Order.recipient_phone.contains(f.q, autoescape=True))
    if f.buyer:
        yield Order.user_id.in_(_buyers(f.buyer))
    if f.product:
        yield Order.id.in_(select(OrderLine.order_id).where(OrderLine.product_id.in_(_products(f.product))))
    if f.distributor:
        yield Order.referrer_id.in_(_distributors(f.distributor))


def _buyers(phone):
    match = User.phone == phone if len(phone) == PHONE_LENGTH else User.phone.contains(phone, autoescape=True)
    return select(User.id).where(match)


def _products(text):
    by_title = Product.title.contains(text, autoescape=True)
    is_id = text.isascii() and text.isdigit() and int(text) <= MAX_ID
    return select(Product.id).where(or_(Product.id == int(text), by_title) if is_id else by_title)


def _distributors(text):
    """The users whose phone or invite code this is (a distributor since disabled still matches)."""
    return select(User.id).outerjoin(Distributor, Distributor.user_id == User.id).where(
        or_(User.phone == text, Distributor.invite_code == text))


def _loaded(stmt):
    return stmt.options(selectinload(Order.lines), joinedload(Order.user), joinedload(Order.referrer))


def order_page(filters, page=1, sort=SORTING.standard):
    """A counted page of the filtered orders in the chosen order (newest first by default), with lines, buyer and
    distributor: three statements whatever the page holds."""
    return paginate(_loaded(filtered(filters)).order_by(*sort.order_by()), page)


def export_orders(filters, sort=SORTING.standard, batch=None):
    """Every filtered order in the list's order (newest first by default), fetched `batch` at a time by keyset
    paging on the sort column(s) and the id (each batch is one statement that starts where the last one ended);
    a batch leaves the session and memory before the next is fetched."""
    keys = sort.keyset()
    after, batch = None, batch or EXPORT_BATCH
    while True:
        stmt = _loaded(filtered(filters)).order_by(*sort.order_by()).limit(batch)
        if after is not None:
            stmt = stmt.where(keys.beyond(after))
        rows = db.session.scalars(stmt).all()
        if not rows:
            return
        after = keys.values_of(rows[-1])
        yield from rows
        for order in rows:  # its lines go with it
            db.session.expunge(order)
        del rows
