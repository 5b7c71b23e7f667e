"""Whole numbers from requests, in one place: `<int:...>` URL ids and typed or posted ids and counts stop at the
database's integer range, and only ASCII digits count (str.isdigit() also says yes to "²", which int() refuses)."""
import re

from werkzeug.routing import IntegerConverter

#: Our id columns are PostgreSQL `integer`; a larger number names no row (and could not be bound to a query).
MAX_ID = 2**31 - 1
_WHOLE = re.compile(r"[0-9]{1,10}")


def whole_number(value):
    """A whole number from 0 to MAX_ID typed or posted (an id, a quantity, a level), or None for anything else."""
    text = str(value if value is not None else "").strip()
    return int(text) if _WHOLE.fullmatch(text) and int(text) <= MAX_ID else None


class BoundedIntegerConverter(IntegerConverter):
    """`<int:...>` with a default upper bound of MAX_ID: a longer number is a plain 404."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):  # noqa: A002  (werkzeug's names)
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def register(app):
    app.url_map.converters["int"] = BoundedIntegerConverter
