"""门店核销台 at /store (a mobile page for store clerks): enter or scan a pickup code, see the order, confirm the
pickup; the store's pickup orders and figures. And the buyer's pickup QR code."""
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..center.posters import qr_png
from ..errors import NotFound, ServiceError
from ..orders.services import get_user_order
from ..pagination import requested_page
from . import redemption, services

bp = Blueprint("stores", __name__)


@bp.get("/store")
@login_required
def home():
    store = services.clerk_store(current_user)
    tab = services.REDEEMED if request.args.get("tab") == services.REDEEMED else services.WAITING
    return render_template("stores/home.html", store=store, tab=tab, figures=services.store_figures(store),
                           orders=services.pickup_orders(store, tab, requested_page()))


@bp.get("/store/redeem")
@login_required
def lookup():
    """The code typed on /store: on to its order's page, or back with the reason."""
    services.clerk_store(current_user)
    code = redemption.parse_code(request.args.get("code"))
    if code is None:
        flash(_("请输入12位数字核销码"), "error")
        return redirect(url_for(".home"))
    return redirect(url_for(".order", code=code))


@bp.get("/store/redeem/<code>")
@login_required
def order(code):
    """The order of a code (typed, or scanned with the phone's camera from the buyer's QR code)."""
    found = redemption.find_for_clerk(current_user, code)
    return render_template("stores/redeem.html", order=found, refusal=redemption.refusal(found))


@bp.post("/store/redeem/<code>")
@login_required
def redeem(code):
    try:
        redemption.redeem(current_user, code)
    except NotFound:
        raise  # no such code in this store: the 404 page, nothing changed
    except ServiceError as err:
        flash(err.message, "error")
    else:
        flash(_("核销成功，订单已完成"), "success")
    return redirect(url_for(".order", code=code))


@bp.get("/orders/<order_no>/pickup-qr.png")
@login_required
def pickup_qr(order_no):
    """The buyer's pickup QR code: the clerk's redemption page of the code, for the clerk's camera."""
    found = get_user_order(current_user, order_no)
    if not found.pickup_code or found.redeemed_at is not None:
        raise NotFound(_("没有可用的核销码"))
    link = url_for(".order", code=found.pickup_code, _external=True)
    response = current_app.response_class(qr_png(link), mimetype="image/png")
    response.headers["Cache-Control"] = "private, no-store"
    return response
