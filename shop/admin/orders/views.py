"""Admin 订单: every shopper's orders, their details, and shipping paid ones."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ...errors import ServiceError
from ...orders import status as st
from ...orders.services import ship_order
from ...pagination import requested_page
from . import services
from .forms import ShipForm

bp = Blueprint("orders", __name__, url_prefix="/orders")


@bp.get("")
def index():
    status, q = request.args.get("status"), request.args.get("q", "")[:32]
    orders = services.merchant_orders(status, q, page=requested_page())
    return render_template("admin/orders/list.html", orders=orders, status=status, q=q, tabs=st.LABELS,
                           counts=services.order_status_counts())


@bp.get("/<order_no>")
def detail(order_no):
    return render_template("admin/orders/detail.html", order=services.get_order(order_no), form=ShipForm())


@bp.post("/<order_no>/ship")
def ship(order_no):
    order, form = services.get_order(order_no), ShipForm()
    try:
        ship_order(order, form.company.data, form.tracking_no.data)
    except ServiceError as err:
        flash(err.message, "error")
    else:
        flash(_("已发货"), "success")
    return redirect(url_for(".detail", order_no=order_no))
