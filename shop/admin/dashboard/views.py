"""Admin 概览: the admin's home page (endpoint admin.dashboard, on the admin blueprint itself)."""
from flask import render_template

from . import services


def dashboard():
    """The merchant's first page."""
    return render_template("admin/dashboard.html", figures=services.dashboard_figures())
