"""The request side of growth and fraud signals: the app's long-lived random device cookie and the client IP.
Views pass `seen()` to the services, which never read the request."""
import functools
import ipaddress
import secrets
import time

from flask import Blueprint, g, request
from werkzeug.http import http_date

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
        g.new_device_id = new_device_id()
    return g.new_device_id


def new_device_id():
    return secrets.token_hex(16)


def client_ip():
    """The client's IP, or None when it is a loopback address: then the app sits behind a proxy that does not pass
    the client's address on (SHOP_PROXY_HOPS unset), every visitor would share it, and comparing it would flag everyone."""
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return None
    return None if address.is_loopback else str(address)


def seen():
    """(device id, IP) of the current request, for sightings."""
    return device_id(), client_ip()


@bp.after_app_request
def set_device_cookie(response):
    """Give every browser its device id on its first page (not on files)."""
    if request.endpoint in ("static", "main.media") or request.path.startswith("/pay/notify"):
        return response
    if "new_device_id" in g or request.cookies.get(DEVICE_COOKIE) is None:
        response.headers.add("Set-Cookie", device_cookie(device_id()))
    return response


def device_cookie(value):
    """The Set-Cookie header's value that gives a browser the device id `value`, set now."""
    return f"{DEVICE_COOKIE}={value}{cookie_attributes(int(time.time()))}"


@functools.lru_cache(maxsize=2)
def cookie_attributes(second):
    """What follows the device id in its Set-Cookie header for a cookie set at this second: what Werkzeug's
    `set_cookie(max_age=DEVICE_MAX_AGE, httponly=True, samesite="Lax")` writes, made once a second rather than
    once a request (every first visit gets one)."""
    return f"; Expires={http_date(second + DEVICE_MAX_AGE)}; Max-Age={DEVICE_MAX_AGE}; HttpOnly; Path=/; SameSite=Lax"
