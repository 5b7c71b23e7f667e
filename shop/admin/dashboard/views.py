"""Admin 概览: the admin's home page (endpoint admin.dashboard, on the admin blueprint itself)."""
from flask import render_template, request

from . import charts, services
from .forms import choose_period, default_range


def dashboard():
    """The merchant's first page: a period's figures and charts, and what waits today."""
    today = services.china_today()
    choice = choose_period(request.args, today)
    report = services.range_report(choice.first, choice.last)
    return render_template("admin/dashboard.html", figures=services.dashboard_figures(), report=report,
                           choice=choice, charts=charts.build(report), periods=services.PERIODS,
                           range_defaults=default_range(today))
