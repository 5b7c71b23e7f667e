"""The catalog generation: a number bumped after every commit that changed what the storefront shows (products,
SKUs, prices, stock, categories, images, marketing activities, settings). Cached pages and fragments carry it in
their key, so the first request after a change renders anew, and no service can forget to invalidate.

Changes are noticed centrally by SQLAlchemy session events: `after_flush` (ORM objects added, changed, deleted)
and `do_orm_execute` (INSERT/UPDATE/DELETE statements such as the guarded stock UPDATE) mark the session, and
`after_commit` bumps the number: Redis INCR with SHOP_REDIS_URL (shared by every host), otherwise a counter file
in the instance folder, shared by the workers of this host. A statement marked `catalog_unchanged` (a product's
sales, counted at every payment) does not bump it: the page cache's short TTL bounds how late such a figure shows,
as it bounds SQL sent past the session (raw connections)."""
import fcntl
import logging
import os

from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from ..ops.logs import Throttled
from ..redis_client import get_redis

log = logging.getLogger(__name__)
REDIS_KEY = "shop:catalog:generation"
FILE_NAME = "catalog.generation"
_MARK = "shop.catalog_changed"
#: The tables whose rows the storefront pages show.
STOREFRONT_TABLES = frozenset({
    "categories", "products", "product_images", "skus", "settings",
    "flash_slots", "flash_items", "group_activities", "group_prices", "groups", "group_members",
    "coupon_templates", "assist_products",
})


def _touches(objects):
    return any(getattr(getattr(o, "__table__", None), "name", None) in STOREFRONT_TABLES for o in objects)


def _after_flush(session, context):
    dirty = (o for o in session.dirty if session.is_modified(o))
    if _touches(session.new) or _touches(session.deleted) or _touches(dirty):
        session.info[_MARK] = True


def _do_orm_execute(state):
    if (state.is_insert or state.is_update or state.is_delete) and not state.execution_options.get(
            "catalog_unchanged"):
        mark_if_storefront(state.session, getattr(getattr(state.statement, "table", None), "name", None))


def mark_if_storefront(session, table_name):
    """Note that the session's transaction wrote to `table_name`: its commit bumps the generation when the
    storefront shows that table (also called for statements sent past the session: shop/statements.py)."""
    if table_name in STOREFRONT_TABLES:
        session.info[_MARK] = True


def _after_commit(session):
    if session.info.pop(_MARK, False) and has_app_context():
        bump(current_app)


def _after_rollback(session):
    session.info.pop(_MARK, None)


def init_app(app):
    """Listen to every session once (the events are global; they act only inside an app context)."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "do_orm_execute", _do_orm_execute)
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_soft_rollback", lambda session, previous: _after_rollback(session))


#: While Redis is away every request would fail the same way: one warning a minute says it.
_warn = Throttled(log).warning


def _path(app):
    return os.path.join(app.instance_path, FILE_NAME)


def current(app=None):
    """The generation now (an int; None when Redis is unreachable: then nothing is cached); reads one Redis key or
    the counter file."""
    app = app or current_app
    client = get_redis(app)
    if client is not None:
        try:
            return int(client.get(REDIS_KEY) or 0)
        except Exception:
            _warn("catalog generation: Redis GET failed; pages are not cached meanwhile")
            return None
    try:
        with open(_path(app), "rb", buffering=0) as handle:  # a few bytes: no buffer to build
            return int(handle.read() or 0)
    except FileNotFoundError:
        return 0


def bump(app=None):
    """A new generation: every cached page and fragment is stale from now on."""
    app = app or current_app
    client = get_redis(app)
    if client is not None:
        try:
            return client.incr(REDIS_KEY)
        except Exception:  # Redis down: its pages are unreachable too; the TTL bounds the rest
            _warn("catalog generation: Redis INCR failed; cached pages expire by their TTL")
            return None
    # Readers never see a half-written file: the new value is written aside and renamed over it, under a lock.
    with open(_path(app) + ".lock", "wb") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        value = (current(app) or 0) + 1
        with open(_path(app) + ".new", "wb") as handle:
            handle.write(str(value).encode())
        os.replace(_path(app) + ".new", _path(app))
        return value
