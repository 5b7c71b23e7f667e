"""订单: list, search, detail, and shipping a paid order."""
from shop.sql import count_statements


def test_ship_a_paid_order_then_the_shopper_confirms_receipt(client, db, staff, make_user, login, make_product,
                                                            make_order):
    shopper = make_user()
    order = make_order(make_product().skus[0], status="paid", user=shopper)

    resp = client.post(f"/admin/orders/{order.order_no}/ship", data={"company": "顺丰速运", "tracking_no": "SF1234567890"},
                       follow_redirects=True)

    assert "已发货" in resp.get_data(as_text=True)
    db.session.refresh(order)
    assert (order.status, order.shipping_company, order.tracking_no) == ("shipped", "顺丰速运", "SF1234567890")
    assert order.shipped_at is not None
    client.post("/logout")
    login(shopper)
    assert "SF1234567890" in client.get(f"/orders/{order.order_no}").get_data(as_text=True)
    assert client.post(f"/orders/{order.order_no}/confirm").status_code == 302
    db.session.refresh(order)
    assert order.status == "completed"


def test_shipping_a_pending_order_is_refused_with_a_message(client, db, staff, make_product, make_order):
    order = make_order(make_product().skus[0])
    resp = client.post(f"/admin/orders/{order.order_no}/ship", data={"company": "中通快递", "tracking_no": "ZT1"},
                       follow_redirects=True)
    assert resp.status_code == 200
    assert "订单当前状态为「待付款」，不能变为「待收货」" in resp.get_data(as_text=True)
    db.session.refresh(order)
    assert (order.status, order.tracking_no) == ("pending", None)


def test_shipping_needs_company_and_tracking_number(client, db, staff, make_product, make_order):
    order = make_order(make_product().skus[0], status="paid")
    resp = client.post(f"/admin/orders/{order.order_no}/ship", data={"company": " ", "tracking_no": ""},
                       follow_redirects=True)
    assert "请填写物流公司和运单号" in resp.get_data(as_text=True)
    db.session.refresh(order)
    assert order.status == "paid"


def test_detail_shows_lines_address_amounts_and_the_ship_form_for_paid_orders(client, staff, make_product,
                                                                              make_order):
    product = make_product("竹编篮", skus=((4500, 9, ["大"]),), spec_names=["尺寸"])
    order = make_order(product.skus[0], quantity=2, status="paid")
    html = client.get(f"/admin/orders/{order.order_no}").get_data(as_text=True)
    for text in ("竹编篮", "尺寸: 大", "¥45.00", "¥90.00", "张三", "文三路 1 号", "待发货", "下单时间", "付款时间",
                 'name="tracking_no"'):
        assert text in html
    pending = make_order(product.skus[0])
    assert 'name="tracking_no"' not in client.get(f"/admin/orders/{pending.order_no}").get_data(as_text=True)


def test_unknown_order_is_404(client, staff):
    assert client.get("/admin/orders/2000010100000000").status_code == 404


def test_list_by_status_and_search(client, staff, make_product, make_order):
    sku = make_product(skus=((1000, 50, ["红", "M"]),)).skus[0]
    paid = make_order(sku, status="paid")
    pending = make_order(sku)
    by_phone = make_order(sku, phone="13712345678")

    def listed(query):
        html = client.get("/admin/orders" + query).get_data(as_text=True)
        return {o.order_no for o in (paid, pending, by_phone) if o.order_no in html}

    assert listed("") == {paid.order_no, pending.order_no, by_phone.order_no}
    assert listed("?status=paid") == {paid.order_no}
    assert listed("?status=pending") == {pending.order_no, by_phone.order_no}
    assert listed(f"?q={paid.order_no}") == {paid.order_no}
    assert listed("?q=13712345678") == {by_phone.order_no}
    assert listed("?q=137123") == {by_phone.order_no}
    assert listed("?status=paid&q=13712345678") == set()


def test_order_list_runs_the_same_number_of_queries_for_more_orders(client, staff, make_product, make_order):
    sku = make_product(skus=((1000, 50, ["红", "M"]),)).skus[0]

    def queries():
        with count_statements() as statements:
            assert client.get("/admin/orders").status_code == 200
        return len(statements)

    make_order(sku)
    few = queries()
    for _ in range(5):
        make_order(sku)
    assert queries() == few
