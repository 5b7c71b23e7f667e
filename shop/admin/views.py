"""Merchant admin blueprint."""
from flask import Blueprint, render_template

from ..accounts.views import admin_required

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/")
@admin_required
def dashboard():
    return render_template("admin/dashboard.html")
