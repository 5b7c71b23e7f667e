"""The CSRF token's secret, renewed at every login (shopper and staff), and the signed token pages carry."""
import threading

from cachetools import LRUCache
from flask import current_app, g, session
from flask_wtf.csrf import generate_csrf

_signed, _lock = LRUCache(maxsize=8192), threading.Lock()


def rotate_csrf_token():
    """Forget this browser's CSRF secret: a token from a page served before the login no longer validates, and the
    next form gets a new one (Flask-WTF keeps the secret in the session and the signed token in `g`)."""
    name = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    session.pop(name, None)
    g.pop(name, None)


def init_app(app):
    """Pages' `csrf_token()` is `signed_token` (after Flask-WTF, which registers its own in both places)."""
    app.jinja_env.globals["csrf_token"] = signed_token
    app.context_processor(lambda: {"csrf_token": signed_token})


def signed_token():
    """Flask-WTF's `generate_csrf()`, without signing the session's secret anew on every page. With
    WTF_CSRF_TIME_LIMIT None a signed token never ages (validate_csrf checks the signature and the session's
    secret only), so the token signed for this (key, secret) before is as good as a new one; each process keeps the
    last 8,192. With a time limit set, every call signs as Flask-WTF does."""
    name = current_app.config["WTF_CSRF_FIELD_NAME"]
    if name in g:
        return g.get(name)
    if current_app.config["WTF_CSRF_TIME_LIMIT"] is not None:
        return generate_csrf()
    signing_key = current_app.config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key
    secret = session.get(name)
    with _lock:
        token = _signed.get((signing_key, secret)) if isinstance(secret, str) else None
    if token is None:
        token = generate_csrf()  # (a session without a secret gets one now)
        with _lock:
            _signed[(signing_key, session[name])] = token
    setattr(g, name, token)
    return token
