"""Group buying in the pricing pipeline, the order events and the page slots."""

from ..center.masking import mask_name
from ..marketing.slots import Panel, provides
from ..orders import events
from ..orders.pricing import ACTIVITY, pricer
from . import closing, joining, services
from .models import TO_REFUND

KIND = "group"


@pricer(ACTIVITY)
def group_price(quote, user, choice):
    """activity=("group", id): the running activity's group price on its one line, commission per activity."""
    if not choice.activity or choice.activity[0] != KIND:
        return
    activity = services.running_activity(choice.activity[1])
    services.check_checkout(activity, quote.lines, user, choice.group)
    for line in quote.lines:
        line.unit_price_fen = activity.price_of(line.sku.id)
        line.activity, line.commissionable = (KIND, activity.id), activity.commission
    quote.offers[KIND] = {"activity": activity, "join": choice.group}


def _group_line(order):
    return next((line for line in order.lines if line.activity_kind == KIND), None)


@events.order_placed.connect
def record_group_order(sender, order, quote, user):
    line = _group_line(order)
    if line is not None:
        services.record_intent(order, line.activity_id, user, (quote.offers.get(KIND) or {}).get("join"))


@events.order_released.connect
def release_group_order(sender, order, reason):
    services.release_intent(order)


@events.order_paid.connect
def seat_paying_member(sender, order, now):
    if _group_line(order) is not None and joining.take_payment(order, now) == TO_REFUND:
        closing.refund_after_request(order.id)


@events.refund_succeeded.connect
def give_the_seat_back(sender, order, refund, whole):
    if whole and _group_line(order) is not None:
        joining.leave_on_refund(order)


@provides("product", order=20, shared=True)
def product_panel(product):
    activity = services.product_activity(product.id)
    if activity is None:
        return None
    return Panel("groupbuy/_product_panel.html", {"activity": activity, "groups": services.open_groups(activity.id),
                                                    "mask": mask_name})


@provides("me", order=30)
def me_entry(**context):
    return Panel("groupbuy/_me_entry.html")


