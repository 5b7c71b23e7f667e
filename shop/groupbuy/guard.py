"""The rules the order flow asks of group buying: whether an order may ship yet, and whether its buyer may ask
for a refund yet."""
from flask_babel import gettext as _

from ..extensions import db
from . import models as m
from .models import GroupOrder


def can_ship(order):
    """A group order ships only once its group succeeded; any other order ships as usual. Reads only."""
    intent = db.session.get(GroupOrder, order.id)
    if intent is None:
        return True
    return intent.state == m.JOINED and intent.group is not None and intent.group.status == m.SUCCEEDED


def refund_refusal(order):
    """Why the buyer may not ask for a refund yet, or None. While the group is open the order holds a seat that
    the others count on; when the group fails everyone is refunded anyway, and once it succeeds the usual
    after-sales rules apply. The merchant can still refund at any time. Reads only."""
    intent = db.session.get(GroupOrder, order.id)
    if intent is None or intent.group is None or intent.group.status != m.OPEN:
        return None
    return _("拼团进行中，成团后才能申请退款；未成团会自动全额退款")
