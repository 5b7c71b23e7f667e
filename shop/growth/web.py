"""The request side of growth and fraud signals: the app's long-lived random device cookie and the client IP.
Views pass `seen()` to the services, which never read the request."""
import secrets

from flask import Blueprint, g, request

DEVICE_COOKIE = "shop_did"
#: Two years: a device id is only useful if it outlives sessions and logouts.
DEVICE_MAX_AGE = 2 * 365 * 24 * 3600

bp = Blueprint("growth", __name__)


def device_id():
    """This browser's device id: the cookie, or a new one (set on the response)."""
    value = request.cookies.get(DEVICE_COOKIE, "")
    if len(value) == 32 and value.isalnum():
        return value
    if "new_device_id" not in g:
        g.new_device_id = secrets.token_hex(16)
    return g.new_device_id


def seen():
    """(device id, IP) of the current request, for sightings."""
    return device_id(), (request.remote_addr or "")[:45] or None


@bp.after_app_request
def set_device_cookie(response):
    """Give every browser its device id on its first page (not on files)."""
    if request.endpoint in ("static", "main.media") or request.path.startswith("/pay/notify"):
        return response
    if "new_device_id" in g or request.cookies.get(DEVICE_COOKIE) is None:
        response.set_cookie(DEVICE_COOKIE, device_id(), max_age=DEVICE_MAX_AGE, httponly=True, samesite="Lax")
    return response
