"""Center fixtures: A invites B, B invites the buyer C; a ¥100 product at 10% / 5%; orders paid through the
sandbox's signed notification, as in production; a second distributor Z for "someone else's" records."""
import itertools
from datetime import timedelta

import pytest
from sqlalchemy import select

from shop.clock import utcnow
from shop.distribution import binding, rules, services
from shop.distribution.models import Distributor
from shop.orders import services as orders
from shop.orders.models import Order
from tests.conftest import Shop


@pytest.fixture
def make_distributor(db, make_user):
    """Factory: make_distributor(user=None, referrer=None, **user_columns) -> User with distribution rights
    (committed), bound under referrer (a User) when given."""
    def make(user=None, referrer=None, **kw):
        user = user or make_user(**kw)
        services.become_distributor(user.id, "admin")
        if referrer is not None:
            assert binding.bind_referrer(user.id, referrer.id, "link") == binding.BOUND
        db.session.commit()
        return user

    return make


@pytest.fixture
def shop(db, make_user, make_product, make_address, make_distributor):
    rules.update_global_rules(levels=2, rate1_bp=1000, rate2_bp=500)
    db.session.commit()
    a = make_distributor(nickname="阿强", phone="13811112222")
    b = make_distributor(nickname="小B", phone="13933334444", referrer=a)
    buyer = make_user(nickname="买家C", phone="13755556666")
    assert binding.bind_referrer(buyer.id, b.id, "link") == binding.BOUND
    db.session.commit()
    product = make_product("好物", skus=[(10000, 1000, ["红", "M"])])
    return Shop(a, b, buyer, product, make_address(buyer))


_transactions = itertools.count(1)


@pytest.fixture
def pay(app, db):
    """pay(order) delivers the sandbox's signed payment notification for the order (commissions are created)."""
    from shop.payments.gateways import sandbox

    def do(order):
        headers, body = sandbox.build_notification(order.order_no, f"4200{next(_transactions):012d}",
                                                   order.pay_total_fen)
        resp = app.test_client().post("/pay/notify/sandbox", data=body, headers=headers,
                                      content_type="application/json")
        assert resp.status_code == 204, resp.get_data(as_text=True)
        db.session.expire_all()
        return db.session.get(Order, order.id)

    return do


@pytest.fixture
def paid_order(db, shop, pay, make_address):
    """paid_order(buyer=None, quantity=1, product=None) -> a paid Order (the buyer C's by default)."""
    def do(buyer=None, quantity=1, product=None):
        buyer = buyer or shop.buyer
        address = shop.address if buyer.id == shop.buyer.id else make_address(buyer)
        sku_id = product.skus[0].id if product is not None else shop.sku_id
        return pay(orders.place_order(buyer, [(sku_id, quantity)], address.id))

    return do


@pytest.fixture
def complete():
    """complete(order, days_ago=0): ship and confirm receipt, `days_ago` days back."""
    def do(order, days_ago=0):
        orders.ship_order(order, "顺丰", "SF1")
        orders.confirm_receipt(order, now=utcnow() - timedelta(days=days_ago))
        return order

    return do


@pytest.fixture
def settle(db):
    """settle() -> (count, amount): what `flask shop settle` does, without its advisory lock, which is
    database-wide on PostgreSQL and so shared with any other test run on the same database."""
    from shop.distribution.earnings import settle as settle_one
    from shop.distribution.settlement import due_commission_ids

    def do():
        ids = due_commission_ids(utcnow())
        amount = sum(settle_one(commission_id) for commission_id in ids)
        db.session.commit()
        return len(ids), amount

    return do


@pytest.fixture
def other(db, make_user, make_distributor, make_product, pay, make_address):
    """Another distributor Z with a member Y who bought: Z has a commission, a withdrawal and an order of
    their own, none of which A may see."""
    from shop.wallet import ledger, withdrawals

    z = make_distributor(nickname="别人Z", phone="13600001111")
    y = make_user(nickname="Y", phone="13600002222")
    assert binding.bind_referrer(y.id, z.id, "link") == binding.BOUND
    db.session.commit()
    product = make_product("别家好物", skus=[(20000, 100, ["蓝", "L"])])
    order = pay(orders.place_order(y, [(product.skus[0].id, 1)], make_address(y).id))
    ledger.post(z.id, "adjustment", available=5000, ref_type="adjustment", ref_id=1, memo="test")
    withdrawal = withdrawals.request_withdrawal(z.id, 1000, "alipay", {"account": "z@example.com", "name": "Z"})
    db.session.commit()
    return {"user": z, "order": order, "withdrawal": withdrawal}


def distributor_of(db, user):
    return db.session.scalar(select(Distributor).where(Distributor.user_id == user.id))
