"""What the coupon pages show: the coupon centre, a product's claimable coupons, a member's coupons by tab.
Reads only."""
from sqlalchemy import and_, func, literal, or_, select
from sqlalchemy.orm import joinedload

from ..clock import utcnow
from ..extensions import db
from ..pagination import paginate
from . import rules
from .models import CLAIMABLE, DATES, EXPIRED, LOCKED, UNUSED, USED, Coupon, CouponTemplate
from .services import items_of, terms_of

#: The tabs of 我的优惠券: usable (unused or held by an unpaid order, still valid), used, expired.
TABS = ("usable", "used", "expired")


def claimable_templates(now=None):
    """Enabled claimable templates not past their dates, newest first (used-up ones too: shown as 已领完): a select."""
    now = now or utcnow()
    return select(CouponTemplate).where(CouponTemplate.enabled.is_(True), CouponTemplate.obtain == CLAIMABLE,
                                        or_(CouponTemplate.validity != DATES, CouponTemplate.ends_at > now)) \
        .order_by(CouponTemplate.id.desc())


def held_count(user):
    """A column: the coupons the member holds of the row's template (0 for a guest)."""
    if not getattr(user, "is_authenticated", False):
        return literal(0)
    return select(func.count(Coupon.id)).where(Coupon.user_id == user.id, Coupon.template_id == CouponTemplate.id) \
        .correlate(CouponTemplate).scalar_subquery()


def centre(user):
    """[(template, coupons the member holds of it)] for the coupon centre; one statement."""
    return [(t, held) for t, held in db.session.execute(claimable_templates().add_columns(held_count(user)))]


def for_product(product, user):
    """[(template, held)] of the claimable templates whose scope covers the product."""
    item = items_of([(product, 1)])[0]
    return [(t, held) for t, held in centre(user) if rules.covers(terms_of(t), item)]


def my_coupons(user, tab, page=1, now=None):
    """A page of the member's coupons in a tab, soonest to expire first (used: latest used first)."""
    now = now or utcnow()
    where = {
        "usable": and_(Coupon.status.in_((UNUSED, LOCKED)), Coupon.valid_to > now),
        "used": Coupon.status == USED,
        "expired": or_(Coupon.status == EXPIRED, and_(Coupon.status == UNUSED, Coupon.valid_to <= now)),
    }[tab if tab in TABS else "usable"]
    order = (Coupon.used_at.desc(), Coupon.id.desc()) if tab == "used" else (Coupon.valid_to, Coupon.id)
    stmt = select(Coupon).where(Coupon.user_id == user.id, where).options(joinedload(Coupon.template))
    return paginate(stmt.order_by(*order), page)
