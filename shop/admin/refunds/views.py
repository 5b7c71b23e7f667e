"""Admin 售后: the refund queue, one refund, approve (sent through the gateway) or reject with a reason."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ...errors import ServiceError
from ...pagination import requested_page
from ...payments import refunds
from ...payments.gateways import GatewayError
from ...payments.models import REFUND_STATUSES
from ..fields import submit
from ..identity import current_staff
from . import services
from .forms import ApproveRefundForm, QueueFilterForm, RejectRefundForm

bp = Blueprint("refunds", __name__, url_prefix="/refunds")
bp.add_app_template_global(services.waiting_count, "refunds_waiting")


@bp.get("")
def index():
    f, sort = QueueFilterForm(request.args), services.SORTING.choose(request.args)
    data = f.data if f.validate() else {}
    page = services.refund_queue(data.get("status"), data.get("start"), data.get("end"), data.get("q"),
                                 page=requested_page(), sort=sort)
    return render_template("admin/refunds/list.html", refunds=page, filters=f, sort=sort, tabs=REFUND_STATUSES,
                           counts=services.status_counts())


def _detail_page(refund_no, reject_form=None):
    refund = services.get_refund(refund_no)
    return render_template("admin/refunds/detail.html", refund=refund, lines=services.refund_lines(refund),
                           payment=services.refund_payment(refund), decided_by=services.decided_by(refund),
                           approve_form=ApproveRefundForm(formdata=None),
                           reject_form=reject_form or RejectRefundForm(formdata=None))


@bp.get("/<refund_no>")
def detail(refund_no):
    return _detail_page(refund_no)


def _send(use_case, refund_no, done_message):
    """Run a use case that sends the refund to the gateway; its refusal or the gateway's answer is flashed."""
    try:
        use_case(services.get_refund(refund_no).id)
    except ServiceError as err:
        flash(err.message, "error")
    except GatewayError as err:
        flash(_("支付网关暂时无法退款（%(error)s），退款保持「已同意」，可稍后重新发送", error=err.message), "error")
    else:
        flash(done_message, "success")
    return redirect(url_for(".detail", refund_no=refund_no))


@bp.post("/<refund_no>/approve")
def approve(refund_no):
    restock = ApproveRefundForm().restock.data
    return _send(lambda rid: refunds.approve_refund(rid, current_staff, restock=restock), refund_no,
                 _("已同意退款，款项已提交支付网关"))


@bp.post("/<refund_no>/send")
def send(refund_no):
    return _send(refunds.execute_refund, refund_no, _("已重新提交支付网关"))


@bp.post("/<refund_no>/reject")
def reject(refund_no):
    form = RejectRefundForm()
    if submit(form, lambda: refunds.reject_refund(services.get_refund(refund_no).id, current_staff, form.reason.data)).ok:
        flash(_("已拒绝退款申请"), "success")
        return redirect(url_for(".detail", refund_no=refund_no))
    return _detail_page(refund_no, form), 400
