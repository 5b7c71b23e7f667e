"""Admin 助力免单: the enabled products with their rules and figures, and the campaigns."""
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from ...clock import utcnow
from ...pagination import requested_page
from ..fields import page_status, submit
from . import services
from .forms import RuleForm

bp = Blueprint("assist", __name__, url_prefix="/assist")


@bp.get("")
def index():
    return render_template("admin/assist/list.html", rows=services.rules(),
                           campaigns=services.campaigns(requested_page()), now=utcnow())


@bp.route("/new", methods=["GET", "POST"])
@bp.route("/<int:rule_id>/edit", methods=["GET", "POST"])
def edit(rule_id=None):
    rule = services.get_rule(rule_id) if rule_id else None
    form = RuleForm(obj=rule)
    if submit(form, lambda: services.save_rule(form.data, rule)).ok:
        flash(_("助力免单设置已保存"), "success")
        return redirect(url_for(".index"))
    return render_template("admin/assist/form.html", form=form, rule=rule), page_status()
