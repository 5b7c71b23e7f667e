"""Coupon use cases: granting (claims, rewards, staff issues, assist), what a member may use at checkout, and the
coupon's part in an order's life (locked when placed, back when released, used when paid, back on a whole refund).

Validity is checked lazily everywhere (a coupon is usable only while valid_from <= now < valid_to), and
`flask shop expire-coupons` marks the unused ones past valid_to as expired for the lists (expire_coupons)."""
import logging
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import case, func, select, update
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import joinedload

from ..accounts.models import User
from ..catalog.models import Category
from ..clock import utcnow
from ..database import transaction
from ..errors import NotFound, ServiceError
from ..extensions import db
from ..settings import get_setting
from . import rules
from .models import CLAIM, CLAIMABLE, DATES, EXPIRED, INVITE, LOCKED, REGISTER, UNUSED, USED, Coupon, CouponTemplate

log = logging.getLogger(__name__)


def grant(user_id, template_id, source, ref=None, now=None):
    """Give the member a coupon of the template and return it. Joins the caller's transaction.

    Refuses (ServiceError, nothing written) when the template is disabled, past its dates or used up, and a claim
    when the member holds the template's per-member limit. With a `ref` ("invitee:12", "campaign:3") it gives at
    most one coupon per (source, ref): asked again, it returns the coupon given the first time."""
    now = now or utcnow()
    # The member's row lock serializes one member's grants, so the per-member count below holds under concurrency.
    db.session.execute(select(User.id).where(User.id == user_id).with_for_update())
    if ref is not None:
        given = db.session.scalar(select(Coupon).where(Coupon.source == source, Coupon.ref == ref))
        if given is not None:
            return given
    template = _grantable(template_id, now)
    held = db.session.scalar(select(func.count(Coupon.id)).where(Coupon.template_id == template.id,
                                                                Coupon.user_id == user_id))
    if source == CLAIM and held >= template.per_member:
        raise ServiceError(_("每人限领%(n)s张，您已领过了", n=template.per_member))
    if not _take_one(template.id):
        raise ServiceError(_("「%(name)s」已被领完", name=template.name))
    valid_from, valid_to = validity_window(template, now)
    coupon = Coupon(template_id=template.id, user_id=user_id, seq=held + 1, status=UNUSED, valid_from=valid_from,
                    valid_to=valid_to, source=source, ref=ref, created_at=now)
    db.session.add(coupon)
    db.session.flush()
    return coupon


def _grantable(template_id, now):
    template = db.session.get(CouponTemplate, template_id)
    if template is None:
        raise NotFound(_("优惠券不存在"))
    if not template.enabled:
        raise ServiceError(_("「%(name)s」已停用", name=template.name))
    if template.validity == DATES and (template.ends_at is None or template.ends_at <= now):
        raise ServiceError(_("「%(name)s」已过期", name=template.name))
    return template


def _take_one(template_id):
    """The guarded counter: one more issued while issued < total; False when none is left."""
    result = db.session.execute(update(CouponTemplate).where(CouponTemplate.id == template_id,
                                                             CouponTemplate.issued < CouponTemplate.total)
                                .values(issued=CouponTemplate.issued + 1).execution_options(synchronize_session=False))
    return result.rowcount == 1


def validity_window(template, now):
    """(valid_from, valid_to) of a coupon given at `now`: the template's dates, or N days from now."""
    if template.validity == DATES:
        return template.starts_at or now, template.ends_at
    return now, now + timedelta(days=template.valid_days)


def claim(user, template_id):
    """A member claims a coupon in the coupon centre or on a product page. Owns its transaction."""
    with transaction():
        template = db.session.get(CouponTemplate, template_id)
        if template is None or template.obtain != CLAIMABLE:
            raise NotFound(_("优惠券不存在"))
        return grant(user.id, template.id, CLAIM)


def grant_reward(user_id, setting_key, source, ref):
    """The reward the merchant configured under setting_key (a template id, or none), once per (source, ref).
    A reward that cannot be given (used up, disabled) is logged and skipped: it never refuses the sign-up or the
    payment it rides on. Joins the caller's transaction."""
    template_id = get_setting(setting_key)
    if not template_id:
        return None
    try:
        return grant(user_id, int(template_id), source, ref=ref)
    except ServiceError as err:
        log.warning("coupon reward %s for member %s not given: %s", setting_key, user_id, err.message)
        return None


def reward_registration(user):
    """A new member's registration reward. Joins the caller's transaction."""
    return grant_reward(user.id, "coupon_register_template_id", REGISTER, f"user:{user.id}")


def reward_inviter(order):
    """The referrer's reward when an invitee's first order is paid: once per invitee. Joins the caller's
    transaction (the payment's)."""
    if not get_setting("coupon_invite_template_id"):  # no reward configured: nothing to read
        return None
    referrer_id = order.referrer_id or _bound_referrer(order.user_id)
    if not referrer_id or referrer_id == order.user_id or _paid_before(order):
        return None
    return grant_reward(referrer_id, "coupon_invite_template_id", INVITE, f"invitee:{order.user_id}")


def _bound_referrer(user_id):
    from ..distribution.models import ReferralNode
    return db.session.scalar(select(ReferralNode.referrer_id).where(ReferralNode.user_id == user_id))


def _paid_before(order):
    from ..orders.models import Order
    return bool(db.session.scalar(select(func.count(Order.id)).where(
        Order.user_id == order.user_id, Order.paid_at.is_not(None), Order.id != order.id)))


# --- checkout (reads only) -------------------------------------------------------------------------------------

def terms_of(template):
    """The pure rules' view of a template."""
    return rules.Terms(template.kind, template.amount_fen, template.percent_bp, template.max_discount_fen,
                       template.threshold_fen, template.scope, frozenset(int(i) for i in template.scope_ids or ()))


def items_of(pairs):
    """The pure rules' view of [(product, fen it has left)]: product, category with its parent, amount."""
    # A category loaded with its product (the product page joins it) needs no statement.
    parents = {p.category_id: p.category.parent_id for p, _fen in pairs
               if p.category_id is not None and "category" not in sa_inspect(p).unloaded}
    category_ids = {product.category_id for product, _fen in pairs} - {None} - parents.keys()
    if category_ids:
        parents.update(db.session.execute(select(Category.id, Category.parent_id)
                                          .where(Category.id.in_(category_ids))).all())
    return [rules.Item(product.id, frozenset({product.category_id, parents.get(product.category_id)}) - {None}, fen)
            for product, fen in pairs]


def usable_coupons(user_id, now=None):
    """The member's coupons usable now, with their templates. Reads only."""
    now = now or utcnow()
    return db.session.scalars(select(Coupon).where(Coupon.user_id == user_id, Coupon.status == UNUSED,
                                                   Coupon.valid_from <= now, Coupon.valid_to > now)
                              .options(joinedload(Coupon.template)).order_by(Coupon.valid_to, Coupon.id)).all()


def coupon_options(user, lines, now=None):
    """[(coupon, fen off, line indexes)] for each of the member's coupons that takes something off these lines.
    Reads only."""
    items = items_of([(line.sku.product, line.paid_fen) for line in lines])
    options = []
    for coupon in usable_coupons(user.id, now):
        fen, indexes = rules.discount(terms_of(coupon.template), items)
        if fen > 0:
            options.append((coupon, fen, indexes))
    return options


def chosen_option(options, wanted, user):
    """The option the shopper's choice names: the best for "auto", none for "none", or the coupon with that id
    (refused when it is not the member's, or not usable for these lines). Reads only."""
    if wanted == "none" or not options and wanted == "auto":
        return None
    if wanted == "auto":
        best_id = rules.best([(c.id, fen, c.valid_to) for c, fen, _i in options])
        return next(option for option in options if option[0].id == best_id)
    for option in options:
        if str(option[0].id) == wanted:
            return option
    coupon = db.session.get(Coupon, int(wanted))
    if coupon is None or coupon.user_id != user.id:
        raise NotFound(_("优惠券不存在"))
    raise ServiceError(_("这张优惠券不能用于本单（未满足使用条件、已使用或已过期）"))


# --- the order's life (each joins the caller's transaction) ----------------------------------------------------

def lock_for_order(coupon_id, order, now=None):
    """Hold the coupon for an unpaid order: unused → locked while still valid; refused when another order or a
    moment's expiry got there first, so the placement rolls back."""
    now = now or utcnow()
    result = db.session.execute(
        update(Coupon).where(Coupon.id == coupon_id, Coupon.user_id == order.user_id, Coupon.status == UNUSED,
                             Coupon.valid_from <= now, Coupon.valid_to > now)
        .values(status=LOCKED, order_id=order.id).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise ServiceError(_("优惠券已被使用或已失效"))


def _give_back(order_id, from_status, now):
    """The order's coupon back to the member: unused again, or expired if its validity ended meanwhile."""
    db.session.execute(update(Coupon).where(Coupon.order_id == order_id, Coupon.status == from_status)
                       .values(status=case((Coupon.valid_to > now, UNUSED), else_=EXPIRED), order_id=None,
                               used_at=None).execution_options(synchronize_session=False))


def release_for_order(order, now=None):
    """An unpaid order was cancelled or expired: its coupon is no longer held."""
    _give_back(order.id, LOCKED, now or utcnow())


def use_for_order(order, now=None):
    """The order was paid: its coupon is used (an order that took no coupon has none locked)."""
    from ..orders.models import COUPON
    if not any(applied.get("kind") == COUPON for applied in order.discount_detail or ()):
        return
    db.session.execute(update(Coupon).where(Coupon.order_id == order.id, Coupon.status == LOCKED)
                       .values(status=USED, used_at=now or utcnow()).execution_options(synchronize_session=False))


def return_for_order(order, now=None):
    """The whole order was refunded: its coupon goes back to the member (expired if its validity ended)."""
    _give_back(order.id, USED, now or utcnow())


def expire_coupons(now=None):
    """Unused coupons past valid_to become expired; one UPDATE, safe to run twice. Owns its transaction."""
    with transaction():
        result = db.session.execute(update(Coupon).where(Coupon.status == UNUSED, Coupon.valid_to <= (now or utcnow()))
                                    .values(status=EXPIRED).execution_options(synchronize_session=False))
    return result.rowcount
