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
    #: No pool_pre_ping: it costs a round trip on every checkout (every request). A connection that died (a
    #: PostgreSQL restart) fails its request once with a clean 503; SQLAlchemy then invalidates the pool, and the
    #: next requests reconnect.
    SQLALCHEMY_ENGINE_OPTIONS = {}
    REDIS_URL = _env("REDIS_URL")
    ENV_NAME = _env("ENV", "development")

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
    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_HTTPONLY = True
    SHOP_NAME = _env("NAME", "分销商城")
    #: A font with Chinese glyphs for posters (a .ttf/.otf/.ttc path); unset = search the usual places.
    CJK_FONT = _env("CJK_FONT")
    #: Public base URL, for links built outside a request (notify URLs from commands).
    BASE_URL = _env("BASE_URL", "http://127.0.0.1:5000")


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
