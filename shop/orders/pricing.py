"""Pricing a checkout: the catalog's prices, then the marketing tools' pricers in their stages, then shipping.

A pricer is a function `(quote, user, choice)` registered with `@pricer(STAGE)`. It reads only, and changes the
quote: an activity (flash sale, group buying) sets a line's unit price and whether it pays commission; a coupon
or points take a discount with `quote.take()`, which splits it over the lines (marketing/allocation.py), so every
line knows its share of every discount. What a line has left, `paid_fen`, is its commission base and what a
refund of it returns. Placing the order (services.place_order) stores exactly what the quote says; the tools
reserve what they gave (the coupon, the points, the activity's stock) on events.order_placed.
"""
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..catalog.models import Sku
from ..converters import whole_number
from ..errors import ServiceError
from ..extensions import db
from ..marketing.allocation import allocate
from ..settings import get_setting

#: Pricer stages: an activity sets prices before any discount; coupons come before points.
ACTIVITY, COUPON, POINTS = 10, 20, 30
_PRICERS = []


@dataclass
class Choice:
    """What the shopper chose at checkout. coupon: "auto" (the best usable one), "none", or a coupon id;
    points: how many points to spend; activity: (kind, id) of a flash-sale slot or group-buy activity, and
    group: the group being joined (None opens a new one); pickup: 到店自提 rather than delivery, in `store` (None
    until the shopper picks one)."""

    coupon: str = "auto"
    points: int = 0
    activity: tuple | None = None
    group: str | None = None
    store: int | None = None
    pickup: bool = False

    def __post_init__(self):
        self.pickup = self.pickup or self.store is not None

    @classmethod
    def parse(cls, values):
        """From a form or query string; anything malformed means "no choice". Reads only."""
        kind, ident = values.get("activity", ""), values.get("activity_id", "")
        activity = (kind[:20], whole_number(ident)) if kind and whole_number(ident) is not None else None
        points = values.get("points", "")
        coupon, store = str(values.get("coupon", "auto"))[:20], str(values.get("store", ""))[:9]
        return cls(coupon=coupon if coupon in ("auto", "none") or whole_number(coupon) is not None else "auto",
                   points=whole_number(points) or 0, activity=activity,
                   group=(values.get("group") or None) and str(values.get("group"))[:32],
                   store=whole_number(store), pickup=values.get("mode") == "pickup")

    def query(self):
        """The choice as query-string arguments (back to checkout after a refusal), defaults left out."""
        args = {"coupon": self.coupon if self.coupon != "auto" else None, "points": self.points or None,
                "activity": self.activity and self.activity[0], "activity_id": self.activity and self.activity[1],
                "group": self.group, "store": self.store, "mode": "pickup" if self.pickup else None}
        return {key: value for key, value in args.items() if value is not None}

    def retry_query(self):
        """query() for the way back to checkout after a refused placement: a chosen coupon that was refused (used
        meanwhile, expired) is dropped, so checkout preselects the best usable one again."""
        args = self.query()
        if self.coupon.isdigit():
            args.pop("coupon")
        return args


@dataclass
class QuoteLine:
    sku: Sku
    quantity: int
    unit_price_fen: int
    #: Set by an activity's pricer: ("flash", slot id) or ("group", activity id).
    activity: tuple | None = None
    #: False when the activity's merchant setting says its lines pay no commission.
    commissionable: bool = True
    #: False when an activity keeps its own stock (a flash-sale slot): the SKU's stock is then not touched.
    stock_from_sku: bool = True
    #: {kind: fen}: this line's share of each discount ("coupon", "points").
    discounts: dict = field(default_factory=dict)

    @property
    def line_total_fen(self):
        return self.unit_price_fen * self.quantity

    @property
    def discount_fen(self):
        return sum(self.discounts.values())

    @property
    def paid_fen(self):
        return self.line_total_fen - self.discount_fen


@dataclass
class Applied:
    """One discount taken: its kind, the coupon (or other record) it came from, the amount and its words."""

    kind: str
    amount_fen: int
    ref_id: int | None = None
    label: str = ""
    extra: dict = field(default_factory=dict)


@dataclass
class Quote:
    lines: list = field(default_factory=list)
    shipping_fen: int = 0
    applied: list = field(default_factory=list)
    #: What pricers offer the checkout page (the usable coupons, the points balance): {kind: data}.
    offers: dict = field(default_factory=dict)

    @property
    def items_total_fen(self):
        return sum(line.line_total_fen for line in self.lines)

    @property
    def discount_fen(self):
        return sum(line.discount_fen for line in self.lines)

    @property
    def pay_total_fen(self):
        return self.items_total_fen - self.discount_fen + self.shipping_fen

    def take(self, kind, amount_fen, lines=None, ref_id=None, label="", **extra):
        """Take a discount of amount_fen from `lines` (default: all), split by what each still has to pay;
        never more than they have left. Returns the amount taken."""
        lines = self.lines if lines is None else lines
        amount_fen = min(int(amount_fen), sum(line.paid_fen for line in lines))
        if amount_fen <= 0:
            return 0
        for line, share in zip(lines, allocate(amount_fen, [line.paid_fen for line in lines])):
            if share:
                line.discounts[kind] = line.discounts.get(kind, 0) + share
        self.applied.append(Applied(kind, amount_fen, ref_id, label, extra))
        return amount_fen

    def detail(self):
        """The applied discounts as stored on the order (Order.discount_detail)."""
        return [{"kind": a.kind, "amount_fen": a.amount_fen, "ref_id": a.ref_id, "label": str(a.label), **a.extra}
                for a in self.applied]


def pricer(stage):
    """Register a pricer for `stage` (ACTIVITY, COUPON, POINTS)."""
    def register(fn):
        _PRICERS.append((stage, fn))
        _PRICERS.sort(key=lambda pair: pair[0])
        return fn
    return register


def shipping_fee(items_total_fen):
    """The merchant's rule: a flat fee, free at or above a threshold (0 = never free). Reads only."""
    threshold = get_setting("free_shipping_threshold_fen")
    if threshold and items_total_fen >= threshold:
        return 0
    return get_setting("shipping_fee_fen")


def quote(items, user=None, choice=None, max_quantity=None):
    """Price items [(sku_id, qty)] for `user` with the shopper's `choice`; refuses unbuyable lines. Reads only."""
    from ..cart.services import MAX_QUANTITY
    if not items:
        raise ServiceError(_("请先选择要购买的商品"))
    result = Quote(lines=_catalog_lines(items, max_quantity or MAX_QUANTITY))
    choice = choice or Choice()
    for _stage, price in _PRICERS:
        price(result, user, choice)
    for line in result.lines:
        if line.stock_from_sku and line.sku.stock < line.quantity:
            raise ServiceError(_("「%(title)s」库存不足", title=line.sku.product.title))
    # 到店自提: nothing is shipped, so no shipping fee.
    result.shipping_fen = 0 if choice.pickup else shipping_fee(result.items_total_fen)
    return result


def _catalog_lines(items, max_quantity):
    merged = {}
    for sku_id, qty in items:
        merged[int(sku_id)] = merged.get(int(sku_id), 0) + int(qty)
    skus = {s.id: s for s in db.session.scalars(
        select(Sku).where(Sku.id.in_(merged)).options(joinedload(Sku.product)))}
    lines = []
    for sku_id, qty in merged.items():
        sku = skus.get(sku_id)
        if sku is None or not sku.is_active or not sku.product.on_shelf:
            raise ServiceError(_("商品不存在或已下架"), status=404)
        if not 1 <= qty <= max_quantity:
            raise ServiceError(_("数量应在1到%(max)s之间", max=max_quantity))
        lines.append(QuoteLine(sku, qty, sku.price_fen))
    return lines
