"""Admin 操作日志 (owner only, read-only): every change made in the admin, who made it, when, from where, and
the values before and after (recorded by shop/staff/oplog.py)."""
from flask import Blueprint, render_template, request

from ...pagination import requested_page
from . import services
from .filters import LogFilters

bp = Blueprint("oplog", __name__, url_prefix="/oplog")


@bp.get("")
def index():
    filters, sort = LogFilters.from_args(request.args), services.SORTING.choose(request.args)
    return render_template("admin/oplog/list.html", rows=services.operation_logs(filters, requested_page(), sort),
                           filters=filters, sort=sort, staff=services.staff_choices(),
                           areas=services.logged_areas())
