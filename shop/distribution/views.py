"""Invite links (/i/<code>) and the ?ref=<code> capture on every storefront page. The distributor center
(/center) is its own blueprint, shop.center."""
from flask import Blueprint, redirect, request, url_for
from flask_login import current_user

from . import binding

bp = Blueprint("distribution", __name__)


def _capture(code, source):
    """Remember the referral; a logged-in member is bound at once (first visit after login)."""
    if binding.remember_referral(code, source) is None:
        return  # unknown or disabled codes are ignored politely
    if current_user.is_authenticated:
        binding.bind_referral(current_user, binding.take_referral())


@bp.before_app_request
def capture_ref_parameter():
    code = request.args.get("ref") if request.method == "GET" else None
    if code and not request.path.startswith(("/static/", "/media/", "/admin", "/healthz")):
        _capture(code, "share" if request.endpoint == "catalog.product" else "link")


@bp.get("/i/<code>")
def invite(code):
    _capture(code, "qr" if request.args.get("via") == "qr" else "link")
    return redirect(url_for("main.home"))
