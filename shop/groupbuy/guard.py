"""The one rule the order flow asks of group buying: whether an order may ship yet."""
from ..extensions import db
from . import models as m
from .models import GroupOrder


def can_ship(order):
    """A group order ships only once its group succeeded; any other order ships as usual. Reads only."""
    intent = db.session.get(GroupOrder, order.id)
    if intent is None:
        return True
    return intent.state == m.JOINED and intent.group is not None and intent.group.status == m.SUCCEEDED
