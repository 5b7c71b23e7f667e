"""Prebuilt statements on the hot paths, sent straight through the DBAPI cursor of the session's own connection.

`Session.execute` spends about 150 µs of CPU on a statement before and after the driver does (ORM compile state,
cache key, execution context, result metadata): more than PostgreSQL spends running it, and most of a payment
notification's CPU (bench/README.md). A statement built once at import time does not need that: `run()` compiles
it once per dialect and then sends the SQL string with psycopg, in the same transaction, firing the engine's
`before_cursor_execute` / `after_cursor_execute` events (the benchmark's capture; when the statement counter is the
only listener, it is told directly instead, sql.only_counted: dispatching them cost more than the rest) and raising
SQLAlchemy's own exceptions (IntegrityError, OperationalError; a lost connection is invalidated as usual). Pending
ORM changes are flushed first, as `Session.execute` autoflushes.

What is not plain goes through `Session.execute`, the same statement with the same meaning: another dialect than
PostgreSQL, a result column whose type needs processing, a parameter the call does not give, and any write while
staff act (the operation log records those through the session's events). Binds are processed for the driver
(JSON), and Python-side column defaults computed, as SQLAlchemy would. An expanding IN is sent as
`= ANY(array)`. A write to a table the storefront shows marks the catalog as changed, as the session's events
would (caching/generation.py), unless the statement says `catalog_unchanged` (a figure the pages may show up to
their TTL late, such as a product's sales).
"""
import re

from psycopg.pq import ExecStatus
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import instance_state
from sqlalchemy.orm.instrumentation import manager_of_class
from sqlalchemy.sql.dml import UpdateBase

from .extensions import db
from .sql import note, only_counted

_COMPILED = {}
_CURSOR, _CONNECTION = "shop.statements.cursor", "shop.statements.connection"
TUPLES_OK = ExecStatus.TUPLES_OK
#: run_many sends at most this many rows as one statement (one compiled form per count); more go through the session.
MAX_ROWS = 32
_PARAM = re.compile(r"%\((\w+)\)s")
_EXPANDING = re.compile(r"(NOT )?IN \(__\[POSTCOMPILE_(\w+)\]\)")


class Compiled:
    """A statement's SQL for one dialect and how to fill its parameters; `sql` is None when it is not plain."""

    def __init__(self, stmt, dialect, keys, rows=0):
        compiled = stmt.compile(dialect=dialect, column_keys=list(keys) if keys is not None else None,
                                for_executemany=bool(rows))
        binds = compiled.bind_names  # {BindParameter: the name in the SQL}
        given = {bp.key: name for bp, name in binds.items() if bp.required}
        self.names = frozenset(given) | frozenset(keys or ())
        # Values the statement carries itself (literals, LIMIT): sent as compiled; Python-side column defaults
        # (a product's updated_at) computed per call, as SQLAlchemy's execution context would.
        self.fixed = {name: bp.effective_value for bp, name in binds.items() if not bp.required}
        self.defaults = [(c.key, c.default) for c in compiled.insert_prefetch] + [
            (c.key, c.onupdate) for c in compiled.update_prefetch]
        self.processors = dict(compiled._bind_processors)
        plain = (dialect.name == "postgresql" and not compiled.literal_execute_params
                 and all(key == name for key, name in given.items()) and not _result_processors(compiled, dialect)
                 and all(d is not None and (d.is_scalar or d.is_callable) for _k, d in self.defaults))
        self.sql = _expand(compiled.string) if plain else None
        if rows and self.sql is not None:
            self.sql = _multi_row(compiled, rows)
        self.writes = isinstance(stmt, UpdateBase)
        self.table = getattr(getattr(stmt, "table", None), "name", None)
        self.unchanged = bool(stmt.get_execution_options().get("catalog_unchanged"))
        self._suffixed = []

    def suffixed(self, i):
        """{name: name__i}: row i's parameter names in a multi-row INSERT (made once, not per row and call)."""
        while len(self._suffixed) <= i:
            self._suffixed.append(_Suffixed(len(self._suffixed)))
        return self._suffixed[i]

    def parameters(self, params):
        """What the cursor gets: the statement's own values, the caller's, defaults, each processed for the
        driver."""
        values = {**self.fixed, **params}
        for key, default in self.defaults:
            if key not in params:
                values[key] = default.arg(None) if default.is_callable else default.arg
        for name, process in self.processors.items():
            if name in values:
                values[name] = process(values[name])
        return values


class _Suffixed(dict):
    def __init__(self, i):
        super().__init__()
        self.i = i

    def __missing__(self, name):
        found = self[name] = f"{name}__{self.i}"
        return found


def _result_processors(compiled, dialect):
    return any(type_._cached_result_processor(dialect, None) for _key, _name, _objects, type_ in
               compiled._result_columns)


def _multi_row(compiled, rows):
    """The INSERT's SQL with `rows` VALUES tuples, row i's parameters named <name>__<i> (as insertmanyvalues
    does); None when the INSERT has no such VALUES clause."""
    many = compiled._insertmanyvalues
    single = many.single_values_expr if many else None
    if not single or compiled.string.count(f"({single})") != 1:
        return None
    tuples = ", ".join("(" + _PARAM.sub(lambda m, i=i: f"%({m.group(1)}__{i})s", single) + ")" for i in range(rows))
    return compiled.string.replace(f"({single})", tuples)


def _expand(sql):
    """Expanding IN parameters as PostgreSQL arrays (psycopg sends a list as one)."""
    return _EXPANDING.sub(lambda m: f"{'<> ALL' if m.group(1) else '= ANY'}(%({m.group(2)})s)", sql)


def compiled_for(stmt, dialect, params, rows=0):
    keys = tuple(sorted(params)) if isinstance(stmt, UpdateBase) and params else None
    key = (id(stmt), dialect.name, keys, rows)
    found = _COMPILED.get(key)
    if found is None or found[0] is not stmt:
        found = _COMPILED[key] = (stmt, Compiled(stmt, dialect, keys, rows))
    return found[1]


def run(stmt, params=None):
    """The rows of a prebuilt Core statement (tuples; [] when it returns none), in the session's transaction.
    `params`: a dict of bound values. Use `rowcount()` for what a write changed."""
    return _send(stmt, params or {})[0]


def rowcount(stmt, params=None):
    """Rows a prebuilt Core write changed."""
    return _send(stmt, params or {})[1]


def scalar(stmt, params=None):
    """The first column of the first row, or None."""
    rows = run(stmt, params)
    return rows[0][0] if rows else None


def first_row(conn, stmt, params):
    """The first row (a tuple) of a prebuilt Core SELECT on `conn`, a Connection of its own outside the ORM session
    (the members' page check, accounts/sessions.py), or None; sent as `run()` sends it."""
    compiled = compiled_for(stmt, conn.dialect, params)
    if compiled.sql is None or not compiled.names <= params.keys():
        return conn.execute(stmt, params).first()
    rows = _execute(conn, _cursor(conn), compiled.sql, compiled.parameters(params), only_counted(conn))[0]
    return rows[0] if rows else None


def run_many(stmt, rows):
    """A prebuilt Core INSERT of several rows (dicts with the same keys) sent as one multi-row statement; the rows
    its RETURNING gives (in no promised order: match them by the columns returned)."""
    session = db.session()
    conn, cursor, quiet = _connection(session)
    compiled = compiled_for(stmt, conn.dialect, rows[0], len(rows)) if len(rows) <= MAX_ROWS else None
    if compiled is None or compiled.sql is None or any(row.keys() != rows[0].keys() for row in rows) or not compiled.names <= rows[
            0].keys() or _staff_acting(session):
        result = session.execute(stmt, rows)
        return result.all() if result.returns_rows else []
    if not compiled.unchanged:
        _mark_catalog(session, compiled.table)
    _autoflush(session)
    params = dict(compiled.fixed)
    for i, row in enumerate(rows):
        values = compiled.parameters(row)
        params.update(zip(map(compiled.suffixed(i).__getitem__, values), values.values()))
    return _execute(conn, cursor, compiled.sql, params, quiet)[0]


def _send(stmt, params):
    session = db.session()
    conn, cursor, quiet = _connection(session)
    compiled = compiled_for(stmt, conn.dialect, params)
    if compiled.sql is None or not compiled.names <= params.keys() or (compiled.writes and _staff_acting(session)):
        result = session.execute(stmt, params)
        return (result.all() if getattr(result, "returns_rows", True) else []), getattr(result, "rowcount", -1)
    if compiled.writes and not compiled.unchanged:
        _mark_catalog(session, compiled.table)
    _autoflush(session)
    return _execute(conn, cursor, compiled.sql, compiled.parameters(params), quiet)


def _execute(conn, cursor, sql, params, quiet):
    """The statement on `cursor`, conn's DBAPI cursor, with the engine's cursor events around it; `quiet`
    (sql.only_counted): only counted, without the events."""
    events = not quiet and (conn._has_events or conn.engine._has_events)
    try:
        if events:
            conn.dispatch.before_cursor_execute(conn, cursor, sql, params, None, False)
        elif quiet:
            note(sql)
        cursor.execute(sql, params)
        if events:
            conn.dispatch.after_cursor_execute(conn, cursor, sql, params, None, False)
        result = cursor.pgresult  # (not cursor.description, which builds a Column for each column)
        return (cursor.fetchall() if result is not None and result.status == TUPLES_OK else []), cursor.rowcount
    except Exception as err:
        conn._handle_dbapi_exception(err, sql, params, cursor, None)


def _connection(session):
    """(the session's connection in its transaction (begun if none), its DBAPI cursor, whether it is
    sql.only_counted): `Session.connection()`, kept for the rest of the transaction (finding them again costs more
    than some statements, and a listener added meanwhile is seen from the next transaction on). The transaction
    compared is the session's innermost (`_transaction`; a savepoint's start or end finds them again)."""
    transaction = session._transaction
    kept = session.info.get(_CONNECTION)
    if kept is None or transaction is None or kept[0] is not transaction or not transaction.is_active:
        conn = session.connection()
        cursor = _cursor(conn) if conn.dialect.name == "postgresql" else None  # (only PostgreSQL's is used)
        kept = session.info[_CONNECTION] = (session._transaction, conn, cursor, only_counted(conn))
    return kept[1:]


def _cursor(conn):
    """One cursor per DBAPI connection, kept with it (a new cursor copies the connection's adapters each time)."""
    dbapi = conn.connection.dbapi_connection
    kept = conn.connection.info.get(_CURSOR)
    if kept is None or kept[0] is not dbapi or kept[1].closed:
        kept = conn.connection.info[_CURSOR] = (dbapi, dbapi.cursor())
    return kept[1]


def loaded(model, values):
    """A `model` instance holding `values` as if the ORM had loaded them from its row: set in its state without
    change events (the constructor's instrumented sets cost more than the row's read). `adopt()` it next."""
    obj = manager_of_class(model).new_instance()
    instance_state(obj).dict.update(values)
    return obj


def adopt(obj, *parts):
    """Hand `obj`, built from a row just read or written here, to the session as the persistent object it is (every
    attribute it was given counts as loaded), with `parts`: objects it holds that the session adds with it (an
    order's lines, already set on it); returns obj.

    What `Session.add` does for a detached object, without its save-update cascade: that walks every relationship of
    the object and of what it holds to find objects, and these are all named here (the cascade cost more than the
    rest of the hand-over)."""
    session = db.session()
    for each in (obj, *parts):
        make_transient_to_detached(each)
        state = instance_state(each)
        state._orphaned_outside_of_session = False
        session._update_impl(state)
    return obj


def _autoflush(session):
    """What Session.execute does first: pending ORM changes are flushed, so the statement sees them (nothing on a
    clean session, and inside `no_autoflush`). Clean is what `Session.flush` checks first (`_is_clean`: nothing new,
    deleted or modified), read here without its two calls and the deprecation wrapper around `flush`."""
    if session.autoflush and (session._new or session._deleted or session.identity_map._modified):
        session._autoflush()


def _staff_acting(session):
    return _late("recorder")(session) is not None


def _mark_catalog(session, table):
    _late("mark_if_storefront")(session, table)


_LATE = {}


def _late(name):
    """A function of a module that imports this one, imported at its first use (a function-level import costs about
    a µs each time: the import system is asked again, and fails to find a `__path__` on the module)."""
    found = _LATE.get(name)
    if found is None:
        from .caching.generation import mark_if_storefront
        from .staff.oplog import recorder

        _LATE.update(recorder=recorder, mark_if_storefront=mark_if_storefront)
        found = _LATE[name]
    return found
