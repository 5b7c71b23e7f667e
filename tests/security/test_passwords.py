"""Passwords: the commonest are refused, guessing is held by a lock-out that the member can always get past by SMS
code, and a wrong password takes as long for an unknown phone as for a member's."""
import statistics
import time

import pytest
from sqlalchemy import func, select

from shop import create_app
from shop.accounts.models import SmsCode, User
from shop.extensions import limiter
from tests.conftest import make_test_config

PHONE = "13812345678"
COMMON_MESSAGE = "这个密码太常见"


@pytest.mark.parametrize("password", ["123456", "password", "Password", "PASSWORD", "qwerty123", "1qaz2wsx",
                                      "iloveyou", "5201314", "woaini1314", "secret123"])
def test_registration_refuses_a_common_password(client, db, password):
    resp = client.post("/register", data={"phone": PHONE, "password": password, "confirm": password})
    assert resp.status_code == 200 and COMMON_MESSAGE in resp.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_registration_accepts_an_uncommon_password(client, db):
    resp = client.post("/register", data={"phone": PHONE, "password": "violet-kettle-41", "confirm": "violet-kettle-41"})
    assert resp.status_code == 302
    assert db.session.scalar(select(User).where(User.phone == PHONE)).check_password("violet-kettle-41")


def test_a_password_change_refuses_a_common_password(client, db, make_user, login):
    user = make_user(phone=PHONE, password="old-pass-42")
    login(user, "old-pass-42")
    resp = client.post("/me/account", data={"form": "password", "w-old_password": "old-pass-42",
                                            "w-password": "123456", "w-confirm": "123456"})
    assert resp.status_code == 200 and COMMON_MESSAGE in resp.get_data(as_text=True)
    assert db.session.get(User, user.id).check_password("old-pass-42")


# --- the lock-out ---------------------------------------------------------------------------------------------

class Clock:
    """time.time() under the test's control (the limiter's memory storage reads it)."""

    def __init__(self, monkeypatch):
        self.now = time.time()
        monkeypatch.setattr(time, "time", lambda: self.now)

    def advance(self, seconds):
        self.now += seconds


@pytest.fixture
def limited(instance_dir, monkeypatch):
    """A client of an app with rate limits on (the shared test app has them off), on a clock of the test's."""
    was_enabled = limiter.enabled
    app = create_app(make_test_config(instance_dir, RATELIMIT_ENABLED=True))
    limiter.reset()
    yield app.test_client(), Clock(monkeypatch)
    limiter.reset()
    limiter.enabled = was_enabled  # the limiter instance is shared by every app in this process


def attempt(client, password, phone=PHONE):
    resp = client.post("/login", data={"phone": phone, "password": password})
    return resp.status_code, resp.get_data(as_text=True)


def guess(client, clock, times, phone=PHONE):
    """`times` wrong passwords, spread out so that the per-minute limit never answers."""
    for n in range(times):
        assert attempt(client, f"guess-{n}", phone)[0] == 200
        clock.advance(7)


def test_ten_wrong_passwords_lock_password_login_for_at_most_15_minutes(limited, make_user):
    client, clock = limited
    make_user(phone=PHONE, password="right-pass-42")
    guess(client, clock, 10)
    status, html = attempt(client, "right-pass-42")
    assert status == 200 and "密码错误次数过多" in html and "短信验证码" in html
    clock.advance(15 * 60)
    assert attempt(client, "right-pass-42")[0] == 302


def test_the_lock_counts_a_phone_however_it_is_written(limited, make_user):
    client, clock = limited
    make_user(phone=PHONE, password="right-pass-42")
    for n, written in enumerate((["+8613812345678", PHONE, " 13812345678 "] * 4)[:10]):
        assert attempt(client, f"guess-{n}", written)[0] == 200
        clock.advance(7)
    assert "密码错误次数过多" in attempt(client, "right-pass-42")[1]


def test_the_longer_windows_hold_guessing_to_30_an_hour(limited, make_user):
    client, clock = limited
    make_user(phone=PHONE, password="right-pass-42")
    for _ in range(3):
        guess(client, clock, 10)
        clock.advance(15 * 60)  # each 15-minute lock has passed
    assert "密码错误次数过多" in attempt(client, "right-pass-42")[1]


def test_the_member_gets_past_the_lock_with_an_sms_code_which_lifts_it(limited, db, make_user, monkeypatch):
    client, clock = limited
    make_user(phone=PHONE, password="right-pass-42")
    guess(client, clock, 10)
    monkeypatch.setattr("shop.accounts.services.secrets.randbelow", lambda _n: 123456)
    assert client.post("/sms/send", data={"phone": PHONE}).status_code == 200
    assert db.session.scalar(select(func.count()).select_from(SmsCode)) == 1
    assert client.post("/login/sms", data={"phone": PHONE, "code": "123456"}).status_code == 302
    client.post("/logout")
    assert attempt(client, "right-pass-42")[0] == 302


def test_guesses_at_unknown_phones_lock_nobody_else(limited, make_user):
    client, clock = limited
    make_user(phone=PHONE, password="right-pass-42")
    guess(client, clock, 10, phone="13900000000")
    assert attempt(client, "right-pass-42")[0] == 302


# --- timing ---------------------------------------------------------------------------------------------------

def median_ms(client, phone, tries=5):
    times = []
    for _ in range(tries):
        start = time.perf_counter()
        assert client.post("/login", data={"phone": phone, "password": "wrong-guess"}).status_code == 200
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def test_a_wrong_password_takes_as_long_for_an_unknown_phone(client, make_user):
    make_user(phone=PHONE)
    median_ms(client, PHONE, 1)  # warm up: the dummy hash is made once per process
    known, unknown = median_ms(client, PHONE), median_ms(client, "13900000000")
    print(f"\nwrong password, median of 5: member {known:.1f} ms, unknown phone {unknown:.1f} ms")
    assert unknown >= 0.5 * known and known >= 0.5 * unknown


def test_a_member_without_a_password_takes_as_long_as_one_with(client, db, make_user):
    make_user(phone=PHONE)
    make_user(phone="13900000000").password_hash = None  # a member who only ever logged in by SMS code
    db.session.commit()
    median_ms(client, PHONE, 1)
    known, sms_only = median_ms(client, PHONE), median_ms(client, "13900000000")
    assert sms_only >= 0.5 * known
