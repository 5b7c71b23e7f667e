"""Admin 佣金: search commissions by distributor, order, status, level and date with totals; a distributor's
ledger entry by entry; manual adjustments (人工调整佣金, finance and owner only)."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ...distribution.models import COMMISSION_STATUSES, LEVELS
from ...money import format_fen
from ...pagination import requested_page
from ..distribution.services import get_distributor
from ..distribution.views import distributor_page
from ..fields import submit
from ..identity import current_staff
from . import services
from .forms import AdjustmentForm, CommissionFilters

bp = Blueprint("commissions", __name__, url_prefix="/commissions")


@bp.get("")
def index():
    filters, sort = CommissionFilters.from_args(request.args), services.SORTING.choose(request.args)
    rows, totals = services.search(filters, page=requested_page(), sort=sort)
    return render_template("admin/commissions/list.html", rows=rows, totals=totals, filters=filters, sort=sort,
                           statuses=COMMISSION_STATUSES, levels=LEVELS)


@bp.get("/ledger/<int:user_id>")
def ledger(user_id):
    distributor = get_distributor(user_id)
    entries, account = services.ledger(user_id, page=requested_page())
    return render_template("admin/commissions/ledger.html", distributor=distributor, entries=entries,
                           account=account)


@bp.post("/adjust/<int:user_id>")
def adjust(user_id):
    distributor, form = get_distributor(user_id), AdjustmentForm()
    if submit(form, lambda: services.adjust(distributor, form.amount_fen(), form.reason.data, current_staff)).ok:
        flash(_("已为「%(name)s」调整佣金 %(amount)s", name=distributor.user.display_name,
                amount=format_fen(form.amount_fen())), "success")
        return redirect(url_for(".ledger", user_id=user_id))
    return distributor_page(distributor, adjust_form=form)
