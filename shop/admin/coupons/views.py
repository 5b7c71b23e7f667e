"""Admin 优惠券: templates (list with issued and used counts, create, edit, on/off), issuing a template to chosen
members, the members' coupons with filters, and the coupon reward settings."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ...coupons.models import COUPON_STATUSES
from ...pagination import requested_page
from ..fields import page_status, submit
from . import services
from .forms import IssueForm, RewardSettingsForm, TemplateForm, coupon_filters, template_data

bp = Blueprint("coupons", __name__, url_prefix="/coupons")


@bp.get("")
def index():
    return render_template("admin/coupons/list.html", rows=services.templates())


@bp.route("/new", methods=["GET", "POST"])
@bp.route("/<int:template_id>/edit", methods=["GET", "POST"])
def edit(template_id=None):
    template = services.get_template(template_id) if template_id else None
    form = TemplateForm(obj=template_data(template))
    if submit(form, lambda: services.save_template(form.data, template)).ok:
        flash(_("优惠券「%(name)s」已保存", name=form.name.data), "success")
        return redirect(url_for(".index"))
    return render_template("admin/coupons/form.html", form=form, template=template), page_status()


@bp.post("/<int:template_id>/<any(enable, disable):action>")
def toggle(template_id, action):
    template = services.set_enabled(services.get_template(template_id), action == "enable")
    flash(_("「%(name)s」已启用", name=template.name) if template.enabled else _("「%(name)s」已停用", name=template.name),
          "success")
    return redirect(url_for(".index"))


@bp.route("/<int:template_id>/issue", methods=["GET", "POST"])
def issue(template_id):
    template, form = services.get_template(template_id), IssueForm()
    done = submit(form, lambda: services.issue(template, form.members.data))
    if done.ok:
        given, skipped = done.value
        flash(_("已发放%(n)s张", n=given), "success")
        for user, reason in skipped:
            flash(_("%(phone)s 未发放：%(reason)s", phone=user.phone, reason=reason), "error")
        return redirect(url_for(".coupons", template_id=template.id))
    return render_template("admin/coupons/issue.html", form=form, template=template), page_status()


@bp.get("/issued")
def coupons():
    filters = coupon_filters(request.args)
    return render_template("admin/coupons/coupons.html", filters=filters, statuses=COUPON_STATUSES,
                           templates=services.templates(), rows=services.member_coupons(page=requested_page(),
                                                                                        **filters))


@bp.route("/rewards", methods=["GET", "POST"])
def rewards():
    form = RewardSettingsForm(data=None if request.method == "POST" else services.reward_settings())
    form.set_choices([t for t, _used in services.templates()], _("不发放"))
    if submit(form, lambda: services.save_reward_settings(form.data)).ok:
        flash(_("奖励设置已保存"), "success")
        return redirect(url_for(".rewards"))
    return render_template("admin/coupons/rewards.html", form=form), page_status()
