"""The sandbox gateway: WeChat Pay v3 imitated inside the app, for development and tests (its 商家转账 half is
sandbox_transfers.py).

It keeps its own store (SandboxTransaction, SandboxRefund, SandboxTransfer) in a session of its
own, committed independently of the caller's transaction, as a remote service's records would
be. Its notifications are built, signed and encrypted by the same `crypto` helpers as WeChat's,
with a platform key, merchant key and APIv3 key generated on first use under the instance folder
(instance/sandbox-keys/, never committed), and delivered in-process through the app's test
client, so they pass through the real notification endpoint with no network.
"""
import logging
import os
import secrets
import shutil
import tempfile
import threading
import time
from typing import NamedTuple
from urllib.parse import urlsplit

from flask import current_app, url_for
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ...clock import utcnow
from ...extensions import db
from ..models import SandboxRefund, SandboxTransaction
from . import crypto, external_url
from .base import NATIVE, Gateway, GatewayError, PaymentStart
from .resources import fen, notice_from_notification, payment_notice, refund_notice
from .sandbox_transfers import SandboxTransfers

log = logging.getLogger(__name__)

KEYS_FOLDER = "sandbox-keys"
MCHID = "1900000001"
APPID = "wx00000000sandbox"
PAYER_OPENID = "o-sandbox-payer"
#: The cashier page the shopper is sent to (written with the payments views).
CASHIER_ENDPOINT = "payments.sandbox_cashier"


class SandboxKeys(NamedTuple):
    platform_key: object
    platform_certificate: object
    merchant_key: object
    apiv3_key: str

    @property
    def platform_serial(self):
        return crypto.certificate_serial(self.platform_certificate)


def load_keys(folder):
    """The sandbox's keys from `folder`, generated there on first use (atomically: racing processes agree)."""
    if not os.path.isdir(folder):
        parent = os.path.dirname(os.path.abspath(folder))
        os.makedirs(parent, exist_ok=True)
        fresh = tempfile.mkdtemp(prefix=".sandbox-keys-", dir=parent)
        platform_key, certificate = crypto.generate_key_and_certificate("WeChat Pay sandbox platform")
        files = {"platform_key.pem": crypto.private_key_pem(platform_key),
                 "platform_cert.pem": crypto.certificate_pem(certificate),
                 "merchant_key.pem": crypto.private_key_pem(crypto.generate_private_key()),
                 "apiv3_key": secrets.token_hex(16).encode()}
        for name, content in files.items():
            fd = os.open(os.path.join(fresh, name), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(content)
        try:
            os.rename(fresh, folder)  # atomic; fails if another process got there first
        except OSError:
            shutil.rmtree(fresh, ignore_errors=True)

    def read(name):
        with open(os.path.join(folder, name), "rb") as handle:
            return handle.read()

    return SandboxKeys(platform_key=crypto.load_private_key(read("platform_key.pem")),
                       platform_certificate=crypto.load_certificate(read("platform_cert.pem")),
                       merchant_key=crypto.load_private_key(read("merchant_key.pem")),
                       apiv3_key=read("apiv3_key").decode().strip())


class SandboxGateway(SandboxTransfers, Gateway):
    """WeChat Pay's behaviour without WeChat: pay or fail on the cashier page, notifications delivered in-process."""
    name = "sandbox"
    #: Seconds to wait before the 2nd and 3rd delivery attempt.
    retry_delays = (0.2, 0.5)

    def __init__(self, keys_folder, clock=time.time):
        self.keys_folder = keys_folder
        self.clock = clock
        self._keys = None
        self._lock = threading.Lock()
        #: A fault to imitate on refund(), for fault tests: "timeout" (refunded, but our call times out),
        #: "crash" (refunded, then the caller dies), "crash_before" (the caller dies before the gateway hears of
        #: it). The refund's notification is then held back until deliver_refund().
        self.refund_fault = None

    @property
    def keys(self):
        if self._keys is None:
            with self._lock:
                if self._keys is None:
                    self._keys = load_keys(self.keys_folder)
        return self._keys

    # --- the Gateway interface -------------------------------------------------------------

    def create_payment(self, *, order_no, amount_fen, description, notify_url, client_ip=None, openid=None,
                       return_url=None, trade_type=None):
        """Record the transaction (NOTPAY) and send the shopper to the sandbox cashier page (JSAPI too: no
        WeixinJSBridge here); Native answers a code_url that opens the cashier page on the phone that scans it."""
        amount_fen = fen(amount_fen)
        with self._store() as store:
            txn = _latest(store, order_no)
            if txn and txn.state in ("SUCCESS", "REFUND"):
                raise GatewayError("ORDERPAID: 该订单已支付", retryable=False)
            if txn and txn.amount_fen != amount_fen:
                raise GatewayError("OUT_TRADE_NO_USED: 商户订单号重复（金额不同）", retryable=False)
            if txn is None:
                txn = SandboxTransaction(order_no=order_no, amount_fen=amount_fen)
                store.add(txn)
            txn.state, txn.notify_url = "NOTPAY", notify_url
        if trade_type == NATIVE:
            return PaymentStart(code_url=external_url(CASHIER_ENDPOINT, order_no=order_no))
        return PaymentStart(redirect_url=url_for(CASHIER_ENDPOINT, order_no=order_no))

    def parse_notification(self, headers, body):
        """Verified exactly like a WeChat notification, against the sandbox's keys."""
        keys = self.keys
        trusted = {keys.platform_serial: keys.platform_certificate.public_key()}
        verified = crypto.verify_notification(headers, body, trusted, keys.apiv3_key, now=self.clock())
        return notice_from_notification(self.name, verified, mchid=MCHID, appid=APPID)

    def query_payment(self, order_no):
        with self._store() as store:
            txn = _latest(store, order_no)
            return payment_notice(self.name, _transaction_resource(txn)) if txn else None

    def refund(self, *, order_no, refund_no, amount_fen, total_fen, reason, notify_url):
        """Refunded at once (SUCCESS); the REFUND.SUCCESS notification is delivered before this returns,
        so call it with no row locks held: like WeChat's, it may arrive before the answer is read."""
        amount_fen = fen(amount_fen)
        if self.refund_fault == "crash_before":
            raise RuntimeError("sandbox fault: the worker died before calling the gateway")
        with self._store() as store:
            refund = store.scalar(select(SandboxRefund).where(SandboxRefund.refund_no == refund_no))
            created = refund is None
            if created:
                refund = self._new_refund(store, order_no, refund_no, amount_fen, total_fen, notify_url)
                store.flush()
            resource = _refund_resource(refund, store)
        if self.refund_fault == "timeout":
            raise GatewayError("sandbox fault: the refund call timed out", retryable=True)
        if self.refund_fault == "crash":
            raise RuntimeError("sandbox fault: the worker died waiting for the refund answer")
        if created and notify_url:
            self._deliver(notify_url, "REFUND.SUCCESS", resource)
        return refund_notice(self.name, resource)

    def deliver_refund(self, refund_no):
        """POST a refund's notification (again, or late after a fault); True once answered 2xx."""
        with self._store() as store:
            refund = store.scalar(select(SandboxRefund).where(SandboxRefund.refund_no == refund_no))
            resource = _refund_resource(refund, store)
        return self._deliver(refund.notify_url, "REFUND." + refund.status, resource)

    def query_refund(self, refund_no):
        with self._store() as store:
            refund = store.scalar(select(SandboxRefund).where(SandboxRefund.refund_no == refund_no))
            return refund_notice(self.name, _refund_resource(refund, store)) if refund else None

    # --- what the cashier page does ----------------------------------------------------------

    def pay(self, order_no):
        """The shopper pays: SUCCESS with a new transaction id (paying twice changes nothing)."""
        with self._store() as store:
            txn = self._open(store, order_no)
            if txn.state != "SUCCESS":
                if txn.state not in ("NOTPAY", "PAYERROR"):
                    raise GatewayError(f"ORDER_CLOSED: 交易状态为 {txn.state}", retryable=False)
                txn.state, txn.transaction_id, txn.paid_at = "SUCCESS", "4200" + _digits(24), utcnow()
                store.flush()
            return payment_notice(self.name, _transaction_resource(txn))

    def fail(self, order_no):
        """The payment attempt fails (PAYERROR); nothing is delivered and the shopper may try again."""
        with self._store() as store:
            txn = self._open(store, order_no)
            if txn.state == "NOTPAY":
                txn.state = "PAYERROR"

    def deliver(self, order_no):
        """POST the TRANSACTION.SUCCESS notification to the order's notify_url; True once answered 2xx."""
        with self._store() as store:
            txn = self._open(store, order_no)
            if txn.state != "SUCCESS" or not txn.notify_url:
                raise GatewayError(f"nothing to deliver: {order_no} is {txn.state}", retryable=False)
            txn_id, notify_url, resource = txn.id, txn.notify_url, _transaction_resource(txn)

        def record(error):
            with self._store() as store:
                txn = store.get(SandboxTransaction, txn_id)
                txn.delivery_attempts += 1
                txn.last_error = error and error[:300]
                if error is None:
                    txn.delivered_at = utcnow()

        return self._deliver(notify_url, "TRANSACTION.SUCCESS", resource, record=record)

    def build_notification(self, order_no, transaction_id, amount_fen, trade_state="SUCCESS", timestamp=None,
                           tamper=False, event_type="TRANSACTION.SUCCESS", refund_no=None, changes=None):
        """(headers, body) of a notification signed with the sandbox keys, for tests; `tamper` spoils the signature,
        `changes` replaces fields of the resource (another mchid, say)."""
        if event_type.startswith("REFUND."):
            resource = {"mchid": MCHID, "out_trade_no": order_no, "transaction_id": transaction_id,
                        "out_refund_no": refund_no or "R" + order_no, "refund_id": "5030" + _digits(25),
                        "refund_status": event_type.split(".", 1)[1], "success_time": crypto.rfc3339(utcnow()),
                        "user_received_account": "支付用户零钱",
                        "amount": {"total": amount_fen, "refund": amount_fen, "payer_total": amount_fen,
                                   "payer_refund": amount_fen}}
        else:
            resource = _transaction_resource(SandboxTransaction(
                order_no=order_no, transaction_id=transaction_id, amount_fen=amount_fen, state=trade_state,
                paid_at=utcnow() if trade_state == "SUCCESS" else None))
        resource.update(changes or {})
        headers, body = self._sign(event_type, resource, timestamp=timestamp)
        if tamper:  # same headers, a different body: what a forger without the platform key can send
            body = body.replace(b'"summary"', b'"summary" ', 1)
        return headers, body

    # --- internals -------------------------------------------------------------------------

    def _store(self):
        """A session of the sandbox's own, committed on leaving (a remote service's records)."""
        return _StoreSession()

    def _open(self, store, order_no):
        txn = _latest(store, order_no)
        if txn is None:
            raise GatewayError(f"ORDER_NOT_EXIST: 沙箱中没有订单 {order_no}", retryable=False)
        return txn

    def _new_refund(self, store, order_no, refund_no, amount_fen, total_fen, notify_url):
        txn = _latest(store, order_no)
        if txn is None:
            # A payment that never went through the sandbox (applied directly, e.g. by a simulation):
            # take the caller's word for its total, and still refuse refunds beyond it.
            log.warning("sandbox refund %s: order %s unknown to the sandbox, taken as paid %s fen",
                        refund_no, order_no, total_fen)
            txn = SandboxTransaction(order_no=order_no, amount_fen=fen(total_fen), state="SUCCESS", notify_url="",
                                     paid_at=utcnow())
            store.add(txn)
        if txn.state not in ("SUCCESS", "REFUND"):
            raise GatewayError("INVALID_REQUEST: 订单未支付", retryable=False)
        if total_fen != txn.amount_fen:
            raise GatewayError("PARAM_ERROR: 订单金额与支付金额不一致", retryable=False)
        refunded = store.scalar(select(func.coalesce(func.sum(SandboxRefund.amount_fen), 0))
                                .where(SandboxRefund.order_no == order_no))
        if amount_fen > txn.amount_fen - refunded:
            raise GatewayError("INVALID_REQUEST: 退款金额超过可退金额", retryable=False)
        refund = SandboxRefund(refund_no=refund_no, refund_id="5030" + _digits(25), order_no=order_no,
                               amount_fen=amount_fen, status="SUCCESS", notify_url=notify_url)
        store.add(refund)
        txn.state = "REFUND"
        return refund

    def _sign(self, event_type, resource, timestamp=None):
        keys = self.keys
        return crypto.build_notification(private_key=keys.platform_key, serial=keys.platform_serial,
                                         apiv3_key=keys.apiv3_key, event_type=event_type, resource=resource,
                                         timestamp=int(self.clock()) if timestamp is None else timestamp)

    def _deliver(self, notify_url, event_type, resource, record=None):
        """Up to 3 attempts with a short backoff, each freshly signed; True once the endpoint answers 2xx."""
        for attempt, delay in enumerate((0, *self.retry_delays)):
            time.sleep(delay)
            headers, body = self._sign(event_type, resource)
            error = _post(notify_url, headers, body)
            if record:
                record(error)
            if error is None:
                return True
            log.warning("sandbox %s delivery %d to %s failed: %s", event_type, attempt + 1, notify_url, error)
        return False


class _StoreSession(Session):
    def __init__(self):
        super().__init__(db.engine, expire_on_commit=False)

    def __exit__(self, exc_type, exc, tb):
        try:
            if exc_type is None:
                self.commit()
        finally:
            self.close()


def _post(notify_url, headers, body):
    """POST through the app's test client in an app context of its own; None on 2xx, else what went wrong."""
    app = current_app._get_current_object()
    parts = urlsplit(notify_url)
    path = parts.path
    root = (app.config.get("APPLICATION_ROOT") or "/").rstrip("/")
    if root and path.startswith(root + "/"):
        path = path[len(root):]
    try:
        # A fresh app context gives the endpoint its own database session, as a real request would have.
        with app.app_context():
            response = app.test_client().post(path, query_string=parts.query or None, data=body, headers=headers)
    except Exception as exc:  # the endpoint blew up: WeChat would see a 500
        return f"{type(exc).__name__}: {exc}"
    if 200 <= response.status_code < 300:
        return None
    return f"HTTP {response.status_code}: {response.get_data(as_text=True)[:200]}"


def _latest(store, order_no):
    return store.scalar(select(SandboxTransaction).where(SandboxTransaction.order_no == order_no)
                        .order_by(SandboxTransaction.id.desc()).limit(1))


def _transaction_resource(txn):
    """The transaction as WeChat describes it in a query answer or a TRANSACTION.SUCCESS notification."""
    paid = txn.state in ("SUCCESS", "REFUND")
    resource = {"appid": APPID, "mchid": MCHID, "out_trade_no": txn.order_no, "trade_type": "MWEB",
                "trade_state": txn.state, "trade_state_desc": _STATE_TEXT.get(txn.state, txn.state),
                "amount": {"total": txn.amount_fen, "currency": "CNY"}}
    if paid or txn.transaction_id:
        resource.update(transaction_id=txn.transaction_id, bank_type="OTHERS", payer={"openid": PAYER_OPENID},
                        success_time=crypto.rfc3339(txn.paid_at or utcnow()))
        resource["amount"].update(payer_total=txn.amount_fen, payer_currency="CNY")
    return resource


def _refund_resource(refund, store):
    txn = _latest(store, refund.order_no)
    total = txn.amount_fen if txn else refund.amount_fen
    return {"mchid": MCHID, "out_trade_no": refund.order_no, "transaction_id": txn.transaction_id if txn else "",
            "out_refund_no": refund.refund_no, "refund_id": refund.refund_id, "refund_status": refund.status,
            "success_time": crypto.rfc3339(refund.created_at or utcnow()), "user_received_account": "支付用户零钱",
            "amount": {"total": total, "refund": refund.amount_fen, "payer_total": total,
                       "payer_refund": refund.amount_fen}}


_STATE_TEXT = {"SUCCESS": "支付成功", "NOTPAY": "未支付", "PAYERROR": "支付失败", "REFUND": "转入退款",
               "CLOSED": "已关闭"}


def _digits(count):
    return "".join(secrets.choice("0123456789") for _ in range(count))


def build_notification(order_no, transaction_id, amount_fen, trade_state="SUCCESS", timestamp=None, tamper=False,
                       event_type="TRANSACTION.SUCCESS", refund_no=None, changes=None):
    """The current app's sandbox notification for tests: see SandboxGateway.build_notification."""
    from . import get_gateway

    return get_gateway("sandbox").build_notification(order_no, transaction_id, amount_fen, trade_state=trade_state,
                                                     timestamp=timestamp, tamper=tamper, event_type=event_type,
                                                     refund_no=refund_no, changes=changes)
