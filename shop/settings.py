"""Merchant settings kept in the database (key -> JSON value) with typed defaults."""
from .extensions import db

#: Defaults for every merchant setting; a missing row means the default.
DEFAULTS = {
    "shipping_fee_fen": 1000,            # flat shipping fee per order
    "free_shipping_threshold_fen": 9900,  # goods total at or above this ships free; 0 = never free
}


class Setting(db.Model):
    __tablename__ = "settings"
    key = db.Column(db.String(64), primary_key=True)
    value = db.Column(db.JSON, nullable=False)


def get_setting(key):
    """The merchant's value for key, or its default."""
    row = db.session.get(Setting, key)
    return row.value if row is not None else DEFAULTS[key]


def set_setting(key, value):
    """Store a merchant setting (the caller commits)."""
    if key not in DEFAULTS:
        raise KeyError(key)
    row = db.session.get(Setting, key)
    if row is None:
        db.session.add(Setting(key=key, value=value))
    else:
        row.value = value
