"""/healthz (the database and Redis) and /metrics (Prometheus text, for the allowed addresses only)."""
import json
import os
import subprocess
import sys

import pytest
from prometheus_client.parser import text_string_to_metric_families

from shop.payments import refunds
from tests.ops.conftest import REDIS_URL

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture
def redis_at(app):
    """redis_at(url): the test app uses this Redis until the test ends."""
    def use(url):
        app.config["REDIS_URL"] = url

    yield use
    app.config["REDIS_URL"] = None


def test_healthz_without_redis(client):
    resp = client.get("/healthz")
    assert (resp.status_code, resp.json) == (200, {"database": "ok", "redis": "off"})


def test_healthz_with_redis(client, redis_db, redis_at):
    redis_at(REDIS_URL)
    resp = client.get("/healthz")
    assert (resp.status_code, resp.json) == (200, {"database": "ok", "redis": "ok"})


def test_healthz_names_a_dead_redis(client, redis_at):
    redis_at("redis://127.0.0.1:9/0")
    resp = client.get("/healthz")
    # named, but the host still serves: the mall sells without Redis, so a balancer must not drop it
    assert (resp.status_code, resp.json) == (200, {"database": "ok", "redis": "unreachable"})


def samples(text):
    """{(name, sorted labels): value} of a Prometheus exposition."""
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def scrape(client):
    resp = client.get("/metrics")
    assert resp.status_code == 200 and resp.mimetype == "text/plain"
    return samples(resp.get_data(as_text=True))


HOME_200 = ("shop_http_requests_total", (("endpoint", "main.home"), ("method", "GET"), ("status", "200")))
HOME_LATENCY = ("shop_http_request_duration_seconds_count", (("endpoint", "main.home"), ("status", "200")))
PAID = ("shop_notifications_total", (("kind", "payment"), ("outcome", "applied")))
DUPLICATE = ("shop_notifications_total", (("kind", "payment"), ("outcome", "duplicate")))


def test_metrics_count_requests_and_latency(client):
    before = scrape(client)
    for _ in range(3):
        client.get("/")
    after = scrape(client)
    assert after[HOME_200] - before.get(HOME_200, 0) == 3
    assert after[HOME_LATENCY] - before.get(HOME_LATENCY, 0) == 3


def test_metrics_count_notifications_by_outcome(client, place, notify):
    before = scrape(client)
    order = place()
    for _ in range(2):
        notify(order.order_no, 10000, transaction_id="4200000000000009")
    after = scrape(client)
    assert after[PAID] - before.get(PAID, 0) == 1
    assert after[DUPLICATE] - before.get(DUPLICATE, 0) == 1


def test_metrics_count_the_open_refunds_and_transfers(client, shop, paid_order):
    assert scrape(client)[("shop_open_refunds", ())] == 0
    order = paid_order()
    refunds.request_refund(shop.buyer, order, "坏了", {order.lines[0].id: 1})
    got = scrape(client)
    assert got[("shop_open_refunds", ())] == 1 and got[("shop_open_transfers", ())] == 0


@pytest.mark.parametrize("allow, address, status", [
    ("127.0.0.1", "127.0.0.1", 200), ("127.0.0.1", "10.1.2.3", 403), ("10.0.0.0/8, 127.0.0.1", "10.1.2.3", 200),
    ("", "127.0.0.1", 403), ("not-an-address", "127.0.0.1", 403),
])
def test_metrics_only_for_the_allowed_addresses(app, client, allow, address, status):
    app.config["METRICS_ALLOW"] = allow
    try:
        assert client.get("/metrics", environ_base={"REMOTE_ADDR": address}).status_code == status
    finally:
        app.config["METRICS_ALLOW"] = "127.0.0.1"


WORKER = """
import json, sys
from shop import create_app
from tests.conftest import make_test_config
app = create_app(make_test_config(sys.argv[1], SQLALCHEMY_DATABASE_URI="sqlite:///" + sys.argv[1] + "/w.db"))
client = app.test_client()
for _ in range(int(sys.argv[2])):
    client.get("/healthz")
print(json.dumps(client.get("/metrics").get_data(as_text=True)))
"""


def test_multiprocess_mode_adds_up_every_worker(tmp_path):
    """With PROMETHEUS_MULTIPROC_DIR (gunicorn.conf.py), /metrics in one worker reports the others' requests."""
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "prom"), "SHOP_INSTANCE_PATH": str(tmp_path)}
    os.makedirs(env["PROMETHEUS_MULTIPROC_DIR"])
    env.pop("SHOP_TEST_DATABASE_URL", None)

    def worker(requests):
        out = subprocess.run([sys.executable, "-c", WORKER, str(tmp_path), str(requests)], env=env, cwd=ROOT,
                             capture_output=True, text=True, timeout=120, check=True).stdout
        return samples(json.loads(out.strip().splitlines()[-1]))

    worker(2)
    got = worker(3)
    key = ("shop_http_requests_total", (("endpoint", "ops.healthz"), ("method", "GET"), ("status", "200")))
    assert got[key] == 5
