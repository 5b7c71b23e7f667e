"""Engine-level settings: SQLite pragmas and a statement counter for tests."""
import threading

from sqlalchemy import event
from sqlalchemy.engine import Engine

_counter = threading.local()


def configure_engine_events(engine: Engine):
    if engine.dialect.name == "sqlite":
        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, record):
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=10000")
            cur.close()

    @event.listens_for(engine, "before_cursor_execute")
    def _count(conn, cursor, statement, parameters, context, executemany):
        stmts = getattr(_counter, "statements", None)
        if stmts is not None:
            stmts.append(statement)


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
