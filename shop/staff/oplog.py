"""The operation log (操作日志), recorded once for the whole admin, in the same transaction as the change.

During an admin POST (`begin()` from the admin's before_request) two session hooks watch every write:
- `after_flush` (its result added in `after_flush_postexec`, where the session may change again) sees every ORM
  object inserted, updated or deleted, with each changed column's value before
  and after (the attribute history);
- `do_orm_execute` sees the bulk UPDATE and DELETE statements the services use as guards (a ledger post, a
  withdrawal's status move, a refund's decision), which never pass through the flush: it reads the rows the
  statement's WHERE selects before it runs and again (by primary key) after, and keeps the columns that changed.
Each transaction that changed something gets one OperationLog row (who, when, IP, area, endpoint, the URL's
object, the form sent) holding all its changes; it is added to the session, so it commits with the change or
rolls back with it. Secrets (password hashes, tokens) are never written: a changed secret shows as "***"."""
import re
from datetime import date, datetime
from decimal import Decimal

from flask import g, request
from flask.globals import _cv_app, _cv_request
from sqlalchemy import event, inspect, select, tuple_
from sqlalchemy.orm import Session

from ..clock import local_time
from ..extensions import db
from .models import OperationLog

SECRET = re.compile(r"password|secret|token|csrf", re.IGNORECASE)
MAX_TEXT = 300
MAX_ROWS = 200


class Recorder:
    """What one admin request is changing: the open transaction's log entry."""

    def __init__(self, staff_id, area, endpoint, target, form, ip):
        self.fields = {"staff_id": staff_id, "area": area, "endpoint": endpoint, "target": target[:200],
                       "form": form, "ip": ip[:45]}
        self.entry, self.pending = None, []

    def add(self, session, changes):
        if not changes:
            return
        if self.entry is None:
            self.entry = OperationLog(changes=[], **self.fields)
            session.add(self.entry)
        self.entry.changes = self.entry.changes + changes  # a new list, so a flushed entry is updated


def begin(staff, area):
    """Record every change this request makes as done by `staff` in `area`."""
    form = {k: "***" if SECRET.search(k) else clip(v[0] if len(v) == 1 else v)
            for k, v in request.form.to_dict(flat=False).items() if k != "csrf_token"}
    target = ", ".join(f"{k}={v}" for k, v in (request.view_args or {}).items())
    g.oplog = Recorder(staff.id, area, request.endpoint or "", target, form, request.remote_addr or "")


def recorder(session):
    """The request's Recorder when `session` is the app's own session (not, e.g., the sandbox gateway's). Asked
    before every prebuilt write (statements.py), so read from Flask's context variables, not through the `g` and
    `request` proxies."""
    app_ctx = _cv_app.get(None)
    if app_ctx is None or _cv_request.get(None) is None:
        return None
    found = app_ctx.g.get("oplog")
    return found if found is not None and session is db.session() else None


def clip(value):
    """A value the JSON column can hold, long text shortened."""
    if isinstance(value, datetime):  # stored naive UTC; logged as the merchant reads it, in China time
        return local_time(value, "%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, (list, dict)):
        return value
    text = str(value)
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT] + "…"


def shown(key, before, after):
    return ["***", "***"] if SECRET.search(key) else [clip(before), clip(after)]


def _object_change(obj, action):
    state = inspect(obj)
    values = {}
    for attr in state.mapper.column_attrs:
        history = state.attrs[attr.key].history
        if action == "update" and not history.has_changes():
            continue
        before = history.deleted[0] if history.deleted else (history.unchanged or [None])[0]
        after = history.added[0] if history.added else (history.unchanged or [None])[0]
        values[attr.key] = shown(attr.key, None if action == "insert" else before,
                                 None if action == "delete" else after)
    if action == "update" and not values:
        return None
    return {"table": state.mapper.local_table.name, "id": clip(_identity(state)), "action": action,
            "values": values}


def _identity(state):
    key = state.identity or inspect(state.mapper).primary_key_from_instance(state.obj())
    return key[0] if key and len(key) == 1 else list(key or ())


@event.listens_for(Session, "after_flush")
def _after_flush(session, flush_context):
    rec = recorder(session)
    if rec is None:
        return
    groups = (("insert", session.new), ("update", session.dirty), ("delete", session.deleted))
    changes = [_object_change(obj, action) for action, objects in groups for obj in objects
               if not isinstance(obj, OperationLog)]
    rec.pending.extend(c for c in changes if c)


@event.listens_for(Session, "after_flush_postexec")
def _after_flush_postexec(session, flush_context):
    rec = recorder(session)
    if rec is not None and rec.pending:
        pending, rec.pending = rec.pending, []
        rec.add(session, pending)


@event.listens_for(Session, "do_orm_execute")
def _bulk_write(state):
    rec = recorder(state.session)
    if rec is None or not (state.is_update or state.is_delete):
        return None
    table, where = db.metadata.tables[state.statement.table.name], state.statement.whereclause
    query = select(table).limit(MAX_ROWS)
    # A statement built once takes its values as bound parameters: the read of its WHERE gets the same ones.
    params = state.parameters if isinstance(state.parameters, dict) else None
    before = _rows(state.session, query.where(where) if where is not None else query, params)
    result = state.invoke_statement()
    if getattr(result, "returns_rows", True):  # rows (RETURNING) are kept before the next statement runs
        result = result.freeze()
    after = _rows(state.session, _by_keys(table, before)) if before and state.is_update else {}
    rec.add(state.session, _row_changes(table, before, after, "update" if state.is_update else "delete"))
    return result() if callable(result) else result


def _rows(session, stmt, params=None):
    if stmt is None:
        return {}
    rows = session.connection().execute(stmt, params).mappings().all()
    keys = [c.name for c in stmt.selected_columns if c.primary_key]
    return {tuple(row[k] for k in keys): dict(row) for row in rows}


def _by_keys(table, before):
    keys = [c for c in table.primary_key.columns]
    return select(table).where(tuple_(*keys).in_(list(before)) if len(keys) > 1 else keys[0].in_(
        [k[0] for k in before]))


def _row_changes(table, before, after, action):
    changes = []
    for key, old in before.items():
        new = after.get(key, {})
        values = {c: shown(c, v, new.get(c)) for c, v in old.items() if action == "delete" or new.get(c) != v}
        if values:
            changes.append({"table": table.name, "id": clip(key[0] if len(key) == 1 else list(key)),
                            "action": action, "values": values})
    return changes


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_soft_rollback")
def _transaction_ended(session, *args):
    rec = recorder(session)
    if rec is not None:
        rec.entry, rec.pending = None, []
