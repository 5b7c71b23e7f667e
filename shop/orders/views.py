"""Checkout, 我的订单 and the shopper's order actions."""
from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..accounts.services import default_address, get_address
from ..converters import whole_number
from ..errors import NotFound, ServiceError
from ..groupbuy.guard import refund_refusal
from ..growth.web import seen
from ..pagination import requested_page
from ..payments import refunds
from ..stores.pickup import pickup_options
from ..urls import to_id
from . import services
from . import status as st
from .pricing import Choice

bp = Blueprint("orders", __name__)


def _buy_now_args():
    return request.values.get("sku_id"), request.values.get("quantity")


@bp.post("/checkout/buy")
def buy_now():
    """立即购买 from the product page: on to checkout with just this SKU."""
    sku, qty = _buy_now_args()
    if not sku:
        raise ServiceError(_("请选择商品规格"))
    return redirect(url_for(".checkout", sku_id=sku, quantity=qty or 1)), 303


def _activity_page(choice, sku_id):
    """Where a refused activity checkout goes back to: the flash-sale page, or the group or the product."""
    if choice.activity[0] == "flash":
        return url_for("flash.index")
    if choice.group:
        return url_for("groupbuy.group", group_no=choice.group)
    product_id = services.product_of_sku(sku_id)
    return url_for("catalog.product", product_id=product_id) if product_id else url_for("main.home")


@bp.get("/checkout")
@login_required
def checkout():
    sku, qty = _buy_now_args()
    items = services.checkout_items(current_user, sku, qty)
    choice = Choice.parse(request.args)
    try:
        quote = services.quote(items, current_user, choice)
    except ServiceError as err:
        if not choice.activity:
            raise
        # A slot that ended, a full group: back to where the activity is shown, told once (a refused placement
        # that came back here said it already).
        if ("error", err.message) not in session.get("_flashes", []):
            flash(err.message, "error")
        return redirect(_activity_page(choice, sku))
    address = None
    if to_id(request.args.get("address")):
        try:
            address = get_address(current_user, to_id(request.args.get("address")))
        except NotFound:
            address = None
    return render_template("orders/checkout.html", quote=quote, address=address or default_address(current_user),
                           sku_id=sku, quantity=qty, choice=choice, pickup=pickup_options(request.args, choice.store))


@bp.post("/checkout")
@login_required
def place():
    sku, qty = _buy_now_args()
    choice = Choice.parse(request.form)
    try:
        items = services.checkout_items(current_user, sku, qty)
        order = services.place_order(current_user, items, to_id(request.form.get("address_id")),
                                     note=request.form.get("note", ""), from_cart=sku is None, choice=choice,
                                     seen=seen())
    except ServiceError as err:
        flash(err.message, "error")
        return redirect(url_for(".checkout", sku_id=sku, quantity=qty, **choice.retry_query())), 303
    return redirect(url_for(".detail", order_no=order.order_no))


@bp.get("/orders")
@login_required
def orders():
    status = request.args.get("status")
    page = services.list_user_orders(current_user, status, page=requested_page())
    return render_template("orders/list.html", orders=page, status=status, tabs=st.LABELS)


@bp.get("/orders/<order_no>")
@login_required
def detail(order_no):
    order = services.get_user_order(current_user, order_no)
    deadline = services.order_deadline(order) if order.status == st.PENDING else None
    return render_template("orders/detail.html", order=order, deadline=deadline,
                           refunds=refunds.order_refunds(order.id), open_refund=refunds.open_refund(order.id),
                           refund_refusal=refund_refusal(order))


@bp.post("/orders/<order_no>/cancel")
@login_required
def cancel(order_no):
    services.cancel_order(services.get_user_order(current_user, order_no), reason="buyer")
    flash(_("订单已取消"), "success")
    return redirect(url_for(".detail", order_no=order_no))


@bp.post("/orders/<order_no>/confirm")
@login_required
def confirm(order_no):
    services.confirm_receipt(services.get_user_order(current_user, order_no))
    flash(_("已确认收货"), "success")
    return redirect(url_for(".detail", order_no=order_no))


@bp.route("/orders/<order_no>/refund", methods=["GET", "POST"])
@login_required
def refund(order_no):
    """申请退款: the whole order, or chosen quantities of its lines, with a reason."""
    order = services.get_user_order(current_user, order_no)
    if request.method == "GET" and refunds.open_refund(order.id) is not None:
        flash(_("这个订单已有一个退款申请在处理中"), "info")
        return redirect(url_for(".detail", order_no=order_no))
    if request.method == "GET" and (refusal := refund_refusal(order)):
        flash(refusal, "info")
        return redirect(url_for(".detail", order_no=order_no))
    lines = refunds.get_user_refund_lines(current_user, order)
    if request.method == "POST":
        quantities = {}
        for line, _left in lines:
            raw = request.form.get(f"qty_{line.id}", "0").strip() or "0"
            quantities[line.id] = whole_number(raw)
            if quantities[line.id] is None:
                flash(_("退款数量必须是整数"), "error")
                return render_template("orders/refund.html", order=order, lines=lines), 400
        try:
            refunds.request_refund(current_user, order, request.form.get("reason", ""), quantities)
        except ServiceError as err:
            flash(err.message, "error")
            return render_template("orders/refund.html", order=order, lines=lines), err.status
        flash(_("退款申请已提交，等待商家处理"), "success")
        return redirect(url_for(".detail", order_no=order_no))
    return render_template("orders/refund.html", order=order, lines=lines)
