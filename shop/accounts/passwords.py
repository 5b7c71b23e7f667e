"""Members' passwords: which new password is accepted, and checking one in the same time whether or not the phone
belongs to a member."""
import functools
import secrets
from pathlib import Path

from flask_babel import gettext as _
from werkzeug.security import check_password_hash, generate_password_hash

from ..errors import ServiceError

COMMON_FILE = Path(__file__).with_name("common_passwords.txt")


def check_new_password(password):
    """Refuse a new password that is too short, too long or one of the commonest (common_passwords.txt)."""
    if not 6 <= len(password or "") <= 64:
        raise ServiceError(_("密码长度应为6到64位"))
    if password.lower() in common_passwords():
        raise ServiceError(_("这个密码太常见，很容易被猜中，请换一个"))


def matches(user, password):
    """Whether `password` is the member's. An unknown phone (user None) or a member without a password is checked
    against a dummy hash of the same kind, so both take as long as a real check and the time tells nobody who is
    a member."""
    stored = user.password_hash if user is not None and user.password_hash else None
    right = check_password_hash(stored or dummy_hash(), password or "")
    return right and stored is not None


@functools.cache
def common_passwords():
    """The commonest passwords, lowercased (read once per process)."""
    lines = COMMON_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


@functools.cache
def dummy_hash():
    """A hash of a random password, made like a member's (werkzeug's default method), once per process."""
    return generate_password_hash(secrets.token_urlsafe(16))
