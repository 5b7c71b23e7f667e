"""Order lookup and shipping for the merchant: status counts, one order with its lines, payments, refunds and
commissions, and shipping many orders at once. Reads only, except ship_many (shipping one order is
orders.services.ship_order, a merchant refund payments.refunds.merchant_refund)."""
from itertools import groupby

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from ...accounts.models import User
from ...database import require_outermost
from ...distribution.models import Commission
from ...errors import ServiceError, found
from ...extensions import db
from ...orders.models import Order
from ...orders.services import missing_shipping, ship_order
from ...payments import refunds
from ...payments.models import OPEN_REFUND_STATUSES, Payment


def order_status_counts():
    """{status: count} over every order."""
    return dict(db.session.execute(select(Order.status, func.count()).group_by(Order.status)).all())


def get_order(order_no):
    """Any shopper's order by number, with its lines, buyer and distributor; or 404."""
    return found(db.session.scalar(select(Order).where(Order.order_no == str(order_no)[:32])
                                   .options(selectinload(Order.lines), joinedload(Order.user),
                                            joinedload(Order.referrer))),
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


def order_money(order):
    """The payments received for an order and its commissions by level: {"payments": [...], "commissions":
    [(level, [(Commission, beneficiary User)])]}."""
    payments = db.session.scalars(select(Payment).where(Payment.order_id == order.id).order_by(Payment.id)).all()
    rows = db.session.execute(select(Commission, User).join(User, User.id == Commission.beneficiary_id)
                              .where(Commission.order_id == order.id)
                              .order_by(Commission.level, Commission.order_line_id)).all()
    by_level = [(level, [tuple(r) for r in group]) for level, group in groupby(rows, key=lambda r: r[0].level)]
    return {"payments": payments, "commissions": by_level}


class IncompleteShipments(ServiceError):
    """Ticked rows without their carrier or tracking number: nothing was shipped. `problems` is {order id: message
    naming the order}."""

    def __init__(self, problems):
        super().__init__(_("没有发货任何订单：以下订单的物流信息不完整，请补全后重新提交"))
        self.problems = problems


def _incomplete(shipments, orders):
    """{order id: message} of the rows lacking a carrier or a tracking number (an unknown order is left to
    ship_order's 404 message)."""
    problems = {}
    for order_id, company, tracking_no in shipments:
        missing = missing_shipping(company, tracking_no) if order_id in orders else None
        if missing:
            problems[order_id] = _("%(no)s：%(why)s", no=orders[order_id].order_no, why=missing)
    return problems


def ship_many(shipments, actor):
    """Ship each (order id, company, tracking number). What was typed is checked first, all or nothing: a row
    without its carrier or tracking number raises IncompleteShipments and nothing is shipped. Then each order is
    shipped in its own transaction (orders.services.ship_order), and a refusal by the order's state (no longer paid)
    stops only its own order. `actor` is the staff member shipping (for the operation log). Returns (shipped order
    numbers, [(order number, why refused)])."""
    require_outermost()
    ids = [order_id for order_id, _company, _tracking in shipments]
    orders = {o.id: o for o in db.session.scalars(select(Order).where(Order.id.in_(ids)))} if ids else {}
    problems = _incomplete(shipments, orders)
    if problems:
        raise IncompleteShipments(problems)
    return _ship_each(shipments, orders)


def _ship_each(shipments, orders):
    shipped, refused = [], []
    for order_id, company, tracking_no in shipments:
        order = orders.get(order_id)
        try:
            ship_order(found(order, _("订单不存在")), company, tracking_no)
        except ServiceError as err:
            refused.append((order.order_no if order else f"#{order_id}", err.message))
        else:
            shipped.append(order.order_no)
    return shipped, refused
