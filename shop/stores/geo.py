"""Distances on the Earth (pure: no Flask, no database). Not money, so floats are fine here; coordinates are
stored and compared as integer micro-degrees (models.MICRO)."""
import math
from decimal import Decimal, InvalidOperation

from .models import MICRO

#: Mean Earth radius (IUGG), in metres.
EARTH_RADIUS_M = 6_371_008.8
#: Metres in one degree of latitude (and of longitude on the equator).
DEGREE_M = math.pi * EARTH_RADIUS_M / 180


def haversine_m(lat1, lng1, lat2, lng2):
    """Great-circle distance in metres between two points given in degrees (the haversine formula)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlmb = phi2 - phi1, math.radians(lng2 - lng1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def bounding_box(lat, lng, radius_m):
    """(min lat, max lat, min lng, max lng) in micro-degrees of a box holding every point within radius_m of
    (lat, lng): the SQL prefilter, exact distances are computed afterwards. Near a pole the box spans all longitudes."""
    dlat = radius_m / DEGREE_M
    cos_lat = math.cos(math.radians(min(abs(lat) + dlat, 90.0)))
    dlng = 180.0 if cos_lat < 1e-6 else min(radius_m / (DEGREE_M * cos_lat), 180.0)
    return (math.floor((lat - dlat) * MICRO), math.ceil((lat + dlat) * MICRO),
            math.floor((lng - dlng) * MICRO), math.ceil((lng + dlng) * MICRO))


def parse_degrees(text, limit):
    """Degrees typed or sent by a browser ("31.2304") as integer micro-degrees, or None for anything else or a
    value outside ±limit. Decimal, so "31.2304" is exactly 31230400."""
    try:
        value = Decimal(str(text).strip()[:20])
    except (InvalidOperation, ValueError):
        return None
    if not value.is_finite() or abs(value) > limit:
        return None
    return int((value * MICRO).to_integral_value())


def format_distance(metres):
    """850 -> '850m', 12345 -> '12.3km' (shown beside a store)."""
    return f"{round(metres)}m" if metres < 1000 else f"{metres / 1000:.1f}km"
