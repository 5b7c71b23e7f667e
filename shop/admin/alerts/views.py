"""Admin 告警: payment alerts (amount mismatches, reused transaction ids, automatic refunds, stuck refunds or
transfers, audit failures) filtered by kind and handled or not; each can be marked handled with a note."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ...pagination import requested_page
from ...payments.models import ALERT_KINDS
from ..fields import submit
from ..identity import current_staff
from . import services
from .forms import HandleForm, list_filters

bp = Blueprint("alerts", __name__, url_prefix="/alerts")
bp.add_app_template_global(services.unhandled_count, "alerts_unhandled")


def _list_page(args, form=None, failed_id=None):
    filters = list_filters(args)
    sort = services.SORTING.choose(args).linked("admin.alerts.index", filters)
    rows, users = services.alerts(page=requested_page(), sort=sort, **filters)
    return render_template("admin/alerts/list.html", rows=rows, users=users, filters=filters, sort=sort,
                           kinds=ALERT_KINDS, form=form or HandleForm(formdata=None), failed_id=failed_id)


@bp.get("")
def index():
    return _list_page(request.args)


@bp.post("/<int:alert_id>/handle")
def handle(alert_id):
    alert, form = services.get_alert(alert_id), HandleForm()
    if submit(form, lambda: services.mark_handled(alert.id, current_staff, form.note.data)).ok:
        flash(_("告警已标记为已处理"), "success")
        return redirect(url_for(".index", **services.SORTING.choose(request.form).plus(list_filters(request.form))))
    return _list_page(request.form, form, alert_id), 400
