"""公众号网页授权: bind the member's openid (snsapi_base, silent) for JSAPI payments and WeChat withdrawals.

Contract for the rest of the app: `url_for("wechat_auth.start", next=<local path>)` sends a logged-in member
through WeChat's authorization and back to `next` with `current_user.wechat_openid` set. Refusals (a bad state,
WeChat's errors, an openid bound to another member) bind nothing and say why.

With the sandbox gateway configured, WeChat's authorize page is imitated at /wechat/sandbox/authorize; it is
never served when WeChat Pay is the gateway.
"""
import logging

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..errors import ServiceError
from ..payments.gateways import external_url
from ..urls import safe_next
from . import oauth_state, services
from .wechat_oauth import SANDBOX_APPID, SCOPE, OAuthError, SandboxOAuth, oauth_client

bp = Blueprint("wechat_auth", __name__, url_prefix="/wechat")
log = logging.getLogger("shop.wechat_auth")


def client():
    """The configured OAuth client; a clear refusal page when there is none."""
    try:
        return oauth_client()
    except OAuthError as err:
        log.warning("WeChat authorization unavailable: %s", err.detail)
        raise ServiceError(err.message, status=503) from None


@bp.get("/auth")
@login_required
def start():
    """Off to WeChat's authorization, or straight back to `next` when the member is already bound."""
    target = safe_next("accounts.me")
    if current_user.wechat_openid:
        return redirect(target)
    oauth = client()
    return redirect(oauth.authorize_url(external_url("wechat_auth.callback"), oauth_state.issue(target, current_user.id)))


@bp.get("/callback")
@login_required
def callback():
    """WeChat sends the member back with a GET (its design), so this GET writes: only after the single-use state
    from this member's own session matched (docs/architecture.md, tests/main/test_get_never_writes.py)."""
    target = oauth_state.take(request.args.get("state"), current_user.id)
    try:
        bound = services.bind_wechat_openid(current_user, client().openid(request.args.get("code")))
    except OAuthError as err:
        log.warning("WeChat authorization failed for member %s: %s", current_user.id, err.detail)
        flash(err.message, "error")
    except ServiceError as err:
        log.info("openid not bound for member %s: %s", current_user.id, err.message)
        flash(err.message, "error")
    else:
        flash(_("已完成微信授权") if bound else _("微信已授权"), "success")
    return redirect(target)


@bp.get("/sandbox/authorize")
@login_required
def sandbox_authorize():
    """The sandbox's imitation of WeChat's authorize page: silent like snsapi_base, straight back with a code."""
    sandbox = client()
    if not isinstance(sandbox, SandboxOAuth):
        abort(404)
    callback_url = external_url("wechat_auth.callback")
    args = request.args
    if (args.get("appid"), args.get("redirect_uri"), args.get("scope")) != (SANDBOX_APPID, callback_url, SCOPE) \
            or not args.get("state"):
        raise ServiceError(_("授权参数错误"), status=400)
    # Back to the callback it named (checked above) by path: the sandbox is this app, on whatever host it is
    # opened (a demo on another port than SHOP_BASE_URL, a browser test's live server).
    return redirect(url_for("wechat_auth.callback", code=sandbox.code_for(current_user.id), state=args["state"]))
