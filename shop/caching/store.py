"""Where cached pages and fragments live: Redis with SHOP_REDIS_URL (shared by every host), else an in-process
LRU with a TTL (cachetools). Values are bytes; a Redis failure is a miss, never an error page."""
import logging
import threading

from cachetools import TTLCache
from flask import current_app

from ..redis_client import get_redis

log = logging.getLogger(__name__)
PREFIX = "shop:cache:"


class Store:
    """get/set of bytes under string keys, each kept `ttl` seconds at most."""

    def __init__(self, app, ttl, maxsize=2048):
        self.app, self.ttl = app, ttl
        self.local = TTLCache(maxsize=maxsize, ttl=ttl)
        self.lock = threading.Lock()

    def get(self, key):
        client = get_redis(self.app)
        if client is None:
            with self.lock:
                return self.local.get(key)
        try:
            return client.get(PREFIX + key)
        except Exception:
            log.warning("page cache: Redis GET failed", exc_info=True)
            return None

    def set(self, key, value):
        client = get_redis(self.app)
        if client is None:
            with self.lock:
                self.local[key] = value
            return
        try:
            client.set(PREFIX + key, value, ex=max(int(self.ttl), 1))
        except Exception:
            log.warning("page cache: Redis SET failed", exc_info=True)

    def clear(self):
        """Forget the in-process entries (tests empty the tables behind the session's back)."""
        with self.lock:
            self.local.clear()


def get_store(app=None, kind="cache"):
    """The app's store of pages and fragments, or (kind="parts") of members' own parts (made by pages.init_app)."""
    return (app or current_app).extensions[f"shop_{kind}_store"]
