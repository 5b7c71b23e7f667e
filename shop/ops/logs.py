"""Structured logs: one line per request (logger `shop.access`) and per gateway notification (`shop.notify`,
notices.py), as JSON objects with SHOP_LOG_FORMAT=json (the default in production). Every line written during a
request carries its request id: nginx's X-Request-ID when it is well formed, else one made here; the response
echoes it."""
import logging
import re
import threading
import time
import uuid

from flask import g, has_request_context, request
from pythonjsonlogger.json import JsonFormatter
from sqlalchemy import inspect as sa_inspect

access_log = logging.getLogger("shop.access")
#: nginx's $request_id is 32 hex digits; anything else a client sends (or nothing) gets a new id.
WELL_FORMED_ID = re.compile(r"[A-Za-z0-9._-]{8,128}\Z")
HANDLER_NAME = "shop"
JSON = JsonFormatter("{levelname}{name}{message}", style="{", timestamp="ts", json_ensure_ascii=False,
                     rename_fields={"levelname": "level", "name": "logger"})
TEXT = logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")


class _Outside(threading.local):
    """The request id of a request answered before Flask made a context for it (caching/front.py)."""
    request_id = None


outside = _Outside()


class Throttled:
    """A warning that would repeat on every request while its cause lasts (Redis away, a fault of the page cache's
    front door): written with its traceback at most once every `seconds`."""

    def __init__(self, logger, seconds=60):
        self.logger, self.seconds, self.last = logger, seconds, float("-inf")
        self.lock = threading.Lock()

    def warning(self, message):
        now = time.monotonic()
        with self.lock:
            due = now - self.last >= self.seconds
            if due:
                self.last = now
        if due:
            self.logger.warning(message, exc_info=True)


def install_request_ids():
    """Every log record gets `request_id` (None outside a request), whichever logger or handler sees it."""
    make_record = logging.getLogRecordFactory()
    if getattr(make_record, "shop_request_id", False):
        return

    def record_with_request_id(*args, **kwargs):
        record = make_record(*args, **kwargs)
        record.request_id = g.get("request_id") if has_request_context() else outside.request_id
        return record

    record_with_request_id.shop_request_id = True
    logging.setLogRecordFactory(record_with_request_id)


def init_app(app):
    fmt = app.config.get("LOG_FORMAT") or ("json" if app.config.get("ENV_NAME") == "production" else "text")
    install_request_ids()
    if not app.testing or app.config.get("LOG_FORMAT"):  # tests read records through pytest's caplog
        configure(fmt)
    app.before_request(start)
    app.after_request(finish)


def configure(fmt):
    """One handler on the root logger (stderr), in `fmt`; calling it again only changes the format. Neither format
    shows where a line was logged from or the process's multiprocessing name, so logging is told not to look them
    up (the Logging HOWTO's "Optimization": `logging._srcfile = None` saves walking the stack on every line)."""
    logging._srcfile = None
    logging.logMultiprocessing = False
    root = logging.getLogger()
    handler = next((h for h in root.handlers if h.get_name() == HANDLER_NAME), None)
    if handler is None:
        handler = logging.StreamHandler()
        handler.set_name(HANDLER_NAME)
        root.addHandler(handler)
    handler.setFormatter(JSON if fmt == "json" else TEXT)
    root.setLevel(min(root.level or logging.WARNING, logging.INFO))
    return handler


def start():
    g.request_id = request_id(request.headers.get("X-Request-ID", ""))
    g.started = time.perf_counter()


def request_id(sent):
    """The id nginx sent when it is well formed, else a new one."""
    return sent if WELL_FORMED_ID.match(sent) else uuid.uuid4().hex


def finish(response):
    """The request's access line; the response carries its id."""
    ctx = g._get_current_object()
    req = request._get_current_object()
    response.headers["X-Request-ID"] = ctx.get("request_id") or ""
    access_line(req.method, req.path, response.status_code, ctx.get("started", time.perf_counter()), req.remote_addr,
                signed_in_user_id(ctx))
    return response


def access_line(method, path, status, started, ip, user_id=None):
    """The access log's line for a request answered now that started at `started` (perf_counter)."""
    ms = round((time.perf_counter() - started) * 1000, 1)
    access_log.info("%s %s %s %sms", method, path, status, ms, extra={
        "method": method, "path": path, "status": status, "ms": ms, "ip": ip, "user_id": user_id})


def signed_in_user_id(ctx):
    """The member's (or staff member's) id when this request loaded one (Flask-Login keeps it in g); never a query
    of its own. The id comes from the row's identity, not its attributes: after a commit they are expired, and
    reading `user.id` or `is_authenticated` would load the row again, here, after the error handlers (with the
    database away that was a bare 500)."""
    user = ctx.get("_login_user")
    if user is None and ctx.get("signed_in_id") is not None:
        return str(ctx.signed_in_id)  # a member served a shared page from the cache: checked, no row loaded
    state = sa_inspect(user, raiseerr=False) if user is not None else None
    if state is None or not state.identity:
        return None  # anonymous, or not a row
    return str(state.identity[0])
