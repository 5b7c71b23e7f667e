"""The signed cookie session (shop/security/cookie_session.py): a cookie it has verified opens again without a new
check of its signature, but never past its age, never with another secret key, and never shared between requests."""
import time

import pytest
from flask import request

from shop.security.cookie_session import CookieSessions


@pytest.fixture
def opened(app):
    """opened(cookie) -> the session a fresh CookieSessions opens from that cookie, as a dict (None: no session)."""
    sessions = CookieSessions()

    def open_(cookie):
        with app.test_request_context("/", headers={"Cookie": f"session={cookie}"}):
            session = sessions.open_session(app, request)
            return None if session is None else dict(session)
    open_.sessions = sessions
    return open_


def signed(app, data, key=None):
    serializer = CookieSessions().get_signing_serializer(app)
    if key:
        serializer.secret_keys = [key.encode()]
    return serializer.dumps(data)


def test_a_cookie_opens_to_the_same_session_each_time(app, opened):
    cookie = signed(app, {"_user_id": "7:3", "csrf_token": "abc"})
    assert opened(cookie) == opened(cookie) == {"_user_id": "7:3", "csrf_token": "abc"}
    assert len(opened.sessions._opened) == 1


def test_a_remembered_cookie_expires_like_any_other(app, opened, monkeypatch):
    cookie = signed(app, {"_user_id": "7:3"})
    assert opened(cookie) == {"_user_id": "7:3"}
    later = time.time() + app.permanent_session_lifetime.total_seconds() + 5
    monkeypatch.setattr(time, "time", lambda: later)
    assert opened(cookie) == {}


@pytest.mark.parametrize("cookie", [
    lambda app: signed(app, {"_user_id": "1:1"}, key="another-secret"),
    lambda app: signed(app, {"_user_id": "1:1"})[:-2] + "xx",
    lambda app: "not-a-cookie",
])
def test_a_cookie_signed_otherwise_opens_empty(app, opened, cookie):
    assert opened(cookie(app)) == {}
    assert len(opened.sessions._opened) == 0


def test_a_session_holding_lists_is_opened_but_not_remembered(app, opened):
    cookie = signed(app, {"cart": {"5": [2, 1]}, "_flashes": [["success", "ok"]]})
    assert opened(cookie) == {"cart": {"5": [2, 1]}, "_flashes": [["success", "ok"]]}
    assert len(opened.sessions._opened) == 0


def test_a_change_to_one_requests_session_stays_in_it(app):
    sessions = CookieSessions()
    cookie = signed(app, {"lang": "en"})
    for _ in range(2):
        with app.test_request_context("/", headers={"Cookie": f"session={cookie}"}):
            opened = sessions.open_session(app, request)
            assert dict(opened) == {"lang": "en"}
            opened["lang"] = "zh"


@pytest.mark.parametrize("data, modified, accessed, before", [
    ({}, False, False, None), ({}, False, True, None), ({}, False, True, "Accept-Encoding"),
    ({}, False, True, "accept-encoding, cookie"), ({}, True, True, "Accept-Encoding"),
    ({"lang": "en"}, True, True, None), ({"lang": "en"}, False, True, "Accept-Encoding"),
])
def test_saving_answers_exactly_as_flasks_own(app, data, modified, accessed, before):
    """The same Set-Cookie and Vary as Flask's SecureCookieSessionInterface, whatever the session's state."""
    from flask.sessions import SecureCookieSession, SecureCookieSessionInterface

    def saved(interface):
        session = SecureCookieSession(data)
        session.modified, session.accessed = modified, accessed
        response = app.response_class("", 204)
        if before:
            response.headers["Vary"] = before
        with app.test_request_context("/"):
            interface.save_session(app, session, response)
        return response.headers.getlist("Set-Cookie"), response.headers.get("Vary")

    ours, flasks = saved(CookieSessions()), saved(SecureCookieSessionInterface())
    assert ours[0] == flasks[0]
    assert (ours[1] or "").replace(" ", "").lower().split(",") == (flasks[1] or "").replace(" ", "").lower().split(",")
