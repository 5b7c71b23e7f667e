"""Admin 增长: the invite funnel (in total and per distributor, 7 or 30 days) and the fraud flags (风控), each held
commission cleared or voided with a reason."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ...growth.models import FLAG_KINDS, FLAG_STATUSES
from ...pagination import requested_page
from ..fields import submit
from ..identity import current_staff
from . import services
from .forms import DecisionForm, flag_filters, funnel_filters

bp = Blueprint("growth", __name__, url_prefix="/growth")
bp.add_app_template_global(services.held_count, "fraud_held")


@bp.get("/funnel")
def funnel():
    filters = funnel_filters(request.args)
    whole, rows, active = services.funnel_page(**filters)
    return render_template("admin/growth/funnel.html", whole=whole, rows=rows, active=active, filters=filters)


def _flags_page(filters, form=None, failed_id=None):
    return render_template("admin/growth/flags.html", rows=services.flags(page=requested_page(), **filters),
                           filters=filters, statuses=FLAG_STATUSES, kinds=FLAG_KINDS,
                           form=form or DecisionForm(formdata=None), failed_id=failed_id)


@bp.get("/flags")
def flags():
    return _flags_page(flag_filters(request.args))


@bp.post("/flags/<int:flag_id>/<any(clear, void):decision>")
def decide(flag_id, decision):
    flag, form = services.get_flag(flag_id), DecisionForm()
    if submit(form, lambda: services.decide(flag, current_staff, form.reason.data, void=decision == "void")).ok:
        flash(_("已作废该佣金，已从冻结余额中扣回") if decision == "void" else _("已放行"), "success")
        return redirect(url_for(".flags", **flag_filters(request.form)))
    return _flags_page(flag_filters(request.form), form, flag_id), 400
