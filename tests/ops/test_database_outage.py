"""The database away: 503 with a clear message (JSON for /healthz, the gateway's FAIL body for notifications),
never a stack trace; and recovery without intervention once it answers again (no pool pre-ping)."""
import psycopg
import pytest

from shop.orders.models import Order
from shop.payments.gateways import sandbox
from tests.conftest import IS_PG, PG_SCHEMA, PG_URL

DEAD = {"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:9/none",
        "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"connect_timeout": 2}}}
MESSAGE = "服务暂时不可用，请稍后刷新重试"


def signed_notification(client, order_no, amount_fen=10000, transaction_id="4200000000000077"):
    """A notification signed with the sandbox keys of the host that receives it (each app loads its keys once)."""
    with client.application.app_context():
        headers, body = sandbox.build_notification(order_no, transaction_id, amount_fen)
    return {"data": body, "headers": headers, "content_type": "application/json"}


def assert_clean_503_page(resp):
    html = resp.get_data(as_text=True)
    assert resp.status_code == 503 and resp.headers["Retry-After"]
    assert MESSAGE in html and "Traceback" not in html and "psycopg" not in html and "sqlalchemy" not in html


@pytest.mark.parametrize("path", ["/", "/category", "/search?q=T", "/p/1"])
def test_an_unreachable_database_answers_a_clear_503_page(host, path):
    assert_clean_503_page(host(**DEAD).get(path))


def test_an_unreachable_database_in_english(host):
    resp = host(**DEAD).get("/?lang=en")
    assert resp.status_code == 503 and "Traceback" not in resp.get_data(as_text=True)


def test_healthz_names_the_database(host):
    resp = host(**DEAD).get("/healthz")
    assert (resp.status_code, resp.json) == (503, {"database": "unreachable", "redis": "off"})


def test_a_notification_gets_the_fail_body_for_the_gateway_to_retry(host):
    dead = host(**DEAD)
    resp = dead.post("/pay/notify/sandbox", **signed_notification(dead, "202601010000000001"))
    assert (resp.status_code, resp.json["code"]) == (503, "FAIL")


KILLED = "shop-outage-test"


@pytest.fixture
def killable(host):
    """A host on the test database whose connections carry an application_name, a kill() that ends them from
    another connection (pg_terminate_backend, as a PostgreSQL restart does) and returns how many it ended."""
    if not IS_PG:
        pytest.skip("needs PostgreSQL (SHOP_TEST_DATABASE_URL)")
    options = {"pool_size": 2, "connect_args": {"options": f"-csearch_path={PG_SCHEMA}", "application_name": KILLED}}
    client = host(SQLALCHEMY_ENGINE_OPTIONS=options, PAGE_CACHE_SECONDS=0)  # every page asks the database

    def kill():
        with psycopg.connect(PG_URL.replace("postgresql+psycopg", "postgresql"), autocommit=True) as conn:
            return len(conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                    "WHERE application_name = %s AND datname = current_database()",
                                    (KILLED,)).fetchall())

    return client, kill


@pytest.mark.pg
def test_a_dropped_connection_fails_one_request_then_the_app_recovers(killable, make_product):
    client, kill = killable
    make_product()
    assert client.get("/").status_code == 200
    assert kill() >= 1
    assert_clean_503_page(client.get("/"))
    assert client.get("/").status_code == 200
    assert client.get("/healthz").json == {"database": "ok", "redis": "off"}


@pytest.mark.pg
def test_a_notification_on_a_dropped_connection_is_retried_and_applied_once(db, killable, place):
    client, kill = killable
    order = place()
    assert client.get("/healthz").status_code == 200
    assert kill() >= 1
    first = client.post("/pay/notify/sandbox", **signed_notification(client, order.order_no))
    assert (first.status_code, first.json["code"]) == (503, "FAIL")
    assert client.post("/pay/notify/sandbox", **signed_notification(client, order.order_no)).status_code == 204
    assert client.post("/pay/notify/sandbox", **signed_notification(client, order.order_no)).status_code == 204
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == "paid"


@pytest.mark.pg
def test_a_connection_dropped_after_the_page_was_made_still_serves_it(killable, make_product, caplog):
    """PostgreSQL going away between the request's last statement and its end: the page is made already, the
    session's closing ROLLBACK fails in the teardown; the shopper gets the page, the next request reconnects."""
    from flask import request_finished

    client, kill = killable
    make_product()
    killed = []

    def kill_before_teardown(sender, response, **extra):
        killed.append(kill())

    request_finished.connect(kill_before_teardown, client.application)
    try:
        resp = client.get("/")
    finally:
        request_finished.disconnect(kill_before_teardown, client.application)
    assert killed and killed[0] >= 1
    assert resp.status_code == 200 and "Traceback" not in resp.get_data(as_text=True)
    assert "database lost at the end of the request" in caplog.text
    assert client.get("/").status_code in (200, 503)
    assert client.get("/").status_code == 200
