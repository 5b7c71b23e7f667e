"""What /healthz checks: the database (SELECT 1) and Redis (PING, when SHOP_REDIS_URL is set). Reads only."""
import logging

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db
from ..redis_client import get_redis

log = logging.getLogger("shop.health")
OK, OFF, UNREACHABLE = "ok", "off", "unreachable"


def check():
    """{"database": ok | unreachable, "redis": ok | off | unreachable} and whether the host can serve. Only the
    database decides: without Redis the mall keeps selling (in-memory rate limits, no shared cache), so a load
    balancer must not drop every host when Redis is down; the body names it, and /metrics and the logs say so."""
    parts = {"database": database_state(), "redis": redis_state()}
    return parts, parts["database"] == OK


def database_state():
    try:
        db.session.execute(text("SELECT 1"))
        return OK
    except SQLAlchemyError as err:
        db.session.rollback()
        log.error("healthz: database unreachable: %s", str(err).splitlines()[0])
        return UNREACHABLE


def redis_state():
    client = get_redis()
    if client is None:
        return OFF
    try:
        client.ping()
        return OK
    except Exception as err:  # redis.RedisError, or an OSError the client did not wrap
        log.error("healthz: redis unreachable: %s", err)
        return UNREACHABLE
