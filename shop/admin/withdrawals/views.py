"""Admin 提现: the queue filtered by status, method and date, one withdrawal, approve (alone or in bulk), mark
paid with a reference, reject with a reason, and the filtered rows as an Excel file."""
from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ...clock import china_now
from ...errors import ServiceError
from ...pagination import requested_page
from ...wallet.models import METHODS, WITHDRAWAL_STATUSES
from ..fields import submit
from ..identity import current_staff
from . import services
from .export import workbook_bytes
from .forms import PaidForm, QueueFilters, RejectForm, selected_ids

bp = Blueprint("withdrawals", __name__, url_prefix="/withdrawals")
bp.add_app_template_global(services.waiting_count, "withdrawals_waiting")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.get("")
def index():
    filters, sort = QueueFilters.from_args(request.args), services.SORTING.choose(request.args)
    rows, accounts = services.queue(filters, page=requested_page(), sort=sort)
    return render_template("admin/withdrawals/list.html", rows=rows, accounts=accounts, filters=filters, sort=sort,
                           counts=services.status_counts(), statuses=WITHDRAWAL_STATUSES, methods=METHODS)


@bp.get("/export")
def export():
    rows, accounts = services.export_rows(QueueFilters.from_args(request.args), services.SORTING.choose(request.args))
    name = f"withdrawals-{china_now():%Y%m%d-%H%M}.xlsx"
    return Response(workbook_bytes(rows, accounts), mimetype=XLSX,
                    headers={"Content-Disposition": f"attachment; filename={name}"})


@bp.post("/approve")
def approve_selected():
    approved, refused = services.approve_many(selected_ids(request.form), current_staff)
    if approved or not refused:
        flash(_("已审核通过 %(n)s 笔提现", n=len(approved)), "success")
    for number, message in refused:
        flash(_("%(no)s 未通过：%(why)s", no=number, why=message), "error")
    return redirect(url_for(".index", **QueueFilters.from_args(request.form).args(),
                            **services.SORTING.choose(request.form).args()))


def _detail_page(withdrawal, paid_form=None, reject_form=None):
    return render_template("admin/withdrawals/detail.html", withdrawal=withdrawal,
                           paid_form=paid_form or PaidForm(formdata=None),
                           reject_form=reject_form or RejectForm(formdata=None),
                           **services.withdrawal_detail(withdrawal))


@bp.get("/<int:withdrawal_id>")
def detail(withdrawal_id):
    return _detail_page(services.get_withdrawal(withdrawal_id))


@bp.post("/<int:withdrawal_id>/approve")
def approve(withdrawal_id):
    withdrawal = services.get_withdrawal(withdrawal_id)
    try:
        withdrawal = services.approve_withdrawal(withdrawal.id, current_staff)
    except ServiceError as err:
        flash(err.message, "error")
    else:
        flash(_("提现 %(no)s 已审核通过", no=withdrawal.withdrawal_no), "success")
    return redirect(url_for(".detail", withdrawal_id=withdrawal_id))


@bp.post("/<int:withdrawal_id>/paid")
def paid(withdrawal_id):
    withdrawal, form = services.get_withdrawal(withdrawal_id), PaidForm()
    if submit(form, lambda: services.mark_paid(withdrawal, current_staff, form.reference.data)).ok:
        flash(_("提现 %(no)s 已标记打款", no=withdrawal.withdrawal_no), "success")
        return redirect(url_for(".detail", withdrawal_id=withdrawal_id))
    return _detail_page(withdrawal, paid_form=form), 400


@bp.post("/<int:withdrawal_id>/reject")
def reject(withdrawal_id):
    withdrawal, form = services.get_withdrawal(withdrawal_id), RejectForm()
    if submit(form, lambda: services.reject(withdrawal, current_staff, form.reason.data)).ok:
        flash(_("提现 %(no)s 已拒绝，金额已退回可提现余额", no=withdrawal.withdrawal_no), "success")
        return redirect(url_for(".detail", withdrawal_id=withdrawal_id))
    return _detail_page(withdrawal, reject_form=form), 400
