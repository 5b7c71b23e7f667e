"""Admin 分红池: settings and the paid periods; paying a period; a period explained (base, rate, pool, each share,
the remainder, and the refunds after payout)."""
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from ...pool import settings as pool_settings
from ...pool.models import LABELS
from ...pool.services import BUSY, OFF
from ..fields import page_status, submit
from . import services
from .forms import PayForm, PoolSettingsForm

bp = Blueprint("pool", __name__, url_prefix="/pool")
bp.context_processor(lambda: {"pool_labels": LABELS})


def _page(form=None, pay_form=None):
    form = form or PoolSettingsForm(pool_settings.current(), services.grades())
    return render_template("admin/pool/index.html", form=form, pay_form=pay_form or PayForm(),
                           periods=services.periods())


@bp.get("")
def index():
    return _page()


@bp.post("/settings")
def save():
    form = PoolSettingsForm(pool_settings.current(), services.grades())
    if submit(form, lambda: services.save_settings(form.values())).ok:
        flash(_("分红池设置已保存"), "success")
        return redirect(url_for(".index"))
    return _page(form=form), page_status()


@bp.post("/pay")
def pay():
    form = PayForm()
    done = submit(form, lambda: services.pay(form.period.data))
    if not done.ok:
        return _page(pay_form=form), page_status()
    if done.value == OFF:
        flash(_("分红池未开启（分红比例为 0），未发放"), "info")
        return redirect(url_for(".index"))
    if done.value == BUSY or done.value is None:
        flash(_("该期分红已发放或正在发放，本次未重复发放"), "info")
        return redirect(url_for(".index"))
    flash(_("%(period)s 分红已发放", period=done.value.period), "success")
    return redirect(url_for(".detail", period_id=done.value.id))


@bp.get("/<int:period_id>")
def detail(period_id):
    period = services.get_period(period_id)
    return render_template("admin/pool/period.html", period=period, shares=services.period_shares(period),
                           adjustments=services.period_adjustments(period))
