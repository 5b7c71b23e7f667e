"""The one Redis client of the app (SHOP_REDIS_URL), or None when Redis is not configured."""
from flask import current_app

#: Redis answers in well under a millisecond; a host that does not answer in this time is treated as down, so
#: a page never waits on it for long (every caller has a fallback: the database, or in-memory rate limits).
TIMEOUT_SECONDS = 0.5
#: Seconds after which an idle pooled connection is PINGed before use (a Redis restart is noticed, not raised).
HEALTH_CHECK_SECONDS = 30


def get_redis(app=None):
    """A `redis.Redis` for the app's REDIS_URL, made once per URL and kept on the app; None when unset."""
    app = app or current_app
    url = app.config.get("REDIS_URL")
    if not url:
        return None
    clients = app.extensions.setdefault("shop_redis", {})
    if url not in clients:
        import redis

        clients[url] = redis.Redis.from_url(url, socket_timeout=TIMEOUT_SECONDS,
                                            socket_connect_timeout=TIMEOUT_SECONDS,
                                            health_check_interval=HEALTH_CHECK_SECONDS)
    return clients[url]
