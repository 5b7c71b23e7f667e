"""Register, password login, SMS code login, rate limits, CSRF."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from shop import create_app
from shop.accounts import services
from shop.accounts.models import SmsCode, User
from shop.accounts.sms import outbox
from shop.clock import utcnow
from shop.errors import ServiceError
from tests.conftest import make_test_config


def last_code(phone):
    return next(text for p, text in reversed(outbox) if p == phone).split("是 ")[1][:6]


def test_register_hashes_the_password_and_logs_in(client, db):
    resp = client.post("/register", data={"phone": "13812345678", "password": "abc12345", "confirm": "abc12345",
                                          "nickname": "小王"})
    assert resp.status_code == 302
    user = db.session.scalar(select(User).where(User.phone == "13812345678"))
    assert user.password_hash and "abc12345" not in user.password_hash
    assert "小王" in client.get("/me").get_data(as_text=True)


@pytest.mark.parametrize("data, message", [
    ({"phone": "123", "password": "abc12345", "confirm": "abc12345"}, "请输入正确的11位手机号"),
    ({"phone": "13812345678", "password": "12", "confirm": "12"}, "密码长度应为6到64位"),
    ({"phone": "13812345678", "password": "abc12345", "confirm": "other"}, "两次输入的密码不一致"),
    ({"phone": "", "password": "", "confirm": ""}, "请输入手机号"),
    ({"phone": "1" * 5000, "password": "x" * 5000, "confirm": "x"}, "请输入正确的11位手机号"),
])
def test_register_refuses_bad_input(client, db, data, message):
    resp = client.post("/register", data=data)
    assert resp.status_code == 200 and message in resp.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_register_twice_is_refused(client, make_user):
    make_user(phone="13812345678")
    resp = client.post("/register", data={"phone": "13812345678", "password": "abc12345", "confirm": "abc12345"})
    assert "该手机号已注册" in resp.get_data(as_text=True)


def test_password_login_and_logout(client, make_user):
    make_user(phone="13812345678", password="right-pass")
    bad = client.post("/login", data={"phone": "13812345678", "password": "wrong"})
    assert "手机号或密码错误" in bad.get_data(as_text=True)
    assert client.get("/me").status_code == 302
    assert client.post("/login", data={"phone": "13812345678", "password": "right-pass"}).status_code == 302
    assert client.get("/me").status_code == 200
    client.post("/logout")
    assert client.get("/me").status_code == 302


def test_disabled_member_cannot_log_in(client, make_user):
    make_user(phone="13812345678", disabled=True)
    resp = client.post("/login", data={"phone": "13812345678", "password": "secret123"})
    assert "该账号已被停用" in resp.get_data(as_text=True)


def test_login_redirects_only_to_local_next(client, make_user):
    make_user(phone="13812345678")
    resp = client.post("/login?next=https://evil.example/x", data={"phone": "13812345678", "password": "secret123"})
    assert resp.headers["Location"] == "/"
    client.post("/logout")
    resp = client.post("/login?next=/cart", data={"phone": "13812345678", "password": "secret123"})
    assert resp.headers["Location"] == "/cart"


def test_sms_code_login_creates_the_member(client, db):
    resp = client.post("/sms/send", data={"phone": "13700000001"})
    assert resp.status_code == 200 and resp.json["ok"]
    code = last_code("13700000001")
    stored = db.session.scalar(select(SmsCode))
    assert code not in stored.code_hash
    resp = client.post("/login/sms", data={"phone": "13700000001", "code": code})
    assert resp.status_code == 302
    assert db.session.scalar(select(User).where(User.phone == "13700000001")) is not None
    # A code works once.
    client.post("/logout")
    again = client.post("/login/sms", data={"phone": "13700000001", "code": code})
    assert again.status_code == 400 and "验证码已失效" in again.get_data(as_text=True)


def test_sms_code_expires(client, db):
    client.post("/sms/send", data={"phone": "13700000002"})
    code = last_code("13700000002")
    sms = db.session.scalar(select(SmsCode))
    sms.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    resp = client.post("/login/sms", data={"phone": "13700000002", "code": code})
    assert "验证码已失效" in resp.get_data(as_text=True)


def test_sms_code_attempts_are_limited(client, db):
    client.post("/sms/send", data={"phone": "13700000003"})
    code = last_code("13700000003")
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        assert "验证码错误" in client.post("/login/sms", data={"phone": "13700000003", "code": wrong}).get_data(
            as_text=True)
    # Even the right code is refused once the attempts are used up.
    resp = client.post("/login/sms", data={"phone": "13700000003", "code": code})
    assert "错误次数过多" in resp.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.phone == "13700000003")) is None


def test_sms_resend_is_rate_limited_per_phone(db):
    services.send_login_code("13700000004")
    with pytest.raises(ServiceError, match="太频繁"):
        services.send_login_code("13700000004")
    # Another phone is not affected.
    services.send_login_code("13700000005")


def test_sms_daily_limit_per_phone(db, app):
    now = utcnow()
    for i in range(app.config["SMS_DAILY_LIMIT_PER_PHONE"]):
        db.session.add(SmsCode(phone="13700000006", code_hash="x", created_at=now - timedelta(hours=2, minutes=i),
                               expires_at=now))
    db.session.commit()
    with pytest.raises(ServiceError, match="今日验证码次数已用完"):
        services.send_login_code("13700000006")


@pytest.mark.parametrize("phone", ["", "abc", "1234", "23800000000", "1380000000012"])
def test_sms_send_refuses_bad_phone(client, db, phone):
    resp = client.post("/sms/send", data={"phone": phone})
    assert resp.status_code == 400 and resp.json["ok"] is False
    assert db.session.scalar(select(func.count()).select_from(SmsCode)) == 0


@pytest.fixture
def limited_client(instance_dir):
    """A client of an app with rate limits on (the shared test app has them off)."""
    from shop.extensions import limiter

    was_enabled = limiter.enabled
    app = create_app(make_test_config(instance_dir, RATELIMIT_ENABLED=True))
    limiter.reset()
    yield app.test_client()
    limiter.reset()
    limiter.enabled = was_enabled  # the limiter instance is shared by every app in this process


def test_login_is_rate_limited(limited_client, make_user):
    make_user(phone="13812345678")
    codes = [limited_client.post("/login", data={"phone": "13812345678", "password": "nope"}).status_code
             for _ in range(12)]
    assert codes[:10] == [200] * 10
    assert codes[-1] == 429


def test_sms_send_is_rate_limited_per_ip(limited_client):
    codes = [limited_client.post("/sms/send", data={"phone": f"1370000{i:04d}"}).status_code for i in range(7)]
    assert codes[:5] == [200] * 5 and codes[-1] == 429


def test_csrf_is_enforced(app, client, make_user):
    make_user(phone="13812345678")
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        resp = client.post("/login", data={"phone": "13812345678", "password": "secret123"})
        assert resp.status_code == 400 and "页面已过期" in resp.get_data(as_text=True)
        assert client.post("/cart/add", data={"sku_id": "1", "quantity": "1"}).status_code == 400
        html = client.get("/login").get_data(as_text=True)
        assert 'name="csrf_token"' in html
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


@pytest.mark.parametrize("mode, joins", [("everyone", True), ("apply", False), ("threshold", False)])
def test_login_makes_a_member_a_distributor_only_in_everyone_mode(client, db, make_user, login, settings, mode, joins):
    from shop.distribution.models import Distributor

    settings(distribution_mode=mode)
    user = make_user()
    login(user)
    assert (db.session.get(Distributor, user.id) is not None) == joins


def test_a_refused_login_keeps_the_referral_and_changes_nothing(client, db, make_user, make_distributor):
    from shop.distribution.models import ReferralNode

    referrer = make_distributor()
    user = make_user(phone="13812345678")
    client.get(f"/i/{referrer.invite_code}")
    assert client.post("/login", data={"phone": "13812345678", "password": "wrong"}).status_code == 200
    db.session.expire_all()
    assert db.session.get(User, user.id).last_login_at is None
    assert client.post("/login", data={"phone": "13812345678", "password": "secret123"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(ReferralNode, user.id).referrer_id == referrer.user_id


def test_a_wrong_sms_code_counts_an_attempt_and_logs_nobody_in(client, db):
    client.post("/sms/send", data={"phone": "13700000007"})
    code = last_code("13700000007")
    resp = client.post("/login/sms", data={"phone": "13700000007", "code": "000000" if code != "000000" else "111111"})
    assert resp.status_code == 400 and "验证码错误" in resp.get_data(as_text=True)
    db.session.expire_all()
    sms = db.session.scalar(select(SmsCode))
    assert (sms.attempts, sms.consumed_at) == (1, None)
    assert db.session.scalar(select(func.count()).select_from(User)) == 0
    assert client.get("/me").status_code == 302
