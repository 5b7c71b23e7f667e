"""Center fixtures: `settle`, and a second distributor Z for "someone else's" records. The commission test shop
(A invites B, B invites the buyer C) and paying its orders through the sandbox's signed notification are the root
fixtures `shop`, `place`, `pay`, `paid_order` and `complete` (tests/conftest.py)."""
import pytest

from shop.distribution import binding
from shop.orders import services as orders


@pytest.fixture
def settle(db):
    """settle() -> (count, amount): what `flask shop settle` does (its advisory lock is per schema, so another
    test run on the same PostgreSQL database never holds it)."""
    from shop.distribution.settlement import settle_due_commissions

    def do():
        db.session.rollback()
        return settle_due_commissions()

    return do


@pytest.fixture
def other(db, make_user, make_distributor, make_product, pay, make_address):
    """Another distributor Z with a member Y who bought: Z has a commission, a withdrawal and an order of
    their own, none of which A may see."""
    from shop.wallet import ledger, withdrawals

    z = make_distributor(nickname="别人Z", phone="13600001111").user
    y = make_user(nickname="Y", phone="13600002222")
    assert binding.bind_referrer(y.id, z.id, "link") == binding.BOUND
    db.session.commit()
    product = make_product("别家好物", skus=[(20000, 100, ["蓝", "L"])])
    order = pay(orders.place_order(y, [(product.skus[0].id, 1)], make_address(y).id))
    ledger.post(z.id, "adjustment", available=5000, ref_type="adjustment", ref_id=1, memo="test")
    withdrawal = withdrawals.request_withdrawal(z.id, 1000, "alipay", {"account": "z@example.com", "name": "Z"})
    db.session.commit()
    return {"user": z, "order": order, "withdrawal": withdrawal}

