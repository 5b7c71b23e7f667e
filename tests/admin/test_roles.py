"""The role matrix: every admin route, read from the URL map (a new route cannot be forgotten), tried as a
stranger, a shopper (even one whose old users.is_admin is set), and each staff role. Each answer is "allowed",
403 in the admin layout, or a redirect to the admin login; what each role may do is written out below, apart
from shop/admin/permissions.py, and both must agree. POSTs without a CSRF token are refused."""
import time

import pytest

from shop.admin.permissions import PERMISSIONS, key_of, may
from tests.conftest import login_staff

ROLE_LETTERS = {"O": "owner", "P": "operator", "S": "service", "F": "finance", "V": "viewer"}
EVERYONE, OWNER_ONLY = "OPSFV", ("O", "O")
#: key (an area, or area.view) -> (who may read with GET, who may write with POST), as role letters:
#: O owner, P operator, S customer service, F finance, V viewer (read-only).
EXPECTED = {
    "dashboard": (EVERYONE, "O"),
    "products": (EVERYONE, "OP"),
    "categories": (EVERYONE, "OP"),
    "orders": (EVERYONE, "OPS"),
    "orders.refund": (EVERYONE, "OF"),
    "orders.export": ("OF", "O"),
    "refunds": (EVERYONE, "OF"),
    "refunds.reject": (EVERYONE, "OSF"),
    "distribution": (EVERYONE, "O"),
    "distribution.approve": (EVERYONE, "OPS"),
    "distribution.reject": (EVERYONE, "OPS"),
    "distribution.export": ("OF", "O"),
    "withdrawals": (EVERYONE, "OF"),
    "withdrawals.export": ("OF", "O"),
    "alerts": (EVERYONE, "OF"),
    "settings": (EVERYONE, "O"),
    "members": ("OPSF", "O"),
    "commissions": (EVERYONE, "OF"),
    "commissions.ledger": ("OPSF", "O"),
    "growth": ("OPSF", "OF"),
    "points": ("OPSF", "O"),
    "points.adjust": ("OPSF", "OF"),
    "coupons": (EVERYONE, "OP"),
    "assist": (EVERYONE, "OP"),
    "groupbuy": (EVERYONE, "OP"),
    "flash": (EVERYONE, "OP"),
    "stores": (EVERYONE, "OP"),
    "pool": (EVERYONE, "OF"),
    "agents": (EVERYONE, "OF"),
    "agents.download": ("OF", "O"),
    "staff": OWNER_ONLY,
    "oplog": OWNER_ONLY,
}
PUBLIC = {"admin.login", "admin.logout"}


def fill(converter):
    """A URL value that matches nothing: a large id, an unknown number, or an `any(...)` converter's first choice."""
    if "Integer" in type(converter).__name__:
        return 999999
    return sorted(converter.items)[0] if hasattr(converter, "items") else "X999"


def admin_routes(app):
    """(method, endpoint, url) of every admin route, URL arguments filled with ids that match nothing."""
    adapter = app.url_map.bind("localhost")
    routes = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("admin.") or rule.endpoint in PUBLIC:
            continue
        values = {arg: fill(rule._converters[arg]) for arg in rule.arguments}
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            routes.append((method, rule.endpoint, adapter.build(rule.endpoint, values, method=method)))
    return sorted(set(routes))


def expected(role_letter, endpoint, method):
    endpoint_key, area = key_of(endpoint)
    read, write = EXPECTED.get(endpoint_key) or EXPECTED.get(area) or OWNER_ONLY
    return role_letter in (read if method == "GET" else write)


def outcome(resp):
    if resp.status_code == 302 and resp.headers["Location"].startswith("/admin/login"):
        return "login"
    if resp.status_code == 403:
        assert "没有权限访问" in resp.get_data(as_text=True) and "admin-nav" in resp.get_data(as_text=True)
        return "forbidden"
    assert resp.status_code < 500, resp.get_data(as_text=True)
    return "allowed"


def test_the_tables_agree(app):
    """The permission table and the expectations above say the same for every role on every key."""
    for key in set(PERMISSIONS) | set(EXPECTED):
        endpoint = "admin." + key + ("" if "." in key else ".index")
        for letter, role in ROLE_LETTERS.items():
            for method in ("GET", "POST"):
                assert may(role, endpoint, method) == expected(letter, endpoint, method), (key, role, method)


def test_an_area_not_in_the_table_is_the_owners_only():
    assert may("owner", "admin.reports.index") and may("owner", "admin.reports.save", "POST")
    for role in ("operator", "service", "finance", "viewer"):
        assert not may(role, "admin.reports.index") and not may(role, "admin.reports.save", "POST")


def test_every_admin_route_is_tried(app):
    routes = admin_routes(app)
    assert len(routes) > 50 and {e for _, e, _ in routes} >= {"admin.staff.index", "admin.oplog.index"}


@pytest.mark.parametrize("letter", list(ROLE_LETTERS))
def test_each_role_opens_what_it_may_and_nothing_else(app, client, make_staff, letter):
    login_staff(client, make_staff(role=ROLE_LETTERS[letter]))
    wrong = []
    for method, endpoint, url in admin_routes(app):
        got = outcome(client.open(url, method=method, data={}))
        if got != ("allowed" if expected(letter, endpoint, method) else "forbidden"):
            wrong.append((method, url, got))
    assert wrong == []


def test_strangers_are_sent_to_the_admin_login(app, client):
    wrong = [(m, url) for m, _, url in admin_routes(app) if outcome(client.open(url, method=m, data={})) != "login"]
    assert wrong == []
    resp = client.get("/admin/orders?status=paid")
    assert resp.headers["Location"] == "/admin/login?next=/admin/orders?status%3Dpaid"


def test_a_shopper_never_opens_the_admin_whatever_the_account_holds(app, client, make_user, login):
    login(make_user(is_admin=True))
    wrong = [(m, url) for m, _, url in admin_routes(app) if outcome(client.open(url, method=m, data={})) != "login"]
    assert wrong == []


def test_posts_without_a_csrf_token_are_refused(app, client, make_staff, monkeypatch):
    owner = make_staff()
    login_staff(client, owner)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    for method, _, url in admin_routes(app):
        if method == "POST":
            resp = client.post(url, data={})
            assert resp.status_code == 400 and "页面已过期" in resp.get_data(as_text=True), url
    assert client.post("/admin/login", data={"login": owner.login, "password": "secret123"}).status_code == 400
    assert client.post("/admin/logout").status_code == 400
    assert 'name="csrf_token"' in client.get("/admin/staff/new").get_data(as_text=True)


def test_the_menu_shows_only_what_the_role_may_open(client, make_staff):
    login_staff(client, make_staff(role="operator"))
    nav = client.get("/admin/").get_data(as_text=True).split('class="admin-nav"')[1].split("</nav>")[0]
    for label in ("概览", "商品", "分类", "订单", "售后", "分销", "提现", "告警", "设置"):
        assert label in nav
    assert "员工" not in nav and "操作日志" not in nav


def test_the_owner_sees_staff_and_the_operation_log_in_the_menu(client, staff):
    html = client.get("/admin/").get_data(as_text=True)
    assert 'href="/admin/staff"' in html and 'href="/admin/oplog"' in html and "店长" in html


def test_login_page_and_wrong_password(client, make_staff):
    member = make_staff(login="clerk")
    assert "商家后台登录" in client.get("/admin/login").get_data(as_text=True)
    resp = client.post("/admin/login", data={"login": "clerk", "password": "wrong-one"})
    assert resp.status_code == 400 and "账号或密码错误" in resp.get_data(as_text=True)
    resp = client.post("/admin/login?next=/admin/orders", data={"login": "clerk", "password": "secret123",
                                                                "next": "/admin/orders"})
    assert resp.headers["Location"] == "/admin/orders"
    assert member.last_login_at is not None


def test_login_never_sends_anyone_off_the_admin(client, make_staff):
    member = make_staff()
    for target in ("https://evil.example/", "//evil.example/", "/center", "/admin\\..\\x"):
        resp = client.post("/admin/login", data={"login": member.login, "password": "secret123", "next": target})
        assert resp.headers["Location"] == "/admin/"


def test_logout_ends_the_staff_session_only(client, make_user, login, make_staff):
    shopper = make_user()
    login(shopper)
    login_staff(client, make_staff())
    assert client.post("/admin/logout").headers["Location"] == "/admin/login"
    assert client.get("/admin/").status_code == 302
    assert client.get("/me").status_code == 200


@pytest.fixture
def limited_client(instance_dir):
    """A client of an app with rate limits on (the shared test app has them off)."""
    from shop import create_app
    from shop.extensions import limiter
    from tests.conftest import make_test_config

    was_enabled = limiter.enabled
    app = create_app(make_test_config(instance_dir, RATELIMIT_ENABLED=True))
    limiter.reset()
    yield app.test_client()
    limiter.reset()
    limiter.enabled = was_enabled  # the limiter instance is shared by every app in this process


def test_admin_login_is_rate_limited_per_login_name(limited_client, make_staff):
    member = make_staff(login="target")
    codes = [limited_client.post("/admin/login", data={"login": "target", "password": "guess"}).status_code
             for _ in range(11)]
    assert codes[:10] == [400] * 10 and codes[-1] == 429
    assert limited_client.post("/admin/login", data={"login": member.login, "password": "secret123"}).status_code == 429


def test_the_session_ends_after_inactivity(app, client, make_staff, monkeypatch):
    login_staff(client, make_staff())
    assert client.get("/admin/").status_code == 200
    with client.session_transaction() as session:
        session["staff_seen"] -= app.config["STAFF_IDLE_MINUTES"] * 60 - 5
    assert client.get("/admin/").status_code == 200  # activity moves the clock on
    with client.session_transaction() as session:
        assert session["staff_seen"] >= time.time() - 5
        session["staff_seen"] -= app.config["STAFF_IDLE_MINUTES"] * 60 + 1
    assert client.get("/admin/").headers["Location"].startswith("/admin/login")
    with client.session_transaction() as session:
        assert "staff_id" not in session


def test_disabling_a_staff_member_ends_their_sessions(app, client, staff, make_staff):
    clerk = make_staff(role="finance")
    other = app.test_client()
    login_staff(other, clerk)
    assert other.get("/admin/withdrawals").status_code == 200
    assert client.post(f"/admin/staff/{clerk.id}/disabled", data={"disabled": "1"}).status_code == 302
    assert other.get("/admin/withdrawals").headers["Location"].startswith("/admin/login")
    resp = other.post("/admin/login", data={"login": clerk.login, "password": "secret123"})
    assert resp.status_code == 400 and "该员工账号已停用" in resp.get_data(as_text=True)


def test_a_new_password_ends_the_sessions_holding_the_old_one(app, client, staff, make_staff):
    clerk = make_staff(role="operator")
    other = app.test_client()
    login_staff(other, clerk)
    assert client.post(f"/admin/staff/{clerk.id}/password", data={"password": "brand-new-pw"}).status_code == 302
    assert other.get("/admin/products").headers["Location"].startswith("/admin/login")
    login_staff(other, clerk, "brand-new-pw")
    assert other.get("/admin/products").status_code == 200


def test_a_forged_session_opens_nothing(client, make_staff):
    member = make_staff()
    for forged in ({"staff_id": member.id}, {"staff_id": str(member.id), "staff_version": 1, "staff_seen": 0},
                   {"staff_id": member.id, "staff_version": 2, "staff_seen": int(time.time())}):
        with client.session_transaction() as session:
            session.update(forged)
        assert client.get("/admin/").headers["Location"].startswith("/admin/login")
