"""Admin 订单: every shopper's orders filtered and exported, their details, shipping paid ones (one or many), and
refunds the merchant starts."""
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, stream_with_context, url_for
from flask_babel import gettext as _

from ...clock import china_now
from ...errors import ServiceError
from ...orders import status as st
from ...orders.services import ship_order
from ...pagination import page_number, requested_page
from ...payments.gateways import GatewayError
from ...payments.refunds import merchant_refund
from ..identity import current_staff
from . import export as exports
from . import queries, services
from .filters import OrderFilters
from .forms import COURIERS, MerchantRefundForm, ShipForm, shipments

bp = Blueprint("orders", __name__, url_prefix="/orders")

#: Export formats: (chunks of the file, mimetype).
FORMATS = {"csv": (exports.csv_chunks, "text/csv; charset=utf-8"),
           "xlsx": (exports.xlsx_chunks, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")}


@bp.get("")
def index():
    return _list_page(request.args, requested_page())


def _list_page(args, page, typed=None, problems=None):
    """The list for these arguments; after a refused bulk ship, with what was typed and the rows to fix."""
    filters = OrderFilters.from_args(args)
    sort = queries.SORTING.choose(args).linked("admin.orders.index", filters.args())
    orders = queries.order_page(filters, page=page, sort=sort)
    return render_template("admin/orders/list.html", orders=orders, filters=filters, sort=sort, tabs=st.LABELS,
                           counts=services.order_status_counts(), open_refunds=services.open_refunds_of(orders),
                           couriers=COURIERS, typed=typed, problems=problems or {})


@bp.get("/export.<fmt>")
def export(fmt):
    """The filtered rows in the list's order as a file, streamed as it is written."""
    if fmt not in FORMATS:
        abort(404)
    chunks, mimetype = FORMATS[fmt]
    name = f"orders-{china_now():%Y%m%d-%H%M}.{fmt}"
    rows = chunks(OrderFilters.from_args(request.args), queries.SORTING.choose(request.args))
    return Response(stream_with_context(rows), mimetype=mimetype,
                    headers={"Content-Disposition": f"attachment; filename={name}"})


@bp.post("/ship")
def ship_selected():
    """批量发货: what was typed is checked all or nothing (refused: the list again with it and the rows to fix, 400),
    then each order ships on its own and each refusal is reported."""
    try:
        shipped, refused = services.ship_many(shipments(request.form), current_staff)
    except services.IncompleteShipments as err:
        flash(err.message, "error")
        return _list_page(request.form, page_number(request.form.get("page")), request.form, err.problems), 400
    _report(shipped, refused)
    return redirect(url_for(".index", **queries.SORTING.choose(request.form).plus(
        OrderFilters.from_args(request.form).args())))


def _report(shipped, refused):
    if refused:
        flash(_("已发货 %(n)s 个订单，%(m)s 个未发货：每个订单单独发货，未发货的订单不受影响，原因如下",
                n=len(shipped), m=len(refused)), "success" if shipped else "error")
    else:
        flash(_("已发货 %(n)s 个订单", n=len(shipped)), "success")
    for number, message in refused:
        flash(_("%(no)s 未发货：%(why)s", no=number, why=message), "error")


def _detail_page(order_no, refund_form=None):
    order = services.get_order(order_no)
    return render_template("admin/orders/detail.html", order=order, form=ShipForm(),
                           refund_form=refund_form or MerchantRefundForm(formdata=None),
                           **services.order_refunds(order), **services.order_money(order))


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
