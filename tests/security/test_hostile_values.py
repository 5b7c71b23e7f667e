"""What the fuzz found, pinned: values the database cannot hold answer 400 or 404 with the usual page, never 500,
on SQLite and PostgreSQL alike."""
import pytest

HUGE = "9" * 30


@pytest.mark.parametrize("url", [f"/p/{HUGE}", f"/assist/{HUGE}", f"/center/commissions/{HUGE}", "/p/2147483648",
                                 f"/admin/orders/{HUGE}"])
def test_an_id_past_the_integer_range_is_not_found(client, url):
    assert client.get(url).status_code in (404, 302)


def test_the_id_range_ends_where_the_column_does(client, make_product):
    assert client.get("/p/2147483647").status_code == 404


@pytest.mark.parametrize("path, data", [
    ("/checkout", {"address_id": HUGE}),
    ("/cart/add", {"sku_id": HUGE, "quantity": "1"}),
    ("/orders?page=" + HUGE, None),
    ("/category?cid=" + HUGE, None),
])
def test_a_number_the_database_cannot_hold_is_a_bad_request(client, make_user, login, path, data):
    login(make_user())
    resp = client.post(path, data=data) if data is not None else client.get(path)
    assert resp.status_code == 400 and "请求无效" in resp.get_data(as_text=True)


def test_a_signed_notification_with_malformed_fields_is_refused(client, victim):
    from shop.payments.gateways import sandbox

    order = victim.unpaid_order
    for changes in ({"payer": ["x"]}, {"out_trade_no": 12}, {"success_time": 5}, {"amount": []}):
        headers, body = sandbox.build_notification(order.order_no, "4200000000000009", order.pay_total_fen,
                                                   changes=changes)
        resp = client.post("/pay/notify/sandbox", data=body, headers=headers)
        assert resp.status_code == 400 and resp.get_json()["code"] == "FAIL", changes


def test_a_refund_notification_for_no_refund_of_ours_is_refused(client, victim):
    from shop.payments.gateways import sandbox

    order = victim.paid_order
    headers, body = sandbox.build_notification(order.order_no, "4200000000000009", 100, event_type="REFUND.SUCCESS",
                                               refund_no="R-never-sent")
    resp = client.post("/pay/refund-notify/sandbox", data=body, headers=headers)
    assert resp.status_code == 404 and resp.get_json()["code"] == "FAIL"


@pytest.mark.parametrize("text, number", [
    ("0", 0), ("42", 42), (" 7 ", 7), ("2147483647", 2147483647), ("2147483648", None), ("9" * 5000, None),
    ("²", None), ("𝟗", None), ("٣", None), ("-1", None), ("+1", None), ("1.0", None), ("", None), (None, None),
    (12, 12),
])
def test_whole_numbers_are_ascii_digits_within_the_id_range(text, number):
    from shop.converters import whole_number

    assert whole_number(text) == number


def test_digits_that_int_refuses_are_refused_plainly(client, make_user, login, make_product):
    login(make_user())
    make_product()
    assert client.post("/cart/remove", data={"sku_id": ["²", "9" * 5000]}).status_code in (302, 303)
    assert client.get("/checkout?activity=flash&activity_id=²&points=²&coupon=²").status_code < 500
