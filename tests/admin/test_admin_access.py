"""Only merchant staff may enter /admin: strangers are sent to log in, members get 403."""
import pytest

ADMIN_URLS = [
    ("GET", "/admin/"),
    ("GET", "/admin/products"),
    ("GET", "/admin/products/new"),
    ("POST", "/admin/products/new"),
    ("GET", "/admin/products/1/edit"),
    ("POST", "/admin/products/1/edit"),
    ("POST", "/admin/products/1/shelf"),
    ("POST", "/admin/products/1/commission"),
    ("POST", "/admin/products/1/materials"),
    ("POST", "/admin/products/1/materials/1/delete"),
    ("GET", "/admin/categories"),
    ("GET", "/admin/categories/new"),
    ("POST", "/admin/categories/new"),
    ("GET", "/admin/categories/1/edit"),
    ("POST", "/admin/categories/1/edit"),
    ("POST", "/admin/categories/1/delete"),
    ("GET", "/admin/orders"),
    ("GET", "/admin/orders/202601011234567890"),
    ("POST", "/admin/orders/202601011234567890/ship"),
    ("POST", "/admin/orders/202601011234567890/refund"),
    ("GET", "/admin/refunds"),
    ("GET", "/admin/refunds/R20260101123456"),
    ("POST", "/admin/refunds/R20260101123456/approve"),
    ("POST", "/admin/refunds/R20260101123456/send"),
    ("POST", "/admin/refunds/R20260101123456/reject"),
    ("GET", "/admin/distribution/settings"),
    ("POST", "/admin/distribution/settings"),
    ("GET", "/admin/distribution/rules"),
    ("POST", "/admin/distribution/rules"),
    ("GET", "/admin/distribution/rules/preview"),
    ("GET", "/admin/distribution/grades"),
    ("GET", "/admin/distribution/grades/new"),
    ("POST", "/admin/distribution/grades/new"),
    ("GET", "/admin/distribution/grades/1/edit"),
    ("POST", "/admin/distribution/grades/1/edit"),
    ("GET", "/admin/distribution/applications"),
    ("POST", "/admin/distribution/applications/1/approve"),
    ("POST", "/admin/distribution/applications/1/reject"),
    ("GET", "/admin/distribution/distributors"),
    ("GET", "/admin/distribution/distributors/1"),
    ("POST", "/admin/distribution/distributors/1/active"),
    ("POST", "/admin/distribution/distributors/1/move"),
    ("GET", "/admin/withdrawals"),
    ("GET", "/admin/withdrawals/export"),
    ("POST", "/admin/withdrawals/approve"),
    ("GET", "/admin/withdrawals/1"),
    ("POST", "/admin/withdrawals/1/approve"),
    ("POST", "/admin/withdrawals/1/paid"),
    ("POST", "/admin/withdrawals/1/reject"),
    ("GET", "/admin/growth/funnel"),
    ("GET", "/admin/growth/flags"),
    ("POST", "/admin/growth/flags/1/clear"),
    ("POST", "/admin/growth/flags/1/void"),
    ("GET", "/admin/alerts"),
    ("POST", "/admin/alerts/1/handle"),
    ("GET", "/admin/settings"),
    ("POST", "/admin/settings"),
]


def test_every_admin_route_is_in_the_table(app):
    """A new admin page must be added to ADMIN_URLS, so the checks below cover it too."""
    adapter = app.url_map.bind("localhost")
    covered = {(method, adapter.match(path, method=method)[0]) for method, path in ADMIN_URLS}
    routes = {(method, rule.endpoint) for rule in app.url_map.iter_rules() if rule.endpoint.startswith("admin.")
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert routes == covered


@pytest.mark.parametrize("method,path", ADMIN_URLS)
def test_strangers_are_sent_to_login(client, method, path):
    resp = client.open(path, method=method, data={"on_shelf": "0"})
    assert resp.status_code == 302
    assert resp.headers["Location"].startswith("/login")


@pytest.mark.parametrize("method,path", ADMIN_URLS)
def test_members_who_are_not_staff_get_403(client, db, make_user, login, make_product, make_category, method, path):
    make_category("服装")
    product = make_product("在售商品")
    login(make_user())
    resp = client.open(path, method=method, data={"on_shelf": "0", "title": "改掉", "name": "改掉"})
    assert resp.status_code == 403
    assert "没有权限访问" in resp.get_data(as_text=True)
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
