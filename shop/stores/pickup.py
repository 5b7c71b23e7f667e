"""到店自提 at checkout: the stores offered (nearest first by the browser's location, or by the chosen city) and
the store an order is placed for, snapshotted on the order. Reads only."""
from dataclasses import dataclass, field

from flask import url_for
from flask_babel import gettext as _

from ..errors import ServiceError
from ..extensions import db
from .geo import format_distance, parse_degrees
from .models import Store
from .nearby import nearest_stores, store_cities, stores_in_city

PICKUP = "pickup"


@dataclass
class PickupOptions:
    """What the checkout page shows for pickup: whether the shopper chose it, the stores offered, the cities to
    choose from when the browser gives no location, and the chosen store."""
    active: bool = False
    located: bool = False
    stores: list = field(default_factory=list)
    cities: list = field(default_factory=list)
    city: str | None = None
    chosen: Store | None = None
    #: The checkout's query string, for links that change one choice and keep the others.
    args: dict = field(default_factory=dict)

    def distance(self, nearby):
        return format_distance(nearby.distance_m) if nearby.distance_m is not None else ""

    def link(self, **changes):
        """The checkout URL with `changes` (a None value removes the argument)."""
        args = {key: value for key, value in {**self.args, **changes}.items() if value not in (None, "")}
        return url_for("orders.checkout", **args)

    def kept(self, *dropped):
        """[(name, value)] of the checkout's arguments except `dropped`, as hidden fields of the city form."""
        return [(key, value) for key, value in self.args.items() if key not in dropped]


def pickup_options(args, store_id=None):
    """The pickup panel for the query string `args` (mode=pickup, lat/lng from the browser, city) and the chosen
    store id; inactive for delivery."""
    args = {key: str(value)[:40] for key, value in args.items()}
    if args.get("mode") != PICKUP and store_id is None:
        return PickupOptions(args=args)
    lat, lng = parse_degrees(args.get("lat"), 90), parse_degrees(args.get("lng"), 180)
    cities = store_cities()
    city = next((name for name, _count in cities if name == args.get("city")), None)
    located = lat is not None and lng is not None
    stores = nearest_stores(lat, lng) if located else stores_in_city(city) if city else []
    chosen = db.session.get(Store, store_id) if store_id is not None else None
    chosen = chosen if chosen is not None and chosen.is_open else None
    return PickupOptions(True, located, stores, cities, city, chosen, args)


def pickup_store(store_id):
    """The open store an order is placed for pickup in; none chosen, or a closed or unknown one, is refused."""
    if store_id is None:
        raise ServiceError(_("请选择自提门店"))
    store = db.session.get(Store, store_id)
    if store is None or not store.is_open:
        raise ServiceError(_("该门店不存在或已暂停自提，请重新选择门店"))
    return store


def snapshot(order, store):
    """Write the pickup store, its name and address and its region (for regional agents) as they are now onto a new
    order."""
    order.pickup_store_id, order.pickup_store_name = store.id, store.name
    order.pickup_store_address = store.address_text[:400]
    order.ship_province, order.ship_city, order.ship_district = store.province, store.city, store.district
