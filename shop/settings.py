"""Merchant settings kept in the database (key -> JSON value) with typed defaults."""
from .extensions import db

#: Defaults for every merchant setting; a missing row means the default.
DEFAULTS = {
    "shipping_fee_fen": 1000,            # flat shipping fee per order
    "free_shipping_threshold_fen": 9900,  # goods total at or above this ships free; 0 = never free
    # Who may become a distributor: "everyone" (人人分销), "apply" (merchant approves), "threshold" (paid spending).
    "distribution_mode": "everyone",
    "distribution_threshold_fen": 10000,
    # Binding (锁粉): "any" unbound member, or "new" members who register through the link only.
    "bind_scope": "any",
    # When a referral binds: "visit" (first visit after registration or login) or "paid" (first paid order).
    "bind_moment": "visit",
    # 0 = permanent; N = the binding lapses after N days without a paid order.
    "bind_valid_days": 0,
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
