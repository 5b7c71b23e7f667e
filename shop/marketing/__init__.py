"""Marketing: the pure discount allocation shared by coupons and points, and the page slots through which the
marketing tools (coupons, points, group buying, flash sales, share-to-win) show themselves on shop pages."""
import importlib

#: Each marketing tool's module that registers its pricers (orders/pricing.py), page panels (slots.py) and order
#: event receivers (orders/events.py) when imported. create_app imports them all.
#: Stores (门店) hook in the same way: a pickup order's redemption code is given on order_paid.
HOOKS = ("shop.groupbuy.hooks", "shop.flash.hooks", "shop.coupons.hooks", "shop.points.hooks", "shop.assist.hooks",
         "shop.stores.hooks", "shop.pool.hooks")


def load():
    """Import every tool's hooks module (once; Python caches the import)."""
    for name in HOOKS:
        importlib.import_module(name)
