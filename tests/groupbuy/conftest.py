"""Group-buy fixtures: an activity on the shop's product, and members who open or join groups by paying."""
from datetime import timedelta

import pytest

from shop.clock import utcnow
from shop.orders.pricing import Choice


@pytest.fixture
def make_activity(db, shop):
    """make_activity(**fields) -> a running GroupActivity on the shop's product at ¥60 (the SKU's price ¥100)."""
    from shop.admin.groupbuy.services import save_activity

    def make(product=None, price_fen=6000, **kw):
        product = product or shop.product
        data = {"title": "两人拼", "product_id": product.id, "group_size": 2, "hours_limit": 24,
                "starts_at": utcnow() - timedelta(hours=1), "ends_at": utcnow() + timedelta(days=7),
                "per_member_limit": 5, "max_quantity": 3, "commission": False, "overflow": "refund",
                "simulate": False, "is_active": True}
        data.update(kw)
        return save_activity(data, {sku.id: price_fen for sku in product.skus})

    return make


@pytest.fixture
def member(make_user, make_address):
    """member(name) -> a new member with an address."""
    def make(name="团员"):
        user = make_user(nickname=name)
        make_address(user)
        return user

    return make


@pytest.fixture
def group_order(place, pay):
    """group_order(activity, buyer=None, group=None, quantity=1, paid=True) -> the (paid) group Order."""
    def do(activity, buyer=None, group=None, quantity=1, paid=True):
        order = place(quantity=quantity, buyer=buyer, choice=Choice(activity=("group", activity.id), group=group))
        return pay(order) if paid else order

    return do
