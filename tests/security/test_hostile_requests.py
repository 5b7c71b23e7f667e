"""Answers that were 500s (or an HTML page to a gateway): a clear message, nothing changed."""
import pytest
from sqlalchemy import func, select

from shop.distribution.models import Commission
from shop.orders.models import Order
from shop.payments.gateways import sandbox
from shop.payments.models import Payment
from shop.urls import MAX_ID, to_id
from shop.wallet.models import LedgerEntry
from tests.conftest import login_staff

HUGE = "9" * 25


def counts(db):
    return tuple(db.session.scalar(select(func.count()).select_from(m)) for m in (Payment, Commission, LedgerEntry))


@pytest.mark.parametrize("path", ["/pay/notify/sandbox", "/pay/refund-notify/sandbox"])
@pytest.mark.parametrize("csrf", [False, True])
def test_a_6_mib_notification_gets_the_fail_body_and_changes_nothing(app, db, shop, place, path, csrf):
    order = place()
    headers, body = sandbox.build_notification(order.order_no, "4200000000000001", order.pay_total_fen)
    padded = body if isinstance(body, bytes) else body.encode()
    padded = padded[:-1] + b" " * (6 * 1024 * 1024) + padded[-1:]  # still valid JSON, only too large
    app.config["WTF_CSRF_ENABLED"] = csrf
    try:
        resp = app.test_client().post(path, data=padded, headers=headers, content_type="application/json")
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert resp.status_code == 413 and resp.is_json and resp.json["code"] == "FAIL"
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == "pending"
    assert counts(db) == (0, 0, 0)


def test_the_sandbox_cashier_of_an_order_never_opened_says_so(client, db, shop, place, login):
    order = place()
    login(shop.buyer)
    assert client.get(f"/pay/sandbox/{order.order_no}").status_code == 200
    for action in ("pay", "fail"):
        resp = client.post(f"/pay/sandbox/{order.order_no}", data={"action": action}, follow_redirects=True)
        assert resp.status_code == 200 and "支付暂时不可用" in resp.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == "pending" and counts(db) == (0, 0, 0)


@pytest.mark.parametrize("value, expected", [("12", 12), (" 7 ", 7), (str(MAX_ID), MAX_ID), (str(MAX_ID + 1), None),
                                             (HUGE, None), ("-1", None), ("1e3", None), ("²", None), ("١٢", None),
                                             ("", None), (None, None), ("0x10", None)])
def test_an_id_from_user_input(value, expected):
    assert to_id(value) == expected


@pytest.mark.parametrize("path, params", [
    ("/search", {"page": HUGE}), ("/search", {"cid": HUGE}), ("/category", {"cid": HUGE}), ("/orders", {"page": HUGE}),
    ("/checkout", {"sku_id": HUGE}), ("/checkout", {"sku_id": "1", "address": HUGE}),
    ("/center/materials", {"product_id": HUGE}), ("/search", {"cid": "²"}),
    ("/admin/products", {"cid": HUGE}), ("/admin/groupbuy/new", {"product_id": HUGE}),
    ("/admin/groupbuy/groups", {"activity": HUGE}), ("/admin/groupbuy/new", {"product_id": "²"}),
])
def test_an_oversized_or_odd_number_in_a_query_string_is_no_500(client, shop, make_staff, make_distributor, login,
                                                                path, params):
    make_distributor(user=shop.buyer)
    login(shop.buyer)
    login_staff(client, make_staff())
    assert client.get(path, query_string=params).status_code < 500


def test_an_oversized_address_id_at_checkout_is_no_500(client, shop, login):
    login(shop.buyer)
    resp = client.post("/checkout", data={"sku_id": str(shop.sku_id), "quantity": "1", "address_id": HUGE})
    assert resp.status_code < 500
