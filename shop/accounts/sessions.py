"""Members' sessions: which session (or remember-me cookie) still opens the account, and ending them all.

Flask-Login keeps `User.get_id()`, "id:version", in the session cookie and in the remember-me cookie. The loader
accepts it only while the version is the row's (the row is loaded on every request anyway: no extra query; what
every page may show of the member, the "page" group of deferred columns (cart badge, invite code), comes in the
same statement; a page shared by every member checks the same version with `still_signed_in`, without the row).
The version moves on when the member logs in, logs out and changes their password, so a cookie copied before any
of these opens nothing afterwards, on any host, and a remember-me cookie differs at every login."""
import functools

from flask import current_app, request
from flask_login import login_user
from sqlalchemy import bindparam, select
from sqlalchemy.orm import undefer_group

from ..clock import utcnow
from ..database import autocommit_connection, transaction
from ..extensions import db
from ..statements import first_row
from .models import User


def load(user_id):
    """The member a session's "id:version" names, or None when the version has moved on (or it is malformed)."""
    key, version = _parse(user_id)
    user = db.session.get(User, key, options=[undefer_group("page")]) if key is not None else None
    if user is None or user.session_version != version:
        return None
    return user


@functools.cache
def _still_signed_in(fingerprint=()):
    """What a page shared by every member needs of the one asking (caching/pages.py): load()'s check, the badge and
    the page's fingerprint columns, if any (built once per fingerprint, after every model has added its columns to
    User)."""
    return select(User.session_version, User.disabled, User.cart_pieces.label("pieces"), *fingerprint) \
        .where(User.id == bindparam("id"))


def still_signed_in(user_id, fingerprint=()):
    """(member id, pieces in their cart, the fingerprint's values) when the session's "id:version" still opens an
    active account (load()'s check and Flask-Login's `is_authenticated`), else None: one Core statement outside the
    ORM session that builds no row. `fingerprint`: the same tuple of columns every time (the statement is kept per
    tuple), which may use the parameter `now`. Reads only."""
    key, version = _parse(user_id)
    if key is None:
        return None
    params = {"id": key, "now": utcnow()} if fingerprint else {"id": key}
    with autocommit_connection() as connection:  # no ORM session, and no transaction: one round trip
        row = first_row(connection, _still_signed_in(fingerprint), params)
    if row is None or row[0] != version or row[1]:  # session_version, disabled
        return None
    return key, row[2], tuple(row[3:])


def log_out(user):
    """End every session of the member (this browser's included). Owns its transaction."""
    with transaction():
        rotate(user)


def rotate(user):
    """Move the member's session version on: every session and remember-me cookie issued so far ends. Joins the
    caller's transaction (the login, the logout, the password change)."""
    user.session_version = (user.session_version or 0) + 1


def renew(user):
    """After the version moved on in this browser's own request (a password change): keep this browser logged in
    with the new version, and a fresh remember-me cookie when it had one."""
    user = getattr(user, "_get_current_object", lambda: user)()  # the row, never the current_user proxy (g would
    # then hold a proxy of itself, and anything reading the member afterwards recurses)
    login_user(user, remember=remember_cookie(current_app.config) in request.cookies)


def remember_cookie(config):
    """The remember-me cookie's name (Flask-Login's setting)."""
    return config.get("REMEMBER_COOKIE_NAME", "remember_token")


def _parse(user_id):
    key, _, version = str(user_id).partition(":")
    return (int(key), int(version)) if _number(key) and _number(version) else (None, None)


def _number(text):
    return text.isascii() and text.isdigit() and len(text) < 10  # within an SQL integer
