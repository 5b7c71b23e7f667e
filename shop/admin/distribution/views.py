"""Admin 分销: distribution settings, commission rules, grades, applications, and distributors (the filtered list
and its Excel export, one distributor's page, disabling, 调整上级 and 调整等级)."""
from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ...clock import china_now
from ...distribution import settings as distribution_settings
from ...errors import ServiceError
from ...pagination import requested_page
from ...urls import safe_next
from ..commissions.forms import AdjustmentForm
from ..fields import page_status, submit
from ..identity import current_staff
from ..xlsx import XLSX
from . import queries, services
from .export import distributors_workbook
from .forms import (
    CommissionRulesForm,
    DistributionSettingsForm,
    DistributorFilters,
    GradeChangeForm,
    GradeForm,
    MoveReferrerForm,
    RejectApplicationForm,
)

bp = Blueprint("distribution", __name__, url_prefix="/distribution")
bp.add_app_template_global(services.applications_waiting, "applications_waiting")


@bp.route("/settings", methods=["GET", "POST"])
def settings():
    form = DistributionSettingsForm.from_settings(distribution_settings.current())
    if submit(form, lambda: services.save_distribution_settings(form.settings_data())).ok:
        flash(_("分销设置已保存"), "success")
        return redirect(url_for(".settings"))
    return render_template("admin/distribution/settings.html", form=form), page_status()


@bp.route("/rules", methods=["GET", "POST"])
def rules():
    form = CommissionRulesForm.from_rules(services.commission_settings())
    sent = submit(form, lambda: services.save_commission_rules(current_staff, **form.rules_data()))
    if sent.ok:
        flash(_("佣金规则已保存（规则版本 #%(id)s）", id=sent.value.id), "success")
        return redirect(url_for(".rules"))
    return render_template("admin/distribution/rules.html", form=form,
                           versions=services.recent_rule_versions()), page_status()


@bp.get("/grades")
def grades():
    return render_template("admin/distribution/grades.html", grades=services.grades(),
                           rules=services.commission_settings())


@bp.route("/grades/new", methods=["GET", "POST"])
@bp.route("/grades/<int:grade_id>/edit", methods=["GET", "POST"])
def grade(grade_id=None):
    grade = services.get_grade(grade_id) if grade_id else None
    form = GradeForm(grade)
    sent = submit(form, lambda: services.save_grade(current_staff, form.grade_data(), grade))
    if sent.ok:
        flash(_("分销等级「%(name)s」已保存", name=sent.value.name), "success")
        return redirect(url_for(".grades"))
    return render_template("admin/distribution/grade_form.html", form=form, grade=grade), page_status()


def _applications_page(form=None, failed_id=None):
    status = "done" if request.args.get("status") == "done" else "pending"
    return render_template("admin/distribution/applications.html", status=status, form=form or RejectApplicationForm(),
                           failed_id=failed_id, pending_count=services.pending_application_count(),
                           applications=services.applications(status, page=requested_page()))


@bp.get("/applications")
def applications():
    return _applications_page()


@bp.post("/applications/<int:application_id>/approve")
def approve(application_id):
    application = services.get_application(application_id)
    try:
        services.approve_application(application, current_staff)
    except ServiceError as err:
        flash(err.message, "error")
    else:
        flash(_("已通过「%(name)s」的申请", name=application.real_name), "success")
    return redirect(url_for(".applications"))


@bp.post("/applications/<int:application_id>/reject")
def reject(application_id):
    application, form = services.get_application(application_id), RejectApplicationForm()
    if submit(form, lambda: services.reject_application(application, current_staff, form.reason.data)).ok:
        flash(_("已拒绝「%(name)s」的申请", name=application.real_name), "success")
        return redirect(url_for(".applications"))
    return _applications_page(form, application_id), 400


@bp.get("/distributors")
def distributors():
    filters, sort = DistributorFilters.from_args(request.args), queries.SORTING.choose(request.args)
    page, nodes = queries.distributor_page(filters, page=requested_page(), sort=sort)
    return render_template("admin/distribution/distributors.html", distributors=page, nodes=nodes, filters=filters,
                           sort=sort, grades=services.grades())


@bp.get("/distributors/export")
def export():
    rows = queries.export_rows(DistributorFilters.from_args(request.args), queries.SORTING.choose(request.args))
    workbook = distributors_workbook(*rows)
    name = f"distributors-{china_now():%Y%m%d-%H%M}.xlsx"
    return Response(workbook, mimetype=XLSX, headers={"Content-Disposition": f"attachment; filename={name}"})


def distributor_page(distributor, move_form=None, grade_form=None, adjust_form=None):
    """The distributor page, with a refused form shown again (400) or every form empty (200)."""
    detail = services.distributor_detail(distributor, page=requested_page())
    refused = any(form is not None for form in (move_form, grade_form, adjust_form))
    html = render_template("admin/distribution/distributor.html", distributor=distributor,
                           form=move_form or MoveReferrerForm(formdata=None),
                           grade_form=grade_form or GradeChangeForm(detail["all_grades"], formdata=None,
                                                                     data={"grade_id": str(distributor.grade_id or "")}),
                           adjust_form=adjust_form or AdjustmentForm(formdata=None), **detail)
    return html, 400 if refused else 200


@bp.get("/distributors/<int:user_id>")
def distributor(user_id):
    return distributor_page(services.get_distributor(user_id))


@bp.post("/distributors/<int:user_id>/active")
def set_active(user_id):
    distributor = services.set_distributor_active(user_id, request.form.get("active") == "1")
    name = distributor.user.display_name
    flash(_("已启用分销商「%(name)s」", name=name) if distributor.is_active
          else _("已停用分销商「%(name)s」", name=name), "success")
    return redirect(safe_next("admin.distribution.distributors"))


@bp.post("/distributors/<int:user_id>/move")
def move(user_id):
    distributor, form = services.get_distributor(user_id), MoveReferrerForm()
    if submit(form, lambda: services.move_referrer(distributor, form.referrer_phone.data, form.reason.data,
                                                   current_staff)).ok:
        flash(_("已调整「%(name)s」的上级", name=distributor.user.display_name), "success")
        return redirect(url_for(".distributor", user_id=user_id))
    return distributor_page(distributor, move_form=form)


@bp.post("/distributors/<int:user_id>/grade")
def change_grade(user_id):
    distributor = services.get_distributor(user_id)
    form = GradeChangeForm(services.grades())
    if submit(form, lambda: services.change_grade(distributor, form.grade(), form.reason.data, current_staff)).ok:
        flash(_("已调整「%(name)s」的等级", name=distributor.user.display_name), "success")
        return redirect(url_for(".distributor", user_id=user_id))
    return distributor_page(distributor, grade_form=form)


from . import preview  # noqa: E402,F401  (the policy preview's route on this blueprint)
