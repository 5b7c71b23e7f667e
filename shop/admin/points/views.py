"""Admin 积分: the points overview (issued, spent, expired, outstanding) with every member's latest entries, the
points rules, one member's points ledger and staff adjustments (finance and owner only)."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ...pagination import requested_page
from ..fields import page_status, submit
from ..identity import current_staff
from . import services
from .forms import PointsAdjustForm, PointsRulesForm

bp = Blueprint("points", __name__, url_prefix="/points")


@bp.get("")
def index():
    query = (request.args.get("q") or "").strip()[:20]
    return render_template("admin/points/index.html", figures=services.overview(), query=query,
                           found=services.find_members(query), entries=services.recent_entries(requested_page()))


@bp.route("/settings", methods=["GET", "POST"])
def settings():
    form = PointsRulesForm() if request.method == "POST" else PointsRulesForm.from_settings(services.points_rules())
    if request.method == "POST" and submit(form, lambda: services.save_points_rules(form.settings_data())).ok:
        flash(_("积分设置已保存"), "success")
        return redirect(url_for(".settings"))
    return render_template("admin/points/settings.html", form=form), page_status()


@bp.get("/member/<int:user_id>")
def member(user_id):
    return member_page(services.get_member(user_id))


def member_page(user, form=None):
    entries, balance = services.member_ledger(user.id, page=requested_page())
    return render_template("admin/points/member.html", member=user, entries=entries, balance=balance,
                           form=form or PointsAdjustForm(formdata=None)), page_status()


@bp.post("/adjust/<int:user_id>")
def adjust(user_id):
    user, form = services.get_member(user_id), PointsAdjustForm()
    if submit(form, lambda: services.adjust(user, form.delta(), form.reason.data, current_staff)).ok:
        flash(_("已为「%(name)s」调整积分 %(n)s", name=user.display_name, n=form.delta()), "success")
        return redirect(url_for(".member", user_id=user_id))
    return member_page(user, form)
