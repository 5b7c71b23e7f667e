"""公众号网页授权 clients: WeChat's own, and the sandbox's imitation of it.

Both offer `authorize_url(redirect_uri, state)` (where the member's browser goes) and `openid(code)` (the code
exchanged server-side for the member's openid). Every failure is an OAuthError: `message` is for the member,
`detail` for the log. The app secret travels only in the server-side exchange and is never logged.
"""
import hashlib
import hmac
import http.client
import json
import urllib.error
import urllib.request
from urllib.parse import urlencode

from flask import current_app, url_for
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer

from ..payments.gateways import GatewayError, configured_gateway_name
from ..payments.gateways import _setting as setting  # the one reader of SHOP_WECHAT_* (app.config, then env)
from ..payments.gateways.sandbox import APPID as SANDBOX_APPID

AUTHORIZE_URL = "https://open.weixin.qq.com/connect/oauth2/authorize"
API_URL = "https://api.weixin.qq.com"
SCOPE = "snsapi_base"
#: WeChat's codes live 5 minutes; the sandbox's too.
CODE_SECONDS = 300
#: A longer "code" is not one of WeChat's: refused before anything is sent.
MAX_CODE_LENGTH = 512


class OAuthError(Exception):
    """The authorization did not yield an openid; nothing is bound."""

    def __init__(self, message, detail=""):
        super().__init__(detail or message)
        self.message = message
        self.detail = detail or message


def authorize_query(appid, redirect_uri, state):
    """WeChat's authorize query, in the order its documentation gives, with the fragment it requires."""
    return urlencode({"appid": appid, "redirect_uri": redirect_uri, "response_type": "code", "scope": SCOPE,
                      "state": state}) + "#wechat_redirect"


def checked_code(code):
    """The code WeChat sent back; a missing or oversized one is refused without asking anyone."""
    if not code or len(code) > MAX_CODE_LENGTH:
        raise OAuthError(_("微信授权未完成，请重试"), f"callback without a usable code ({len(code or '')} chars)")
    return code


class WechatOAuth:
    """WeChat's web authorization for our 公众号 (appid + app secret)."""
    name = "wechat"

    def __init__(self, appid, secret, authorize_url=AUTHORIZE_URL, api_url=API_URL, timeout=5.0):
        self.appid, self.secret, self.timeout = appid, secret, timeout
        self.authorize_base, self.api_url = authorize_url, api_url.rstrip("/")

    def authorize_url(self, redirect_uri, state):
        return f"{self.authorize_base}?{authorize_query(self.appid, redirect_uri, state)}"

    def openid(self, code):
        """Exchange the code at /sns/oauth2/access_token; the openid it names."""
        data = self._get("/sns/oauth2/access_token", appid=self.appid, secret=self.secret, code=checked_code(code),
                         grant_type="authorization_code")
        openid = data.get("openid")
        if not isinstance(openid, str) or not 0 < len(openid) <= 64:
            raise OAuthError(_("微信授权失败，请重试"), "WeChat answered without a usable openid")
        return openid

    def _get(self, path, **params):
        url = f"{self.api_url}{path}?{urlencode(params)}"  # holds the secret: never logged
        try:
            with urllib.request.urlopen(url, timeout=self.timeout) as response:
                raw = response.read(64 * 1024)
        except urllib.error.HTTPError as err:
            err.close()
            raise OAuthError(unreachable(), f"WeChat OAuth answered HTTP {err.code}") from None
        except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
            raise OAuthError(unreachable(), f"WeChat OAuth unreachable: {type(exc).__name__}: {exc}") from None
        return wechat_answer(raw)


def unreachable():
    """The member's message when WeChat could not be asked or answered nonsense."""
    return _("暂时无法连接微信，请稍后重试")


def wechat_answer(raw):
    """The JSON object WeChat answered; OAuthError for its errcode answers and for anything not JSON."""
    try:
        data = json.loads(raw)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise OAuthError(unreachable(), "WeChat OAuth answered something that is not a JSON object")
    if data.get("errcode"):
        raise OAuthError(_("微信授权失败，请重试"),
                         f"WeChat OAuth errcode {data.get('errcode')}: {str(data.get('errmsg', ''))[:200]}")
    return data


class SandboxOAuth:
    """The sandbox imitation: a local authorize page hands back a signed code; the exchange is local too, and
    gives each member the same openid every time."""
    name = "sandbox"

    def __init__(self, secret_key):
        self.secret_key = secret_key

    def authorize_url(self, redirect_uri, state):
        return url_for("wechat_auth.sandbox_authorize") + "?" + authorize_query(SANDBOX_APPID, redirect_uri, state)

    def code_for(self, user_id):
        """The code the imitated authorize page sends back for the member it saw."""
        return self._codes().dumps(user_id)

    def openid(self, code):
        try:
            user_id = self._codes().loads(checked_code(code), max_age=CODE_SECONDS)
        except BadSignature:
            raise OAuthError(_("微信授权失败，请重试"), "sandbox OAuth: invalid or expired code") from None
        return sandbox_openid(self.secret_key, user_id)

    def _codes(self):
        return URLSafeTimedSerializer(self.secret_key, salt="sandbox-wechat-oauth-code")


def sandbox_openid(secret_key, user_id):
    """A member's stable sandbox openid: an HMAC of the app's secret key and the member id."""
    key = secret_key.encode() if isinstance(secret_key, str) else secret_key
    digest = hmac.new(key, f"wechat-openid:{user_id}".encode(), hashlib.sha256).hexdigest()
    return "o-sandbox-" + digest[:24]


def oauth_client():
    """The sandbox's client when the sandbox gateway is configured, WeChat's otherwise; OAuthError when
    WeChat's is not configured."""
    try:
        gateway = configured_gateway_name()
    except GatewayError as err:
        raise OAuthError(not_configured(), err.message) from None
    if gateway == "sandbox":
        return SandboxOAuth(current_app.secret_key)
    appid, secret = setting("SHOP_WECHAT_APPID"), setting("SHOP_WECHAT_APP_SECRET")
    if not (appid and secret):
        raise OAuthError(not_configured(), "SHOP_WECHAT_APPID and SHOP_WECHAT_APP_SECRET must both be set")
    return WechatOAuth(appid, secret, authorize_url=setting("SHOP_WECHAT_OAUTH_AUTHORIZE_URL") or AUTHORIZE_URL,
                       api_url=setting("SHOP_WECHAT_OAUTH_API_URL") or API_URL,
                       timeout=float(setting("SHOP_WECHAT_OAUTH_TIMEOUT") or 5))


def not_configured():
    """The member's message when this shop has no WeChat authorization configured."""
    return _("微信授权暂不可用，请联系商家")
