"""Flash-sale fixtures: make_slot / make_item factories on the commission test shop's product."""
from datetime import timedelta

import pytest

from shop.clock import utcnow
from shop.orders.pricing import Choice


@pytest.fixture
def make_slot(db):
    """make_slot(starts_in_minutes=-10, minutes=60, title=..., is_active=True) -> FlashSlot (committed)."""
    from shop.flash.models import FlashSlot

    def make(starts_in=-10, minutes=60, title="10点场", is_active=True):
        start = utcnow() + timedelta(minutes=starts_in)
        slot = FlashSlot(title=title, starts_at=start, ends_at=start + timedelta(minutes=minutes), is_active=is_active)
        db.session.add(slot)
        db.session.commit()
        return slot

    return make


@pytest.fixture
def make_item(db, shop, make_slot):
    """make_item(slot=None, stock=10, limit=2, price_fen=6000, commission=False, sku=None) -> FlashItem
    (committed) of the shop's ¥100 product, in a running slot unless given one."""
    from shop.flash.models import FlashItem

    def make(slot=None, stock=10, limit=2, price_fen=6000, commission=False, sku=None):
        sku = sku or shop.product.skus[0]
        item = FlashItem(slot=slot or make_slot(), product_id=sku.product_id, sku_id=sku.id, price_fen=price_fen,
                         stock=stock, per_member_limit=limit, commission=commission)
        db.session.add(item)
        db.session.commit()
        return item

    return make


def flash(item):
    """The shopper's choice of a flash item at checkout."""
    return Choice(activity=("flash", item.id))


@pytest.fixture
def staff(client, make_staff):
    """A staff owner, logged in to the admin on the test client."""
    from tests.conftest import login_staff
    owner = make_staff(role="owner", display_name="店长")
    login_staff(client, owner)
    return owner
