"""Merchant settings kept in the database (key -> JSON value) with typed defaults."""
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from .extensions import db
from .statements import run

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
    # Unpaid orders are cancelled (their stock released) this many minutes after they were placed; None = the
    # SHOP_ORDER_EXPIRE_MINUTES configuration (orders.services.expire_minutes).
    "order_expire_minutes": None,
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
    # Points (积分): earned per whole yuan of a completed order's paid goods; the daily check-in and its streak
    # bonus (on every N-th consecutive day); the referrer's reward for an invitee's first paid order, capped per
    # China day; spending at checkout (points per ¥1, and the most of the goods after coupons they may pay, in bp);
    # points expire this many days after they were earned (0 = never).
    "points_per_yuan": 1,
    "checkin_points": 5,
    "checkin_streak_days": 7,
    "checkin_streak_bonus": 20,
    "invite_points": 100,
    "invite_points_daily_cap": 500,
    "points_per_yuan_spent": 100,
    "points_max_share_bp": 5000,
    "points_valid_days": 365,
    # Coupon rewards (coupons/services.py): the template given to a new member at registration, and to the
    # referrer when an invitee's first order is paid; None = no reward.
    "coupon_register_template_id": None,
    "coupon_invite_template_id": None,
    # The dividend pool (分红池, shop/pool/): bp of a period's completed sales (0 = off), the period (month / week),
    # the distributor grades that share it, the split (equal / sales) and what a refund after payout does
    # (clawback / absorb). Checked by pool/settings.py.
    "pool_rate_bp": 0,
    "pool_period": "month",
    "pool_grade_ids": [],
    "pool_split": "equal",
    "pool_refund_policy": "clawback",
}


#: The merchant rules editable in the admin (设置 → 商家规则): key -> (lowest, highest) allowed, inclusive.
RULE_BOUNDS = {
    "refund_window_days": (0, 365),
    "commission_freeze_days": (0, 365),
    "auto_confirm_days": (1, 60),
    "order_expire_minutes": (5, 1440),
    "withdraw_min_fen": (1, 100_000_000),
    "withdraw_fee_bp": (0, 9999),
    "withdraw_daily_count": (1, 100),
    "withdraw_daily_amount_fen": (1, 10_000_000_000),
    # WeChat closes a bill nobody confirmed after 24 hours: ours is cancelled at or before that.
    "transfer_confirm_hours": (1, 24),
    "stuck_after_hours": (1, 720),
}
#: The points rules (积分设置 in the admin's points area, which checks them with rule_errors(values, POINTS_BOUNDS)).
POINTS_BOUNDS = {
    "points_per_yuan": (0, 1000),
    "checkin_points": (0, 100_000),
    "checkin_streak_days": (0, 365),
    "checkin_streak_bonus": (0, 1_000_000),
    "invite_points": (0, 1_000_000),
    "invite_points_daily_cap": (0, 100_000_000),
    "points_per_yuan_spent": (1, 100_000),
    "points_max_share_bp": (0, 10000),
    "points_valid_days": (0, 3650),
}
#: Withdrawal methods a merchant may enable (wallet.models.METHODS).
WITHDRAW_METHODS = ("wechat", "alipay", "bank")


def rule_errors(values):
    """{key: message} for the merchant rules that values would break (empty when all hold). No database access.

    Besides each bound: commissions stay frozen at least as long as a refund can be asked for (a refund after
    settlement would claw back money the distributor may already have withdrawn), and a withdrawal's minimum fits
    in its daily amount."""
    from flask_babel import gettext as _

    errors = bounds_errors(values, RULE_BOUNDS)
    if not errors.get("commission_freeze_days") and not errors.get("refund_window_days") \
            and values["commission_freeze_days"] < values["refund_window_days"]:
        errors["commission_freeze_days"] = _("佣金冻结期不能短于售后期（%(n)s 天）", n=values["refund_window_days"])
    if not errors.get("withdraw_min_fen") and not errors.get("withdraw_daily_amount_fen") \
            and values["withdraw_min_fen"] > values["withdraw_daily_amount_fen"]:
        errors["withdraw_min_fen"] = _("最低提现金额不能高于每日提现额度")
    methods = values.get("withdraw_methods") or []
    if not methods or any(m not in WITHDRAW_METHODS for m in methods):
        errors["withdraw_methods"] = _("请至少开启一种提现方式")
    return errors


def bounds_errors(values, bounds):
    """{key: message} for each value of `bounds` that is missing, not a whole number or out of its range."""
    from flask_babel import gettext as _

    errors = {}
    for key, (low, high) in bounds.items():
        value = values.get(key)
        if not isinstance(value, int) or isinstance(value, bool):
            errors[key] = _("请填写")
        elif not low <= value <= high:
            errors[key] = _range_message(key, low, high)
    return errors


def _range_message(key, low, high):
    from flask_babel import gettext as _

    from .money import format_bp, format_fen

    if key.endswith("_fen"):
        return _("须在 %(low)s 到 %(high)s 之间", low=format_fen(low), high=format_fen(high))
    if key.endswith("_bp"):
        return _("须在 %(low)s 到 %(high)s 之间", low=format_bp(low), high=format_bp(high))
    return _("须在 %(low)s 到 %(high)s 之间", low=low, high=high)


class Setting(db.Model):
    __tablename__ = "settings"
    key = db.Column(db.String(64), primary_key=True)
    value = db.Column(db.JSON, nullable=False)


_CACHE = "shop.settings"
_ALL = select(Setting.key, Setting.value)  # built once: every payment reads it


def get_setting(key):
    """The merchant's value for key, or its default. All settings are read in one query per transaction (a
    missing row, the default, would otherwise cost one query per call) and forgotten when it ends."""
    stored = db.session.info.get(_CACHE)
    if stored is None:
        stored = db.session.info[_CACHE] = dict(run(_ALL))
    return stored[key] if key in stored else DEFAULTS[key]


@event.listens_for(Session, "after_transaction_end")
def _forget_settings(session, transaction):
    if transaction.parent is None:
        session.info.pop(_CACHE, None)


def set_setting(key, value):
    """Store a merchant setting. Joins the caller's transaction."""
    if key not in DEFAULTS:
        raise KeyError(key)
    row = db.session.get(Setting, key)
    if row is None:
        db.session.add(Setting(key=key, value=value))
    else:
        row.value = value
    db.session.info.get(_CACHE, {})[key] = value
