"""Merchant admin: one blueprint `admin`, staff only, like django-oscar's dashboard: one package per area
(shop/admin/<area>/ with views.py, forms.py, services.py), each area a nested blueprint; the generic form
fields every area uses are in fields.py.

Adding an area (refunds, withdrawals, staff, reports, ...): create shop/admin/<area>/ whose views.py defines
`bp = Blueprint("<area>", __name__, url_prefix="/<area>")`, and add it to AREAS below; its endpoints are
admin.<area>.<view>, and the staff check below covers them."""
from flask import Blueprint

from ..accounts.views import admin_required
from .alerts.views import bp as alerts
from .categories.views import bp as categories
from .dashboard.views import dashboard
from .distribution.views import bp as distribution
from .growth.views import bp as growth
from .orders.views import bp as orders
from .products.views import bp as products
from .refunds.views import bp as refunds
from .settings.views import bp as settings
from .withdrawals.views import bp as withdrawals

AREAS = (products, categories, orders, refunds, distribution, growth, withdrawals, alerts, settings)

bp = Blueprint("admin", __name__, url_prefix="/admin")
bp.add_url_rule("/", view_func=dashboard, methods=["GET"])
for area in AREAS:
    bp.register_blueprint(area)


@bp.before_request
@admin_required
def require_staff():
    """Every admin URL, nested areas included: strangers go to login, members who are not staff get 403."""
