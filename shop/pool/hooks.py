"""The pool listens to refunds: a refund of an order in a paid period claws back or is absorbed (pool.refunds)."""
from ..orders import events


@events.refund_succeeded.connect
def _refunded(sender, order, refund, whole, **extra):
    from .refunds import refund_reached_pool

    refund_reached_pool(order, refund)
