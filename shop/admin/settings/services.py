"""The merchant's shipping rule: a flat fee and the goods total that ships free."""
from flask_babel import gettext as _

from ...database import transaction
from ...errors import ServiceError
from ...settings import get_setting, set_setting


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
