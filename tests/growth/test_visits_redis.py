"""Visits counted in Redis when SHOP_REDIS_URL is set, moved into the daily rows by `flask shop flush-visits`; a
Redis that does not answer falls back to the database. Skipped when no Redis answers at 127.0.0.1:6379."""
import pytest
from sqlalchemy import func, select

from shop.growth.models import VisitCounter
from shop.growth.visits import REDIS_PREFIX, count_visit, flush_visits

REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture
def redis_app(app):
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS_URL, socket_timeout=0.5, socket_connect_timeout=0.5)
    try:
        client.ping()
    except Exception:
        pytest.skip("no Redis at 127.0.0.1:6379")
    for key in client.scan_iter(REDIS_PREFIX + "*"):
        client.delete(key)
    app.config["REDIS_URL"] = REDIS_URL
    yield client
    app.config["REDIS_URL"] = None
    for key in client.scan_iter(REDIS_PREFIX + "*"):
        client.delete(key)


def stored(db):
    return db.session.scalar(select(func.coalesce(func.sum(VisitCounter.visits), 0)))


def test_visits_go_to_redis_then_to_the_database(db, shop, redis_app, app):
    for _ in range(3):
        count_visit(shop.b.id, "qr")
    assert stored(db) == 0
    assert app.test_cli_runner().invoke(args=["shop", "flush-visits"]).output.strip() == "moved 3 visits"
    assert stored(db) == 3 and flush_visits() == 0


def test_an_unreachable_redis_counts_in_the_database(db, shop, app):
    app.config["REDIS_URL"] = "redis://127.0.0.1:9/0"
    try:
        count_visit(shop.b.id, "link")
    finally:
        app.config["REDIS_URL"] = None
    assert stored(db) == 1
