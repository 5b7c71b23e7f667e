"""Admin 订单: every shopper's orders, their details, shipping paid ones, and refunds the merchant starts."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ...errors import ServiceError
from ...orders import status as st
from ...orders.services import ship_order
from ...pagination import requested_page
from ...payments.gateways import GatewayError
from ...payments.refunds import merchant_refund
from ..identity import current_staff
from . import services
from .forms import MerchantRefundForm, ShipForm

bp = Blueprint("orders", __name__, url_prefix="/orders")


@bp.get("")
def index():
    status, q = request.args.get("status"), request.args.get("q", "")[:32]
    orders = services.merchant_orders(status, q, page=requested_page())
    return render_template("admin/orders/list.html", orders=orders, status=status, q=q, tabs=st.LABELS,
                           counts=services.order_status_counts(), open_refunds=services.open_refunds_of(orders))


def _detail_page(order_no, refund_form=None):
    order = services.get_order(order_no)
    return render_template("admin/orders/detail.html", order=order, form=ShipForm(),
                           refund_form=refund_form or MerchantRefundForm(formdata=None),
                           **services.order_refunds(order))


@bp.get("/<order_no>")
def detail(order_no):
    return _detail_page(order_no)


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


@bp.post("/<order_no>/refund")
def refund(order_no):
    """商家退款: the whole order or chosen quantities, sent through the gateway at once."""
    order, form = services.get_order(order_no), MerchantRefundForm()
    if not form.validate_on_submit():
        return _detail_page(order_no, form), 400
    try:
        result = merchant_refund(order, form.reason.data, current_staff,
                                 form.quantities(services.order_refunds(order)["refundable"]),
                                 restock=form.restock.data)
    except ServiceError as err:
        form.form_errors.append(err.message)
        return _detail_page(order_no, form), err.status
    except GatewayError as err:
        flash(_("支付网关暂时无法退款（%(error)s），退款保持「已同意」，可稍后重新发送", error=err.message), "error")
        return redirect(url_for(".detail", order_no=order_no))
    flash(_("已发起退款 %(no)s", no=result.refund_no), "success")
    return redirect(url_for("admin.refunds.detail", refund_no=result.refund_no))
