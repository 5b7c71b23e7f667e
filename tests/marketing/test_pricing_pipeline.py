"""The pricing pipeline and the order events (orders/pricing.py, orders/events.py), with a pricer of the test's
own: every fen of a discount lands on a line, the commission is computed on what was paid, its explanation names
the discounts, refunds return exactly the paid share, and an activity line the merchant excluded pays nothing."""
from contextlib import contextmanager

import pytest
from sqlalchemy import select

from shop.distribution.explain import explain
from shop.distribution.models import Commission
from shop.orders import events, pricing
from shop.orders.models import Order
from shop.orders.services import cancel_order
from shop.payments import refunds
from shop.payments.models import Payment
from shop.wallet.audit import run_audit


@contextmanager
def registered(stage, fn):
    pricing._PRICERS.append((stage, fn))
    pricing._PRICERS.sort(key=lambda pair: pair[0])  # in stage order, among the tools' own pricers
    try:
        yield
    finally:
        pricing._PRICERS.remove((stage, fn))


def coupon_of(fen, label="测试券"):
    def price(quote, user, choice):
        if choice.coupon != "none":
            quote.take("coupon", fen, ref_id=7, label=label)
    return price


def give_points(user, points):
    """The real points pricer (shop/points/hooks.py) takes what the shopper asks for, from their balance."""
    from shop.database import transaction
    from shop.points.ledger import post
    with transaction():
        post(user.id, "staff_adjust", points, ref_type="staff", ref_id=0, memo="test")


@pytest.fixture
def two_products(shop, make_product):
    return shop.product, make_product("小物", skus=[(3333, 50, ["蓝", "S"])])


def place_two(shop, two_products, choice=None):
    from shop.orders.services import place_order
    big, small = two_products
    return place_order(shop.buyer, [(big.skus[0].id, 2), (small.skus[0].id, 3)], shop.address.id, choice=choice)


def test_a_discount_is_split_over_the_lines_exactly(db, shop, two_products):
    give_points(shop.buyer, 501)
    with registered(pricing.COUPON, coupon_of(1000)):
        order = place_two(shop, two_products, pricing.Choice(points=501))
    assert order.items_total_fen == 20000 + 9999 and order.discount_fen == 1501
    assert order.pay_total_fen == 29999 - 1501 + order.shipping_fen
    big, small = order.lines
    assert big.discounts == {"coupon": 666, "points": 334} and small.discounts == {"coupon": 334, "points": 167}
    assert sum(line.paid_amount_fen for line in order.lines) == 29999 - 1501
    assert [a["kind"] for a in order.discount_detail] == ["coupon", "points"]
    assert order.discount_detail[0] == {"kind": "coupon", "amount_fen": 1000, "ref_id": 7, "label": "测试券"}


def test_a_discount_never_takes_more_than_the_goods(db, shop, two_products):
    with registered(pricing.COUPON, coupon_of(10**9)):
        order = place_two(shop, two_products)
    assert order.discount_fen == 29999 and all(line.paid_amount_fen == 0 for line in order.lines)
    assert order.pay_total_fen == order.shipping_fen


def test_commission_is_on_the_paid_amount_and_explains_the_discounts(db, shop, place, pay):
    with registered(pricing.COUPON, coupon_of(1500, "满100减15")):
        order = pay(place(quantity=1))
    line = order.lines[0]
    assert line.paid_amount_fen == 8500
    l1, l2 = db.session.scalars(select(Commission).where(Commission.order_id == order.id)
                                .order_by(Commission.level)).all()
    assert (l1.base_fen, l1.amount_fen, l2.amount_fen) == (8500, 850, 425)
    text = explain(l1)
    assert "优惠券 ¥15.00" in text and "实付 ¥85.00 = 商品 ¥100.00" in text and "¥8.50" in text
    assert run_audit().clean, run_audit().problems


def test_refunds_return_exactly_the_paid_share(db, shop, place, pay, make_staff):
    with registered(pricing.COUPON, coupon_of(1001)):
        order = pay(place(quantity=3))
    assert order.lines[0].paid_amount_fen == 30000 - 1001
    staff = make_staff()
    first = refunds.merchant_refund(order, "缺货", staff, {order.lines[0].id: 1})
    assert first.amount_fen == 28999 // 3
    db.session.expire_all()
    order = db.session.get(Order, order.id)
    rest = refunds.merchant_refund(order, "缺货", staff, {order.lines[0].id: 2})
    db.session.expire_all()
    order = db.session.get(Order, order.id)
    assert first.amount_fen + rest.amount_fen + order.shipping_fen == order.pay_total_fen == order.refunded_fen
    assert all(c.net_fen == 0 for c in db.session.scalars(select(Commission)))
    assert run_audit().clean, run_audit().problems


def test_an_excluded_activity_line_pays_no_commission(db, shop, place, pay):
    def flash(quote, user, choice):
        for line in quote.lines:
            line.unit_price_fen, line.activity, line.commissionable = 6000, ("flash", 1), False
    with registered(pricing.ACTIVITY, flash):
        order = pay(place(quantity=2))
    assert order.lines[0].line_total_fen == 12000 and order.lines[0].activity_kind == "flash"
    assert db.session.scalars(select(Commission).where(Commission.order_id == order.id)).all() == []
    assert run_audit().clean, run_audit().problems


def test_events_are_sent_inside_the_transactions(db, app, shop, place):
    seen = []

    def placed(sender, order, quote, user):
        seen.append(("placed", order.order_no, quote.discount_fen, user.id))

    def released(sender, order, reason):
        seen.append(("released", order.order_no, reason))
    events.order_placed.connect(placed)
    events.order_released.connect(released)
    try:
        with registered(pricing.COUPON, coupon_of(100)):
            order = place()
        cancel_order(order, reason="buyer")
    finally:
        events.order_placed.disconnect(placed)
        events.order_released.disconnect(released)
    assert seen == [("placed", order.order_no, 100, shop.buyer.id), ("released", order.order_no, "buyer")]


def test_a_receiver_that_refuses_rolls_the_placement_back(db, shop, place):
    from shop.errors import ServiceError

    def refuse(sender, **kw):
        raise ServiceError("优惠券已被使用")
    events.order_placed.connect(refuse)
    try:
        with pytest.raises(ServiceError):
            place()
    finally:
        events.order_placed.disconnect(refuse)
    db.session.expire_all()
    assert db.session.scalars(select(Order)).all() == [] and shop.product.skus[0].stock == 100


def test_a_late_payment_of_a_cancelled_discounted_order_is_refunded(db, shop, place, notify):
    with registered(pricing.COUPON, coupon_of(500)):
        order = place()
    cancel_order(order, reason="timeout")
    assert notify(order.order_no, order.pay_total_fen).status_code == 204
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == "cancelled"
    assert db.session.scalar(select(Payment.status)) == "refunded"


def test_checkout_shows_the_discounts_and_carries_the_choice(db, client, login, shop):
    login(shop.buyer)
    with registered(pricing.COUPON, coupon_of(1500, "满100减15")):
        page = client.get(f"/checkout?sku_id={shop.sku_id}&quantity=1&coupon=none").get_data(as_text=True)
        assert "满100减15" not in page
        page = client.get(f"/checkout?sku_id={shop.sku_id}&quantity=1").get_data(as_text=True)
    assert "满100减15" in page and "-¥15.00" in page


def test_choice_parsing_ignores_garbage():
    choice = pricing.Choice.parse({"coupon": "x'; drop", "points": "-5", "activity": "flash", "activity_id": "a"})
    assert (choice.coupon, choice.points, choice.activity) == ("auto", 0, None)
    choice = pricing.Choice.parse({"coupon": "12", "points": "300", "activity": "group", "activity_id": "4",
                                   "group": "G1"})
    assert (choice.coupon, choice.points, choice.activity, choice.group) == ("12", 300, ("group", 4), "G1")
    assert choice.query() == {"coupon": "12", "points": 300, "activity": "group", "activity_id": 4, "group": "G1"}
