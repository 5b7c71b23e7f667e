"""Flask's signed cookie session, with its signer made once per secret key instead of once per request, and a
cookie it has verified remembered for the next request that brings it.

Flask builds a new itsdangerous serializer each time it opens and each time it saves a session (even a request
with no cookie pays for one), then checks the cookie's signature and decodes its JSON on every request. The
serializer holds nothing of a request, so one per (secret key, fallbacks) serves every request of the process; and
a cookie whose signature it has checked needs only its age checked again (the signature and content of the same
bytes cannot change). The cookie itself is the same, byte for byte, and so is every header of an answer."""
import threading
import time

from cachetools import LRUCache
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature

#: Only sessions of plain values are remembered: a new session copies the top level, so nothing is shared.
PLAIN = (str, int, float, bool, type(None))


class CookieSessions(SecureCookieSessionInterface):
    """The session interface the app uses (create_app register_security)."""

    def __init__(self, remembered=1024):
        self._serializers, self._lock = {}, threading.Lock()
        self._opened = LRUCache(maxsize=remembered)  # (serializer, cookie) -> (signed at, data)

    def get_signing_serializer(self, app):
        if not app.secret_key:
            return None
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        serializer = self._serializers.get(keys)
        if serializer is None:
            serializer = super().get_signing_serializer(app)
            with self._lock:
                self._serializers = {keys: serializer}  # a new key replaces the old one
        return serializer

    def open_session(self, app, request):
        serializer = self.get_signing_serializer(app)
        # No Cookie header (a gateway's notification, a first visit): nothing to parse (request.cookies reads every
        # header of the request to find it).
        value = request.cookies.get(self.get_cookie_name(app)) if serializer and "HTTP_COOKIE" in request.environ \
            else None
        if not value:
            return self.session_class() if serializer else None
        max_age = int(app.permanent_session_lifetime.total_seconds())
        with self._lock:
            known = self._opened.get((serializer, value))
        if known is not None and 0 <= int(time.time()) - known[0] <= max_age:  # itsdangerous's own age rule
            return self.session_class(known[1])
        try:
            data, signed_at = serializer.loads(value, max_age=max_age, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        if all(isinstance(v, PLAIN) for v in data.values()):
            with self._lock:
                self._opened[(serializer, value)] = (int(signed_at.timestamp()), data)
        return self.session_class(data)

    def save_session(self, app, session, response):
        """Flask's, without its six cookie settings read for a session that is empty and unchanged (a gateway's
        notification, a visit that keeps no session: nothing to write or delete), and its Vary kept as a string."""
        if session or session.modified:
            return super().save_session(app, session, response)
        if session.accessed:
            add_vary(response, "Cookie")


def add_vary(response, name):
    """`response.vary.add(name)` as a string edit: werkzeug's parses the header into a set and writes it back."""
    vary = response.headers.get("Vary")
    if not vary:
        response.headers["Vary"] = name
    elif name.lower() not in (part.strip().lower() for part in vary.split(",")):
        response.headers["Vary"] = f"{vary}, {name}"
