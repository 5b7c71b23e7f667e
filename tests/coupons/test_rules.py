"""The pure coupon rules as tables: scope, threshold, the amount off, usability and the best coupon."""
from datetime import datetime, timedelta

import pytest

from shop.coupons.rules import Item, Terms, best, covers, discount, usable

SHOES, SHIRT, BOOK = Item(1, frozenset({11, 10}), 10000), Item(2, frozenset({12, 10}), 5000), Item(3, frozenset({20}),
                                                                                                   3000)


@pytest.mark.parametrize("scope,ids,item,expected", [
    ("all", (), BOOK, True),
    ("products", (1,), SHOES, True),
    ("products", (1,), SHIRT, False),
    ("categories", (11,), SHOES, True),        # its own category
    ("categories", (10,), SHIRT, True),        # the parent category covers its children
    ("categories", (10,), BOOK, False),
    ("categories", (12,), SHOES, False),       # a sibling category does not
])
def test_scope(scope, ids, item, expected):
    assert covers(Terms("fixed", 100, scope=scope, scope_ids=frozenset(ids)), item) is expected


@pytest.mark.parametrize("terms,items,expected", [
    (Terms("fixed", 1000), [SHOES], (1000, [0])),
    (Terms("fixed", 1000, threshold_fen=10000), [SHOES], (1000, [0])),           # exactly the threshold
    (Terms("fixed", 1000, threshold_fen=10001), [SHOES], (0, [])),
    # the threshold counts only the covered lines
    (Terms("fixed", 1000, threshold_fen=15000, scope="categories", scope_ids=frozenset({10})), [SHOES, SHIRT, BOOK],
     (1000, [0, 1])),
    (Terms("fixed", 1000, threshold_fen=16000, scope="categories", scope_ids=frozenset({10})), [SHOES, SHIRT, BOOK],
     (0, [])),
    (Terms("fixed", 99999), [BOOK], (3000, [0])),                                 # never more than the lines
    (Terms("percent", percent_bp=2000), [SHOES, SHIRT], (3000, [0, 1])),
    (Terms("percent", percent_bp=2000, max_discount_fen=2500), [SHOES, SHIRT], (2500, [0, 1])),
    (Terms("percent", percent_bp=3333), [BOOK], (999, [0])),                      # floored
    (Terms("fixed", 1000, scope="products", scope_ids=frozenset({9})), [SHOES], (0, [])),
])
def test_discount(terms, items, expected):
    assert discount(terms, items) == expected


NOW = datetime(2026, 12, 1, 12, 0)


@pytest.mark.parametrize("status,starts,ends,expected", [
    ("unused", -1, 1, True),
    ("unused", 0, 1, True),
    ("unused", -2, 0, False),     # valid_to is exclusive
    ("unused", 1, 2, False),      # not yet
    ("locked", -1, 1, False),
    ("used", -1, 1, False),
    ("expired", -1, 1, False),
])
def test_usable(status, starts, ends, expected):
    assert usable(status, NOW + timedelta(days=starts), NOW + timedelta(days=ends), NOW) is expected


@pytest.mark.parametrize("options,expected", [
    ([], None),
    ([(1, 0, NOW)], None),
    ([(1, 500, NOW), (2, 800, NOW + timedelta(days=9))], 2),              # the largest discount
    ([(1, 800, NOW + timedelta(days=3)), (2, 800, NOW + timedelta(days=1))], 2),   # ties: the earliest expiry
    ([(5, 800, NOW), (4, 800, NOW)], 4),                                  # then the oldest coupon
])
def test_best(options, expected):
    assert best(options) == expected
