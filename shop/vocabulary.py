"""Closed sets of values (statuses, kinds, sources). Each is one `Labels` mapping beside its model: the
allowed values in display order, each with its label; `one_of` turns it into the column's CHECK constraint.
Templates read every set through the `labels` global (shop.templating)."""
from .extensions import db


class Labels(dict):
    """value -> lazy label; an unknown value (an old row, a typo) shows as itself instead of failing."""

    def __missing__(self, value):
        return value


def one_of(column, values):
    """CHECK (column IN (...)), named ck_<table>_<column>_valid by the naming convention; NULL passes."""
    listed = ", ".join(f"'{value}'" for value in values)
    return db.CheckConstraint(f"{column} IN ({listed})", name=f"{column}_valid")
