"""我的积分: the balance, the daily check-in with its streak, and the member's points entries."""
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..errors import ServiceError
from ..pagination import requested_page
from . import services

bp = Blueprint("points", __name__, url_prefix="/me/points")


@bp.get("")
@login_required
def index():
    return render_template("points/index.html", summary=services.summary(current_user.id),
                           entries=services.entries_page(current_user.id, requested_page()))


@bp.post("/checkin")
@login_required
def checkin():
    try:
        done = services.check_in(current_user)
    except ServiceError as err:
        flash(err.message, "error")
    else:
        flash(_("签到成功，已连续签到 %(n)s 天", n=done.streak), "success")
    return redirect(url_for(".index")), 303
