"""Order lookup for the merchant: lists by status or search, one order with its lines and refunds. Reads only
(shipping is orders.services.ship_order, a merchant refund payments.refunds.merchant_refund)."""
from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from ...errors import found
from ...extensions import db
from ...orders import status as st
from ...orders.models import Order
from ...pagination import paginate
from ...payments import refunds
from ...payments.models import OPEN_REFUND_STATUSES


def order_status_counts():
    """{status: count} over every order."""
    return dict(db.session.execute(select(Order.status, func.count()).group_by(Order.status)).all())


def merchant_orders(status=None, q=None, page=1):
    """Every shopper's orders, newest first, by status and/or order number or recipient phone."""
    stmt = select(Order).options(selectinload(Order.lines), selectinload(Order.user))
    if status in st.ALL:
        stmt = stmt.where(Order.status == status)
    q = (q or "").strip()[:32]
    if q:
        stmt = stmt.where(or_(Order.order_no.contains(q, autoescape=True),
                              Order.recipient_phone.contains(q, autoescape=True)))
    return paginate(stmt.order_by(Order.id.desc()), page)


def get_order(order_no):
    """Any shopper's order by number, with its lines; or 404."""
    return found(db.session.scalar(select(Order).where(Order.order_no == str(order_no)[:32])
                                   .options(selectinload(Order.lines), joinedload(Order.user))),
                 _("订单不存在"))


def open_refunds_of(page):
    """{order_id: open Refund} for a page of orders, in one statement."""
    return refunds.open_refunds([order.id for order in page.items])


def order_refunds(order):
    """An order's after-sales for its page: every refund (newest first), the open one, and what is left to
    refund per line."""
    rows = refunds.order_refunds(order.id)
    return {"refunds": rows, "open_refund": next((r for r in rows if r.status in OPEN_REFUND_STATUSES), None),
            "refundable": refunds.get_user_refund_lines(order.user, order)}
