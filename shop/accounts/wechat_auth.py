"""公众号网页授权: bind the member's openid (snsapi_base, silent) for JSAPI payments and WeChat withdrawals.

Contract for the rest of the app: `url_for("wechat_auth.start", next=<local path>)` sends a logged-in member
through WeChat's authorization and back to `next` with `current_user.wechat_openid` set.
(Being written: the authorization itself is not implemented yet.)
"""
from flask import Blueprint, abort
from flask_login import login_required

bp = Blueprint("wechat_auth", __name__, url_prefix="/wechat")


@bp.get("/auth")
@login_required
def start():
    abort(404)
