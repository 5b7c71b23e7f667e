"""Password guessing: wrong passwords are counted per phone number in the rate limiter's storage (Redis once it
is the limiter's storage, so every worker and host counts together), beside the view's per-minute limits.

- 10 wrong passwords within 15 minutes lock password login for that phone until the window ends (15 minutes at
  most); 30 an hour and 100 a day are the longer windows. Guessing is thereby held to 100 passwords a day per
  account, where it was 600–1,200 an hour.
- Per phone, not per phone + IP: an attacker with many addresses would never meet a per-address lock. The price
  is that anyone can lock a member's *password* login, so this lock never locks the member out: login by SMS
  code (which proves the phone, and has its own limits) is never refused by it, the message says so, and a
  successful SMS login lifts the lock.
- The lock follows the limiter: off when rate limits are off (RATELIMIT_ENABLED=0). When the storage cannot be
  reached the lock is skipped and logged (the mall keeps selling; the per-minute limits fall back to memory)."""
import logging
import math
import time
from contextlib import contextmanager

from flask_babel import gettext as _
from limits import parse_many

from ..errors import ServiceError
from ..extensions import limiter
from .services import normalize_phone

log = logging.getLogger(__name__)
WINDOWS = parse_many("10 per 15 minutes;30 per hour;100 per day")
NAMESPACE = "login-failures"


@contextmanager
def guard(phone):
    """Refuse while `phone` is locked; count a refusal raised inside the block as a wrong password."""
    key = phone_key(phone)
    _refuse_if_locked(key)
    try:
        yield
    except ServiceError:
        _each(key, lambda window: limiter.limiter.hit(window, NAMESPACE, key))
        raise


def lift(phone):
    """Forget the wrong passwords counted for `phone` (after the member proved it with an SMS code)."""
    key = phone_key(phone)
    _each(key, lambda window: limiter.limiter.clear(window, NAMESPACE, key))


def _refuse_if_locked(key):
    resets = []
    _each(key, lambda window: None if limiter.limiter.test(window, NAMESPACE, key) else resets.append(
        limiter.limiter.get_window_stats(window, NAMESPACE, key).reset_time))
    if resets:
        minutes = max(1, math.ceil((max(resets) - time.time()) / 60))
        raise ServiceError(_("密码错误次数过多，请%(minutes)s分钟后再试，或用短信验证码登录", minutes=minutes), 429)


def _live(key):
    return WINDOWS if key and limiter.enabled else ()


def _each(key, action):
    try:
        for window in _live(key):
            action(window)
    except Exception:  # the storage is down: guessing is still held by the per-minute limits
        log.warning("login lock-out storage unreachable; lock-out skipped", exc_info=True)


def phone_key(phone):
    """The normalized phone ("138 1234 5678" and "+8613812345678" are one), or None for what is not one."""
    try:
        return normalize_phone(phone)
    except ServiceError:
        return None  # not a mainland mobile number: never a member, nothing to lock
