"""The storefront's 助力免单: the campaign page (shared publicly: the starter's progress, helpers and countdown,
a visitor's way to help by registering), starting a campaign, and 我的助力."""
from flask import Blueprint, redirect, render_template, session, url_for
from flask_login import current_user, login_required

from ..center.masking import mask_name
from ..clock import utcnow
from . import services

bp = Blueprint("assist", __name__)
#: The campaign whose link a visitor followed: counted when they register (hooks._signed_in).
SESSION_KEY = "assist_campaign"


def remembered_campaign(pop=False):
    """The campaign id the visitor's link named, or None (taken out of the session with pop=True)."""
    return session.pop(SESSION_KEY, None) if pop else session.get(SESSION_KEY)


@bp.get("/assist/<int:campaign_id>")
def campaign(campaign_id):
    found = services.get_campaign(campaign_id)
    if not current_user.is_authenticated:
        session[SESSION_KEY] = found.id  # the browser's session only; nothing in the database
    helps = services.helpers(found)
    return render_template("assist/campaign.html", campaign=found, now=utcnow(),
                           helpers=[mask_name(h.helper) for h in helps],
                           mine=current_user.is_authenticated and current_user.id == found.starter_id)


@bp.post("/assist/start/<int:product_id>")
@login_required
def start(product_id):
    return redirect(url_for(".campaign", campaign_id=services.start(current_user, product_id).id))


@bp.get("/me/assist")
@login_required
def mine():
    return render_template("assist/mine.html", campaigns=services.my_campaigns(current_user), now=utcnow())
