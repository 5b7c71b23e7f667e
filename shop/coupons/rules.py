"""The coupon rules, pure (no Flask, no database): which lines a coupon covers, what it takes off, whether a coupon
can be used now, and which of a member's coupons is the best. Tested as tables (tests/coupons/test_rules.py)."""
from dataclasses import dataclass

from .models import ALL, CATEGORIES, FIXED, PRODUCTS, UNUSED


@dataclass(frozen=True)
class Terms:
    """A template's discount and scope. scope_ids: category or product ids, by scope."""
    kind: str
    amount_fen: int = 0
    percent_bp: int = 0
    max_discount_fen: int = 0
    threshold_fen: int = 0
    scope: str = ALL
    scope_ids: frozenset = frozenset()


@dataclass(frozen=True)
class Item:
    """A checkout line as a coupon sees it: its product, its category and that category's parent, what it has left."""
    product_id: int
    category_ids: frozenset
    paid_fen: int


def covers(terms, item):
    """Whether the coupon's scope includes the line (a category scope includes the category's children)."""
    if terms.scope == PRODUCTS:
        return item.product_id in terms.scope_ids
    if terms.scope == CATEGORIES:
        return bool(item.category_ids & terms.scope_ids)
    return terms.scope == ALL


def discount(terms, items):
    """(fen off, indexes of the lines that carry it): 0 and [] when no line is covered or the threshold (on the
    covered lines' amount) is not reached."""
    eligible = [i for i, item in enumerate(items) if covers(terms, item) and item.paid_fen > 0]
    base = sum(items[i].paid_fen for i in eligible)
    if not eligible or base < max(terms.threshold_fen, 1):
        return 0, []
    return min(_amount_off(terms, base), base), eligible


def _amount_off(terms, base):
    if terms.kind == FIXED:
        return terms.amount_fen
    off = base * terms.percent_bp // 10000
    return min(off, terms.max_discount_fen) if terms.max_discount_fen else off


def usable(status, valid_from, valid_to, now):
    """Whether a coupon may be used at `now`: unused and within its validity [valid_from, valid_to)."""
    return status == UNUSED and valid_from <= now < valid_to


def best(options):
    """The best of [(coupon_id, fen off, valid_to)]: the largest discount, then the earliest expiry, then the
    oldest coupon; None when none takes anything off."""
    options = [option for option in options if option[1] > 0]
    if not options:
        return None
    return min(options, key=lambda option: (-option[1], option[2], option[0]))[0]
