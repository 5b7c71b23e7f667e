"""Flash sales in the shop: the pricer that sells an item at its flash price, the panels on the home and product
pages, and the order events that reserve and give back the item's own stock."""
from flask_babel import gettext as _

from ..clock import utcnow
from ..errors import ServiceError
from ..marketing.slots import Panel, provides
from ..orders.events import order_placed, order_released
from ..orders.models import FLASH
from ..orders.pricing import ACTIVITY, pricer
from . import services


@pricer(ACTIVITY)
def flash_price(quote, user, choice):
    """activity=("flash", item id): the one line of the checkout at the item's price, from the item's own stock."""
    if not choice.activity or choice.activity[0] != FLASH:
        return
    item = services.get_item(choice.activity[1])
    if item is None:
        raise ServiceError(_("秒杀商品不存在"), status=404)
    if len(quote.lines) != 1:
        raise ServiceError(_("秒杀商品需单独下单，不能与其他商品一起结算"))
    if quote.lines[0].sku.id != item.sku_id:
        raise ServiceError(_("秒杀商品与所选规格不符"))
    line = quote.lines[0]
    services.check_buyable(item, line.quantity, user)
    line.unit_price_fen, line.activity = item.price_fen, (FLASH, item.id)
    line.commissionable, line.stock_from_sku = item.commission, False
    quote.offers[FLASH] = item


@order_placed.connect
def reserve_flash_stock(sender, order, quote, user, **extra):
    """Take the flash lines' units from their items (and the member's limit) inside the placement."""
    item = quote.offers.get(FLASH)
    for line in quote.lines:
        if item is not None and line.activity == (FLASH, item.id):
            services.reserve(item.id, user.id, line.quantity, item.per_member_limit)


@order_released.connect
def release_flash_stock(sender, order, reason, **extra):
    """An unpaid order cancelled or expired: its flash units go back, once (the cancel's transition)."""
    for line in order.lines:
        if line.activity_kind == FLASH and line.activity_id:
            services.release(line.activity_id, order.user_id, line.quantity)


@provides("home", order=20, shared=True)
def home_panel(**context):
    """The running slot and the coming ones, with their countdowns."""
    now = utcnow()
    running, coming = services.storefront_slots(now)
    if running is None and not coming:
        return None
    return Panel("flash/_home_panel.html", {"running": running, "coming": coming, "now": now})


@provides("product", order=20, shared=True)
def product_panel(product=None, **context):
    """The product's price in a running or coming slot."""
    items = services.product_items(product.id) if product is not None else []
    return Panel("flash/_product_panel.html", {"flash_items": items, "now": utcnow()}) if items else None
