"""Which open stores a shopper may pick up in, nearest first: from the browser's location (a bounding box on the
indexed micro-degree columns in SQL, then the exact haversine distance in Python on the few candidates), or
by city. Reads only."""
from dataclasses import dataclass

from sqlalchemy import func, select

from ..extensions import db
from .geo import bounding_box, haversine_m
from .models import MICRO, Store

#: Box radii tried in turn (metres) until enough stores lie within one; then every open store.
RADII_M = (5_000, 25_000, 150_000, 1_000_000)
LIMIT = 10


@dataclass(frozen=True)
class Nearby:
    store: Store
    #: Metres from the shopper, or None when listed by city (no location).
    distance_m: float | None = None


def nearest_stores(lat_e6, lng_e6, limit=LIMIT):
    """The `limit` open stores nearest to (lat_e6, lng_e6), nearest first, with their distances: at most
    len(RADII_M) + 1 statements, each reading only the stores inside a box."""
    lat, lng = lat_e6 / MICRO, lng_e6 / MICRO
    for radius in RADII_M:
        within = [n for n in _measured(_in_box(bounding_box(lat, lng, radius)), lat, lng) if n.distance_m <= radius]
        if len(within) >= limit:
            return within[:limit]
    return _measured(db.session.scalars(select(Store).where(Store.is_open.is_(True))).all(), lat, lng)[:limit]


def _in_box(box):
    min_lat, max_lat, min_lng, max_lng = box
    return db.session.scalars(select(Store).where(
        Store.is_open.is_(True), Store.lat_e6.between(min_lat, max_lat), Store.lng_e6.between(min_lng, max_lng))).all()


def _measured(stores, lat, lng):
    measured = [Nearby(s, haversine_m(lat, lng, s.latitude, s.longitude)) for s in stores]
    return sorted(measured, key=lambda n: (n.distance_m, n.store.id))


def stores_in_city(city, limit=50):
    """The open stores of a city, by district then name (no location to measure from)."""
    rows = db.session.scalars(select(Store).where(Store.is_open.is_(True), Store.city == city)
                              .order_by(Store.district, Store.name, Store.id).limit(limit)).all()
    return [Nearby(s) for s in rows]


def store_cities():
    """The cities that have an open store, with how many: [(city, count)] by count then name."""
    rows = db.session.execute(select(Store.city, func.count()).where(Store.is_open.is_(True))
                              .group_by(Store.city).order_by(func.count().desc(), Store.city)).all()
    return [tuple(row) for row in rows]
