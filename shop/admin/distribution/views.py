"""Admin 分销: distribution settings, commission rules, grades, applications and distributors."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ...accounts.views import safe_next
from ...distribution import settings as distribution_settings
from ...errors import ServiceError
from ...pagination import requested_page
from ..fields import page_status, submit
from ..identity import current_staff
from . import services
from .forms import CommissionRulesForm, DistributionSettingsForm, GradeForm, MoveReferrerForm, RejectApplicationForm

bp = Blueprint("distribution", __name__, url_prefix="/distribution")


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
    filters = {"q": request.args.get("q", "")[:20], "status": request.args.get("status")}
    page, nodes = services.merchant_distributors(page=requested_page(), **filters)
    return render_template("admin/distribution/distributors.html", distributors=page, nodes=nodes, filters=filters)


def _distributor_page(distributor, form=None):
    detail = services.distributor_detail(distributor, page=requested_page())
    return render_template("admin/distribution/distributor.html", distributor=distributor,
                           form=form or MoveReferrerForm(formdata=None), **detail)


@bp.get("/distributors/<int:user_id>")
def distributor(user_id):
    return _distributor_page(services.get_distributor(user_id))


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
    return _distributor_page(distributor, form), 400

from . import preview  # noqa: E402,F401  (the policy preview's route on this blueprint)
