"""The one interface every payment gateway implements (WeChat Pay v3, the sandbox)."""
from dataclasses import dataclass, field
from datetime import datetime

#: WeChat Pay's products (trade types) a payment can be opened with: inside WeChat, other mobile browsers, desktop.
JSAPI, H5, NATIVE = "jsapi", "h5", "native"


class GatewayError(Exception):
    """The gateway refused or could not be reached; `message` is safe to log and show to staff."""

    def __init__(self, message, retryable=True):
        super().__init__(message)
        self.message = message
        self.retryable = retryable


class NotificationRejected(Exception):
    """A notification that must not be applied: forged, stale, malformed or undecryptable.

    `reason` goes to the log; the endpoint answers 4xx {"code": "FAIL"} so the gateway retries
    (a genuine notification delayed by a fault will be accepted on a later try).
    """

    def __init__(self, reason, status=401):
        super().__init__(reason)
        self.reason = reason
        self.status = status


class ForeignNotification(NotificationRejected):
    """A genuine (verified) notification for another merchant, another app or in another currency: refused, and
    the merchant is told. `order_no` names our order it claims to be about, when it names one."""

    def __init__(self, reason, order_no=None):
        super().__init__(reason, status=400)
        self.order_no = order_no


@dataclass(frozen=True)
class PaymentNotice:
    """A verified and decrypted payment result (from a notification or a query)."""
    gateway: str
    order_no: str
    transaction_id: str
    amount_fen: int
    #: WeChat trade_state: SUCCESS, REFUND, NOTPAY, CLOSED, REVOKED, USERPAYING, PAYERROR
    trade_state: str
    paid_at: datetime | None = None
    payer_openid: str | None = None
    raw: dict = field(default_factory=dict, compare=False)

    @property
    def succeeded(self):
        return self.trade_state == "SUCCESS"


@dataclass(frozen=True)
class RefundNotice:
    """A verified refund result: status SUCCESS, CLOSED, ABNORMAL or PROCESSING."""
    gateway: str
    refund_no: str
    order_no: str
    refund_id: str
    amount_fen: int
    status: str
    raw: dict = field(default_factory=dict, compare=False)

    @property
    def succeeded(self):
        return self.status == "SUCCESS"

    @property
    def failed(self):
        """Closed or abnormal: the money did not go back (PROCESSING is neither)."""
        return self.status in ("CLOSED", "ABNORMAL")


@dataclass(frozen=True)
class PaymentStart:
    """What the storefront needs to send the shopper to pay."""
    #: H5 / sandbox: a URL to redirect the shopper to.
    redirect_url: str | None = None
    #: JSAPI inside WeChat: the parameters for WeixinJSBridge.invoke('getBrandWCPayRequest', ...).
    jsapi_params: dict | None = None
    #: Native on a desktop: the weixin://wxpay/... link to show as a QR code for WeChat to scan.
    code_url: str | None = None


#: 商家转账 bill states that end a transfer without paying.
TRANSFER_FAILED_STATES = ("FAIL", "CANCELLED")
#: States in which the payee still has to confirm in WeChat (with package_info).
TRANSFER_WAITING_STATES = ("WAIT_USER_CONFIRM",)


@dataclass(frozen=True)
class TransferNotice:
    """A 商家转账 bill as the gateway reports it (the call's answer, a query, a MCHTRANSFER.BILL.FINISHED
    notification). `transfer_no` is our out_bill_no; `state` is WeChat's: ACCEPTED, PROCESSING,
    WAIT_USER_CONFIRM, TRANSFERING, SUCCESS, FAIL, CANCELING, CANCELLED. `amount_fen` is None when the
    answer does not state it (the create and cancel answers)."""
    gateway: str
    transfer_no: str
    transfer_bill_no: str
    state: str
    amount_fen: int | None = None
    openid: str | None = None
    fail_reason: str | None = None
    package_info: str | None = None
    raw: dict = field(default_factory=dict, compare=False)

    @property
    def succeeded(self):
        return self.state == "SUCCESS"

    @property
    def failed(self):
        """Ended without paying: FAIL or CANCELLED (the money is ours again)."""
        return self.state in TRANSFER_FAILED_STATES

    @property
    def waiting(self):
        """The payee must confirm the transfer in WeChat."""
        return self.state in TRANSFER_WAITING_STATES


class Gateway:
    """Base class; every method raises GatewayError on failure."""
    name = "base"

    def create_payment(self, *, order_no, amount_fen, description, notify_url, client_ip=None, openid=None,
                       return_url=None, trade_type=None) -> PaymentStart:
        """trade_type: JSAPI, H5 or NATIVE; None means JSAPI when an openid is given, H5 otherwise."""
        raise NotImplementedError

    def parse_notification(self, headers, body: bytes) -> "PaymentNotice | RefundNotice | TransferNotice":
        """Verify signature, serial and timestamp, decrypt the resource; raise NotificationRejected."""
        raise NotImplementedError

    def query_payment(self, order_no) -> PaymentNotice | None:
        """The gateway's view of an order's payment; None when it knows no such order."""
        raise NotImplementedError

    def refund(self, *, order_no, refund_no, amount_fen, total_fen, reason, notify_url) -> RefundNotice:
        raise NotImplementedError

    def query_refund(self, refund_no) -> RefundNotice | None:
        raise NotImplementedError

    def transfer(self, *, transfer_no, openid, amount_fen, description, user_name=None,
                 notify_url=None) -> TransferNotice:
        """Create the 商家转账 bill `transfer_no` (or, sent again, answer the bill already made under it)."""
        raise NotImplementedError

    def query_transfer(self, transfer_no) -> TransferNotice | None:
        """The gateway's view of a bill; None when it never saw one by that number."""
        raise NotImplementedError

    def cancel_transfer(self, transfer_no) -> TransferNotice:
        """Ask the gateway to cancel a bill the payee has not confirmed; answers CANCELING (or the end state)."""
        raise NotImplementedError
