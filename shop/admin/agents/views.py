"""Admin 区域代理: the list with region figures and filters, the export, appointing, an agent's page with its
dividends, changing the rate, ending an appointment. Every change is in the operation log (/admin/oplog)."""
from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ...agents import queries, services
from ...agents.models import AGENT_LEVELS, AGENT_STATUSES, Agent
from ...clock import china_now
from ...errors import ServiceError, found
from ...extensions import db
from ...pagination import requested_page
from ..fields import page_status, submit
from ..identity import current_staff
from ..xlsx import XLSX
from . import export
from .forms import AppointForm, EndForm, RateForm

bp = Blueprint("agents", __name__, url_prefix="/agents")


@bp.get("")
def index():
    filters = queries.AgentFilters.from_args(request.args)
    rows = queries.agents_page(filters, requested_page())
    return render_template("admin/agents/list.html", rows=rows, filters=filters, levels=AGENT_LEVELS,
                           statuses=AGENT_STATUSES, figures=queries.figures([a.id for a, _u in rows.items]))


@bp.get("/export")
def download():
    filters, as_csv = queries.AgentFilters.from_args(request.args), request.args.get("format") == "csv"
    name = f"agents-{china_now():%Y%m%d-%H%M}.{'csv' if as_csv else 'xlsx'}"
    body = export.as_csv(filters) if as_csv else export.as_xlsx(filters)
    return Response(body, mimetype="text/csv; charset=utf-8" if as_csv else XLSX,
                    headers={"Content-Disposition": f"attachment; filename={name}"})


@bp.route("/new", methods=["GET", "POST"])
def appoint():
    form = AppointForm()
    done = submit(form, lambda: services.appoint(form.phone.data, form.level.data, form.province.data,
                                                 form.city.data, form.district.data, form.rate.data,
                                                 actor=current_staff))
    if done.ok:
        flash(_("已任命 %(r)s %(l)s", r=done.value.region_text, l=AGENT_LEVELS[done.value.level]), "success")
        return redirect(url_for(".detail", agent_id=done.value.id))
    return render_template("admin/agents/form.html", form=form), page_status()


@bp.get("/<int:agent_id>")
def detail(agent_id):
    agent = found(db.session.get(Agent, agent_id))
    return render_template("admin/agents/detail.html", agent=agent, rate_form=RateForm(), end_form=EndForm(),
                           figures=queries.figures([agent.id])[agent.id],
                           dividends=queries.dividends_page([agent.id], requested_page()))


def _done(agent_id, form, action, message):
    """Run one service call for the agent page's small forms: flash its refusal or `message`, back to the page."""
    try:
        if not form.validate_on_submit():
            raise ServiceError(next(iter(form.errors.values()))[0])
        action()
    except ServiceError as err:
        flash(err.message, "error")
    else:
        flash(message, "success")
    return redirect(url_for(".detail", agent_id=agent_id))


@bp.post("/<int:agent_id>/rate")
def change_rate(agent_id):
    form = RateForm()
    return _done(agent_id, form, lambda: services.change_rate(agent_id, form.rate.data), _("分红比例已修改"))


@bp.post("/<int:agent_id>/end")
def end(agent_id):
    form = EndForm()
    return _done(agent_id, form, lambda: services.end_appointment(agent_id, form.reason.data), _("已卸任"))
