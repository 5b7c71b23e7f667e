"""The sandbox's 商家转账: WeChat's transfer bills imitated in the sandbox store (SandboxTransfer).

A bill is created WAIT_USER_CONFIRM with a package_info, as WeChat answers for 佣金报酬; the same out-bill number
again answers the same bill (never a second transfer). The payee's confirmation (`confirm_transfer`, the sandbox
confirm page), a failure (`fail_transfer`) and a cancellation each end the bill and deliver the signed
MCHTRANSFER.BILL.FINISHED notification to the bill's notify_url, unless `hold_transfer_notices` is set (tests
then deliver it later with `deliver_transfer`).
"""
import secrets

from sqlalchemy import select

from ...clock import utcnow
from ..models import SandboxTransfer
from . import crypto
from .base import GatewayError
from .resources import fen, transfer_notice

#: WeChat requires the payee's real name from ¥2,000 on.
NAME_REQUIRED_FROM_FEN = 200_000
#: States the payee or the merchant may still end.
OPEN_STATES = ("ACCEPTED", "PROCESSING", "WAIT_USER_CONFIRM")
FINISHED_EVENT = "MCHTRANSFER.BILL.FINISHED"


class SandboxTransfers:
    """The transfer half of SandboxGateway (uses its `_store`, `_sign` and `_deliver`)."""
    #: A fault to imitate on transfer(): "timeout" (the bill is made, our call raises GatewayError) or "crash" (the
    #: bill is made, then the caller dies with a non-gateway exception).
    transfer_fault = None
    #: True: bills end without delivering their notification (deliver_transfer() sends it later).
    hold_transfer_notices = False

    def transfer(self, *, transfer_no, openid, amount_fen, description, user_name=None, notify_url=None):
        """Create the bill (WAIT_USER_CONFIRM) or answer the one already made under this number."""
        amount_fen = fen(amount_fen)
        if amount_fen >= NAME_REQUIRED_FROM_FEN and not user_name:
            raise GatewayError("PARAM_ERROR: 转账金额 >= 2000 元时必须填写收款用户姓名", retryable=False)
        with self._store() as store:
            bill = _bill(store, transfer_no)
            if bill is None:
                bill = _new_bill(transfer_no, openid, amount_fen, notify_url, user_name)
                store.add(bill)
            elif (bill.amount_fen, bill.openid) != (amount_fen, openid):
                raise GatewayError("PARAM_ERROR: 商户单号已用于另一笔转账", retryable=False)
            resource = _resource(bill)
        self._imitate_transfer_fault()
        return transfer_notice(self.name, resource)

    def query_transfer(self, transfer_no):
        with self._store() as store:
            bill = _bill(store, transfer_no)
            return transfer_notice(self.name, _resource(bill)) if bill else None

    def cancel_transfer(self, transfer_no):
        """Cancelled at once (WeChat passes through CANCELING), notified like WeChat's end states."""
        return self._finish(transfer_no, "CANCELLED")

    # --- what the payee (or WeChat) does -------------------------------------------------------

    def confirm_transfer(self, transfer_no):
        """The payee confirms in WeChat (确认收款): SUCCESS, notified."""
        return self._finish(transfer_no, "SUCCESS")

    def fail_transfer(self, transfer_no, reason="PAYEE_ACCOUNT_ABNORMAL"):
        """WeChat fails the bill (the payee's account cannot receive, say): FAIL with the reason, notified."""
        return self._finish(transfer_no, "FAIL", reason)

    def deliver_transfer(self, transfer_no):
        """POST a bill's MCHTRANSFER.BILL.FINISHED notification (again, or late); True once answered 2xx."""
        with self._store() as store:
            bill = _existing(store, transfer_no)
            notify_url, resource = bill.notify_url, _resource(bill)
        if not notify_url:
            raise GatewayError(f"nothing to deliver: {transfer_no} has no notify_url", retryable=False)
        return self._deliver(notify_url, FINISHED_EVENT, resource)

    def build_transfer_notification(self, transfer_no, changes=None, timestamp=None):
        """(headers, body) of a bill's notification signed with the sandbox keys, for tests; `changes` replaces
        fields of the resource (another amount, an unknown number)."""
        with self._store() as store:
            resource = _resource(_existing(store, transfer_no))
        return self._sign(FINISHED_EVENT, {**resource, **(changes or {})}, timestamp=timestamp)

    # --- internals -------------------------------------------------------------------------------

    def _finish(self, transfer_no, state, reason=None):
        with self._store() as store:
            bill = _existing(store, transfer_no)
            if bill.status not in OPEN_STATES:
                raise GatewayError(f"INVALID_REQUEST: 转账单状态为 {bill.status}，不能变更", retryable=False)
            bill.status, bill.fail_reason, bill.updated_at = state, reason, utcnow()
            notify_url, resource = bill.notify_url, _resource(bill)
        if notify_url and not self.hold_transfer_notices:
            self._deliver(notify_url, FINISHED_EVENT, resource)
        return transfer_notice(self.name, resource)

    def _imitate_transfer_fault(self):
        if self.transfer_fault == "timeout":
            raise GatewayError("sandbox fault: the transfer call timed out", retryable=True)
        if self.transfer_fault == "crash":
            raise RuntimeError("sandbox fault: the worker died waiting for the transfer answer")


def _bill(store, transfer_no):
    return store.scalar(select(SandboxTransfer).where(SandboxTransfer.transfer_no == transfer_no))


def _existing(store, transfer_no):
    bill = _bill(store, transfer_no)
    if bill is None:
        raise GatewayError(f"NOT_FOUND: 沙箱中没有转账单 {transfer_no}", retryable=False)
    return bill


def _new_bill(transfer_no, openid, amount_fen, notify_url, user_name):
    return SandboxTransfer(transfer_no=transfer_no, transfer_id="1330" + _digits(36), openid=openid,
                           amount_fen=amount_fen, status="WAIT_USER_CONFIRM", notify_url=notify_url,
                           package_info="ABBQO+oYAAAB" + secrets.token_urlsafe(24), user_name_given=bool(user_name),
                           updated_at=utcnow())


def _resource(bill):
    """The bill as WeChat describes it in a query answer or a MCHTRANSFER.BILL.FINISHED notification."""
    from .sandbox import APPID, MCHID

    resource = {"mch_id": MCHID, "appid": APPID, "out_bill_no": bill.transfer_no,
                "transfer_bill_no": bill.transfer_id, "state": bill.status, "transfer_amount": bill.amount_fen,
                "openid": bill.openid, "create_time": crypto.rfc3339(bill.created_at or utcnow()),
                "update_time": crypto.rfc3339(bill.updated_at or utcnow())}
    if bill.status == "WAIT_USER_CONFIRM":
        resource["package_info"] = bill.package_info
    if bill.fail_reason:
        resource["fail_reason"] = bill.fail_reason
    return resource


def _digits(count):
    return "".join(secrets.choice("0123456789") for _ in range(count))
