"""Invite links (/i/<code>) and the ?ref=<code> capture on every storefront page."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..errors import ServiceError
from ..extensions import db
from ..settings import get_setting
from . import binding, services, tree
from .forms import ApplyForm

bp = Blueprint("distribution", __name__)


def _capture(code, source):
    """Remember the referral; a logged-in member is bound at once (first visit after login)."""
    if binding.remember_referral(code, source) is None:
        return  # unknown or disabled codes are ignored politely
    if current_user.is_authenticated:
        binding.apply_session_referral(current_user)
        db.session.commit()


@bp.before_app_request
def capture_ref_parameter():
    code = request.args.get("ref") if request.method == "GET" else None
    if code and not request.path.startswith(("/static/", "/media/", "/admin", "/healthz")):
        _capture(code, "share" if request.endpoint == "catalog.product" else "link")


@bp.get("/i/<code>")
def invite(code):
    _capture(code, "qr" if request.args.get("via") == "qr" else "link")
    return redirect(url_for("main.home"))


@bp.route("/center", methods=["GET", "POST"])
@login_required
def center():
    """推广中心: the invite code for distributors; how to become one for everyone else."""
    distributor = services.get_distributor(current_user.id)
    mode = get_setting("distribution_mode")
    if distributor is None and mode == "everyone":
        distributor = services.become_distributor(current_user.id, "everyone")
        db.session.commit()
    form = ApplyForm()
    if distributor is None and form.validate_on_submit():
        try:
            services.apply(current_user, form.real_name.data, form.phone.data)
            db.session.commit()
            flash(_("申请已提交，请等待审核"), "success")
            return redirect(url_for(".center"))
        except ServiceError as err:
            db.session.rollback()
            flash(err.message, "error")
    node = tree.ensure_node(current_user.id)
    db.session.commit()
    return render_template("distribution/center.html", distributor=distributor, mode=mode, form=form, node=node,
                           application=services.pending_application(current_user.id),
                           threshold=int(get_setting("distribution_threshold_fen")),
                           counts=services.team_counts(current_user.id))
