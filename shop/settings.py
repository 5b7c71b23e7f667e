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
    # After-sale: refunds may be requested this many days after completion; commissions stay frozen
    # for commission_freeze_days after completion (never shorter than the refund window).
    "refund_window_days": 7,
    "commission_freeze_days": 7,
    # `flask shop auto-confirm` completes shipped orders this many days after shipping.
    "auto_confirm_days": 10,
    # `flask shop reconcile-payments` asks the gateway about payments opened at most this many hours ago.
    "reconcile_max_hours": 48,
    # A refund or transfer still open this many hours after it was sent is stuck: an alert, and the audit says so.
    "stuck_after_hours": 24,
    # A WeChat transfer the payee has not confirmed (确认收款) this many hours after it was sent is cancelled by
    # `flask shop reconcile-transfers`, and the money goes back to available.
    "transfer_confirm_hours": 24,
    # Withdrawals.
    "withdraw_min_fen": 100,
    "withdraw_daily_count": 3,
    "withdraw_daily_amount_fen": 2_000_000,
    "withdraw_fee_bp": 0,
    "withdraw_methods": ["wechat", "alipay", "bank"],
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
    """Store a merchant setting. Joins the caller's transaction."""
    if key not in DEFAULTS:
        raise KeyError(key)
    row = db.session.get(Setting, key)
    if row is None:
        db.session.add(Setting(key=key, value=value))
    else:
        row.value = value
