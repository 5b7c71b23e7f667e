"""Nearest stores: haversine against hand-computed distances, the ordering, the bounding-box prefilter, by city."""
import math

import pytest

from shop.sql import count_statements
from shop.stores import geo, nearby
from tests.stores.conftest import BEIJING, PEOPLES_SQUARE, SUZHOU, WEST_LAKE, e6

#: Distances from People's Square worked out by hand with the haversine formula (R = 6371.0088 km):
#: a = sin²(Δφ/2) + cos φ1 · cos φ2 · sin²(Δλ/2), d = 2R · asin(√a).
#: West Lake: Δφ = -0.987551°, Δλ = -1.324963°; sin²(Δφ/2) = 7.4270e-5, cos φ1 = 0.85505, cos φ2 = 0.86390,
#:   sin²(Δλ/2) = 1.33686e-4 -> a = 7.4270e-5 + 9.8752e-5 = 1.73022e-4, √a = 0.0131538 -> d ≈ 167.61 km
#: Suzhou: Δφ = 0.068470°, Δλ = -0.888385°; sin²(Δφ/2) = 3.570e-7, cos φ2 = 0.85443, sin²(Δλ/2) = 6.0102e-5
#:   -> a = 4.4266e-5, √a = 0.0066533 -> d ≈ 84.78 km
#: Beijing: Δφ = 8.673784°, Δλ = -5.066305° -> a = 6.99985e-3 -> d ≈ 1067.31 km
HAND = [(WEST_LAKE, 167_610), (SUZHOU, 84_780), (BEIJING, 1_067_310)]


@pytest.mark.parametrize("there, metres", HAND)
def test_haversine_matches_hand_computed_distances(there, metres):
    assert geo.haversine_m(*PEOPLES_SQUARE, *there) == pytest.approx(metres, abs=50)


def test_haversine_basics():
    assert geo.haversine_m(*SUZHOU, *SUZHOU) == 0
    assert geo.haversine_m(*SUZHOU, *WEST_LAKE) == pytest.approx(geo.haversine_m(*WEST_LAKE, *SUZHOU))
    # A quarter of a meridian: pole to equator.
    assert geo.haversine_m(0, 0, 90, 0) == pytest.approx(math.pi / 2 * geo.EARTH_RADIUS_M)


def test_bounding_box_holds_the_circle():
    lat, lng, radius = 31.23, 121.47, 25_000
    min_lat, max_lat, min_lng, max_lng = geo.bounding_box(lat, lng, radius)
    for bearing in range(0, 360, 15):
        # a point on the circle, stepped out along the bearing
        d = radius / geo.EARTH_RADIUS_M
        phi1, lmb1, theta = math.radians(lat), math.radians(lng), math.radians(bearing)
        phi2 = math.asin(math.sin(phi1) * math.cos(d) + math.cos(phi1) * math.sin(d) * math.cos(theta))
        lmb2 = lmb1 + math.atan2(math.sin(theta) * math.sin(d) * math.cos(phi1), math.cos(d) - math.sin(phi1) * math.sin(phi2))
        assert min_lat <= e6(math.degrees(phi2)) <= max_lat
        assert min_lng <= e6(math.degrees(lmb2)) <= max_lng


@pytest.mark.parametrize("text, limit, expected", [
    ("31.230416", 90, 31_230_416), ("-33.8688", 90, -33_868_800), (" 121.473701 ", 180, 121_473_701),
    ("91", 90, None), ("abc", 90, None), ("", 90, None), ("nan", 90, None), ("inf", 180, None), (None, 90, None),
])
def test_parse_degrees(text, limit, expected):
    assert geo.parse_degrees(text, limit) == expected


def test_nearest_first_with_hand_computed_distances(make_store):
    far = make_store("北京王府井店", at=BEIJING, city="北京市")
    hz = make_store("西湖店", at=WEST_LAKE, city="杭州市")
    sz = make_store("苏州观前店", at=SUZHOU, city="苏州市")
    found = nearby.nearest_stores(e6(PEOPLES_SQUARE[0]), e6(PEOPLES_SQUARE[1]), limit=3)
    assert [n.store.id for n in found] == [sz.id, hz.id, far.id]
    for n, (_there, metres) in zip(found, sorted(HAND, key=lambda pair: pair[1])):
        assert n.distance_m == pytest.approx(metres, abs=50)


def test_closed_stores_are_not_offered(make_store):
    make_store("关门店", at=SUZHOU, city="苏州市", is_open=False)
    hz = make_store("西湖店", at=WEST_LAKE, city="杭州市")
    found = nearby.nearest_stores(e6(PEOPLES_SQUARE[0]), e6(PEOPLES_SQUARE[1]))
    assert [n.store.id for n in found] == [hz.id]
    assert nearby.store_cities() == [("杭州市", 1)]


def test_by_city(make_store):
    a = make_store("B店", at=WEST_LAKE, city="杭州市", district="西湖区")
    b = make_store("A店", at=WEST_LAKE, city="杭州市", district="上城区")
    make_store("上海店")
    assert [n.store.id for n in nearby.stores_in_city("杭州市")] == [b.id, a.id]
    assert all(n.distance_m is None for n in nearby.stores_in_city("杭州市"))


def test_5000_stores_few_statements_few_rows(db):
    """5,000 stores spread over eastern China: the nearest ten come from a few statements, each reading only the
    stores inside a box around the shopper (never all 5,000), and match a brute-force haversine over all of them."""
    from shop.stores.models import Store

    rows = [{"name": f"店{i}", "province": "省", "city": f"市{i % 50}", "district": "区", "detail": "路",
             "lat_e6": 22_000_000 + (i * 7_919 % 1000) * 18_000, "lng_e6": 110_000_000 + (i * 104_729 % 1000) * 12_000,
             "hours": "", "phone": "", "is_open": True} for i in range(5000)]
    db.session.execute(Store.__table__.insert(), rows)
    db.session.commit()
    lat, lng = 31_230_416, 121_473_701
    with count_statements() as seen:
        found = nearby.nearest_stores(lat, lng)
    *boxes, load = [str(statement) for statement in seen.statements]
    assert 1 <= len(boxes) <= len(nearby.RADII_M)
    assert all("BETWEEN" in box and "stores.name" not in box for box in boxes)  # ids and coordinates only
    assert "IN (" in load
    brute = sorted((geo.haversine_m(lat / 1e6, lng / 1e6, r["lat_e6"] / 1e6, r["lng_e6"] / 1e6), i + 1)
                   for i, r in enumerate(rows))[:10]
    assert [n.store.id for n in found] == [store_id for _d, store_id in brute]
    assert [round(n.distance_m) for n in found] == [round(d) for d, _id in brute]
