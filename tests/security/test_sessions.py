"""Session revocation: a cookie copied before logout, a later login or a password change opens nothing; the
remember-me cookie carries the session version. The CSRF token is renewed at login (shopper and staff)."""
import re

import pytest

from shop.accounts.models import User
from tests.conftest import login_staff


def copy(source, target, name):
    """Put `source`'s cookie `name` into `target` (what a thief does with a stolen cookie)."""
    target.set_cookie(name, source.get_cookie(name).value)
    return target


def opens_me(client):
    return client.get("/me").status_code == 200


@pytest.fixture
def member(make_user):
    return make_user(phone="13812345678", password="old-pass-42")


def log_in(client, remember=False):
    data = {"phone": "13812345678", "password": "old-pass-42", **({"remember": "y"} if remember else {})}
    assert client.post("/login", data=data).status_code == 302
    return client


def test_a_session_cookie_copied_before_logout_opens_nothing(app, member):
    browser, thief = log_in(app.test_client()), app.test_client()
    copy(browser, thief, "session")
    assert opens_me(thief)
    browser.post("/logout")
    assert not opens_me(thief) and not opens_me(browser)


def test_a_later_login_ends_the_earlier_sessions(app, member):
    first = log_in(app.test_client())
    second = log_in(app.test_client())
    assert opens_me(second) and not opens_me(first)


def test_a_remember_me_cookie_opens_the_account_until_logout(app, member):
    browser = log_in(app.test_client(), remember=True)
    thief = copy(browser, app.test_client(), "remember_token")
    assert opens_me(copy(browser, app.test_client(), "remember_token"))
    browser.post("/logout")
    assert not opens_me(thief)


def test_the_remember_me_token_differs_at_every_login(app, member):
    tokens = {log_in(app.test_client(), remember=True).get_cookie("remember_token").value for _ in range(3)}
    assert len(tokens) == 3


def test_a_password_change_ends_other_sessions_and_remember_tokens_but_keeps_this_one(app, db, member):
    browser = log_in(app.test_client(), remember=True)
    stolen_session = copy(browser, app.test_client(), "session")
    stolen_token = copy(browser, app.test_client(), "remember_token")
    resp = browser.post("/me/account", data={"form": "password", "w-old_password": "old-pass-42",
                                             "w-password": "new-pass-42", "w-confirm": "new-pass-42"})
    assert resp.status_code == 302
    assert not opens_me(stolen_session) and not opens_me(stolen_token)
    assert opens_me(browser)
    assert opens_me(copy(browser, app.test_client(), "remember_token"))  # this browser's renewed cookie
    assert db.session.get(User, member.id).check_password("new-pass-42")


@pytest.mark.parametrize("user_id", ["1", "1:", ":1", "1:x", "x:1", "1:1:1", "99999999999:1", "1:99999999999",
                                     "١:١", "", "1:1\n"])
def test_a_malformed_or_old_session_id_logs_nobody_in(client, member, user_id):
    with client.session_transaction() as sess:
        sess["_user_id"], sess["_fresh"] = user_id, True
    resp = client.get("/me")
    assert resp.status_code == 302 and resp.headers["Location"].startswith("/login")


def test_a_staff_cookie_copied_before_logout_opens_nothing(app, make_staff):
    browser, thief = app.test_client(), app.test_client()
    login_staff(browser, make_staff())
    copy(browser, thief, "session")
    assert thief.get("/admin/").status_code == 200
    browser.post("/admin/logout")
    assert thief.get("/admin/").status_code == 302 and browser.get("/admin/").status_code == 302


# --- the CSRF token at login ----------------------------------------------------------------------------------

TOKEN = re.compile(r'name="(?:\w+-)?csrf_token" (?:type="hidden" )?value="([^"]+)"')


@pytest.fixture
def csrf_on(app):
    app.config["WTF_CSRF_ENABLED"] = True
    yield app
    app.config["WTF_CSRF_ENABLED"] = False


def token(client, path):
    return TOKEN.search(client.get(path).get_data(as_text=True)).group(1)


def test_the_shopper_login_renews_the_csrf_token(csrf_on, client, member):
    before = token(client, "/login")
    resp = client.post("/login", data={"phone": member.phone, "password": "old-pass-42", "csrf_token": before})
    assert resp.status_code == 302
    assert client.post("/cart/add", data={"sku_id": "1", "quantity": "1", "csrf_token": before}).status_code == 400
    after = token(client, "/me/account")
    assert after != before
    assert client.post("/logout", data={"csrf_token": after}).status_code == 302


def test_the_staff_login_renews_the_csrf_token(csrf_on, client, make_staff):
    staff = make_staff()
    before = token(client, "/admin/login")
    resp = client.post("/admin/login", data={"login": staff.login, "password": "secret123", "csrf_token": before})
    assert resp.status_code == 302
    assert client.post("/admin/logout", data={"csrf_token": before}).status_code == 400
    after = token(client, "/admin/")
    assert after != before
    assert client.post("/admin/logout", data={"csrf_token": after}).status_code == 302
