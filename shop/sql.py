"""Engine-level settings: SQLite pragmas and a statement counter for tests."""
import threading
import weakref

from sqlalchemy import event
from sqlalchemy.engine import Engine


class _Counter(threading.local):
    """This thread's list of statements while count_statements runs, else None (a class default: reading an unset
    thread-local attribute raises, and builds, an AttributeError on every statement)."""
    statements = None


_counter = _Counter()
#: The engines whose statements are counted (configure_engine_events).
_COUNTED = weakref.WeakSet()


def configure_engine_events(engine: Engine):
    if engine.dialect.name == "sqlite":
        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, record):
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=10000")
            cur.close()

    event.listen(engine, "before_cursor_execute", _count)
    _COUNTED.add(engine)


def _count(conn, cursor, statement, parameters, context, executemany):
    note(statement)


def note(statement):
    """Count a statement this thread sends (count_statements): the engine's listener, and what shop/statements.py
    calls instead of dispatching the cursor events when no other listener needs them (only_counted)."""
    stmts = _counter.statements
    if stmts is not None:
        stmts.append(statement)


def only_counted(conn):
    """Whether the statement counter is the only cursor listener `conn` (a Connection) has: then a statement sent
    around SQLAlchemy's execution calls note() instead of the events (dispatching them costs several µs a statement,
    about as much as the rest of the fast path). Any other listener (the benchmark's capture) gets the events."""
    dispatch = conn.dispatch
    return (conn.engine in _COUNTED and len(dispatch.before_cursor_execute) == 1
            and not dispatch.after_cursor_execute)


class count_statements:
    """Context manager collecting the SQL statements this thread sends: `with count_statements() as c`."""

    def __enter__(self):
        self.statements = []
        _counter.statements = self.statements
        return self

    def __exit__(self, *exc):
        _counter.statements = None

    def __len__(self):
        return len(self.statements)
