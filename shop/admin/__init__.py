"""Merchant admin: one blueprint `admin`, staff only, like django-oscar's dashboard: one package per area
(shop/admin/<area>/ with views.py, forms.py, services.py), each area a nested blueprint; the generic form
fields every area uses are in fields.py.

Adding an area (members, commissions, reports, ...): create shop/admin/<area>/ whose views.py defines
`bp = Blueprint("<area>", __name__, url_prefix="/<area>")`, add it to AREAS below, and give it its row in
permissions.py (until then only the owner may open it). Its endpoints are admin.<area>.<view>; the check
below covers them, and every change they make lands in the operation log."""
from flask import Blueprint, abort, redirect, render_template, request, url_for

from ..extensions import db
from ..staff import oplog as operation_log
from ..staff import session as staff_session
from . import login as staff_login
from .agents.views import bp as agents_area
from .alerts.views import bp as alerts
from .assist.views import bp as assist
from .categories.views import bp as categories
from .commissions.views import bp as commissions
from .coupons.views import bp as coupons
from .dashboard.views import dashboard
from .distribution.views import bp as distribution
from .flash.views import bp as flash_area
from .groupbuy.views import bp as groupbuy
from .growth.views import bp as growth
from .identity import current_staff
from .members.views import bp as members
from .oplog.views import bp as oplog_area
from .orders.views import bp as orders
from .permissions import READ_METHODS, area_of, may
from .points.views import bp as points
from .pool.views import bp as pool_area
from .products.views import bp as products
from .refunds.views import bp as refunds
from .settings.views import bp as settings
from .staff.views import bp as staff_area
from .stores.views import bp as stores_area
from .withdrawals.views import bp as withdrawals

AREAS = (products, categories, orders, members, refunds, distribution, commissions, growth, withdrawals, alerts,
         settings, staff_area, oplog_area, coupons, assist, points, groupbuy, flash_area, stores_area,
         pool_area, agents_area)
#: Open to anyone: logging in and out.
PUBLIC = ("admin.login", "admin.logout")

bp = Blueprint("admin", __name__, url_prefix="/admin")
bp.add_url_rule("/", view_func=dashboard, methods=["GET"])
bp.add_url_rule("/login", view_func=staff_login.login, methods=["GET", "POST"])
bp.add_url_rule("/logout", view_func=staff_login.logout, methods=["POST"])
for area in AREAS:
    bp.register_blueprint(area)


@bp.before_request
def require_staff():
    """Every admin URL, nested areas included: strangers (shoppers too) go to the admin login, staff whose role
    may not open the page get 403; a change is recorded in the operation log."""
    if request.endpoint in PUBLIC:
        return None
    staff = current_staff._get_current_object()
    if not staff.is_authenticated:
        return redirect(url_for("admin.login", next=request.full_path.rstrip("?") if request.method == "GET" else None))
    if not may(staff.role, request.endpoint, request.method):
        abort(403)
    staff_session.touch()
    if request.method not in READ_METHODS:
        operation_log.begin(staff, area_of(request.endpoint))
    return None


@bp.errorhandler(403)
def forbidden(err):
    db.session.rollback()
    if not current_staff.is_authenticated:
        return redirect(url_for("admin.login"))
    return render_template("admin/forbidden.html"), 403


@bp.app_template_global()
def staff_may(endpoint, method="GET"):
    """Whether the logged-in staff member may open `endpoint` (the menu shows only what they may)."""
    return current_staff.is_authenticated and may(current_staff.role, endpoint, method)
