"""区域代理 in the distributor center: an agent's regions, figures and dividends. Members only; a member who is
not an agent gets a 404. Reads only."""
from flask import Blueprint, abort, current_app, render_template, request
from flask_login import current_user

from ..pagination import requested_page
from . import queries
from .services import active_agent_of

bp = Blueprint("agent_center", __name__, url_prefix="/center/agent")


@bp.app_context_processor
def agent_helpers():
    def my_agent_regions():
        """The logged-in member's active appointments (the center shows its 区域代理 entry when there are any)."""
        return active_agent_of(current_user.id) if current_user.is_authenticated else []
    return {"my_agent_regions": my_agent_regions}


@bp.get("")
def index():
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    agents = active_agent_of(current_user.id)
    if not agents:
        abort(404)
    ids, tab = [a.id for a in agents], "orders" if request.args.get("tab") == "orders" else "dividends"
    rows = (queries.region_orders_page(agents, requested_page()) if tab == "orders"
            else queries.dividends_page(ids, requested_page()))
    return render_template("agents/center.html", agents=agents, tab=tab, rows=rows,
                           figures=queries.total_figures(queries.figures(ids).values()))
