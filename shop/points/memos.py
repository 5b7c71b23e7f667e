"""A points entry's memo in the reader's language. The mall's own memos are stored as their message id (the Chinese
source text, marked with `N_` so the catalogs carry it) and their values (`memo_args`), and translated when read, as
commissions are explained (distribution/explain.py): an entry written while a gateway's notification or a
scheduled command ran, with no reader, then reads in English for a member who reads English. Staff's own words
(and entries from before memo_args) have memo_args None and show as written. An order's discounts name the points
they took the same way, from the number stored with them (discount_label)."""
from flask_babel import gettext

#: A placeholder's value missing from memo_args, or a catalog's string naming another: shown untranslated.
_BROKEN = (KeyError, ValueError, TypeError)


def N_(msgid):
    """Mark a memo's message id for extraction (babel's `N_` keyword) without translating it now."""
    return msgid


def points_memo(entry):
    """The entry's memo for the reader: translated from its message id and values, or as written."""
    values = entry.memo_args
    if values is None:
        return entry.memo
    try:
        return gettext(entry.memo) % values  # (a dict: a memo without placeholders stays as it is)
    except _BROKEN:
        return entry.memo


def points_label(points):
    """'800 积分': the points a checkout takes, as its discount is named (the pricer's label and discount_label)."""
    return gettext("%(n)s 积分", n=points)


def discount_label(applied):
    """The label of one of an order's discounts (an Order.discount_detail entry) for the reader: the points taken by
    their number, in the reader's language (the label stored with them is in the buyer's); anything else, such as a
    coupon's name, as stored."""
    if applied.get("kind") == "points" and isinstance(applied.get("points"), int):
        return points_label(applied["points"])
    return applied.get("label") or ""
