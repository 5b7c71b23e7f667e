"""The WeChat Pay v3 adapter against a fake WeChat Pay server, in certificate and public-key mode."""
import base64
import json
import socket
import time
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest

from shop.clock import utcnow
from shop.payments.gateways import crypto, wechat
from shop.payments.gateways.base import (
    ForeignNotification,
    GatewayError,
    NotificationRejected,
    PaymentNotice,
    RefundNotice,
    TransferNotice,
)
from shop.payments.gateways.wechat import WechatPayError, WechatPayGateway
from tests.payments.fake_wechat import APIV3_KEY, APPID, MCHID, MERCHANT_SERIAL, FakeWechatPay

MODES = ["certificate", "public_key"]


@pytest.fixture(scope="module")
def merchant_key():
    return crypto.generate_private_key()


@pytest.fixture(scope="module")
def fake(merchant_key):
    server = FakeWechatPay(merchant_key.public_key()).start()
    yield server
    server.stop()


@pytest.fixture
def key_files(tmp_path, merchant_key, fake):
    """The merchant's key and the WeChat Pay public key as files, the way they are deployed."""
    (tmp_path / "apiclient_key.pem").write_bytes(crypto.private_key_pem(merchant_key))
    (tmp_path / "pub_key.pem").write_bytes(fake.public_key_pem())
    return tmp_path


def make_config(fake, key_files, mode, **extra):
    config = {"mchid": MCHID, "appid": APPID, "serial_no": MERCHANT_SERIAL, "apiv3_key": APIV3_KEY,
              "private_key_path": str(key_files / "apiclient_key.pem"), "base_url": fake.url, "timeout": 5}
    if mode == "public_key":
        config.update(public_key_path=str(key_files / "pub_key.pem"), public_key_id=fake.public_key_id)
    config.update(extra)
    return config


@pytest.fixture(params=MODES)
def mode(request, fake):
    """Both modes; a public-key-mode merchant has no platform certificates to download."""
    fake.certificates_enabled = request.param == "certificate"
    yield request.param
    fake.certificates_enabled = True


@pytest.fixture
def gateway(fake, key_files, mode):
    return WechatPayGateway(make_config(fake, key_files, mode))


_numbers = iter(range(10**6))


def order_no():
    return f"T{time.time_ns()}{next(_numbers)}"


def last_request(fake, path):
    return [r for r in fake.requests if r["path"] == path][-1]


def start(gateway, no=None, amount=2590, **kw):
    no = no or order_no()
    gateway.create_payment(order_no=no, amount_fen=amount, description="测试商品 x1",
                           notify_url="https://shop.example.com/payments/notify/wechat", openid="o-buyer", **kw)
    return no


# --- paying ---------------------------------------------------------------------------------

def test_jsapi_params_are_signed_with_the_merchant_key(gateway, merchant_key):
    result = gateway.create_payment(order_no=order_no(), amount_fen=100, description="商品",
                                    notify_url="https://shop.example.com/n", openid="o-buyer")
    params = result.jsapi_params
    assert result.redirect_url is None
    assert params["appId"] == APPID and params["signType"] == "RSA"
    assert params["package"].startswith("prepay_id=wx")
    assert crypto.verify(merchant_key.public_key(), params["paySign"], params["appId"], params["timeStamp"],
                         params["nonceStr"], params["package"])


def test_h5_payment_redirects_to_wechat_and_back(gateway, fake):
    no = order_no()
    result = gateway.create_payment(order_no=no, amount_fen=100, description="商品", notify_url="https://s/n",
                                    client_ip="203.0.113.9", return_url="https://shop.example.com/orders/1?x=1")
    url = urlsplit(result.redirect_url)
    assert url.netloc == "wx.tenpay.com"
    assert parse_qs(url.query)["redirect_url"] == ["https://shop.example.com/orders/1?x=1"]
    sent = json.loads(last_request(fake, "/v3/pay/transactions/h5")["body"])
    assert sent["scene_info"] == {"payer_client_ip": "203.0.113.9", "h5_info": {"type": "Wap"}}
    assert fake.transactions[no]["trade_type"] == "MWEB"


def test_h5_payment_needs_the_shoppers_ip(gateway):
    with pytest.raises(GatewayError) as err:
        gateway.create_payment(order_no=order_no(), amount_fen=100, description="商品", notify_url="https://s/n")
    assert not err.value.retryable


@pytest.mark.parametrize("amount", [1, 2590, 99999999999])
def test_an_amount_in_fen_passes_through_unchanged(gateway, fake, amount):
    no = start(gateway, amount=amount)
    assert fake.transactions[no]["amount"]["total"] == amount
    fake.pay(no)
    assert gateway.query_payment(no).amount_fen == amount
    headers, body = fake.payment_notification(no, mode=gateway_mode(gateway))
    assert gateway.parse_notification(headers, body).amount_fen == amount


@pytest.mark.parametrize("amount", [25.9, Decimal("25.90"), "2590", 0, -1, True, None])
def test_an_amount_that_is_not_positive_integer_fen_is_refused_before_sending(gateway, fake, amount):
    sent = len(fake.requests)
    with pytest.raises(GatewayError) as err:
        start(gateway, amount=amount)
    assert not err.value.retryable
    assert len(fake.requests) == sent


def test_query_payment_follows_the_transaction(gateway, fake):
    no = start(gateway)
    unpaid = gateway.query_payment(no)
    assert (unpaid.trade_state, unpaid.transaction_id, unpaid.succeeded) == ("NOTPAY", "", False)
    fake.pay(no, openid="o-payer")
    paid = gateway.query_payment(no)
    assert paid.succeeded and paid.transaction_id.startswith("4200")
    assert paid.payer_openid == "o-payer" and paid.gateway == "wechat"
    assert paid.paid_at.tzinfo is None and abs((utcnow() - paid.paid_at).total_seconds()) < 60


def test_query_of_an_unknown_order_is_none(gateway):
    assert gateway.query_payment("NO-SUCH-ORDER") is None


def test_refund_and_its_query(gateway, fake):
    no = start(gateway, amount=5000)
    fake.pay(no)
    refund = gateway.refund(order_no=no, refund_no="R" + no, amount_fen=1200, total_fen=5000, reason="尺码不合适",
                            notify_url="https://shop.example.com/payments/notify/wechat")
    assert isinstance(refund, RefundNotice)
    assert (refund.order_no, refund.amount_fen, refund.status) == (no, 1200, "PROCESSING")
    assert refund.refund_id.startswith("5030")
    assert gateway.query_refund("R" + no) == refund
    assert gateway.query_refund("R-NONE") is None


def test_refund_beyond_what_was_paid_is_refused_with_wechats_code(gateway, fake):
    no = start(gateway, amount=500)
    fake.pay(no)
    with pytest.raises(WechatPayError) as err:
        gateway.refund(order_no=no, refund_no="R" + no, amount_fen=600, total_fen=500, reason="x", notify_url=None)
    assert err.value.code == "INVALID_REQUEST" and "退款金额超过可退金额" in err.value.message
    assert not err.value.retryable and err.value.http_status == 400


def test_paying_a_paid_order_again_fails_with_orderpaid(gateway, fake):
    no = start(gateway)
    fake.pay(no)
    with pytest.raises(WechatPayError) as err:
        start(gateway, no=no)
    assert err.value.code == "ORDERPAID" and not err.value.retryable


TRANSFERS = "/v3/fund-app/mch-transfer/transfer-bills"


def send_transfer(gateway, amount=8800, **kw):
    no = "W" + order_no()
    return no, gateway.transfer(transfer_no=no, openid="o-distributor", amount_fen=amount, description="佣金提现",
                                notify_url="https://shop.example.com/pay/notify/wechat", **kw)


def test_transfer_pays_commission_to_the_users_change(gateway, fake):
    no, notice = send_transfer(gateway)
    assert isinstance(notice, TransferNotice) and notice.transfer_no == no
    assert notice.state == "WAIT_USER_CONFIRM" and notice.waiting and not notice.succeeded and not notice.failed
    assert notice.transfer_bill_no.startswith("1330") and notice.package_info
    sent = json.loads(last_request(fake, TRANSFERS)["body"])
    assert sent["transfer_amount"] == 8800 and sent["transfer_scene_id"] == "1005" and sent["out_bill_no"] == no
    assert sent["openid"] == "o-distributor" and sent["notify_url"] == "https://shop.example.com/pay/notify/wechat"
    assert sent["appid"] == APPID and "user_name" not in sent


def test_the_same_out_bill_number_again_answers_the_same_bill(gateway, fake):
    no, first = send_transfer(gateway)
    again = gateway.transfer(transfer_no=no, openid="o-distributor", amount_fen=8800, description="佣金提现")
    assert again.transfer_bill_no == first.transfer_bill_no and len([k for k in fake.transfers if k == no]) == 1


def test_transfer_encrypts_the_payees_name_with_the_key_it_names(gateway, fake, mode):
    no, _ = send_transfer(gateway, amount=300000, user_name="张三")
    assert fake.transfers[no]["_user_name"] == "张三"
    request = last_request(fake, TRANSFERS)
    serial = crypto.header(request["headers"], crypto.SERIAL)
    assert serial == (fake.public_key_id if mode == "public_key" else fake.platform_serial)
    sent = json.loads(request["body"])["user_name"]
    assert "张三" not in sent
    key = fake.public_key_key if mode == "public_key" else fake.platform_key
    assert crypto.decrypt_field(key, sent) == "张三"


def test_query_transfer_follows_the_bill(gateway, fake):
    no, _ = send_transfer(gateway)
    assert gateway.query_transfer(no).state == "WAIT_USER_CONFIRM"
    fake.finish_transfer(no, "SUCCESS")
    notice = gateway.query_transfer(no)
    assert notice.succeeded and notice.amount_fen == 8800 and notice.openid == "o-distributor"
    assert last_request(fake, f"{TRANSFERS}/out-bill-no/{no}")["method"] == "GET"


def test_query_of_an_unknown_bill_is_none(gateway):
    assert gateway.query_transfer("W-never-sent") is None


def test_cancel_transfer_answers_canceling(gateway, fake):
    no, _ = send_transfer(gateway)
    notice = gateway.cancel_transfer(no)
    assert notice.state == "CANCELING" and not notice.failed and notice.transfer_no == no
    assert last_request(fake, f"{TRANSFERS}/out-bill-no/{no}/cancel")["method"] == "POST"
    fake.finish_transfer(no, "CANCELLED")
    assert gateway.query_transfer(no).failed


def test_cancelling_a_paid_bill_is_refused_with_wechats_code(gateway, fake):
    no, _ = send_transfer(gateway)
    fake.finish_transfer(no, "SUCCESS")
    with pytest.raises(WechatPayError) as err:
        gateway.cancel_transfer(no)
    assert err.value.code == "INVALID_REQUEST" and not err.value.retryable


@pytest.mark.parametrize("state, reason", [("SUCCESS", None), ("FAIL", "PAYEE_ACCOUNT_ABNORMAL"),
                                           ("CANCELLED", None)])
def test_a_transfer_notification_is_parsed(gateway, fake, mode, state, reason):
    no, sent = send_transfer(gateway)
    fake.finish_transfer(no, state, fail_reason=reason)
    notice = gateway.parse_notification(*fake.transfer_notification(no, mode=mode))
    assert isinstance(notice, TransferNotice)
    assert (notice.transfer_no, notice.transfer_bill_no, notice.state) == (no, sent.transfer_bill_no, state)
    assert notice.amount_fen == 8800 and notice.fail_reason == reason
    assert notice.succeeded == (state == "SUCCESS") and notice.failed == (state != "SUCCESS")


def test_a_transfer_notification_for_another_merchant_is_foreign(gateway, fake, mode):
    no, _ = send_transfer(gateway)
    resource = {k: v for k, v in fake.transfers[no].items() if not k.startswith("_")}
    resource.update(state="SUCCESS", mch_id="1230000109")
    with pytest.raises(ForeignNotification, match="mchid"):
        gateway.parse_notification(*fake.notification("MCHTRANSFER.BILL.FINISHED", resource, mode=mode))


def test_a_transfer_notification_without_its_number_is_rejected(gateway, fake, mode):
    resource = {"mch_id": MCHID, "state": "SUCCESS", "transfer_amount": 100}
    with pytest.raises(NotificationRejected, match="malformed resource"):
        gateway.parse_notification(*fake.notification("MCHTRANSFER.BILL.FINISHED", resource, mode=mode))


def test_a_refused_transfer_is_a_gateway_error_naming_wechats_code(fake, key_files, mode):
    gateway = WechatPayGateway(make_config(fake, key_files, mode, transfer_scene_id="1000"))
    with pytest.raises(WechatPayError) as err:
        send_transfer(gateway)
    assert err.value.code == "PARAM_ERROR" and err.value.http_status == 400 and not err.value.retryable


def test_a_transfer_amount_that_is_not_positive_fen_is_refused_before_sending(gateway):
    with pytest.raises(GatewayError) as err:
        gateway.transfer(transfer_no="W" + order_no(), openid="o-d", amount_fen=0, description="x")
    assert not err.value.retryable


def test_a_transfer_to_an_unreachable_gateway_is_a_retryable_error(key_files, fake):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    gateway = WechatPayGateway(make_config(fake, key_files, "public_key", base_url=f"http://127.0.0.1:{port}"))
    for call in (lambda: send_transfer(gateway), lambda: gateway.query_transfer("W1"),
                 lambda: gateway.cancel_transfer("W1")):
        with pytest.raises(GatewayError, match="unreachable") as err:
            call()
        assert err.value.retryable


def test_a_transfer_that_times_out_is_a_retryable_error(key_files, fake):
    with socket.socket() as sock:  # listens, never answers
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        gateway = WechatPayGateway(make_config(fake, key_files, "public_key", timeout=0.3,
                                               base_url=f"http://127.0.0.1:{sock.getsockname()[1]}"))
        with pytest.raises(GatewayError) as err:
            send_transfer(gateway)
    assert err.value.retryable


def test_a_tampered_transfer_answer_is_rejected(gateway, fake):
    no, _ = send_transfer(gateway)
    fake.tamper_next = (b"WAIT_USER_CONFIRM", b"SUCCESS")
    with pytest.raises(GatewayError, match="failed verification"):
        gateway.query_transfer(no)


# --- answers we must not believe ---------------------------------------------------------------

def test_a_tampered_answer_is_rejected(gateway, fake):
    no = start(gateway)
    fake.tamper_next = (b"NOTPAY", b"SUCCESS")
    with pytest.raises(GatewayError, match="failed verification: bad signature") as err:
        gateway.query_payment(no)
    assert err.value.retryable


def test_an_answer_signed_by_a_key_we_do_not_trust_is_rejected(fake, key_files):
    (key_files / "pub_key.pem").write_bytes(crypto.public_key_pem(crypto.generate_private_key()))
    gateway = WechatPayGateway(make_config(fake, key_files, "public_key"))
    with pytest.raises(GatewayError, match="bad signature"):
        gateway.query_payment("ANY")


def test_the_server_refuses_a_request_not_signed_by_the_merchant(fake, key_files, mode):
    (key_files / "apiclient_key.pem").write_bytes(crypto.private_key_pem(crypto.generate_private_key()))
    gateway = WechatPayGateway(make_config(fake, key_files, mode))
    with pytest.raises(WechatPayError) as err:
        gateway.query_payment("ANY")
    assert err.value.code == "SIGN_ERROR" and err.value.http_status == 401


def test_an_answer_from_outside_the_five_minute_window_is_rejected(fake, key_files, mode):
    skew = [0]
    gateway = WechatPayGateway(make_config(fake, key_files, mode), clock=lambda: time.time() + skew[0])
    no = start(gateway)
    skew[0] = 400  # our clock, and so our view of the answer's age, moves 400 s ahead
    with pytest.raises(GatewayError, match="failed verification: stale timestamp"):
        gateway.query_payment(no)


def test_an_unreachable_gateway_is_a_retryable_error(key_files, fake):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    gateway = WechatPayGateway(make_config(fake, key_files, "public_key", base_url=f"http://127.0.0.1:{port}"))
    with pytest.raises(GatewayError, match="unreachable") as err:
        gateway.query_payment("ANY")
    assert err.value.retryable


def test_public_key_mode_never_downloads_certificates(fake, key_files):
    fake.requests.clear()
    gateway = WechatPayGateway(make_config(fake, key_files, "public_key"))
    start(gateway)
    assert all(r["path"] != "/v3/certificates" for r in fake.requests)


def test_certificate_mode_follows_a_rotated_platform_certificate(fake, key_files, monkeypatch):
    monkeypatch.setattr(wechat, "CERTIFICATE_REFRESH_SECONDS", 0)
    gateway = WechatPayGateway(make_config(fake, key_files, "certificate"))
    no = start(gateway)
    old_serial = fake.platform_serial
    fake.rotate_certificate()
    try:
        assert gateway.query_payment(no).trade_state == "NOTPAY"
        assert set(gateway.load_certificates()) == {old_serial, fake.platform_serial}
    finally:
        fake.platform_certificates.pop()


def test_certificates_encrypted_under_another_apiv3_key_are_refused(fake, key_files):
    gateway = WechatPayGateway(make_config(fake, key_files, "certificate", apiv3_key="x" * 32))
    with pytest.raises(GatewayError, match="certificate cannot be opened"):
        start(gateway)


# --- notifications --------------------------------------------------------------------------

def gateway_mode(gateway):
    return "certificate" if gateway.certificate_mode else "public_key"


def paid_order_no(gateway, fake, amount=2590):
    """The number of an order paid at the fake WeChat Pay (not the `paid_order` fixture: no shop order)."""
    no = start(gateway, amount=amount)
    fake.pay(no, openid="o-payer")
    return no


def test_a_payment_notification_is_accepted(gateway, fake, mode):
    no = paid_order_no(gateway, fake)
    headers, body = fake.payment_notification(no, mode=mode)
    notice = gateway.parse_notification(headers, body)
    assert isinstance(notice, PaymentNotice)
    assert (notice.gateway, notice.order_no, notice.amount_fen, notice.trade_state) == ("wechat", no, 2590, "SUCCESS")
    assert notice.transaction_id == fake.transactions[no]["transaction_id"]
    assert notice.payer_openid == "o-payer" and notice.paid_at is not None


def test_header_names_are_read_case_insensitively(gateway, fake, mode):
    no = paid_order_no(gateway, fake)
    headers, body = fake.payment_notification(no, mode=mode)
    assert gateway.parse_notification({k.lower(): v for k, v in headers.items()}, body).order_no == no


@pytest.mark.parametrize("status", ["SUCCESS", "ABNORMAL", "CLOSED"])
def test_a_refund_notification_is_accepted(gateway, fake, mode, status):
    no = paid_order_no(gateway, fake, amount=5000)
    gateway.refund(order_no=no, refund_no="R" + no, amount_fen=5000, total_fen=5000, reason="退货", notify_url=None)
    notice = gateway.parse_notification(*fake.refund_notification("R" + no, mode=mode, status=status))
    assert isinstance(notice, RefundNotice)
    assert (notice.refund_no, notice.order_no, notice.amount_fen, notice.status) == ("R" + no, no, 5000, status)


def forge_signature(headers, body, fake):
    forger = crypto.generate_private_key()
    headers[crypto.SIGNATURE] = crypto.sign(forger, headers[crypto.TIMESTAMP], headers[crypto.NONCE], body)
    return headers, body


def resign(fake, mode, body, **kw):
    serial, key = fake.signing_key(mode)
    return crypto.signature_headers(key, serial, body, **kw), body


REJECTIONS = {
    "forged signature": (lambda h, b, f, m: forge_signature(h, b, f), "bad signature"),
    "body changed after signing": (lambda h, b, f, m: (h, b.replace(b'"summary"', b'"summary" ')), "bad signature"),
    "signature not base64": (lambda h, b, f, m: ({**h, crypto.SIGNATURE: "WECHATPAY/SIGNTEST/xx"}, b),
                             "bad signature"),
    "unknown serial": (lambda h, b, f, m: ({**h, crypto.SERIAL: "7132D72A03E93CDDF8C03BBD1F37EEDF"}, b),
                       "unknown serial"),
    "stale: 6 minutes old": (lambda h, b, f, m: resign(f, m, b, timestamp=int(time.time()) - 301), "stale timestamp"),
    "stale: 6 minutes ahead": (lambda h, b, f, m: resign(f, m, b, timestamp=int(time.time()) + 301),
                               "stale timestamp"),
    "timestamp not a number": (lambda h, b, f, m: ({**h, crypto.TIMESTAMP: "soon"}, b), "malformed timestamp"),
    "body not JSON": (lambda h, b, f, m: resign(f, m, b"<xml>SUCCESS</xml>"), "malformed notification body"),
    "body without resource": (lambda h, b, f, m: resign(f, m, b'{"event_type": "TRANSACTION.SUCCESS"}'),
                              "malformed notification body"),
    "resource not encrypted": (lambda h, b, f, m: resign(f, m, json.dumps(
        {**json.loads(b), "resource_type": "plain"}).encode()), "unexpected resource_type"),
    "ciphertext altered": (lambda h, b, f, m: resign(f, m, _alter_ciphertext(b)), "decryption failed"),
    "missing signature": (lambda h, b, f, m: (_without(h, crypto.SIGNATURE), b),
                          "missing headers: Wechatpay-Signature"),
    "missing timestamp": (lambda h, b, f, m: (_without(h, crypto.TIMESTAMP), b),
                          "missing headers: Wechatpay-Timestamp"),
    "missing nonce": (lambda h, b, f, m: (_without(h, crypto.NONCE), b), "missing headers: Wechatpay-Nonce"),
    "missing serial": (lambda h, b, f, m: (_without(h, crypto.SERIAL), b), "missing headers: Wechatpay-Serial"),
    "no headers at all": (lambda h, b, f, m: ({}, b), "missing headers"),
    "other signature type": (lambda h, b, f, m: ({**h, crypto.SIGNATURE_TYPE: "WECHATPAY2-SM2-WITH-SM3"}, b),
                             "unsupported signature type"),
}


def _without(headers, name):
    return {k: v for k, v in headers.items() if k != name}


def _alter_ciphertext(body):
    envelope = json.loads(body)
    sealed = bytearray(base64.b64decode(envelope["resource"]["ciphertext"]))
    sealed[0] ^= 1
    envelope["resource"]["ciphertext"] = base64.b64encode(bytes(sealed)).decode()
    return json.dumps(envelope).encode()


@pytest.mark.parametrize("case", REJECTIONS, ids=list(REJECTIONS))
def test_a_bad_notification_is_rejected(gateway, fake, mode, case):
    spoil, reason = REJECTIONS[case]
    no = paid_order_no(gateway, fake)
    headers, body = spoil(*fake.payment_notification(no, mode=mode), fake, mode)
    with pytest.raises(NotificationRejected, match=reason) as err:
        gateway.parse_notification(headers, body)
    assert 400 <= err.value.status < 500


@pytest.mark.parametrize("offset", [-299, 299])
def test_a_timestamp_within_five_minutes_is_accepted(gateway, fake, mode, offset):
    no = paid_order_no(gateway, fake)
    headers, body = fake.payment_notification(no, mode=mode, timestamp=int(time.time()) + offset)
    assert gateway.parse_notification(headers, body).order_no == no


def test_a_notification_encrypted_with_another_apiv3_key_is_rejected(gateway, fake, mode):
    no = paid_order_no(gateway, fake)
    headers, body = fake.payment_notification(no, mode=mode, apiv3_key="z" * 32)
    with pytest.raises(NotificationRejected, match="decryption failed"):
        gateway.parse_notification(headers, body)


@pytest.mark.parametrize("changes, wrong", [({"mchid": "1230000109"}, "mchid"), ({"appid": "wx-other"}, "appid"),
                                            ({"amount": {"total": 100, "currency": "USD"}}, "currency")])
def test_a_notification_for_another_merchant_app_or_currency_is_foreign(gateway, fake, mode, changes, wrong):
    no = paid_order_no(gateway, fake)
    resource = dict(fake.transactions[no], **changes)
    with pytest.raises(ForeignNotification, match=f"another merchant, app or currency: {wrong}") as refused:
        gateway.parse_notification(*fake.notification("TRANSACTION.SUCCESS", resource, mode=mode))
    assert refused.value.order_no == no


def test_a_refund_notification_for_another_merchant_is_foreign(gateway, fake, mode):
    no = paid_order_no(gateway, fake, amount=5000)
    gateway.refund(order_no=no, refund_no="R" + no, amount_fen=5000, total_fen=5000, reason="退货", notify_url=None)
    resource = dict(fake.refunds["R" + no], refund_status="SUCCESS", mchid="1230000109")
    with pytest.raises(ForeignNotification, match="mchid"):
        gateway.parse_notification(*fake.notification("REFUND.SUCCESS", resource, mode=mode))


def test_a_notification_of_an_unknown_event_is_rejected(gateway, fake, mode):
    no = paid_order_no(gateway, fake)
    with pytest.raises(NotificationRejected, match="unsupported event type"):
        gateway.parse_notification(*fake.notification("PROFITSHARING.SUCCESS", fake.transactions[no], mode=mode))


def test_a_notification_whose_amount_is_not_integer_fen_is_rejected(gateway, fake, mode):
    no = paid_order_no(gateway, fake)
    resource = dict(fake.transactions[no], amount={"total": "25.90", "currency": "CNY"})
    with pytest.raises(NotificationRejected, match="not an integer"):
        gateway.parse_notification(*fake.notification("TRANSACTION.SUCCESS", resource, mode=mode))


@pytest.mark.parametrize("total", [2**63, -2**63 - 1, 10**30])
def test_a_notification_whose_amount_no_column_holds_is_rejected(gateway, fake, mode, total):
    """Found by the notify fuzzer: a signed notification stating 2**63 fen answered 500 (the amount-mismatch alert
    could not be stored)."""
    no = paid_order_no(gateway, fake)
    resource = dict(fake.transactions[no], amount={"total": total, "currency": "CNY"})
    with pytest.raises(NotificationRejected, match="out of range"):
        gateway.parse_notification(*fake.notification("TRANSACTION.SUCCESS", resource, mode=mode))


def test_a_payment_notification_without_its_amount_is_rejected(gateway, fake, mode):
    no = paid_order_no(gateway, fake)
    resource = {k: v for k, v in fake.transactions[no].items() if k != "amount"}
    with pytest.raises(NotificationRejected, match="malformed resource"):
        gateway.parse_notification(*fake.notification("TRANSACTION.SUCCESS", resource, mode=mode))


def test_a_certificate_mode_notification_with_unreachable_certificates_asks_for_a_retry(fake, key_files):
    gateway = WechatPayGateway(make_config(fake, key_files, "certificate"))
    fake.certificates_enabled = False
    try:
        with pytest.raises(NotificationRejected) as err:
            gateway.parse_notification(*fake.notification("TRANSACTION.SUCCESS", {}, mode="certificate"))
    finally:
        fake.certificates_enabled = True
    assert err.value.status == 503



# --- both WeChat keys at once, serials as numbers -----------------------------------------

@pytest.mark.parametrize("signed_with", ["public_key", "certificate"])
def test_during_the_switch_a_public_key_merchant_accepts_either_key(fake, key_files, signed_with):
    """WeChat's move to its public key: for about a week callbacks are signed by either key, at random."""
    gateway = WechatPayGateway(make_config(fake, key_files, "public_key"))
    no = paid_order_no(gateway, fake)
    assert gateway.parse_notification(*fake.payment_notification(no, mode=signed_with)).order_no == no


def test_a_public_key_merchant_without_certificates_refuses_an_unknown_serial(fake, key_files):
    """Past the switch there are no certificates to download: an unknown serial is refused, not retried."""
    gateway = WechatPayGateway(make_config(fake, key_files, "public_key"))
    no = paid_order_no(gateway, fake)
    fake.certificates_enabled = False
    try:
        with pytest.raises(NotificationRejected, match="unknown serial") as err:
            gateway.parse_notification(*fake.payment_notification(no, mode="certificate"))
    finally:
        fake.certificates_enabled = True
    assert err.value.status != 503


def test_a_serial_written_with_a_leading_zero_names_the_same_certificate(gateway, fake, mode):
    no = paid_order_no(gateway, fake)
    headers, body = fake.payment_notification(no, mode=mode)
    if mode == "certificate":
        headers = {**headers, crypto.SERIAL: "0" + headers[crypto.SERIAL].lower()}
    assert gateway.parse_notification(headers, body).order_no == no


def test_a_certificate_listed_with_a_leading_zero_serial_is_kept(fake, key_files, monkeypatch):
    """The certificate list compares serials as numbers: a listed "0A1B…" is not a mismatch that drops the
    certificate (which made every notification answer 503)."""
    listed = fake._certificates

    def with_leading_zeros():
        status, answer = listed()
        for item in answer.get("data", []):
            item["serial_no"] = "00" + item["serial_no"]
        return status, answer

    monkeypatch.setattr(fake, "_certificates", with_leading_zeros)
    gateway = WechatPayGateway(make_config(fake, key_files, "certificate"))
    assert set(gateway.load_certificates()) == {fake.platform_serial}
    no = paid_order_no(gateway, fake)
    assert gateway.parse_notification(*fake.payment_notification(no, mode="certificate")).order_no == no


@pytest.mark.parametrize("written, canonical", [
    ("5157F09EFDC096DE15EBE81A47057A7232F1B8E1", "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"),
    ("005157f09efdc096de15ebe81a47057a7232f1b8e1", "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"),
    (" 0A ", "A"),
    ("PUB_KEY_ID_0114232134912410000000000000", "PUB_KEY_ID_0114232134912410000000000000"),
])
def test_canonical_serial(written, canonical):
    assert crypto.canonical_serial(written) == canonical


# --- configuration --------------------------------------------------------------------------

@pytest.mark.parametrize("change, message", [
    ({"mchid": ""}, "missing mchid"),
    ({"apiv3_key": "short"}, "32 characters"),
    ({"private_key_path": "/nonexistent/apiclient_key.pem"}, "key file unreadable"),
    ({"public_key_path": "/x.pem"}, "needs both"),
    ({"private_key_path": __file__}, "is not a PEM key"),
])
def test_a_misconfigured_gateway_is_refused(fake, key_files, change, message):
    with pytest.raises(GatewayError, match=message) as err:
        WechatPayGateway(make_config(fake, key_files, "certificate", **change))
    assert not err.value.retryable


# --- the crypto helpers on their own -------------------------------------------------------------

def test_authorization_header_round_trip(merchant_key):
    header = crypto.build_authorization(mchid=MCHID, serial_no=MERCHANT_SERIAL, private_key=merchant_key,
                                        method="post", url_path="/v3/refund/domestic/refunds", body=b'{"a":1}',
                                        timestamp=1554208460, nonce="593BEC0C930BF1AFEB40B4A08C8FB242")
    assert header.startswith('WECHATPAY2-SHA256-RSA2048 mchid="1900000109",'
                             'nonce_str="593BEC0C930BF1AFEB40B4A08C8FB242",signature="')
    fields = crypto.verify_authorization(header, method="POST", url_path="/v3/refund/domestic/refunds",
                                         body=b'{"a":1}', public_key=merchant_key.public_key())
    assert (fields["timestamp"], fields["serial_no"]) == ("1554208460", MERCHANT_SERIAL)
    with pytest.raises(ValueError, match="does not verify"):
        crypto.verify_authorization(header, method="POST", url_path="/v3/refund/domestic/refunds",
                                    body=b'{"a":2}', public_key=merchant_key.public_key())


@pytest.mark.parametrize("header", ["", "Bearer abc", 'WECHATPAY2-SHA256-RSA2048 mchid="1"',
                                    'WECHATPAY2-SHA256-RSA2048 mchid=1,nonce_str="x"'])
def test_a_malformed_authorization_header_is_refused(header):
    with pytest.raises(ValueError):
        crypto.parse_authorization(header)


def test_resource_encryption_round_trip_and_associated_data_is_bound():
    resource = crypto.encrypt_resource(APIV3_KEY, '{"a": "支付"}', associated_data="transaction")
    assert resource["algorithm"] == "AEAD_AES_256_GCM" and len(resource["nonce"]) == 12
    assert crypto.decrypt_resource(APIV3_KEY, resource) == '{"a": "支付"}'
    with pytest.raises(ValueError):
        crypto.decrypt_resource(APIV3_KEY, {**resource, "associated_data": "refund"})


def test_certificate_serial_is_upper_hex():
    key = crypto.generate_private_key()
    cert = crypto.self_signed_certificate(key, "test", serial_number=0x5157F09EFDC096DE15EBE81A47057A7232F1B8E1)
    assert crypto.certificate_serial(cert) == "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"
    assert crypto.load_public_key(crypto.certificate_pem(cert)).public_numbers() == key.public_key().public_numbers()
