"""Order lifecycle events, for the marketing tools (coupons, points, group buying, flash sales) to keep what they
gave in step with the order. Every event is sent inside the transaction that makes the change, so a receiver's
writes commit or roll back with it; a receiver that raises (a ServiceError) refuses the change.

| event | sent by | with | inside |
|---|---|---|---|
| order_placed | orders.services.place_order | order, quote, user | the placement: reserve the coupon, points, activity stock |
| order_released | orders.services.cancel_order (buyer, expiry) | order, reason | the cancel: give them back |
| order_paid | payments.services (the notification) | order, now | the payment: join a group, invitee rewards |
| order_completed | orders.services.confirm_receipt | order, now | the completion: points earned |
| refund_succeeded | payments.refunds (the gateway said SUCCESS) | order, refund, whole | the refund: points back, the coupon when the whole order is refunded |

A payment arriving after its order was cancelled is accepted only for an order without discounts or activity
lines (the coupon, points or activity stock were given back at the cancel): otherwise it is refunded.
"""
from blinker import Namespace

_events = Namespace()
order_placed = _events.signal("order-placed")
order_released = _events.signal("order-released")
order_paid = _events.signal("order-paid")
order_completed = _events.signal("order-completed")
refund_succeeded = _events.signal("refund-succeeded")
