"""URL converters: `<int:...>` ids stop at the database's integer range, so a longer number is a plain 404."""
from werkzeug.routing import IntegerConverter

#: Our id columns are PostgreSQL `integer`; a larger number names no row (and could not be bound to a query).
MAX_ID = 2**31 - 1


class BoundedIntegerConverter(IntegerConverter):
    """`<int:...>` with a default upper bound of MAX_ID."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):  # noqa: A002  (werkzeug's names)
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def register(app):
    app.url_map.converters["int"] = BoundedIntegerConverter
