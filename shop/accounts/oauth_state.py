"""The `state` of a WeChat authorization: random, kept in the member's session, used once, compared in constant
time. It ties WeChat's callback to the member who set out, and carries where to send them back."""
import hmac
import secrets

from flask import session
from flask_babel import gettext as _

from ..errors import ServiceError

KEY = "wechat_oauth"


def issue(next_path, user_id):
    """A fresh state for this member's trip to WeChat (replacing any earlier one)."""
    state = secrets.token_urlsafe(24)
    session[KEY] = {"state": state, "next": next_path, "user_id": user_id}
    return state


def take(state, user_id):
    """The local path to return to, once the state WeChat sent back is the one this member's session holds.
    Spent either way: a missing, wrong or replayed state is refused (ServiceError 400)."""
    held = session.pop(KEY, None) or {}
    expected = held.get("state") or ""
    if not (state and expected and hmac.compare_digest(str(state).encode(), expected.encode())
            and held.get("user_id") == user_id):
        raise ServiceError(_("授权请求已失效或不是从本站发起的，请返回重新操作"), status=400)
    return held.get("next") or "/"
