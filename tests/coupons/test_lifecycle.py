"""A coupon's part in its order's life: locked when placed (never twice), back when the unpaid order is cancelled
or expires (expired if its validity ended meanwhile), used when paid, back only when the whole order is refunded;
and `flask shop expire-coupons`."""
from datetime import timedelta

import pytest

from shop.clock import utcnow
from shop.coupons.models import Coupon
from shop.coupons.services import expire_coupons, lock_for_order
from shop.errors import ServiceError
from shop.orders.models import Order
from shop.orders.pricing import Choice
from shop.orders.services import cancel_order, expire_orders
from shop.payments import refunds
from shop.wallet.audit import run_audit


def status_of(coupon):
    from shop.extensions import db
    db.session.expire_all()
    row = db.session.get(Coupon, coupon.id)
    return row.status, row.order_id


@pytest.fixture
def coupon(shop, make_template, give):
    return give(shop.buyer, make_template(amount_fen=1500))


def test_placing_locks_the_coupon_to_the_order(db, place, coupon):
    order = place()
    assert order.discount_fen == 1500 and status_of(coupon) == ("locked", order.id)


def test_a_locked_coupon_is_not_offered_again(db, place, coupon):
    place()
    assert place().discount_fen == 0


def test_a_coupon_taken_meanwhile_refuses_the_placement(db, shop, place, coupon, make_product):
    order = place()
    with pytest.raises(ServiceError, match="优惠券已被使用或已失效"):
        lock_for_order(coupon.id, order)
    db.session.rollback()
    with pytest.raises(ServiceError):
        place(choice=Choice(coupon=str(coupon.id)))
    db.session.rollback()
    assert db.session.query(Order).count() == 1 and shop.product.skus[0].stock == 99


@pytest.mark.parametrize("how", ["buyer", "timeout"])
def test_cancel_or_expiry_gives_it_back(db, place, coupon, how):
    order = place()
    if how == "buyer":
        cancel_order(order, reason="buyer")
    else:
        assert expire_orders(now=utcnow() + timedelta(hours=3))[0] == 1
    assert status_of(coupon) == ("unused", None)
    assert place().discount_fen == 1500


def test_given_back_after_its_validity_ended_it_is_expired(db, place, coupon):
    order = place()
    db.session.get(Coupon, coupon.id).valid_to = utcnow() - timedelta(seconds=1)
    db.session.commit()
    cancel_order(order)
    assert status_of(coupon) == ("expired", None)


def test_paying_uses_it(db, place, pay, coupon):
    order = pay(place())
    assert status_of(coupon) == ("used", order.id)
    assert run_audit().clean, run_audit().problems


def test_only_a_whole_refund_gives_it_back(db, place, pay, coupon, make_staff):
    order = pay(place(quantity=2))
    staff = make_staff()
    refunds.merchant_refund(order, "缺货", staff, {order.lines[0].id: 1})
    assert status_of(coupon) == ("used", order.id)  # a partial refund keeps it used
    db.session.expire_all()
    refunds.merchant_refund(db.session.get(Order, order.id), "缺货", staff, {order.lines[0].id: 1})
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == "refunded"
    assert status_of(coupon) == ("unused", None)
    assert run_audit().clean, run_audit().problems


def test_expire_coupons_is_safe_to_run_twice(db, shop, make_template, give):
    old = give(shop.buyer, make_template(valid_days=1))
    fresh = give(shop.buyer, make_template(valid_days=10))
    later = utcnow() + timedelta(days=2)
    assert expire_coupons(now=later) == 1 and expire_coupons(now=later) == 0
    assert status_of(old)[0] == "expired" and status_of(fresh)[0] == "unused"


def test_the_command_runs(app, db, shop, make_template, give):
    give(shop.buyer, make_template(validity="dates", starts_at=utcnow() - timedelta(days=2),
                                   ends_at=utcnow() + timedelta(days=1)))
    result = app.test_cli_runner().invoke(args=["shop", "expire-coupons"])
    assert result.exit_code == 0 and "expired 0 coupon(s)" in result.output
