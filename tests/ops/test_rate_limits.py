"""Rate limits shared by every host through Redis (SHOP_REDIS_URL), and kept in memory while Redis is down.

The hosts are two apps built by create_app in this process. Flask-Limiter's instance is process-wide and each
create_app gives it a new storage object: so the second host is built after the first has counted, and with an
in-memory storage it would start from zero (the limit doubled); only a shared Redis keeps the first host's count."""
import json
import logging

from shop.ops import logs
from tests.ops.conftest import REDIS_URL

PHONE = "13900000001"
LIMITED = {"RATELIMIT_ENABLED": True}


def attempt(client, phone=PHONE):
    """One login attempt (an incomplete form: nothing is checked against the database); its status code."""
    return client.post("/login", data={"phone": phone}).status_code


def test_two_hosts_share_one_login_limit(host, redis_db):
    first = host(REDIS_URL=REDIS_URL, **LIMITED)
    assert [attempt(first) for _ in range(5)] == [200] * 5
    second = host(REDIS_URL=REDIS_URL, **LIMITED)
    assert [attempt(second) for _ in range(5)] == [200] * 5
    assert attempt(second) == 429 and attempt(first) == 429  # 10 per minute per phone, not 10 per host
    assert any(redis_db.scan_iter("LIMITS*"))


def test_without_redis_each_host_counts_alone(host):
    """The control: what the shared Redis prevents (the limit doubles)."""
    first = host(**LIMITED)
    assert [attempt(first) for _ in range(5)] == [200] * 5
    second = host(**LIMITED)
    assert [attempt(second) for _ in range(10)] == [200] * 10


def test_a_dead_redis_falls_back_to_limits_in_memory(host, caplog):
    caplog.set_level(logging.INFO)
    client = host(REDIS_URL="redis://127.0.0.1:9/0", **LIMITED)
    assert [attempt(client) for _ in range(10)] == [200] * 10
    assert attempt(client) == 429
    assert client.get("/").status_code == 200  # the mall keeps selling
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    # the limiter says it once; the page cache's generation (also in Redis) may say it once a minute besides
    assert [r.name for r in warnings if r.name != "shop.caching.generation"] == ["flask-limiter"]
    assert len([r for r in warnings if r.name == "shop.caching.generation"]) <= 1
    line = logs.JSON.format(next(r for r in warnings if r.name == "flask-limiter"))
    assert "\n" not in line
    assert json.loads(line)["level"] == "WARNING" and "in-memory" in json.loads(line)["message"]
