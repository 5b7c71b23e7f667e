"""The one transaction idiom: every use case that writes runs inside `with transaction():`."""
from contextlib import contextmanager

from flask import current_app
from sqlalchemy import create_engine, text

from .extensions import db
from .sql import configure_engine_events

_DEPTH = "shop.transaction_depth"
_AUTOCOMMIT = "shop_autocommit_engine"


class NestedTransaction(RuntimeError):
    """A use case that must commit at the end of its own block was called inside another transaction()."""


@contextmanager
def transaction(outermost=False):
    """Commit what the block wrote, or roll all of it back on any exception.

    Nested inside another transaction() the block joins the outer one: only the outermost commits, so a
    service that owns its transaction can also be called as one step of a larger use case. With
    outermost=True the block must commit when it ends (it is followed by a gateway call, or records what
    must survive the caller's rollback), so calling it inside another transaction() is refused.
    """
    session = db.session()
    depth = session.info.get(_DEPTH, 0)
    if outermost:
        require_outermost()
    session.info[_DEPTH] = depth + 1
    try:
        yield session
        if depth == 0:
            session.commit()
    except BaseException:
        if depth == 0:
            session.rollback()
        raise
    finally:
        session.info[_DEPTH] = depth


def require_outermost():
    """Refuse (NestedTransaction) when called inside a transaction(): for use cases that commit on their own."""
    if db.session().info.get(_DEPTH, 0):
        raise NestedTransaction("this use case commits on its own; call it outside any transaction()")


# Advisory locks are keyed by (schema, key): hosts sharing one schema share each lock, while separate schemas
# (parallel test runs on one database) never block each other.
_SCHEMA_KEYED = "hashtext(coalesce(current_schema(), '')), :k"


def is_postgresql():
    """True when the app runs on PostgreSQL (advisory locks, row locks that SQLite does not have)."""
    return db.engine.dialect.name == "postgresql"


def lock_until_commit(key):
    """Hold the advisory lock `key` until the caller's transaction ends (PostgreSQL; a no-op elsewhere)."""
    if is_postgresql():
        db.session.execute(text(f"SELECT pg_advisory_xact_lock({_SCHEMA_KEYED})"), {"k": key})


@contextmanager
def single_runner(key):
    """Yields whether this host may run the job `key` now: on PostgreSQL a session-level try-lock on a connection
    of its own, held for the whole run whatever its transactions do; elsewhere always True. `key` is an int (the
    7_301_0NN family), checked on every database so a wrong key fails on SQLite too."""
    if not isinstance(key, int):
        raise TypeError(f"an advisory lock key is an int, not {key!r}")
    if not is_postgresql():
        yield True
        return
    with db.engine.connect() as conn:
        held = bool(conn.execute(text(f"SELECT pg_try_advisory_lock({_SCHEMA_KEYED})"), {"k": key}).scalar())
        try:
            yield held
        finally:
            if held:
                conn.execute(text(f"SELECT pg_advisory_unlock({_SCHEMA_KEYED})"), {"k": key})
                conn.commit()


def init_autocommit_engine(app):
    """The engine `autocommit_connection()` draws from. On PostgreSQL an engine of its own on the same database, with
    the app's engine options and every connection always in autocommit: a read outside the ORM session then costs one
    round trip and no switching of the connection's mode at checkout and back at checkin (a tenth of a cached member
    page's CPU). Elsewhere (SQLite, whose in-memory database lives in one connection) the app's own pool, switched
    to autocommit per checkout."""
    with app.app_context():
        if is_postgresql():
            engine = create_engine(db.engine.url, isolation_level="AUTOCOMMIT",
                                   **app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}))
            configure_engine_events(engine)  # (the statement counter; an execution_options() engine has the app's)
        else:
            engine = db.engine.execution_options(isolation_level="AUTOCOMMIT")
    app.extensions[_AUTOCOMMIT] = engine
    return engine


def autocommit_connection():
    """A pooled connection in autocommit, outside the ORM session and any transaction, for a read that needs one
    statement and nothing else (accounts/sessions.py `still_signed_in`): `with autocommit_connection() as conn`."""
    return current_app.extensions[_AUTOCOMMIT].connect()
