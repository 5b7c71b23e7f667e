"""Refunds the merchant starts or approves: one open refund per order, 退回库存 exactly once."""
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from shop.catalog.models import Sku
from shop.errors import ServiceError
from shop.orders.models import Order
from shop.payments import refunds
from shop.payments.gateways import get_gateway
from shop.payments.models import Refund
from tests.conftest import IS_PG


@pytest.fixture
def admin(make_user, make_staff):
    return make_staff()


def stock(db, shop):
    db.session.expire_all()
    return db.session.get(Sku, shop.sku_id).stock


def test_merchant_refund_of_chosen_quantities_with_restock(db, shop, paid_order, admin):
    order = paid_order(quantity=3)
    assert stock(db, shop) == 97
    refund = refunds.merchant_refund(order, "缺货", admin, {order.lines[0].id: 2}, restock=True)
    assert (refund.status, refund.amount_fen, refund.kind) == ("succeeded", 20000, "partial")
    assert stock(db, shop) == 99


def test_merchant_refund_without_restock_leaves_stock(db, shop, paid_order, admin):
    order = paid_order(quantity=2)
    refund = refunds.merchant_refund(order, "", admin)
    assert refund.reason == "商家主动退款" and refund.amount_fen == order.pay_total_fen
    assert stock(db, shop) == 98
    assert db.session.get(Order, order.id).status == "refunded"


def test_a_second_refund_is_refused_while_one_is_open(db, shop, paid_order, admin):
    order = paid_order(quantity=2)
    refunds.request_refund(shop.buyer, order, "不想要了", {order.lines[0].id: 1})
    with pytest.raises(ServiceError, match="已有一个退款申请在处理中"):
        refunds.merchant_refund(order, "缺货", admin, {order.lines[0].id: 1})
    assert db.session.scalar(select(func.count()).select_from(Refund)) == 1


def test_merchant_refund_of_an_unpaid_order_is_refused(db, shop, place, admin):
    with pytest.raises(ServiceError, match="不能申请退款"):
        refunds.merchant_refund(place(), "缺货", admin)


def test_approval_with_restock_restocks_once_whatever_arrives_later(app, db, shop, paid_order, admin):
    order = paid_order(quantity=3)
    refund = refunds.request_refund(shop.buyer, order, "坏了", {order.lines[0].id: 1})
    refunds.approve_refund(refund.id, admin, restock=True)
    assert stock(db, shop) == 98
    with pytest.raises(ServiceError):
        refunds.approve_refund(refund.id, admin, restock=True)
    duplicate = get_gateway("sandbox").query_refund(refund.refund_no)
    assert refunds.apply_refund_result(duplicate).status == "succeeded"
    assert stock(db, shop) == 98


def test_rejection_is_shown_and_a_new_request_is_allowed(db, shop, paid_order, admin):
    order = paid_order()
    refund = refunds.request_refund(shop.buyer, order, "坏了")
    refunds.reject_refund(refund.id, admin, "商品已签收且无质量问题")
    assert refunds.open_refund(order.id) is None
    assert [r.reject_reason for r in refunds.order_refunds(order.id)] == ["商品已签收且无质量问题"]
    refunds.request_refund(shop.buyer, order, "再申请")
    assert refunds.open_refund(order.id).reason == "再申请"


@pytest.mark.pg
@pytest.mark.skipif(not IS_PG, reason="concurrency tests need PostgreSQL (set SHOP_TEST_DATABASE_URL)")
def test_two_merchant_refunds_at_once_refund_the_order_once(app, db, shop, paid_order, admin):
    order = paid_order(quantity=2)
    order_id, admin_id = order.id, admin.id
    db.session.remove()
    start = threading.Barrier(2, timeout=30)

    def refund(quantities):
        from shop.accounts.models import User
        with app.app_context():
            actor, target = db.session.get(User, admin_id), db.session.get(Order, order_id)
            db.session.rollback()
            start.wait()
            try:
                return refunds.merchant_refund(target, "缺货", actor, quantities).status
            except ServiceError as err:
                return err.message
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(refund, [None, None]))  # the whole order, twice
    assert results.count("succeeded") == 1, results
    refused = [r for r in results if r != "succeeded"][0]
    assert refused in ("这个订单已有一个退款申请在处理中", "订单当前状态不能申请退款"), refused
    order = db.session.get(Order, order_id)
    assert order.refunded_fen == order.pay_total_fen and order.status == "refunded"
    assert db.session.scalar(select(func.count()).select_from(Refund)) == 1
