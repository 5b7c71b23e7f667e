"""WeChat Pay's resources (a transaction, a refund, a transfer bill) read into our notices: shared by the WeChat
gateway and the sandbox, for notifications and API answers alike. Amounts cross this boundary as integer fen."""
from . import crypto
from .base import ForeignNotification, GatewayError, NotificationRejected, PaymentNotice, RefundNotice, TransferNotice


def payment_notice(gateway, data):
    """A PaymentNotice from a transaction resource (notification or query answer)."""
    state = data["trade_state"]
    # Money taken must state its amount; an unpaid order's query answer need not.
    total = data["amount"]["total"] if state in ("SUCCESS", "REFUND") else (data.get("amount") or {}).get("total", 0)
    return PaymentNotice(gateway=gateway, order_no=_str(data["out_trade_no"]),
                         transaction_id=_str(data.get("transaction_id") or ""), amount_fen=_int(total),
                         trade_state=_str(state), paid_at=crypto.parse_rfc3339(data.get("success_time")),
                         payer_openid=_str((data.get("payer") or {}).get("openid"), optional=True), raw=data)


def refund_notice(gateway, data):
    """A RefundNotice from a refund resource (notification: refund_status; API answer: status)."""
    return RefundNotice(gateway=gateway, refund_no=_str(data["out_refund_no"]),
                        order_no=_str(data.get("out_trade_no") or ""), refund_id=_str(data.get("refund_id") or ""),
                        amount_fen=_int(data["amount"]["refund"]),
                        status=_str(data.get("refund_status") or data["status"]), raw=data)


def transfer_notice(gateway, data):
    """A TransferNotice from a transfer bill (call, query or cancel answer, MCHTRANSFER notification)."""
    amount = data.get("transfer_amount")
    return TransferNotice(gateway=gateway, transfer_no=_str(data["out_bill_no"]),
                          transfer_bill_no=_str(data.get("transfer_bill_no") or ""), state=_str(data["state"]),
                          amount_fen=None if amount is None else _int(amount),
                          openid=_str(data.get("openid"), optional=True),
                          fail_reason=_str(data.get("fail_reason") or None, optional=True),
                          package_info=_str(data.get("package_info"), optional=True), raw=data)


def notice_from_notification(gateway, verified, mchid, appid):
    """The notice a verified notification carries. The one home of the check that it is ours: another merchant,
    app or currency raises ForeignNotification; an event we do not handle raises NotificationRejected."""
    data = verified.resource
    _check_ours(data, mchid, appid)
    if verified.event_type.startswith("TRANSACTION."):
        build = payment_notice
    elif verified.event_type.startswith("REFUND."):
        build = refund_notice
    elif verified.event_type == "MCHTRANSFER.BILL.FINISHED":
        build = transfer_notice
    else:
        raise NotificationRejected(f"unsupported event type {verified.event_type!r}", status=400)
    try:
        return build(gateway, data)
    except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as exc:  # a list for a dict, year 1
        raise NotificationRejected(f"malformed resource ({type(exc).__name__}: {exc})", status=400) from None


def _check_ours(data, mchid, appid):
    """Payments, refunds and transfers alike: our mchid (transfers spell it mch_id), our appid where the resource
    names one, and every currency it states CNY."""
    amount = data.get("amount") if isinstance(data.get("amount"), dict) else {}
    found = {"mchid": data.get("mchid", data.get("mch_id")), "appid": data.get("appid", appid),
             "currency": amount.get("currency", "CNY"), "payer currency": amount.get("payer_currency", "CNY")}
    wanted = {"mchid": mchid, "appid": appid, "currency": "CNY", "payer currency": "CNY"}
    wrong = [f"{key} {found[key]!r}" for key in wanted if found[key] != wanted[key]]
    if wrong:
        raise ForeignNotification("notification for another merchant, app or currency: " + ", ".join(wrong),
                                  order_no=_order_no(data))


def _order_no(data):
    """The order a refused resource names, for the alert; None when what it names is not text."""
    order_no = data.get("out_trade_no")
    return order_no if isinstance(order_no, str) else None


def fen(amount):
    """Amounts cross the boundary as positive integer fen, never yuan or floats."""
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise GatewayError(f"amount must be a positive integer of fen, got {amount!r}", retryable=False)
    return amount


def _str(value, optional=False):
    """A text field of the resource: a string (or None where `optional`), never a number, list or object."""
    if (value is None and optional) or isinstance(value, str):
        return value
    raise ValueError(f"{value!r} is not a string")


#: The amounts a BIGINT column holds: a resource stating one beyond them is malformed, not a payment to record (an
#: alert about it could not be stored either).
AMOUNT_RANGE = range(-2**63, 2**63)


def _int(value):
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"amount {value!r} is not an integer")
    if value not in AMOUNT_RANGE:
        raise ValueError(f"amount {value!r} is out of range")
    return value


