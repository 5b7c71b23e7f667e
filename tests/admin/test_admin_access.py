"""Only staff enter /admin (the full matrix of routes and roles is tests/admin/test_roles.py): a shopper's
session changes nothing there; the admin layout and its assets."""


def test_a_shopper_changes_nothing_in_the_admin(client, db, make_user, login, make_product):
    product = make_product("在售商品")
    login(make_user(is_admin=True))
    for path in (f"/admin/products/{product.id}/shelf", f"/admin/products/{product.id}/edit"):
        resp = client.post(path, data={"on_shelf": "0", "title": "改掉"})
        assert resp.status_code == 302 and resp.headers["Location"].startswith("/admin/login")
    db.session.refresh(product)
    assert product.on_shelf and product.title == "在售商品"


def test_staff_see_the_admin_nav(client, staff):
    html = client.get("/admin/").get_data(as_text=True)
    for label in ("概览", "商品", "分类", "订单", "分销", "提现", "告警", "设置"):
        assert label in html
    assert "/static/css/admin.css" in html and "//cdn" not in html


def test_admin_stylesheet_and_script_are_served(client):
    assert client.get("/static/css/admin.css").status_code == 200
    assert client.get("/static/js/admin.js").status_code == 200
