"""Settings read from SHOP_* environment variables."""
import os

DEV_SECRET_KEY = "dev-secret-key-change-me"


def _env(name, default=None):
    return os.environ.get(f"SHOP_{name}", default)


def _int(name, default):
    return int(_env(name, default))


class Config:
    SECRET_KEY = _env("SECRET_KEY", DEV_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = _env("DATABASE_URL")  # None -> SQLite in the instance folder
    #: No pre-ping round trip per checkout: a connection the server dropped fails once, SQLAlchemy invalidates the
    #: pool and the request answers 503 (shop/ops/outage.py); the next request gets a fresh connection.
    #: pool_recycle replaces connections older than this many seconds (firewalls, PgBouncer idle timeouts).
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_recycle": _int("DB_POOL_RECYCLE", 1800)}
    #: Redis shared by every host: rate limits, cached fragments, visits (docs/architecture.md, "Several hosts").
    REDIS_URL = _env("REDIS_URL")
    ENV_NAME = _env("ENV", "development")
    #: Proxies in front of the app that append to X-Forwarded-For (nginx = 1); 0 = none, the header is ignored.
    PROXY_HOPS = _int("PROXY_HOPS", 0)
    #: "json" (one JSON object per line) or "text"; unset = json in production, text elsewhere.
    LOG_FORMAT = _env("LOG_FORMAT")
    #: Addresses or networks (comma-separated) allowed to read /metrics.
    METRICS_ALLOW = _env("METRICS_ALLOW", "127.0.0.1")

    #: Minutes an unpaid order waits before `flask shop expire-orders` cancels it.
    ORDER_EXPIRE_MINUTES = _int("ORDER_EXPIRE_MINUTES", 30)
    #: Upload limits for product images.
    MAX_CONTENT_LENGTH = _int("MAX_UPLOAD_BYTES", 5 * 1024 * 1024) + 64 * 1024
    MAX_IMAGE_BYTES = _int("MAX_UPLOAD_BYTES", 5 * 1024 * 1024)
    SMS_SENDER = _env("SMS_SENDER", "console")
    SMS_CODE_TTL_SECONDS = _int("SMS_CODE_TTL_SECONDS", 300)
    SMS_CODE_MAX_ATTEMPTS = 5
    SMS_RESEND_SECONDS = 60
    SMS_DAILY_LIMIT_PER_PHONE = 10

    BABEL_DEFAULT_LOCALE = "zh"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = ("zh", "en")

    #: Minutes without a request after which a staff member must log in to the admin again.
    STAFF_IDLE_MINUTES = _int("STAFF_IDLE_MINUTES", 30)

    RATELIMIT_ENABLED = _env("RATELIMIT_ENABLED", "1") == "1"
    RATELIMIT_STORAGE_URI = _env("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    #: When the Redis holding the counters does not answer, count in this process's memory until it is back.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    #: A storage error in a request already under way (Redis dying while it counts) lets the request through
    #: (logged) instead of a 500; the next requests count in memory.
    RATELIMIT_SWALLOW_ERRORS = True
    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_HTTPONLY = True
    SHOP_NAME = _env("NAME", "分销商城")
    #: A font with Chinese glyphs for posters (a .ttf/.otf/.ttc path); unset = search the usual places.
    CJK_FONT = _env("CJK_FONT")
    #: Seconds an anonymous storefront page stays cached at most (0: no page cache). Changes show at once anyway
    #: (the catalog generation is in the key); this bounds what raw SQL behind the ORM's back could leave stale.
    PAGE_CACHE_SECONDS = _int("PAGE_CACHE_SECONDS", 30)
    #: Seconds a static file asked for without its content hash (?v=) may be cached; with it, a year.
    STATIC_MAX_AGE = _int("STATIC_MAX_AGE", 300)
    COMPRESS_ALGORITHM = ["br", "gzip"]
    COMPRESS_MIMETYPES = ["text/html", "text/css", "text/javascript", "application/javascript", "application/json",
                          "image/svg+xml", "text/plain"]
    COMPRESS_MIN_SIZE = 500
    COMPRESS_BR_LEVEL = 4
    COMPRESS_LEVEL = 6
    #: Public base URL, for links built outside a request (notify URLs from commands).
    BASE_URL = _env("BASE_URL", "http://127.0.0.1:5000")
    #: Where else images may come from (the CSP's img-src, besides this site and data: URIs): product
    #: descriptions may embed https images. Narrow it to the merchant's image host, e.g. "https://img.example.com".
    CSP_IMG_SOURCES = _env("CSP_IMG_SOURCES", "https:")
    #: This host's name, sent as X-Served-By on every response (several hosts behind nginx); unset = no header.
    HOST_NAME = _env("HOST_NAME")


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True


def load_config(overrides=None):
    """The config class for SHOP_ENV, as a dict merged with test overrides."""
    cls = ProductionConfig if _env("ENV") == "production" else Config
    values = {k: getattr(cls, k) for k in dir(cls) if k.isupper()}
    values.update(overrides or {})
    return values


def check_production(config):
    """Refuse to start a production app with the development secret key, or with the sandbox gateway (its
    cashier page "pays" for free)."""
    if config.get("ENV_NAME") != "production":
        return
    if config.get("SECRET_KEY") in (None, "", DEV_SECRET_KEY):
        raise RuntimeError("SHOP_SECRET_KEY must be set to a real secret in production")
    if (config.get("SHOP_PAYMENT_GATEWAY") or os.environ.get("SHOP_PAYMENT_GATEWAY")) == "sandbox":
        raise RuntimeError("SHOP_PAYMENT_GATEWAY=sandbox is refused in production: its payments are free")
