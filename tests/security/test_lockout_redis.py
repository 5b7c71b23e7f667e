"""The password lock-out counts in the limiter's storage: with Redis there, another process sees the lock."""
import os
import subprocess
import sys
import textwrap

import pytest
import redis
from sqlalchemy import select

from shop import create_app
from shop.accounts import signin
from shop.accounts.models import User
from shop.errors import ServiceError
from shop.extensions import limiter
from tests.conftest import make_test_config

REDIS_URL = os.environ.get("SHOP_TEST_REDIS_URL", "redis://127.0.0.1:6379/1")
PHONE = "13812345678"

OTHER_PROCESS = textwrap.dedent("""
    import sys
    from shop import create_app
    from shop.accounts import signin
    from shop.errors import ServiceError

    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://",
                      "RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": sys.argv[1]})
    with app.test_request_context():
        try:
            signin.log_in(sys.argv[2], "right-pass-42")
        except ServiceError as err:
            print(err.status, err.message)
""")


def redis_up():
    try:
        return redis.Redis.from_url(REDIS_URL, socket_timeout=1).ping()
    except redis.RedisError:
        return False


@pytest.fixture
def redis_limited(instance_dir):
    if not redis_up():
        pytest.skip(f"no Redis at {REDIS_URL}")
    was_enabled = limiter.enabled
    app = create_app(make_test_config(instance_dir, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=REDIS_URL))
    limiter.reset()
    yield app
    limiter.reset()
    limiter.enabled = was_enabled


def test_another_process_sees_the_lock(redis_limited, db, make_user):
    make_user(phone=PHONE, password="right-pass-42")
    for n in range(10):
        with redis_limited.test_request_context(), pytest.raises(ServiceError):
            signin.log_in(PHONE, f"guess-{n}")
    answer = subprocess.run([sys.executable, "-c", OTHER_PROCESS, REDIS_URL, PHONE], capture_output=True, text=True,
                            timeout=120, cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
    assert answer.stdout.startswith("429 ") and "密码错误次数过多" in answer.stdout, answer.stderr[-2000:]
    with redis_limited.test_request_context():
        signin.lockout.lift(PHONE)
        assert signin.log_in(PHONE, "right-pass-42").id == db.session.scalar(select(User.id))
