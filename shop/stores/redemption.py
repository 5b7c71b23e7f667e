"""核销: a paid pickup order's redemption code, given at payment, and the clerk's confirmation of the pickup, which
completes the order through the normal lifecycle (orders.services.confirm_receipt) exactly once."""
import re
import secrets

from flask_babel import gettext as _
from sqlalchemy import select

from ..clock import utcnow
from ..database import transaction
from ..errors import NotFound, ServiceError
from ..extensions import db
from ..orders import status as st
from ..orders.models import Order
from ..orders.services import confirm_receipt
from ..payments.refunds import open_refund
from .services import clerk_store

CODE_DIGITS = 12
_NOT_DIGITS = re.compile(r"[\s-]")


def new_code():
    """12 random digits (a CSPRNG: codes say nothing about each other), one no order holds yet. Reads only."""
    while True:
        code = f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
        if not db.session.scalar(select(Order.id).where(Order.pickup_code == code)):
            return code


def give_code(order):
    """A paid pickup order gets its redemption code (once). Joins the caller's transaction (the payment's)."""
    if order.is_pickup and order.pickup_code is None:
        order.pickup_code = new_code()


def parse_code(text):
    """The code as typed or scanned ("1234 5678 9012" too), or None when it is not 12 digits."""
    code = _NOT_DIGITS.sub("", str(text or ""))[:40]
    return code if len(code) == CODE_DIGITS and code.isdigit() else None


def find_for_clerk(user, text, lock=False):
    """The pickup order with this code in the clerk's own store; any other code (unknown, another store's) is the
    same 404, so a clerk learns nothing about other stores' orders. Reads only (lock: FOR UPDATE on PostgreSQL)."""
    store = clerk_store(user)
    code = parse_code(text)
    if code is None:
        raise ServiceError(_("请输入12位数字核销码"))
    stmt = select(Order).where(Order.pickup_code == code, Order.pickup_store_id == store.id)
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    order = db.session.execute(stmt).scalar_one_or_none()
    if order is None:
        raise NotFound(_("本店没有这个核销码的订单，请核对后重试"))
    return order


def refusal(order):
    """Why this order cannot be handed over now, or None. Reads only."""
    if order.redeemed_at is not None:
        return _("该订单已核销，请勿重复提货")
    if order.status != st.PAID:
        return _("订单当前状态为「%(s)s」，不能核销", s=order.status_label)
    if open_refund(order.id) is not None:
        return _("该订单有退款申请在处理中，暂不能核销")
    return None


def redeem(user, text, now=None):
    """The clerk hands the order over: under the order's row lock it is marked redeemed (handed over = shipped)
    and completed by confirm_receipt, so commissions and points follow the normal lifecycle. A second
    confirmation, concurrent or later, is refused with 已核销. Owns its transaction."""
    now = now or utcnow()
    with transaction():
        order = find_for_clerk(user, text, lock=True)
        if why := refusal(order):
            raise ServiceError(why, status=409)
        st.move(order, st.SHIPPED, shipped_at=now, redeemed_at=now, redeemed_by=user.id)
        confirm_receipt(order, now=now)
    return order
