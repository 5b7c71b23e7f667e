"""Points in the shop's pipeline: the checkout pricer and its panel, the 我的 entry, and the order events' receivers
(spend at placement, return at a cancel, invite reward at payment, earn at completion, settle on refunds)."""
from flask_babel import gettext as _

from ..marketing.slots import Panel, provides
from ..orders import events
from ..orders.pricing import POINTS, pricer
from ..settings import get_setting
from . import orders, rules
from .ledger import balance_of
from .memos import points_label


@pricer(POINTS)
def use_points(quote, user, choice):
    """Offer the member's points (balance, the most this order may use) and take what the shopper asked for, in
    whole fen; a request over the balance or the maximum takes nothing and says why (refused at placement)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return
    rate = int(get_setting("points_per_yuan_spent"))
    goods = sum(line.paid_fen for line in quote.lines)
    balance = balance_of(user.id)
    most, _fen = rules.usable(balance, goods, int(get_setting("points_max_share_bp")), rate)
    offer = quote.offers["points"] = {"balance": balance, "max": most, "requested": choice.points, "used": 0,
                                      "rate": rate, "error": None}
    used, fen = rules.deduction(choice.points, rate)  # what was asked, rounded down to whole fen
    if choice.points > balance:
        offer["error"] = _("积分不足：您只有 %(n)s 积分", n=balance)
    elif used > most:
        offer["error"] = _("本单最多可用 %(n)s 积分", n=most)
    elif fen:
        offer["used"] = used
        quote.take("points", fen, label=points_label(used), points=used)


@provides("checkout", order=60)
def checkout_panel(quote=None, choice=None, **_context):
    offer = quote.offers.get("points") if quote is not None else None
    if not offer or (not offer["balance"] and not offer["requested"]):
        return None
    return Panel("points/_checkout.html", {**offer})


@provides("me", order=40)
def me_entry(**_context):
    from flask_login import current_user
    if not current_user.is_authenticated:
        return None
    return Panel("points/_me_entry.html", {"balance": balance_of(current_user.id)})


@events.order_placed.connect
def spend_on_placement(sender, order, quote, user, **_kw):
    offer = quote.offers.get("points")
    if offer and offer.get("error"):
        from ..errors import ServiceError
        raise ServiceError(offer["error"])
    orders.spend_for_order(order, orders.applied_points(quote.detail()))


@events.order_released.connect
def return_on_release(sender, order, reason=None, **_kw):
    orders.return_all_spent(order)


@events.order_paid.connect
def reward_on_paid(sender, order, now=None, **_kw):
    orders.reward_inviter(order, now)


@events.order_completed.connect
def earn_on_completion(sender, order, now=None, **_kw):
    orders.earn_for_order(order, now)


@events.refund_succeeded.connect
def settle_on_refund(sender, order, refund, whole=False, **_kw):
    orders.settle_refund(order, whole)
