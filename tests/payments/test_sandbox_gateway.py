"""The sandbox gateway: WeChat Pay's behaviour, keys and notifications, without WeChat.

Deliveries go to a test-only endpoint on a second app over the same database, which verifies
what it receives with the sandbox gateway and answers as each test tells it to. The real
notification endpoint is exercised by the payments lifecycle tests.
"""
import os
import re
import stat
import time

import pytest
from flask import request
from sqlalchemy import select

from shop import create_app
from shop.extensions import db as _db
from shop.payments.gateways import (
    GatewayError,
    NotificationRejected,
    PaymentNotice,
    RefundNotice,
    crypto,
    get_gateway,
    sandbox,
)
from shop.payments.gateways.sandbox import SandboxGateway, load_keys
from shop.payments.gateways.wechat import WechatPayGateway
from shop.payments.models import SandboxRefund, SandboxTransaction, SandboxTransfer
from tests.conftest import make_test_config

NOTIFY_URL = "http://localhost/test-notify"


class Receiver:
    """A notification endpoint that verifies with the sandbox gateway and answers `answers` in turn."""

    def __init__(self, instance_dir):
        self.app = create_app(make_test_config(instance_dir))
        self.received, self.answers = [], []
        self.app.add_url_rule("/test-notify", "test_notify", self.endpoint, methods=["POST"])

    def endpoint(self):
        try:
            self.received.append(get_gateway("sandbox").parse_notification(request.headers, request.get_data()))
        except NotificationRejected as err:
            self.received.append(err)
            return {"code": "FAIL", "message": err.reason}, err.status
        answer = self.answers.pop(0) if self.answers else 204
        if answer == "raise":
            raise RuntimeError("endpoint crashed")
        return "", answer

    def reset(self):
        self.received.clear()
        self.answers.clear()


@pytest.fixture(scope="module")
def receiver(app, instance_dir):
    receiver = Receiver(instance_dir)
    yield receiver
    with receiver.app.app_context():
        _db.engine.dispose()


@pytest.fixture
def gateway(receiver, monkeypatch):
    """The sandbox gateway of the receiver's app, in one of its requests, with no waits between retries."""
    receiver.reset()
    with receiver.app.test_request_context():
        gateway = get_gateway("sandbox")
        monkeypatch.setattr(gateway, "retry_delays", (0, 0))
        yield gateway


_numbers = iter(range(10**6))


def order_no():
    return f"S{time.time_ns() % 10**12}{next(_numbers):04d}"


def opened(gateway, amount=2590, no=None):
    no = no or order_no()
    gateway.create_payment(order_no=no, amount_fen=amount, description="好物", notify_url=NOTIFY_URL)
    return no


def transaction(no):
    with _db.session.no_autoflush:
        return _db.session.scalar(select(SandboxTransaction).where(SandboxTransaction.order_no == no)
                                  .execution_options(populate_existing=True))


# --- keys -----------------------------------------------------------------------------------

def test_keys_are_generated_once_under_the_instance_folder(gateway, receiver):
    folder = os.path.join(receiver.app.instance_path, "sandbox-keys")
    assert gateway.keys_folder == folder
    serial = gateway.keys.platform_serial
    assert sorted(os.listdir(folder)) == ["apiv3_key", "merchant_key.pem", "platform_cert.pem", "platform_key.pem"]
    for name in ("platform_key.pem", "merchant_key.pem", "apiv3_key"):
        assert stat.S_IMODE(os.stat(os.path.join(folder, name)).st_mode) == 0o600
    assert SandboxGateway(folder).keys.platform_serial == serial
    assert len(gateway.keys.apiv3_key.encode()) == 32


def test_keys_made_by_a_racing_process_are_kept(tmp_path):
    first = load_keys(str(tmp_path / "keys"))
    second = load_keys(str(tmp_path / "keys"))
    assert first.platform_serial == second.platform_serial and first.apiv3_key == second.apiv3_key
    assert [p.name for p in tmp_path.iterdir()] == ["keys"]  # no leftover temporary folder


# --- paying -----------------------------------------------------------------------------------

def test_create_payment_records_notpay_and_sends_the_shopper_to_the_cashier(gateway):
    no = order_no()
    start = gateway.create_payment(order_no=no, amount_fen=2590, description="好物", notify_url=NOTIFY_URL,
                                   openid="o-x", client_ip="127.0.0.1")
    assert start.redirect_url == f"/pay/sandbox/{no}" and start.jsapi_params is None
    txn = transaction(no)
    assert (txn.state, txn.amount_fen, txn.notify_url, txn.transaction_id) == ("NOTPAY", 2590, NOTIFY_URL, None)


def test_opening_the_same_order_again_reuses_its_transaction(gateway):
    no = opened(gateway)
    opened(gateway, no=no)
    assert len(_db.session.scalars(select(SandboxTransaction).where(SandboxTransaction.order_no == no)).all()) == 1
    with pytest.raises(GatewayError, match="OUT_TRADE_NO_USED"):
        opened(gateway, amount=2591, no=no)


def test_pay_marks_success_with_a_wechat_like_transaction_id(gateway):
    no = opened(gateway)
    notice = gateway.pay(no)
    assert re.fullmatch(r"4200\d{24}", notice.transaction_id)
    assert (notice.gateway, notice.order_no, notice.amount_fen, notice.trade_state) == ("sandbox", no, 2590, "SUCCESS")
    assert gateway.query_payment(no) == notice
    assert gateway.pay(no).transaction_id == notice.transaction_id  # a second click pays nothing more
    with pytest.raises(GatewayError, match="ORDERPAID"):
        opened(gateway, no=no)


def test_fail_records_payerror_delivers_nothing_and_allows_another_try(gateway, receiver):
    no = opened(gateway)
    gateway.fail(no)
    assert gateway.query_payment(no).trade_state == "PAYERROR"
    with pytest.raises(GatewayError, match="nothing to deliver"):
        gateway.deliver(no)
    assert receiver.received == []
    assert gateway.pay(no).succeeded


def test_query_of_an_unknown_order_is_none(gateway):
    assert gateway.query_payment("NO-SUCH-ORDER") is None
    with pytest.raises(GatewayError, match="ORDER_NOT_EXIST"):
        gateway.pay("NO-SUCH-ORDER")


@pytest.mark.parametrize("amount", [1, 99999999999])
def test_an_amount_in_fen_passes_through_unchanged(gateway, receiver, amount):
    no = opened(gateway, amount=amount)
    gateway.pay(no)
    assert gateway.deliver(no)
    assert receiver.received[0].amount_fen == amount == gateway.query_payment(no).amount_fen


@pytest.mark.parametrize("amount", [25.9, "2590", 0, -5])
def test_an_amount_that_is_not_positive_integer_fen_is_refused(gateway, amount):
    with pytest.raises(GatewayError, match="integer of fen"):
        opened(gateway, amount=amount)


# --- delivering -------------------------------------------------------------------------------

def test_deliver_posts_the_notification_wechat_would_send(gateway, receiver):
    no = opened(gateway)
    paid = gateway.pay(no)
    assert gateway.deliver(no) is True
    [notice] = receiver.received
    assert isinstance(notice, PaymentNotice) and notice == paid
    assert notice.raw["mchid"] == sandbox.MCHID and notice.payer_openid == sandbox.PAYER_OPENID
    txn = transaction(no)
    assert (txn.delivery_attempts, txn.last_error) == (1, None) and txn.delivered_at is not None


def test_deliver_retries_a_failed_answer(gateway, receiver):
    receiver.answers[:] = [500, "raise"]
    no = opened(gateway)
    gateway.pay(no)
    assert gateway.deliver(no) is True
    assert len(receiver.received) == 3
    txn = transaction(no)
    assert (txn.delivery_attempts, txn.last_error) == (3, None) and txn.delivered_at is not None


def test_deliver_gives_up_after_three_attempts_and_records_why(gateway, receiver):
    receiver.answers[:] = [500, 503, 500]
    no = opened(gateway)
    gateway.pay(no)
    assert gateway.deliver(no) is False
    txn = transaction(no)
    assert txn.delivery_attempts == 3 and txn.delivered_at is None
    assert txn.last_error.startswith("HTTP 500")


def test_an_endpoint_that_crashes_is_recorded_as_a_failed_attempt(gateway, receiver):
    receiver.answers[:] = ["raise", "raise", "raise"]
    no = opened(gateway)
    gateway.pay(no)
    assert gateway.deliver(no) is False
    assert transaction(no).last_error == "RuntimeError: endpoint crashed"


# --- notifications are checked like WeChat's ---------------------------------------------------

def test_build_notification_makes_one_the_gateway_accepts(gateway):
    headers, body = sandbox.build_notification("O1", "4200000000000000000000000001", 12345)
    notice = gateway.parse_notification(headers, body)
    assert (notice.order_no, notice.transaction_id, notice.amount_fen, notice.succeeded) == (
        "O1", "4200000000000000000000000001", 12345, True)


@pytest.mark.parametrize("status", ["SUCCESS", "ABNORMAL", "CLOSED"])
def test_build_notification_makes_refund_notifications_too(gateway, status):
    headers, body = sandbox.build_notification("O1", "4200", 500, event_type=f"REFUND.{status}", refund_no="R1")
    notice = gateway.parse_notification(headers, body)
    assert isinstance(notice, RefundNotice)
    assert (notice.refund_no, notice.order_no, notice.amount_fen, notice.status) == ("R1", "O1", 500, status)


def _foreign(event, keys):
    """Signed and encrypted correctly, but with keys that are not the sandbox's."""
    key, cert = crypto.generate_key_and_certificate("someone else")
    return crypto.build_notification(private_key=key, serial=crypto.certificate_serial(cert), apiv3_key=keys.apiv3_key,
                                     event_type="TRANSACTION.SUCCESS", resource=event)


REJECTED = {
    "tampered": (lambda g: sandbox.build_notification("O1", "4200", 100, tamper=True), "bad signature"),
    "6 minutes old": (lambda g: sandbox.build_notification("O1", "4200", 100, timestamp=int(time.time()) - 360),
                      "stale timestamp"),
    "6 minutes ahead": (lambda g: sandbox.build_notification("O1", "4200", 100, timestamp=int(time.time()) + 360),
                        "stale timestamp"),
    "signed by another platform": (lambda g: _foreign({"out_trade_no": "O1"}, g.keys), "unknown serial"),
    "serial of ours, key of another": (
        lambda g: (lambda h, b: ({**h, crypto.SERIAL: g.keys.platform_serial}, b))(*_foreign({}, g.keys)),
        "bad signature"),
    "another APIv3 key": (lambda g: crypto.build_notification(
        private_key=g.keys.platform_key, serial=g.keys.platform_serial, apiv3_key="0" * 32,
        event_type="TRANSACTION.SUCCESS", resource={}), "decryption failed"),
    "missing headers": (lambda g: ({}, sandbox.build_notification("O1", "4200", 100)[1]), "missing headers"),
    "malformed body": (lambda g: (lambda h, b: (crypto.signature_headers(
        g.keys.platform_key, g.keys.platform_serial, b"{not json"), b"{not json"))(
        *sandbox.build_notification("O1", "4200", 100)), "malformed notification body"),
}


@pytest.mark.parametrize("case", REJECTED, ids=list(REJECTED))
def test_a_bad_sandbox_notification_is_rejected(gateway, case):
    build, reason = REJECTED[case]
    headers, body = build(gateway)
    with pytest.raises(NotificationRejected, match=reason):
        gateway.parse_notification(headers, body)


# --- refunds and transfers --------------------------------------------------------------------

def test_refund_succeeds_at_once_and_notifies(gateway, receiver):
    no = opened(gateway, amount=5000)
    gateway.pay(no)
    result = gateway.refund(order_no=no, refund_no="R" + no, amount_fen=1500, total_fen=5000, reason="退货",
                            notify_url=NOTIFY_URL)
    assert (result.status, result.amount_fen, result.order_no, result.gateway) == ("SUCCESS", 1500, no, "sandbox")
    assert re.fullmatch(r"5030\d{25}", result.refund_id)
    [notice] = receiver.received
    assert isinstance(notice, RefundNotice) and notice == result
    assert gateway.query_refund("R" + no) == result
    assert gateway.query_payment(no).trade_state == "REFUND"


def test_the_same_refund_number_again_refunds_nothing_more(gateway, receiver):
    no = opened(gateway, amount=5000)
    gateway.pay(no)
    first = gateway.refund(order_no=no, refund_no="R" + no, amount_fen=5000, total_fen=5000, reason="x",
                           notify_url=NOTIFY_URL)
    again = gateway.refund(order_no=no, refund_no="R" + no, amount_fen=5000, total_fen=5000, reason="x",
                           notify_url=NOTIFY_URL)
    assert again == first and len(receiver.received) == 1
    assert len(_db.session.scalars(select(SandboxRefund).where(SandboxRefund.order_no == no)).all()) == 1


@pytest.mark.parametrize("refunds, error", [
    ([("A", 3000), ("B", 2001)], "退款金额超过可退金额"),
    ([("A", 5001)], "退款金额超过可退金额"),
])
def test_refunds_cannot_exceed_the_payment(gateway, refunds, error):
    no = opened(gateway, amount=5000)
    gateway.pay(no)
    with pytest.raises(GatewayError, match=error):
        for suffix, amount in refunds:
            gateway.refund(order_no=no, refund_no=suffix + no, amount_fen=amount, total_fen=5000, reason="x",
                           notify_url=None)


def test_an_unpaid_order_cannot_be_refunded(gateway):
    no = opened(gateway)
    with pytest.raises(GatewayError, match="订单未支付"):
        gateway.refund(order_no=no, refund_no="R" + no, amount_fen=100, total_fen=2590, reason="x", notify_url=None)
    assert gateway.query_refund("R" + no) is None


def test_transfer_waits_for_the_payee_and_is_made_only_once(gateway):
    no = "W" + order_no()
    notice = gateway.transfer(transfer_no=no, openid="o-d", amount_fen=8800, description="佣金提现")
    assert (notice.state, notice.transfer_no) == ("WAIT_USER_CONFIRM", no) and notice.package_info
    assert notice.transfer_bill_no.startswith("1330")
    assert gateway.transfer(transfer_no=no, openid="o-d", amount_fen=8800, description="佣金提现") == notice
    [row] = _db.session.scalars(select(SandboxTransfer).where(SandboxTransfer.transfer_no == no)).all()
    assert (row.openid, row.amount_fen, row.status) == ("o-d", 8800, "WAIT_USER_CONFIRM")


def test_the_sandbox_store_outlives_the_callers_rollback(gateway):
    """Like a remote service's records, the sandbox commits on its own."""
    no = opened(gateway)
    _db.session.rollback()
    assert gateway.query_payment(no).trade_state == "NOTPAY"


# --- choosing the gateway --------------------------------------------------------------------

def test_the_sandbox_is_the_default_outside_production(app):
    assert get_gateway().name == "sandbox" and get_gateway() is get_gateway("sandbox")


@pytest.mark.parametrize("name", ["paypal", "wechat"])
def test_a_gateway_that_is_not_configured_is_refused(app, name):
    with pytest.raises(GatewayError) as err:
        get_gateway(name)
    assert not err.value.retryable


def test_production_must_choose_its_gateway(app, monkeypatch):
    monkeypatch.setitem(app.config, "ENV_NAME", "production")
    monkeypatch.delenv("SHOP_PAYMENT_GATEWAY", raising=False)
    with pytest.raises(GatewayError, match="SHOP_PAYMENT_GATEWAY is not set"):
        get_gateway()
    monkeypatch.setitem(app.config, "SHOP_PAYMENT_GATEWAY", "sandbox")
    assert get_gateway().name == "sandbox"


def test_wechat_is_built_from_settings_and_then_the_sandbox_is_refused(app, monkeypatch, tmp_path):
    (tmp_path / "key.pem").write_bytes(crypto.private_key_pem(crypto.generate_private_key()))
    (tmp_path / "pub.pem").write_bytes(crypto.public_key_pem(crypto.generate_private_key()))
    monkeypatch.setitem(app.config, "SHOP_PAYMENT_GATEWAY", "wechat")
    for name, value in {"SHOP_WECHAT_MCHID": "1900000109", "SHOP_WECHAT_APPID": "wx1", "SHOP_WECHAT_SERIAL_NO": "AB",
                        "SHOP_WECHAT_PRIVATE_KEY_PATH": str(tmp_path / "key.pem"),
                        "SHOP_WECHAT_APIV3_KEY": "a" * 32, "SHOP_WECHAT_PUBLIC_KEY_PATH": str(tmp_path / "pub.pem"),
                        "SHOP_WECHAT_PUBLIC_KEY_ID": "PUB_KEY_ID_01"}.items():
        monkeypatch.setenv(name, value)
    gateway = get_gateway()
    assert isinstance(gateway, WechatPayGateway) and gateway is get_gateway("wechat")
    assert (gateway.mchid, gateway.public_key_id, gateway.base_url) == (
        "1900000109", "PUB_KEY_ID_01", "https://api.mch.weixin.qq.com")
    with pytest.raises(GatewayError, match="not enabled"):
        get_gateway("sandbox")
    monkeypatch.delenv("SHOP_WECHAT_APIV3_KEY")
    with pytest.raises(GatewayError, match="missing apiv3_key"):
        get_gateway()
