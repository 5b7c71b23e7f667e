"""The staff session: kept in the Flask session under keys of its own, apart from the shopper's Flask-Login
session. It holds the staff id, their session version and the last activity; it ends after
STAFF_IDLE_MINUTES without a request, and as soon as the account is disabled or its password changes (the
version in the row moves on)."""
import time

from flask import current_app, g, session

from ..csrf_token import rotate_csrf_token
from ..extensions import db
from .models import AnonymousStaff, Staff

KEYS = ("staff_id", "staff_version", "staff_seen")


def start(staff):
    """Log `staff` in on this browser (after the password was checked)."""
    end()
    rotate_csrf_token()
    session["staff_id"], session["staff_version"], session["staff_seen"] = staff.id, staff.session_version, _now()
    g.staff = staff


def end():
    """Log the staff member out on this browser; the shopper's session, if any, stays."""
    for key in KEYS:
        session.pop(key, None)
    g.staff = AnonymousStaff()


def current():
    """The logged-in Staff of this request, or AnonymousStaff (loaded once per request)."""
    if "staff" not in g:
        g.staff = _load() or AnonymousStaff()
    return g.staff


def touch():
    """Note activity now (the inactivity clock restarts)."""
    if session.get("staff_id") is not None:
        session["staff_seen"] = _now()


def _load():
    staff_id, seen = session.get("staff_id"), session.get("staff_seen")
    if staff_id is None:
        return None
    staff = db.session.get(Staff, staff_id) if isinstance(staff_id, int) else None
    if staff is None or not _valid(staff, session.get("staff_version"), seen):
        end()
        return None
    return staff


def _valid(staff, version, seen):
    idle = current_app.config["STAFF_IDLE_MINUTES"] * 60
    return (not staff.disabled and version == staff.session_version and isinstance(seen, (int, float))
            and _now() - seen <= idle)


def _now():
    return int(time.time())
