"""The order status machine: the only place that knows which transitions are legal.

Every change is one guarded UPDATE (`WHERE id = ? AND status = <expected>`) whose affected-row
count is checked, so two hosts or two requests can never both move the same order.
"""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, update
from sqlalchemy.orm.attributes import set_committed_value

from ..errors import ServiceError
from ..statements import rowcount
from ..vocabulary import Labels

PENDING = "pending"      # 待付款
PAID = "paid"            # 待发货
SHIPPED = "shipped"      # 待收货
COMPLETED = "completed"  # 已完成
CANCELLED = "cancelled"  # 已取消
REFUNDED = "refunded"    # 已退款 (everything refunded)

ALL = (PENDING, PAID, SHIPPED, COMPLETED, CANCELLED, REFUNDED)

LABELS = Labels({
    PENDING: _l("待付款"),
    PAID: _l("待发货"),
    SHIPPED: _l("待收货"),
    COMPLETED: _l("已完成"),
    CANCELLED: _l("已取消"),
    REFUNDED: _l("已退款"),
})
#: A paid 到店自提 order waits for its pickup, not for shipping (Order.status_label says so).
PAID_PICKUP_LABEL = _l("待提货")

#: from -> the statuses it may move to.
TRANSITIONS = {
    PENDING: {PAID, CANCELLED},
    PAID: {SHIPPED, REFUNDED},
    SHIPPED: {COMPLETED, REFUNDED},
    COMPLETED: {REFUNDED},
    # A payment that arrives after expiry is taken when the stock can be reserved again.
    CANCELLED: {PAID},
    REFUNDED: set(),
}


class IllegalTransition(ServiceError):
    """Refused: the order is not in a status that allows this."""

    def __init__(self, message):
        super().__init__(message, status=409)


def can_move(current, target):
    """True when the transition table allows current -> target. No database access."""
    return target in TRANSITIONS.get(current, set())


_MOVES = {}


def _move_statement(keys):
    """The guarded UPDATE setting the status and `keys`, built once per set of keys (bound parameters only)."""
    from .models import Order

    stmt = _MOVES.get(keys)
    if stmt is None:
        orders = Order.__table__  # Core: no ORM-enabled UPDATE evaluating the identity map
        stmt = _MOVES[keys] = (update(orders).where(orders.c.id == bindparam("order_id"),
                                                    orders.c.status == bindparam("current"))
                               .values(status=bindparam("target"), **{k: bindparam(f"new_{k}") for k in keys}))
    return stmt


def move(order, target, **values):
    """Move order to target, setting values in the same guarded UPDATE. Joins the caller's transaction."""
    current = order.status
    if not can_move(current, target):
        raise IllegalTransition(_("订单当前状态为「%(cur)s」，不能变为「%(new)s」",
                                  cur=LABELS.get(current, current), new=LABELS.get(target, target)))
    params = {f"new_{key}": value for key, value in values.items()}
    params.update(order_id=order.id, current=current, target=target)
    changed = rowcount(_move_statement(tuple(sorted(values))), params)
    if changed != 1:
        raise IllegalTransition(_("订单状态已变化，请刷新后重试"))
    for key, value in dict(values, status=target).items():  # what the UPDATE wrote, without reading it back
        set_committed_value(order, key, value)
    return order
