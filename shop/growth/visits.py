"""Counting visits of invite links, QR codes, posters and product shares without slowing the pages: one upsert
(INSERT ... ON CONFLICT DO UPDATE visits = visits + n) on the (distributor, source, China day) row. With
SHOP_REDIS_URL set, a visit is one HINCRBY in Redis instead, and `flask shop flush-visits` moves the counts into
the same rows; when Redis does not answer, the visit goes to the database as without it."""
import logging
from datetime import date, timedelta

from sqlalchemy.dialects import postgresql, sqlite

from ..clock import to_china, utcnow
from ..database import transaction
from ..extensions import db
from ..redis_client import get_redis
from .models import VISIT_SOURCES, VisitCounter

log = logging.getLogger("shop.growth")
REDIS_PREFIX = "shop:visits:"
#: `flask shop flush-visits` runs on one host at a time (shop.database.single_runner): two flushes at once would
#: both read the same renamed hash and count its visits twice.
FLUSH_LOCK_KEY = 7_301_020


def visit_source(src, default="link"):
    """The `src` of a link as a known source (anything else counts as `default`)."""
    return src if src in VISIT_SOURCES else default


def add_visits(distributor_id, source, day, visits=1):
    """The upsert: one statement, no read first. Joins the caller's transaction."""
    insert = postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert
    stmt = insert(VisitCounter).values(distributor_id=distributor_id, source=source, day=day, visits=visits)
    db.session.execute(stmt.on_conflict_do_update(
        index_elements=["distributor_id", "source", "day"], set_={"visits": VisitCounter.visits + visits}))


def count_visit(distributor_id, source, now=None):
    """One visit of a distributor's link from `source`. The one write a GET makes besides binding
    (docs/architecture.md): in Redis when configured, else one upsert. Owns its transaction."""
    day = to_china(now or utcnow()).date()
    client = get_redis()
    if client is not None:
        try:
            client.hincrby(f"{REDIS_PREFIX}{day.isoformat()}", f"{distributor_id}:{source}", 1)
            return
        except Exception:  # Redis away: the visit still counts, in the database
            log.warning("redis unavailable; visit counted in the database", exc_info=True)
    with transaction():
        add_visits(distributor_id, source, day)


def flush_visits(days=7, now=None):
    """Move the counts held in Redis for the last `days` days into the database; returns how many visits moved.
    Each day's hash is renamed first, so visits counted meanwhile land in a new hash. Owns its transactions."""
    client, moved = get_redis(), 0
    if client is None:
        return 0
    today = to_china(now or utcnow()).date()
    for back in range(days):
        key = f"{REDIS_PREFIX}{(today - timedelta(days=back)).isoformat()}"
        moved += _flush_day(client, key)
    return moved


def _flush_day(client, key):
    taken = key + ":flushing"
    if not client.exists(taken):
        if not client.exists(key):
            return 0
        client.rename(key, taken)
    counts = client.hgetall(taken)
    day = key.rsplit(":", 1)[1]
    with transaction():
        for field, visits in counts.items():
            distributor_id, source = field.decode().split(":")
            add_visits(int(distributor_id), visit_source(source), date.fromisoformat(day), int(visits))
    client.delete(taken)
    return sum(int(v) for v in counts.values())
