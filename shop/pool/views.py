"""The member's dividends in the distributor center (推广中心 → 分红): their share of each paid period, and one
period explained. Only the logged-in member's own shares; a period they had no share in is a 404."""
from flask import Blueprint, current_app, g, render_template
from flask_login import current_user

from ..center.queries import center_distributor
from . import queries
from .models import LABELS

bp = Blueprint("pool_center", __name__, url_prefix="/center/dividends")
bp.context_processor(lambda: {"pool_labels": LABELS})


@bp.before_request
def members_only():
    """Members only, like the rest of the center; g.distributor for the center's menu."""
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    g.distributor = center_distributor(current_user.id)
    return None


@bp.get("")
def dividends():
    shares = queries.member_shares(current_user.id)
    return render_template("center/dividends.html", shares=shares, total=sum(s.net_fen for s in shares))


@bp.get("/<int:period_id>")
def dividend(period_id):
    share = queries.member_share(current_user.id, period_id)
    return render_template("center/dividend.html", share=share, period=share.period)
