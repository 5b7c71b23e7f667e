"""What several app hosts behind a proxy need: the shopper's own address, and rate-limit counters they share."""
from werkzeug.middleware.proxy_fix import ProxyFix

from ..redis_client import HEALTH_CHECK_SECONDS, TIMEOUT_SECONDS


def trust_proxies(app):
    """Behind PROXY_HOPS proxies (nginx = 1), `request.remote_addr` is the address the nearest proxy saw: the last
    entry of X-Forwarded-For that the trusted proxies appended. Whatever a client wrote into the header itself
    comes before those and is ignored, so a forged header cannot change the address that rate limits and
    WeChat H5 payments use. With 0 (no proxy), the header is not read at all."""
    hops = app.config.get("PROXY_HOPS") or 0
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)


def share_rate_limits(config):
    """With SHOP_REDIS_URL the rate-limit counters live in Redis, shared by every worker and host (unless
    SHOP_RATELIMIT_STORAGE_URI names a storage of its own). Redis gets short timeouts, and when it does not
    answer Flask-Limiter counts in memory (RATELIMIT_IN_MEMORY_FALLBACK_ENABLED), logs one warning and goes back
    to Redis once it answers again."""
    if config.get("REDIS_URL") and config.get("RATELIMIT_STORAGE_URI", "memory://") == "memory://":
        config["RATELIMIT_STORAGE_URI"] = config["REDIS_URL"]
    if config.get("RATELIMIT_STORAGE_URI", "").startswith(("redis://", "rediss://", "redis+")):
        config["RATELIMIT_STORAGE_OPTIONS"] = {
            "socket_timeout": TIMEOUT_SECONDS, "socket_connect_timeout": TIMEOUT_SECONDS,
            "health_check_interval": HEALTH_CHECK_SECONDS, **config.get("RATELIMIT_STORAGE_OPTIONS", {})}
