"""The database away (PostgreSQL restarting or unreachable): a 503 with a clear message, never a stack trace,
and recovery without intervention.

There is no pre-ping per checkout: a pooled connection the server dropped fails on its first statement,
SQLAlchemy recognises the disconnect and invalidates the whole pool (every connection opened before it is
replaced on its next checkout), this request answers 503, and the next one connects afresh."""
import logging

from flask import g, jsonify, render_template, request
from flask_babel import gettext as _
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from ..extensions import db, login_manager

log = logging.getLogger("shop.outage")
#: Paths whose callers read JSON: the gateways' notifications get their FAIL body (they retry later).
NOTIFY_PATHS = ("/pay/notify/", "/pay/refund-notify/")
JSON_PATHS = ("/healthz", "/metrics", "/api/")
RETRY_AFTER_SECONDS = 5


def is_outage(err):
    """An error that says the database cannot be reached now (not a bug in a statement)."""
    if isinstance(err, (OperationalError, InterfaceError, PoolTimeout)):
        return True
    return isinstance(err, DBAPIError) and err.connection_invalidated


def init_app(app):
    app.register_error_handler(DBAPIError, database_away)
    app.register_error_handler(PoolTimeout, database_away)


def end_sessions_quietly(app):
    """In place of Flask-SQLAlchemy's own teardown (`session.remove()`), which lets a failed ROLLBACK escape."""
    app.teardown_appcontext_funcs[:] = [f for f in app.teardown_appcontext_funcs if f != db._teardown_session]
    app.teardown_appcontext(end_session)


def end_session(_exc):
    """The database lost between the request's last statement and its end: the answer is made already, only the
    closing ROLLBACK fails. SQLAlchemy has invalidated the connection by then, so closing again releases it; the
    request keeps its answer instead of a 500 from the teardown."""
    try:
        db.session.remove()
    except DBAPIError as err:
        if not is_outage(err):
            raise
        log.warning("database lost at the end of the request: %s", first_line(err))
        db.session.remove()


def first_line(err):
    return str(getattr(err, "orig", None) or err).strip().splitlines()[0]


def database_away(err):
    """503 for an outage; any other database error goes on to the 500 handler (it is a bug)."""
    if not is_outage(err):
        raise err
    log.warning("database unavailable: %s", first_line(err))
    try:
        db.session.rollback()
    except Exception:  # the connection is gone already; the pool has been invalidated
        db.session.close()
    return answer(_("服务暂时不可用，请稍后刷新重试")), 503, {"Retry-After": str(RETRY_AFTER_SECONDS)}


def answer(message):
    if request.path.startswith(NOTIFY_PATHS):
        return jsonify(code="FAIL", message="database unavailable")
    if request.path.startswith(JSON_PATHS):
        return jsonify(error=message)
    g._login_user = login_manager.anonymous_user()  # the page must not load the member from the database away
    return render_template("errors/outage.html", message=message)
