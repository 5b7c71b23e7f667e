"""Flask's signed cookie session, with its signer made once per secret key instead of once per request.

Flask builds a new itsdangerous serializer each time it opens and each time it saves a session (even a request
with no cookie pays for one). The serializer holds nothing of a request, so one per (secret key, fallbacks) serves
every request of the process; the cookie itself is the same, byte for byte."""
import threading

from flask.sessions import SecureCookieSessionInterface


class CookieSessions(SecureCookieSessionInterface):
    """The session interface the app uses (security/__init__.py register)."""

    def __init__(self):
        self._serializers, self._lock = {}, threading.Lock()

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
