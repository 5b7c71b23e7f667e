"""助力免单 use cases: starting a campaign, counting a new member's help, the reward at N helps; and the reads of
the campaign page."""
import logging
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import and_, select, update
from sqlalchemy.orm import joinedload

from ..clock import utcnow
from ..coupons.models import ASSIST, DAYS, FIXED, PRODUCTS, REWARD_ONLY, CouponTemplate
from ..coupons.services import grant
from ..database import transaction
from ..errors import NotFound, ServiceError
from ..extensions import db
from ..growth.fraud import shared_signals
from .models import OPEN, SUCCEEDED, AssistCampaign, AssistHelp, AssistProduct

log = logging.getLogger(__name__)
#: Why a registration did or did not count as a help (record_help's answer).
COUNTED, CLOSED, SELF, ALREADY, LOOKALIKE = "counted", "closed", "self", "already", "lookalike"
#: The reward coupon's validity, in days from the moment it is given.
REWARD_DAYS = 30


def enabled_for(product_id):
    """The product's 助力免单 rule when enabled, else None. Reads only."""
    return db.session.scalar(select(AssistProduct).where(AssistProduct.product_id == product_id,
                                                         AssistProduct.enabled.is_(True)))


def running_campaign(user_id, rule, now=None):
    """The member's campaign on this rule still open before its deadline, or None. Reads only."""
    return db.session.scalar(select(AssistCampaign).where(AssistCampaign.assist_product_id == rule.id,
                                                          _running(user_id, now)))


def _running(user_id, now=None):
    return and_(AssistCampaign.starter_id == user_id, AssistCampaign.status == OPEN,
                AssistCampaign.deadline > (now or utcnow()))


def product_offer(product_id, user_id=None):
    """(the product's enabled rule, the member's running campaign on it or None), or None when the product has no
    enabled rule: the product page's panel, in one statement. Reads only."""
    row = db.session.execute(
        select(AssistProduct, AssistCampaign)
        .outerjoin(AssistCampaign, and_(AssistCampaign.assist_product_id == AssistProduct.id, _running(user_id)))
        .where(AssistProduct.product_id == product_id, AssistProduct.enabled.is_(True))).first()
    return tuple(row) if row else None


def start(user, product_id, now=None):
    """Start a campaign on an enabled product (or return the member's running one). Owns its transaction."""
    now = now or utcnow()
    with transaction():
        rule = enabled_for(product_id)
        if rule is None or not rule.product.on_shelf:
            raise NotFound(_("该商品没有助力免单活动"))
        campaign = running_campaign(user.id, rule, now)
        if campaign is None:
            campaign = AssistCampaign(assist_product_id=rule.id, starter_id=user.id, helps_needed=rule.helps_needed,
                                      helps=0, status=OPEN, started_at=now, deadline=now + timedelta(hours=rule.hours))
            db.session.add(campaign)
            db.session.flush()
    return campaign


def record_help(campaign_id, helper_id, now=None):
    """A new member registered through the campaign's link: count one help, unless the campaign is closed (past
    its deadline, full or over), the helper is the starter or helped before, or the helper shares the starter's
    device or IP within the hour (growth/fraud.py). At the last help the starter gets the reward. Returns why it
    did or did not count. Joins the caller's transaction (the sign-up's)."""
    now = now or utcnow()
    campaign = db.session.get(AssistCampaign, campaign_id)
    if campaign is None or campaign.state(now) != OPEN:
        return CLOSED
    if helper_id == campaign.starter_id:
        return SELF
    if db.session.scalar(select(AssistHelp.id).where(AssistHelp.helper_id == helper_id)):
        return ALREADY
    if {"device", "ip"} & set(shared_signals(helper_id, campaign.starter_id)):
        return LOOKALIKE
    if not _count_one(campaign.id, now):
        return CLOSED
    db.session.add(AssistHelp(campaign_id=campaign.id, helper_id=helper_id, created_at=now))
    db.session.flush()
    db.session.refresh(campaign)
    if campaign.helps >= campaign.helps_needed:
        _succeed(campaign, now)
    return COUNTED


def _count_one(campaign_id, now):
    """The guarded counter: one more help while the campaign is open, not full and before its deadline."""
    result = db.session.execute(update(AssistCampaign).where(
        AssistCampaign.id == campaign_id, AssistCampaign.status == OPEN, AssistCampaign.deadline > now,
        AssistCampaign.helps < AssistCampaign.helps_needed).values(helps=AssistCampaign.helps + 1)
        .execution_options(synchronize_session=False))
    return result.rowcount == 1


def _succeed(campaign, now):
    """open → succeeded exactly once, then the coupon worth the product (once per campaign: grant's ref)."""
    moved = db.session.execute(update(AssistCampaign).where(AssistCampaign.id == campaign.id,
                                                            AssistCampaign.status == OPEN)
                               .values(status=SUCCEEDED, succeeded_at=now).execution_options(synchronize_session=False))
    if moved.rowcount != 1:
        return
    try:
        template = reward_template(campaign.assist_product)
        coupon = grant(campaign.starter_id, template.id, ASSIST, ref=f"campaign:{campaign.id}", now=now)
    except ServiceError as err:  # never refuse the helper's sign-up; staff see the campaign without its coupon
        log.warning("assist campaign %s: reward not given: %s", campaign.id, err.message)
        return
    db.session.execute(update(AssistCampaign).where(AssistCampaign.id == campaign.id).values(coupon_id=coupon.id))
    db.session.refresh(campaign)


def reward_template(rule):
    """The rule's reward template, worth the product's price now: a new one when the price changed. Joins the
    caller's transaction."""
    price = rule.product.full_price_fen
    template = db.session.get(CouponTemplate, rule.template_id) if rule.template_id else None
    if template is None or template.amount_fen != price or not template.enabled:
        template = CouponTemplate(
            name=_("助力免单：%(title)s", title=rule.product.title)[:40], kind=FIXED, amount_fen=price,
            scope=PRODUCTS, scope_ids=[rule.product_id], validity=DAYS, valid_days=REWARD_DAYS, total=10_000_000,
            issued=0, per_member=1, obtain=REWARD_ONLY, enabled=True, created_at=utcnow())
        db.session.add(template)
        db.session.flush()
        rule.template_id = template.id
    return template


def get_campaign(campaign_id):
    """Any campaign (its page is shared publicly); or 404. Reads only."""
    campaign = db.session.get(AssistCampaign, campaign_id)
    if campaign is None:
        raise NotFound(_("助力活动不存在"))
    return campaign


def helpers(campaign):
    """The campaign's helpers, first first: [AssistHelp with .helper]. Reads only."""
    return db.session.scalars(select(AssistHelp).where(AssistHelp.campaign_id == campaign.id)
                              .options(joinedload(AssistHelp.helper)).order_by(AssistHelp.id)).all()


def my_campaigns(user):
    """The member's campaigns, newest first. Reads only."""
    return db.session.scalars(select(AssistCampaign).where(AssistCampaign.starter_id == user.id)
                              .options(joinedload(AssistCampaign.assist_product).joinedload(AssistProduct.product))
                              .order_by(AssistCampaign.id.desc()).limit(50)).all()
