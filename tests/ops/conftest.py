"""Fixtures for the operations tests: more app instances ("hosts") on the test database, and Redis db 3."""
import pytest

from shop import create_app
from shop.extensions import limiter
from tests.conftest import FreshContextClient, make_test_config

#: The Redis database these tests own (the other helpers' tests use other numbers).
REDIS_URL = "redis://127.0.0.1:6379/3"


@pytest.fixture
def host(app, instance_dir):
    """host(**config) -> a test client of a new app built by create_app (another "host") on the test database.

    Flask-Limiter's instance is process-wide: each create_app re-binds it (a new storage object), and the test app
    gets it back afterwards."""
    def make(**config):
        other = create_app(make_test_config(instance_dir, **config))
        other.test_client_class = FreshContextClient
        return other.test_client()

    yield make
    limiter._storage_dead = False  # a dead Redis of one test must not send the next one to the memory fallback
    limiter.init_app(app)


@pytest.fixture
def redis_db():
    """A client of Redis db 3, emptied before and after; the test is skipped when no Redis answers."""
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS_URL, socket_timeout=0.5, socket_connect_timeout=0.5)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    client.flushdb()
    yield client
    client.flushdb()
