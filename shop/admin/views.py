"""Merchant admin blueprint: staff only; each area (products, categories, orders, distribution, settings) is a
nested blueprint."""
from flask import Blueprint, render_template

from ..accounts.views import admin_required
from . import categories, distribution, orders, products, services, settings

bp = Blueprint("admin", __name__, url_prefix="/admin")
for area in (products.bp, categories.bp, orders.bp, distribution.bp, settings.bp):
    bp.register_blueprint(area)


@bp.before_request
@admin_required
def require_staff():
    """Every admin URL, nested areas included: strangers go to login, members who are not staff get 403."""


@bp.get("/")
def dashboard():
    return render_template("admin/dashboard.html", figures=services.dashboard_figures())
