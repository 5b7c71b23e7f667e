"""With SHOP_REDIS_URL the catalog generation and the cached pages live in Redis (db 7 in tests), shared by every
host: a change committed through one app is seen by another at once."""
import pytest

from shop import create_app
from tests.conftest import make_test_config

REDIS_URL = "redis://127.0.0.1:6379/7"


@pytest.fixture
def hosts(instance_dir):
    """Two apps ("hosts") on the test database and one Redis."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=0.5).flushdb()
    except redis.RedisError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    yield [create_app(make_test_config(instance_dir, REDIS_URL=REDIS_URL)) for _ in range(2)]
    redis.Redis.from_url(REDIS_URL).flushdb()


def test_a_change_through_one_host_shows_on_the_other(hosts, make_product):
    from shop.catalog.services import save_product
    from shop.database import transaction
    from shop.extensions import db

    product = make_product("纯棉T恤", skus=[(5900, 3, ["白", "M"])])
    one, other = hosts
    path = f"/p/{product.id}"
    assert one.test_client().get(path).headers.get("X-Page-Cache") == "miss"
    resp = other.test_client().get(path)
    assert resp.headers.get("X-Page-Cache") == "hit"  # the page rendered by the first host
    with one.app_context():
        with transaction():
            save_product({"title": "亚麻衬衫", "spec_names": ["颜色", "尺码"],
                          "skus": [{"id": product.skus[0].id, "spec_values": ["白", "M"], "price_fen": 5900,
                                    "stock": 3}]}, db.session.merge(product))
    resp = other.test_client().get(path)
    assert resp.headers.get("X-Page-Cache") == "miss" and "亚麻衬衫" in resp.get_data(as_text=True)
