"""The CSRF token's secret, renewed at every login (shopper and staff)."""
from flask import current_app, g, session


def rotate_csrf_token():
    """Forget this browser's CSRF secret: a token from a page served before the login no longer validates, and the
    next form gets a new one (Flask-WTF keeps the secret in the session and the signed token in `g`)."""
    name = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    session.pop(name, None)
    g.pop(name, None)
