"""One log line (`shop.notify`) and one count per gateway notification: its kind, its document number, and how it
ended — applied, duplicate (already applied: nothing changed), refused (and why), or failed (the gateway will
retry). The endpoint opens `receiving()`; the use cases name the notice (`identify`) and mark a duplicate at the
point they find one. Outside `receiving()` (reconcile, queries) those calls do nothing."""
import logging
from contextlib import contextmanager
from contextvars import ContextVar

from .metrics import NOTIFICATIONS

log = logging.getLogger("shop.notify")
APPLIED, DUPLICATE, REFUSED, FAILED = "applied", "duplicate", "refused", "failed"
_current = ContextVar("shop_notification", default=None)


class Notification:
    """What is known of the notification being received."""

    def __init__(self, gateway):
        self.fields = {"gateway": gateway, "kind": "unknown"}
        self.outcome, self.why = None, None

    def finish(self, result):
        """The use case returned: applied unless it found a duplicate. `result` is a payment outcome or the
        refund / withdrawal, whose status is logged."""
        self.outcome = self.outcome or APPLIED
        self.fields["result"] = result if isinstance(result, str) else getattr(result, "status", None)

    def refuse(self, why, status=None, order_no=None):
        self.outcome, self.why = REFUSED, why
        self.fields["http_status"] = status
        self.fields.setdefault("order_no", order_no)

    def fail(self, why):
        self.outcome, self.why = FAILED, why


@contextmanager
def receiving(gateway):
    """Around one notification: logs and counts it once when the block ends, however it ends."""
    note = Notification(gateway)
    token = _current.set(note)
    try:
        yield note
    except BaseException as err:
        note.fail(type(err).__name__)
        raise
    finally:
        _current.reset(token)
        _emit(note)


def _emit(note):
    note.outcome = note.outcome or FAILED
    NOTIFICATIONS.labels(note.fields["kind"], note.outcome).inc()
    level = logging.INFO if note.outcome in (APPLIED, DUPLICATE) else logging.WARNING
    fields = {k: v for k, v in note.fields.items() if v is not None}
    log.log(level, "%s notification %s %s%s", fields["kind"], _number(fields), note.outcome,
            f": {note.why}" if note.why else "", extra={**fields, "outcome": note.outcome, "why": note.why})


def _number(fields):
    return fields.get("refund_no") or fields.get("transfer_no") or fields.get("order_no") or "-"


def identify(notice):
    """The verified notice of the notification being received: its kind and numbers."""
    note = _current.get()
    if note is None:
        return
    kind = type(notice).__name__.removesuffix("Notice").lower()  # PaymentNotice, RefundNotice, TransferNotice
    note.fields.update(kind=kind, order_no=getattr(notice, "order_no", None),
                       refund_no=getattr(notice, "refund_no", None), transfer_no=getattr(notice, "transfer_no", None))


def duplicate(why="already applied"):
    """The use case found the notification already applied (or nothing left to change)."""
    note = _current.get()
    if note is not None:
        note.outcome, note.why = DUPLICATE, why
