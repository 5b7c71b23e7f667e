"""A shop with a two-level chain (A invites B, B invites the buyer C) and a ¥100 product, 10% / 5%."""

import pytest

from shop.distribution import binding, rules, services
from shop.orders.services import place_order
from tests.conftest import Shop


@pytest.fixture
def shop(db, make_user, make_product, make_address):
    rules.update_global_rules(levels=2, rate1_bp=1000, rate2_bp=500)
    a, b, c = make_user(nickname="A"), make_user(nickname="B"), make_user(nickname="C")
    services.become_distributor(a.id, "admin")
    services.become_distributor(b.id, "admin")
    binding.bind_referrer(b.id, a.id, "link")
    binding.bind_referrer(c.id, b.id, "link")
    db.session.commit()
    product = make_product("好物", skus=[(10000, 100, ["红", "M"])])
    return Shop(a, b, c, product, make_address(c))


@pytest.fixture
def place(db, shop):
    """place(quantity=1, buyer=None) -> an unpaid order of the ¥100 product."""
    def do(quantity=1, buyer=None):
        buyer = buyer or shop.buyer
        address = shop.address if buyer is shop.buyer else None
        if address is None:
            from shop.accounts.services import save_address
            address = save_address(buyer, {"recipient": "x", "phone": "13900001111", "province": "a", "city": "b",
                                           "district": "c", "detail": "d"})
            db.session.commit()
        return place_order(buyer, [(shop.sku_id, quantity)], address.id)

    return do


@pytest.fixture
def notify(client):
    """notify(order_no, amount_fen, transaction_id=None, **kw) delivers a sandbox-signed notification."""
    from shop.payments.gateways import sandbox

    counter = iter(range(10**6))

    def do(order_no, amount_fen, transaction_id=None, **kw):
        txn = transaction_id or f"4200{next(counter):012d}"
        headers, body = sandbox.build_notification(order_no, txn, amount_fen, **kw)
        return client.post("/pay/notify/sandbox", data=body, headers=headers, content_type="application/json")

    return do
