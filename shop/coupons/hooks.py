"""Coupons in the pricing pipeline, on shop pages and in the order's life: the checkout pricer, the page panels,
and the receivers of the order and account events."""
from flask_login import current_user

from ..accounts.events import signed_in
from ..marketing.slots import Panel, provides
from ..orders import events
from ..orders.pricing import COUPON, pricer
from . import queries, services


@pricer(COUPON)
def price_coupon(quote, user, choice):
    """Offer the member's usable coupons; take the chosen one (the best for "auto") off its covered lines."""
    if user is None or not getattr(user, "is_authenticated", False):
        return
    options = services.coupon_options(user, quote.lines)
    chosen = services.chosen_option(options, choice.coupon, user)
    quote.offers["coupon"] = {"options": options, "chosen": chosen[0].id if chosen else None}
    if chosen:
        coupon, fen, indexes = chosen
        quote.take("coupon", fen, lines=[quote.lines[i] for i in indexes], ref_id=coupon.id,
                   label=coupon.template.name)


@provides("checkout", order=20)
def checkout_panel(quote, choice, **_page):
    offer = quote.offers.get("coupon")
    return Panel("coupons/_checkout_panel.html", offer) if offer is not None else None


def held_fingerprint():
    """What the product panel shows of the member (how many of each template they hold) changes only when they get a
    coupon: their count and newest id (templates and their dates follow the catalog and its time boundaries)."""
    from sqlalchemy import func, select

    from ..accounts.models import User
    from ..marketing.slots import joined
    from .models import Coupon

    figures = joined(func.count(Coupon.id), func.max(Coupon.id))
    return [select(figures).where(Coupon.user_id == User.id).correlate(User).scalar_subquery()]


@provides("product", order=20, fingerprint=held_fingerprint)
def product_panel(product, **_page):
    offers = queries.for_product(product, current_user)
    return Panel("coupons/_product_panel.html", {"offers": offers, "product": product}) if offers else None


@provides("me", order=20)
def me_entry(**_page):
    return Panel("coupons/_me_entry.html")


@provides("home", order=40, shared=True)
def home_panel(**_page):
    # Shows the templates' names only, never what the member holds: the same for everyone.
    offers = queries.centre(current_user)[:3]
    return Panel("coupons/_home_panel.html", {"offers": offers}) if offers else None


def _lock(sender, order, quote, user, **_kw):
    chosen = quote.offers.get("coupon", {}).get("chosen")  # only a coupon this pricer applied
    if chosen:
        services.lock_for_order(chosen, order)


def _release(sender, order, reason, **_kw):
    services.release_for_order(order)


def _paid(sender, order, now, **_kw):
    services.use_for_order(order, now)
    services.reward_inviter(order)


def _refunded(sender, order, refund, whole, **_kw):
    if whole:
        services.return_for_order(order)


def _signed_in(sender, user, is_new_member, **_kw):
    if is_new_member:
        services.reward_registration(user)


events.order_placed.connect(_lock, weak=False)
events.order_released.connect(_release, weak=False)
events.order_paid.connect(_paid, weak=False)
events.refund_succeeded.connect(_refunded, weak=False)
signed_in.connect(_signed_in, weak=False)
