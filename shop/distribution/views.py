"""Invite links (/i/<code>) and the ?ref=<code> capture on every storefront page. The distributor center
(/center) is its own blueprint, shop.center.

Each followed link also counts one visit for the invite funnel, by its `src` (link, qr, poster, share): the one
write a GET makes besides binding, documented in docs/architecture.md."""
from flask import Blueprint, redirect, request, url_for
from flask_login import current_user

from ..growth.visits import count_visit, visit_source
from . import binding

bp = Blueprint("distribution", __name__)


def _capture(code, source, visit_default):
    """Remember the referral and count the visit; a logged-in member is bound at once (first visit after login)."""
    distributor = binding.remember_referral(code, source)
    if distributor is None:
        return  # unknown or disabled codes are ignored politely
    if not (current_user.is_authenticated and current_user.id == distributor.user_id):
        count_visit(distributor.user_id, visit_source(request.args.get("src"), visit_default))
    if current_user.is_authenticated:
        binding.bind_referral(current_user, binding.take_referral())


@bp.before_app_request
def capture_ref_parameter():
    code = request.args.get("ref") if request.method == "GET" else None
    if code and not request.path.startswith(("/static/", "/media/", "/admin", "/healthz")):
        shared = request.endpoint == "catalog.product"
        _capture(code, "share" if shared else "link", "share" if shared else "link")


@bp.get("/i/<code>")
def invite(code):
    by_qr = request.args.get("via") == "qr"
    _capture(code, "qr" if by_qr else "link", "qr" if by_qr else "link")
    return redirect(url_for("main.home"))
