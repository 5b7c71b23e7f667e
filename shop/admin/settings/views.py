"""Admin 设置: the shipping rule and the merchant rules (after-sale, commission freeze, orders, withdrawals)."""
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from ..fields import submit
from . import services
from .forms import MerchantRulesForm, ShippingRuleForm

bp = Blueprint("settings", __name__, url_prefix="/settings")


def _page(shipping_form=None, rules_form=None):
    refused = shipping_form is not None or rules_form is not None
    return render_template("admin/settings/index.html",
                           form=shipping_form or ShippingRuleForm(formdata=None, data=services.shipping_rule()),
                           rules_form=rules_form or MerchantRulesForm.from_settings(services.merchant_rules())), \
        400 if refused else 200


@bp.get("")
def index():
    return _page()


@bp.post("")
def shipping():
    form = ShippingRuleForm(data=services.shipping_rule())
    if submit(form, lambda: services.save_shipping_rule(form.shipping_fee.data, form.free_shipping_threshold.data)).ok:
        flash(_("运费设置已保存"), "success")
        return redirect(url_for(".index"))
    return _page(shipping_form=form)


@bp.post("/rules")
def rules():
    form = MerchantRulesForm()
    if submit(form, lambda: services.save_merchant_rules(form.settings_data())).ok:
        flash(_("商家规则已保存"), "success")
        return redirect(url_for(".index") + "#rules")
    return _page(rules_form=form)
