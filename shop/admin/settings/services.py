"""The merchant's settings: the shipping rule (a flat fee and the goods total that ships free) and the merchant
rules (after-sale window and commission freeze, order confirmation and expiry, withdrawals), checked by
shop.settings.rule_errors."""
from flask_babel import gettext as _

from ...database import transaction
from ...errors import ServiceError
from ...orders.services import expire_minutes
from ...settings import RULE_BOUNDS, get_setting, rule_errors, set_setting


def shipping_rule():
    """The current flat fee and free-shipping threshold, in fen."""
    return {"shipping_fee": get_setting("shipping_fee_fen"),
            "free_shipping_threshold": get_setting("free_shipping_threshold_fen")}


def save_shipping_rule(fee_fen, threshold_fen):
    """Store the flat shipping fee and the goods total that ships free (0 = never free); commits."""
    with transaction():
        if fee_fen is None or threshold_fen is None or fee_fen < 0 or threshold_fen < 0:
            raise ServiceError(_("运费和包邮门槛不能为负"))
        set_setting("shipping_fee_fen", int(fee_fen))
        set_setting("free_shipping_threshold_fen", int(threshold_fen))


def merchant_rules():
    """{setting key: value} of every merchant rule the settings page edits, as they apply now. Reads only."""
    values = {key: get_setting(key) for key in RULE_BOUNDS}
    values["order_expire_minutes"] = expire_minutes()
    values["withdraw_methods"] = list(get_setting("withdraw_methods"))
    return values


def save_merchant_rules(values):
    """Store the merchant rules, all or none: any broken rule refuses the whole change; commits."""
    errors = rule_errors(values)
    if errors:
        raise ServiceError("；".join(errors.values()))
    with transaction():
        for key in (*RULE_BOUNDS, "withdraw_methods"):
            set_setting(key, values[key])
