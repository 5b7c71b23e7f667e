"""公众号网页授权: the state check, safe `next`, one openid per member, WeChat's failures, the sandbox imitation."""
import logging
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from shop.accounts import services
from shop.accounts.models import User
from shop.accounts.wechat_oauth import sandbox_openid
from shop.errors import ServiceError
from tests.accounts.fake_wechat_oauth import APPID, SECRET, FakeWechatOAuth

CALLBACK = "http://127.0.0.1:5000/wechat/callback"  # from SHOP_BASE_URL, never from the request's Host


@pytest.fixture(scope="module")
def fake():
    server = FakeWechatOAuth().start()
    yield server
    server.stop()


@pytest.fixture
def wechat(app, monkeypatch, fake):
    """WeChat Pay is the gateway; its web authorization answers from the fake."""
    for key, value in {"SHOP_PAYMENT_GATEWAY": "wechat", "SHOP_WECHAT_APPID": APPID, "SHOP_WECHAT_APP_SECRET": SECRET,
                       "SHOP_WECHAT_OAUTH_API_URL": fake.url, "SHOP_WECHAT_OAUTH_TIMEOUT": "0.5"}.items():
        monkeypatch.setitem(app.config, key, value)
    fake.mode = "ok"
    return fake


@pytest.fixture
def sandbox(app, monkeypatch):
    monkeypatch.setitem(app.config, "SHOP_PAYMENT_GATEWAY", "sandbox")


@pytest.fixture
def member(make_user, login):
    user = make_user(wechat_openid=None)
    login(user)
    return user


def openid_of(db, user):
    db.session.expire_all()
    return db.session.get(User, user.id).wechat_openid


def set_out(client, next_path="/me"):
    """Start the authorization; the state WeChat will be given."""
    resp = client.get("/wechat/auth", query_string={"next": next_path})
    assert resp.status_code == 302
    return parse_qs(urlsplit(resp.headers["Location"]).query)["state"][0]


def come_back(client, code, state, **kw):
    return client.get("/wechat/callback", query_string={"code": code, "state": state}, **kw)


def local(url):
    """The path and query of an absolute URL on SHOP_BASE_URL (the test client's host is localhost)."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def page_of(resp):
    return resp.get_data(as_text=True)


# --- the real WeChat path, against the fake ---------------------------------------------------

def test_start_sends_the_member_to_wechat_silently(client, wechat, member):
    location = client.get("/wechat/auth?next=/me").headers["Location"]
    url, fragment = location.split("#")
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://open.weixin.qq.com/connect/oauth2/authorize"
    assert fragment == "wechat_redirect"
    assert [k for k, _ in (p.split("=") for p in parts.query.split("&"))] == [
        "appid", "redirect_uri", "response_type", "scope", "state"]  # the order WeChat documents
    query = parse_qs(parts.query)
    assert query["appid"] == [APPID] and query["redirect_uri"] == [CALLBACK]
    assert query["response_type"] == ["code"] and query["scope"] == ["snsapi_base"]
    assert len(query["state"][0]) >= 32


def test_the_callback_binds_the_openid_and_goes_back(client, db, wechat, member):
    state = set_out(client, "/orders")
    resp = come_back(client, wechat.issue("oWeChat-member-1"), state)
    assert resp.status_code == 302 and resp.headers["Location"] == "/orders"
    assert openid_of(db, member) == "oWeChat-member-1"
    exchange = wechat.requests[-1]["query"]
    assert exchange["secret"] == [SECRET] and exchange["grant_type"] == ["authorization_code"]


def test_a_bound_member_goes_straight_on(client, db, wechat, make_user, login):
    login(make_user(wechat_openid="oAlready"))
    resp = client.get("/wechat/auth?next=/orders")
    assert resp.headers["Location"] == "/orders"


# --- state: random, in the session, single use -------------------------------------------------

@pytest.mark.parametrize("state", [None, "", "forged-state", "x" * 5000])
def test_a_missing_or_wrong_state_is_refused(client, db, wechat, member, state):
    set_out(client)
    asked = len(wechat.requests)
    resp = client.get("/wechat/callback", query_string={"code": wechat.issue("oVictim"), "state": state})
    assert resp.status_code == 400 and "授权请求已失效" in page_of(resp)
    assert openid_of(db, member) is None and len(wechat.requests) == asked  # WeChat never asked


def test_a_state_is_spent_even_by_a_wrong_guess(client, db, wechat, member):
    state = set_out(client)
    assert come_back(client, wechat.issue("oX"), "guess").status_code == 400
    assert come_back(client, wechat.issue("oX"), state).status_code == 400
    assert openid_of(db, member) is None


def test_a_replayed_callback_is_refused(client, db, wechat, member):
    state = set_out(client)
    assert come_back(client, wechat.issue("oFirst"), state).status_code == 302
    replay = come_back(client, wechat.issue("oSecond"), state)
    assert replay.status_code == 400 and "授权请求已失效" in page_of(replay)
    assert openid_of(db, member) == "oFirst"


def test_another_members_state_is_refused(app, client, db, wechat, member, make_user):
    """A callback URL made for one member (say, sent in a link) binds nothing for another."""
    state = set_out(client)
    other = app.test_client()
    stranger = make_user(wechat_openid=None)
    other.post("/login", data={"phone": stranger.phone, "password": "secret123"})
    assert come_back(other, wechat.issue("oAttacker"), state).status_code == 400
    assert openid_of(db, stranger) is None and openid_of(db, member) is None


# --- next: a local path only ---------------------------------------------------------------------

@pytest.mark.parametrize("next_path, lands", [
    ("/orders/20261129001?pay=1", "/orders/20261129001?pay=1"),
    ("https://evil.example/phish", "/me"),
    ("//evil.example/phish", "/me"),
    ("/\\evil.example", "/me"),
    ("javascript:alert(1)", "/me"),
    ("", "/me"),
])
def test_next_must_be_a_local_path(client, wechat, member, next_path, lands):
    state = set_out(client, next_path)
    assert come_back(client, wechat.issue("oNext"), state).headers["Location"] == lands


# --- one openid per member --------------------------------------------------------------------------

def test_an_openid_bound_to_another_member_is_refused(client, db, wechat, member, make_user):
    owner = make_user(wechat_openid="oTaken")
    state = set_out(client)
    resp = come_back(client, wechat.issue("oTaken"), state, follow_redirects=True)
    assert "这个微信号已绑定其他账号" in page_of(resp)
    assert openid_of(db, member) is None and openid_of(db, owner) == "oTaken"


@pytest.mark.parametrize("mine, others, offered, outcome, kept", [
    (None, None, "oNew", True, "oNew"),
    ("oMine", None, "oMine", False, "oMine"),  # re-binding the same is a no-op
    (None, "oNew", "oNew", "这个微信号已绑定其他账号", None),
    ("oMine", None, "oOther", "你的账号已绑定另一个微信号", "oMine"),
])
def test_binding_rules(db, make_user, mine, others, offered, outcome, kept):
    user = make_user(wechat_openid=mine)
    make_user(wechat_openid=others)
    if isinstance(outcome, bool):
        assert services.bind_wechat_openid(user, offered) is outcome
    else:
        with pytest.raises(ServiceError, match=outcome) as refused:
            services.bind_wechat_openid(user, offered)
        assert refused.value.status == 409
    assert openid_of(db, user) == kept


# --- WeChat's failures: a clear message, nothing bound, logged, never a 500 --------------------------

@pytest.mark.parametrize("mode, code, logged", [
    ("ok", "never-issued", "errcode 40029"),
    ("html", "any", "not a JSON object"),
    ("http500", "any", "HTTP 500"),
    ("slow", "any", "unreachable"),
    ("ok", "", "without a usable code"),
])
def test_wechat_failures_bind_nothing(client, db, wechat, member, caplog, monkeypatch, mode, code, logged):
    # The migrations' logging fileConfig disables loggers that existed before the schema was built.
    monkeypatch.setattr(logging.getLogger("shop.wechat_auth"), "disabled", False)
    state = set_out(client)
    wechat.mode = mode
    with caplog.at_level(logging.WARNING, logger="shop.wechat_auth"):
        resp = come_back(client, code, state)
    assert resp.status_code == 302 and resp.headers["Location"] == "/me"
    page = page_of(client.get("/me"))
    assert "微信授权未完成" in page or "微信授权失败" in page or "暂时无法连接微信" in page
    assert openid_of(db, member) is None
    assert logged in caplog.text and SECRET not in caplog.text


def test_unconfigured_wechat_authorization_says_so(app, client, wechat, member, monkeypatch):
    monkeypatch.setitem(app.config, "SHOP_WECHAT_APP_SECRET", "")
    monkeypatch.delenv("SHOP_WECHAT_APP_SECRET", raising=False)
    resp = client.get("/wechat/auth?next=/me")
    assert resp.status_code == 503 and "微信授权暂不可用" in page_of(resp)


# --- who may use it ----------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/wechat/auth?next=/me", "/wechat/callback?code=c&state=s",
                                  "/wechat/sandbox/authorize?state=s"])
def test_strangers_are_sent_to_log_in(client, sandbox, path):
    resp = client.get(path)
    assert resp.status_code == 302 and urlsplit(resp.headers["Location"]).path == "/login"


# --- the sandbox imitation ---------------------------------------------------------------------------

def test_the_sandbox_runs_the_whole_path(app, client, db, sandbox, member):
    resp = client.get("/wechat/auth?next=/orders")
    location = urlsplit(resp.headers["Location"])
    assert location.path == "/wechat/sandbox/authorize" and location.fragment == "wechat_redirect"
    back = client.get(resp.headers["Location"])
    assert back.headers["Location"].startswith("/wechat/callback?")
    done = client.get(local(back.headers["Location"]))
    assert done.headers["Location"] == "/orders"
    assert openid_of(db, member) == sandbox_openid(app.secret_key, member.id)
    assert openid_of(db, member).startswith("o-sandbox-")


def test_sandbox_openids_are_stable_per_member(app):
    assert sandbox_openid(app.secret_key, 7) == sandbox_openid(app.secret_key, 7) != sandbox_openid(app.secret_key, 8)


def test_the_sandbox_checks_the_state_too(client, db, sandbox, member):
    set_out(client)
    back = client.get(client.get("/wechat/auth?next=/me").headers["Location"])
    code = parse_qs(urlsplit(back.headers["Location"]).query)["code"][0]
    assert come_back(client, code, "forged").status_code == 400
    assert openid_of(db, member) is None


def test_a_forged_sandbox_code_binds_nothing(client, db, sandbox, member):
    state = set_out(client)
    resp = come_back(client, "forged-code", state, follow_redirects=True)
    assert "微信授权失败" in page_of(resp) and openid_of(db, member) is None


@pytest.mark.parametrize("change", [{"redirect_uri": "https://evil.example/cb"}, {"appid": "wxother"},
                                    {"state": ""}])
def test_the_sandbox_authorize_page_only_sends_codes_to_our_callback(client, sandbox, member, change):
    query = {"appid": "wx00000000sandbox", "redirect_uri": CALLBACK, "response_type": "code",
             "scope": "snsapi_base", "state": "s", **change}
    resp = client.get("/wechat/sandbox/authorize", query_string=query)
    assert resp.status_code == 400 and "授权参数错误" in page_of(resp)


def test_the_sandbox_authorize_page_is_not_served_with_wechat_pay(client, db, wechat, member):
    resp = client.get("/wechat/sandbox/authorize", query_string={"appid": "wx00000000sandbox",
                                                                  "redirect_uri": CALLBACK, "state": "s"})
    assert resp.status_code == 404
    assert db.session.scalar(select(User.wechat_openid).where(User.id == member.id)) is None
