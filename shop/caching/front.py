"""The page cache's front door: an anonymous GET whose page is in the cache is answered here, in WSGI, before Flask
builds anything for it (the request context, the session, the URL match, the hooks). A share surge or a flash sale
is mostly such requests: first visits from a shared link, with no cookie of the mall's yet.

It answers only what Flask's path (pages.py `serve_cached`) would answer from the cache in the same way: a GET with
no session cookie and no remember-me cookie (so the session is empty and the visitor gets no CSRF token,
`visitor_token`), no `?ref=` and no conditional or range header, while the catalog generation and the next time
boundary are known without a query, and only when its URL routes to one of the cached pages' endpoints (a static
file, /healthz and the rest cost no cache lookup). Its answer is the one that path gives: the page with its holes filled, the
security headers, the device cookie for a browser that has none, `Vary`, compression chosen and made as
Flask-Compress does, the request id and X-Served-By, then one access log line and the request metrics. Such a page
is the same bytes for every visitor until its entry changes (or, with countdowns, each second), so each body is
compressed once per algorithm and kept by its digest (`packed`): a browser always asks for brotli or gzip, and
compressing a page costs more than the rest of the hit.
tests/catalog/test_front_door.py compares the two paths' answers header by header.

Anything else, and any error here, goes on to Flask."""
import hashlib
import logging
import threading
import time

from cachetools import LRUCache
from flask_compress.flask_compress import _choose_algorithm, _compress_data
from werkzeug.exceptions import HTTPException
from werkzeug.http import http_date
from werkzeug.wrappers import Request

from .. import pick_locale
from ..accounts.sessions import remember_cookie
from ..extensions import compress
from ..growth.web import DEVICE_COOKIE, device_cookie, new_device_id
from ..ops import logs, metrics
from ..security.headers import is_private, standard_headers
from . import boundaries, generation
from .pages import ENDPOINTS, fill, key_of, opened, stamp_of
from .store import get_store

log = logging.getLogger(__name__)
#: A request carrying one of these goes to Flask (werkzeug answers conditional and partial GETs there).
CONDITIONAL = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_MATCH", "HTTP_IF_UNMODIFIED_SINCE",
               "HTTP_RANGE", "HTTP_IF_RANGE")


class FrontDoor:
    """WSGI middleware around the Flask app (and inside ProxyFix); `enabled` False sends everything to Flask."""

    def __init__(self, app, wsgi_app):
        self.app, self.wsgi_app, self.enabled = app, wsgi_app, True
        self.packed, self.packing = LRUCache(maxsize=512), threading.Lock()
        # A fault of the door's own repeats on every request: one log line a minute says it (Flask answers meanwhile).
        self.warn = logs.Throttled(log).warning
        self.own_cookies = (app.config["SESSION_COOKIE_NAME"], remember_cookie(app.config))

    def __call__(self, environ, start_response):
        if self.enabled and environ.get("REQUEST_METHOD") == "GET" and not any(h in environ for h in CONDITIONAL) \
                and not self.maybe_member(environ.get("HTTP_COOKIE")):
            started, request = time.perf_counter(), Request(environ)
            try:
                answer = self.answer(request)
            except Exception:  # the cache's trouble is never the shopper's: Flask answers
                self.warn("page cache front door failed; Flask answers")
                answer = None
            if answer is not None:
                start_response("200 OK", answer[1])
                self.record(request, answer[0], dict(answer[1])["X-Request-ID"], started)
                return [answer[2]]
        return self.wsgi_app(environ, start_response)

    def maybe_member(self, cookie_header):
        """True when the Cookie header may carry the session or remember-me cookie (a signed-in member's browser,
        which Flask answers): told from the raw header, before anything parses it; a name that only looks like one
        of them sends the request to Flask, which is always right."""
        return bool(cookie_header) and any(name + "=" in cookie_header for name in self.own_cookies)

    def answer(self, request):
        """(endpoint, headers, body) of the cached page for this request, or None."""
        cookies = request.cookies if "HTTP_COOKIE" in request.environ else {}
        if any(name in cookies for name in self.own_cookies) or "ref" in request.args:
            return None
        endpoint = self.endpoint(request)
        cached = self.cached(request) if endpoint in ENDPOINTS else None
        if cached is None:
            return None
        age, body = opened(cached)
        return (endpoint, *self.headers(request, cookies, fill(body, age, token=b"")))

    def endpoint(self, request):
        """The endpoint Flask would route this request to, or None (not found, a redirect: Flask answers those).
        Found before anything else is read, so a static file or /healthz costs no cache lookup."""
        try:
            return self.app.url_map.bind_to_environ(request.environ).match()[0]
        except HTTPException:
            return None

    def cached(self, request):
        gen = generation.current(self.app)
        if gen is None:
            return None
        found, moment = boundaries.known(self.app, gen)
        if not found:
            return None
        key = key_of(stamp_of(gen, moment, pick_locale(request.args.get("lang"))), "", request.full_path)
        return get_store(self.app).get(key)

    def headers(self, request, cookies, body):
        """What Flask's hooks put on this page's answer (security/headers.py, growth/web.py, Flask-Compress, the
        session's Vary, ops/logs.py, served_by.py): (headers, the body as sent)."""
        config = self.app.config
        headers = [("Content-Type", "text/html; charset=utf-8"), ("X-Page-Cache", "hit")]
        headers += standard_headers(config.get("CSP_IMG_SOURCES"), config.get("ENV_NAME") == "production",
                                    is_private(request.path))
        if DEVICE_COOKIE not in cookies:
            headers.append(("Set-Cookie", device_cookie(new_device_id())))
        headers.append(("Vary", "Accept-Encoding, Cookie"))
        algorithm = _choose_algorithm(compress.enabled_algorithms, request.headers.get("Accept-Encoding", ""))
        if algorithm is not None and len(body) >= config["COMPRESS_MIN_SIZE"]:
            body = self.compressed(body, algorithm)
            headers += [("Content-Encoding", algorithm), ("Date", http_date())]
        headers += [("Content-Length", str(len(body))),
                    ("X-Request-ID", logs.request_id(request.headers.get("X-Request-ID", "")))]
        if config.get("HOST_NAME"):
            headers.append(("X-Served-By", config["HOST_NAME"]))
        return headers, body

    def compressed(self, body, algorithm):
        """`body` compressed with `algorithm` by Flask-Compress's own function, once per distinct body."""
        key = (algorithm, hashlib.blake2b(body, digest_size=16).digest())
        with self.packing:
            packed = self.packed.get(key)
        if packed is None:
            packed = _compress_data(self.app, body, algorithm)
            with self.packing:
                self.packed[key] = packed
        return packed

    def record(self, request, endpoint, request_id, started):
        """The access line and the metrics of an answer already given (a fault here is logged, not answered twice)."""
        logs.outside.request_id = request_id
        try:
            logs.access_line("GET", request.path, 200, started, request.remote_addr)
            metrics.count(endpoint, "GET", 200, started)
        except Exception:
            self.warn("page cache front door: a hit was not logged or counted")
        finally:
            logs.outside.request_id = None
