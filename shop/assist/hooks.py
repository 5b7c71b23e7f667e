"""助力免单 on shop pages (the product panel, an entry in 我的) and the help counted when a new member registers
through a campaign's link."""
from flask import has_request_context
from flask_login import current_user

from ..accounts.events import signed_in
from ..marketing.slots import Panel, provides
from . import services
from .views import remembered_campaign


def campaigns_fingerprint():
    """What the product panel shows of the member (their running campaign and its helps) changes when they start a
    campaign, one gets a help or closes, or a running one's deadline passes: their campaigns' count, helps, open
    count and the next open deadline after `now` (helps and the count only grow, so the values never repeat)."""
    from sqlalchemy import bindparam, func, select

    from ..accounts.models import User
    from ..marketing.slots import joined
    from .models import OPEN, AssistCampaign

    is_open = AssistCampaign.status == OPEN
    figures = joined(func.count(AssistCampaign.id), func.sum(AssistCampaign.helps),
                     func.count(AssistCampaign.id).filter(is_open),
                     func.min(AssistCampaign.deadline).filter(is_open, AssistCampaign.deadline > bindparam("now")))
    return [select(figures).where(AssistCampaign.starter_id == User.id).correlate(User).scalar_subquery()]


@provides("product", order=30, fingerprint=campaigns_fingerprint)
def product_panel(product, **_page):
    offer = services.product_offer(product.id, current_user.id if current_user.is_authenticated else None)
    if offer is None:
        return None
    rule, running = offer
    return Panel("assist/_product_panel.html", {"rule": rule, "running": running, "price": product.full_price_fen})


@provides("me", order=30)
def me_entry(**_page):
    return Panel("assist/_me_entry.html")


def _signed_in(sender, user, is_new_member, **_kw):
    campaign_id = remembered_campaign(pop=True) if has_request_context() else None
    if is_new_member and campaign_id:
        services.record_help(campaign_id, user.id)


signed_in.connect(_signed_in, weak=False)
