"""The storefront's coupons: the coupon centre (领券中心), claiming (there and on product pages) and 我的优惠券."""
from flask import Blueprint, flash, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..errors import ServiceError
from ..pagination import requested_page
from ..urls import safe_next
from . import queries, services

bp = Blueprint("coupons", __name__)


@bp.get("/coupons")
def centre():
    return render_template("coupons/centre.html", offers=queries.centre(current_user))


@bp.post("/coupons/<int:template_id>/claim")
@login_required
def claim(template_id):
    try:
        coupon = services.claim(current_user, template_id)
    except ServiceError as err:
        if err.status == 404:
            raise
        flash(err.message, "error")
    else:
        flash(_("已领取「%(name)s」", name=coupon.template.name), "success")
    return redirect(safe_next("coupons.centre"))


@bp.get("/me/coupons")
@login_required
def mine():
    tab = request.args.get("tab") if request.args.get("tab") in queries.TABS else "usable"
    return render_template("coupons/mine.html", tab=tab,
                           coupons=queries.my_coupons(current_user, tab, requested_page()))
