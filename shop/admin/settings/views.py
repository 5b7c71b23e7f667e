"""Admin 设置: the shipping rule."""
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from ..fields import page_status
from . import services
from .forms import ShippingRuleForm

bp = Blueprint("settings", __name__, url_prefix="/settings")


@bp.route("", methods=["GET", "POST"])
def index():
    form = ShippingRuleForm(data=services.shipping_rule())
    if form.validate_on_submit():
        services.save_shipping_rule(form.shipping_fee.data, form.free_shipping_threshold.data)
        flash(_("运费设置已保存"), "success")
        return redirect(url_for(".index"))
    return render_template("admin/settings/index.html", form=form), page_status()
