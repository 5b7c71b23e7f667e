"""Stores in the order events (a paid pickup order gets its redemption code in the payment's transaction) and on
the 我的 page (the clerk's way to /store)."""
from flask_login import current_user

from ..marketing.slots import Panel, provides
from ..orders import events
from . import redemption, services


@events.order_paid.connect
def give_pickup_code(sender, order, now):
    redemption.give_code(order)


@provides("me", order=5)
def clerk_entry(**context):
    """我的: a store clerk's way to the 核销台 (/store)."""
    return Panel("stores/_me_entry.html") if services.clerk_of(current_user) is not None else None
