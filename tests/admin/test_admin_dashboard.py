"""概览: today's orders, orders waiting on someone, catalog size and low stock."""


def test_dashboard_counts_orders_products_and_low_stock(client, staff, make_product, make_order):
    product = make_product("保温杯", skus=((3900, 4, ["白"]), (3900, 50, ["黑"])), spec_names=["颜色"])
    make_product("帆布包", skus=((2900, 30, []),), spec_names=[])
    white = next(s for s in product.skus if s.spec_values == ["白"])
    make_order(white, status="paid")
    make_order(white)

    html = client.get("/admin/").get_data(as_text=True)

    figures = html.split('class="stat-value">')[1:5]
    assert [f.split("<")[0] for f in figures] == ["2", "1", "1", "2"]  # today, pending, to ship, products
    low = html.split("库存紧张")[1]
    assert "保温杯" in low and "白" in low and "帆布包" not in low


def test_dashboard_of_an_empty_shop(client, staff):
    resp = client.get("/admin/")
    assert resp.status_code == 200
    assert "暂无库存紧张的商品" in resp.get_data(as_text=True)
