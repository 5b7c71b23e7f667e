"""支付: open a payment (JSAPI, H5 or Native), the sandbox cashier and 确认收款 screen, and the notification
endpoints."""
import base64
import logging

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.exceptions import HTTPException

from ..center.posters import qr_png
from ..errors import ServiceError
from ..extensions import csrf, db, limiter
from ..ops import notices
from ..ops.outage import is_outage
from ..orders import status as st
from ..orders.services import get_user_order
from ..wallet.models import TRANSFER_SANDBOX_FAIL
from ..wallet.transfers import own_transfer
from . import services
from .channels import JSAPI, choose_channel
from .gateways import GatewayError, NotificationRejected, configured_gateway_name, get_gateway

bp = Blueprint("payments", __name__, url_prefix="/pay")
log = logging.getLogger("shop.payments")


def fail(message, status):
    """WeChat retries on any non-2xx answer; never answer 200 to a failure."""
    return jsonify(code="FAIL", message=message), status


@bp.post("/<order_no>")
@login_required
def pay(order_no):
    """Open the payment the shopper's browser can use (channels.choose_channel)."""
    order = get_user_order(current_user, order_no)
    channel = choose_channel(request.headers.get("User-Agent"))
    if channel == JSAPI and not current_user.wechat_openid and order.status == st.PENDING:
        # JSAPI needs the member's openid: authorize first, then back to the order page's 继续支付 step.
        return redirect(url_for("wechat_auth.start", next=url_for("orders.detail", order_no=order_no, pay=1)))
    try:
        start = services.start_payment(order, client_ip=request.remote_addr, channel=channel,
                                       openid=current_user.wechat_openid if channel == JSAPI else None)
    except GatewayError as err:
        flash(_("支付暂时不可用：%(m)s", m=err.message), "error")
        return redirect(url_for("orders.detail", order_no=order_no))
    return show_payment(order, start)


def show_payment(order, start):
    """JSAPI: the page that calls WeixinJSBridge; Native: the QR code page; H5 and the sandbox: a redirect."""
    if start.jsapi_params:
        return render_template("payments/jsapi.html", order=order, params=start.jsapi_params)
    if start.code_url:
        return render_template("payments/native.html", order=order, code_url=start.code_url,
                               qr=qr_data_uri(start.code_url), sandbox=order.pay_gateway == "sandbox")
    return redirect(start.redirect_url)


def qr_data_uri(data):
    """The QR code of data as a PNG data: URI, drawn by the app (the code_url is not kept anywhere to serve)."""
    return "data:image/png;base64," + base64.b64encode(qr_png(data)).decode()


@bp.get("/<order_no>/status")
@login_required
def status(order_no):
    """The order's status for the Native page to poll. Reads only."""
    order = get_user_order(current_user, order_no)
    return jsonify(status=order.status, pending=order.status == st.PENDING)


@bp.route("/sandbox/<order_no>", methods=["GET", "POST"])
@login_required
def sandbox_cashier(order_no):
    """The sandbox's cashier page: pay or fail, like WeChat's."""
    order = get_user_order(current_user, order_no)
    if request.method == "POST":
        _sandbox_answer(order_no, request.form.get("action"))
        return redirect(url_for("orders.detail", order_no=order_no))
    return render_template("payments/sandbox_cashier.html", order=order)


def _sandbox_answer(order_no, action):
    gateway = get_gateway("sandbox")
    try:
        if action == "pay":
            gateway.pay(order_no)
            gateway.deliver(order_no)
        else:
            gateway.fail(order_no)
    except GatewayError as err:  # e.g. an order never opened with /pay: the sandbox has no transaction for it
        flash(_("支付暂时不可用：%(m)s", m=err.message), "error")
        return
    db.session.expire_all()
    if action != "pay":
        flash(_("支付未完成"), "error")
    else:
        flash(_("支付成功") if get_user_order(current_user, order_no).status != st.PENDING
              else _("支付结果确认中，请稍后刷新"), "success")


@bp.route("/sandbox/transfer/<out_bill_no>", methods=["GET", "POST"])
@login_required
def sandbox_transfer(out_bill_no):
    """The sandbox's 确认收款 screen for a withdrawal's transfer (WeChat's own, imitated): only its owner opens it,
    and only while the sandbox is the gateway. Confirming or failing it delivers the bill's notification."""
    if configured_gateway_name() != "sandbox":
        abort(404)
    withdrawal = own_transfer(current_user.id, out_bill_no)
    if request.method == "POST":
        _sandbox_transfer_answer(out_bill_no, request.form.get("action"))
        return redirect(url_for("center.withdrawal", withdrawal_id=withdrawal.id))
    return render_template("payments/sandbox_transfer.html", withdrawal=withdrawal)


def _sandbox_transfer_answer(out_bill_no, action):
    gateway = get_gateway("sandbox")
    try:
        if action == "confirm":
            gateway.confirm_transfer(out_bill_no)
        else:
            gateway.fail_transfer(out_bill_no, TRANSFER_SANDBOX_FAIL)
    except GatewayError as err:
        flash(err.message, "error")
        return
    db.session.expire_all()
    flash(_("已确认收款") if action == "confirm" else _("已模拟转账失败"), "success")


@bp.post("/notify/<gateway>")
@csrf.exempt
@limiter.exempt
def notify(gateway):
    """Payment notifications: 204 only after the transaction commits; FAIL + 4xx/5xx otherwise. Each one is
    logged once, with its outcome (ops/notices.py); the database away answers 503 FAIL (ops/outage.py)."""
    with notices.receiving(gateway) as note:
        try:
            note.finish(services.receive_notification(gateway, request.headers, request.get_data(cache=False)))
        except NotificationRejected as err:
            note.refuse(err.reason, err.status, getattr(err, "order_no", None))
            return fail(err.reason, err.status)
        except services.PaymentRefused as err:
            note.refuse(err.reason, err.status)
            return fail(err.reason, err.status)
        except GatewayError as err:
            note.refuse(err.message, 404)
            return fail(err.message, 404)
        except HTTPException as err:  # reading the body: too large (413), cut short (400); nothing read or changed
            note.refuse(err.name, err.code)
            return fail(err.name, err.code)
        except ServiceError as err:  # a refund or transfer we never sent (NotFound): nothing to apply
            note.refuse(err.message, err.status)
            return fail(err.message, err.status)
        except Exception as err:  # anything else (rolled back by the use case): the gateway must retry later
            if is_outage(err):
                raise
            log.exception("notification failed (%s): %s", gateway, err)
            note.fail("internal error")
            return fail("internal error", 500)
    return "", 204


@bp.post("/refund-notify/<gateway>")
@csrf.exempt
@limiter.exempt
def refund_notify(gateway):
    """Refund notifications go through the same verification and are applied exactly once."""
    return notify(gateway)
