"""Alerts for the merchant, and refusals of a gateway's answer that carry one."""
import logging
from contextlib import contextmanager

from ..database import transaction
from ..extensions import db
from .models import PaymentAlert

log = logging.getLogger("shop.payments")


class PaymentRefused(Exception):
    """The notification is genuine but cannot be applied; the gateway is told FAIL and retries.

    `alert`, when given, is a PaymentAlert that refused_with_alert() records for the merchant.
    """

    def __init__(self, reason, status=400, alert=None):
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.alert = alert


def payment_alert(kind, message, notice=None, order_no=None):
    """A PaymentAlert (not yet added to the session) about a payment notice or an order. No database access."""
    return PaymentAlert(kind=kind, message=message[:300], order_no=order_no or (notice and notice.order_no),
                        gateway=notice and notice.gateway, transaction_id=notice and notice.transaction_id,
                        amount_fen=notice and notice.amount_fen)


def record_alert(alert):
    """Store an alert for the merchant. Owns its transaction."""
    with transaction(outermost=True):
        db.session.add(alert)
    log.warning("payment alert %s: %s", alert.kind, alert.message)


@contextmanager
def refused_with_alert():
    """transaction() for applying a gateway's answer: a PaymentRefused rolls everything back, and only
    then is the alert it carries recorded, in its own transaction, so the merchant sees it although
    the refused answer changed nothing. Owns its transaction: refused inside another one."""
    try:
        with transaction(outermost=True):
            yield
    except PaymentRefused as refused:
        if refused.alert is not None:
            record_alert(refused.alert)
        raise
