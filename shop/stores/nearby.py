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
    """The `limit` open stores nearest to (lat_e6, lng_e6), nearest first, with their distances. Each box reads
    only (id, lat, lng) of the stores inside it; the winners are then loaded in one statement: at most
    len(RADII_M) + 2 statements, usually two."""
    lat, lng = lat_e6 / MICRO, lng_e6 / MICRO
    for radius in RADII_M:
        within = [pair for pair in _measured(_in_box(bounding_box(lat, lng, radius)), lat, lng) if pair[0] <= radius]
        if len(within) >= limit:
            return _loaded(within[:limit])
    return _loaded(_measured(_in_box(None), lat, lng)[:limit])


def _in_box(box):
    stmt = select(Store.id, Store.lat_e6, Store.lng_e6).where(Store.is_open.is_(True))
    if box is not None:
        min_lat, max_lat, min_lng, max_lng = box
        stmt = stmt.where(Store.lat_e6.between(min_lat, max_lat), Store.lng_e6.between(min_lng, max_lng))
    return db.session.execute(stmt).all()


def _measured(rows, lat, lng):
    """[(metres, store id)] nearest first (the id breaks ties)."""
    return sorted((haversine_m(lat, lng, row.lat_e6 / MICRO, row.lng_e6 / MICRO), row.id) for row in rows)


def _loaded(pairs):
    stores = {s.id: s for s in db.session.scalars(select(Store).where(Store.id.in_([i for _d, i in pairs])))}
    return [Nearby(stores[store_id], metres) for metres, store_id in pairs]


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
