"""Pages' `csrf_token()` signs a session's CSRF secret once per process (shop/csrf_token.py signed_token): the
token is the same on the session's next page and validates; another session, a rotated secret (login) or a
configured time limit gets a token of its own."""
from flask import g, session
from flask_wtf.csrf import validate_csrf

from shop.csrf_token import rotate_csrf_token, signed_token


def token_in(app, secret=None):
    """The page's token in a request of its own (its own app context, so its own `g`)."""
    with app.app_context(), app.test_request_context("/"):
        if secret:
            session["csrf_token"] = secret
        token = signed_token()
        validate_csrf(token)  # raises when it does not hold for this session
        return token, session["csrf_token"]


def later(monkeypatch, seconds=5):
    """itsdangerous stamps whole seconds: move the clock on, so signing again would give other bytes."""
    import time

    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + seconds)


def test_the_next_page_of_a_session_carries_the_same_valid_token(app, monkeypatch):
    first, secret = token_in(app)
    later(monkeypatch)
    again, _ = token_in(app, secret)
    assert again == first


def test_another_session_gets_its_own(app):
    first, secret = token_in(app)
    other, other_secret = token_in(app)
    assert other_secret != secret and other != first


def test_a_rotated_secret_gets_a_new_token(app):
    first, secret = token_in(app, "a" * 40)
    with app.app_context(), app.test_request_context("/"):
        session["csrf_token"] = secret
        signed_token()
        rotate_csrf_token()
        assert "csrf_token" not in g and "csrf_token" not in session
        renewed = signed_token()
        assert renewed != first and session["csrf_token"] != secret


def test_with_a_time_limit_every_page_signs_anew(app, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_TIME_LIMIT", 3600)
    first, secret = token_in(app)
    later(monkeypatch)
    again, _ = token_in(app, secret)
    assert again != first


def test_templates_use_it(app):
    assert app.jinja_env.globals["csrf_token"] is signed_token
    with app.app_context(), app.test_request_context("/"):
        assert app.jinja_env.from_string("{{ csrf_token() }}").render() == signed_token()
