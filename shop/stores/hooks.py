"""Stores in the order events: a paid pickup order gets its redemption code in the payment's transaction."""
from ..orders import events
from . import redemption


@events.order_paid.connect
def give_pickup_code(sender, order, now):
    redemption.give_code(order)
