"""WeChat 商家转账 for withdrawals (wallet/transfers.py) against the sandbox: the bill's state machine, its
notifications (once, whatever their number and order), timeouts and crashes around the call, reconcile (query,
send again under the same number, cancel unconfirmed bills, one stuck alert), and what the pages show."""
import io
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import openpyxl
import pytest
from sqlalchemy import func, select, update

from shop.clock import utcnow
from shop.errors import ServiceError
from shop.payments.alerts import PaymentRefused
from shop.payments.gateways import GatewayError, get_gateway
from shop.payments.gateways.base import TransferNotice
from shop.payments.models import AMOUNT_MISMATCH, TRANSFER_STUCK, PaymentAlert, SandboxTransfer
from shop.wallet import ledger, transfers, withdrawals
from shop.wallet.audit import run_audit
from shop.wallet.models import Account, LedgerEntry, Withdrawal
from tests.conftest import IS_PG, login_staff


@pytest.fixture
def sandbox(app):
    gateway = get_gateway("sandbox")
    yield gateway
    gateway.transfer_fault = None
    gateway.hold_transfer_notices = False


@pytest.fixture
def staff(make_staff):
    return make_staff(role="finance")


@pytest.fixture
def requested(db, make_distributor):
    """Factory: requested(amount=5000, real_name=None) -> a requested WeChat withdrawal of a distributor with
    ¥100.00 (or more) available."""
    def make(amount=5000, real_name=None, **user):
        member = make_distributor(nickname="阿强", **user).user
        ledger.post(member.id, "adjustment", available=max(10000, amount), ref_type="adjustment", ref_id=0)
        payee = {"real_name": real_name} if real_name else {}
        withdrawal = withdrawals.request_withdrawal(member.id, amount, "wechat", payee)
        db.session.commit()
        return withdrawal

    return make


@pytest.fixture
def asked(db, shop, paid_order, complete):
    """Distributor B earned ¥100.00 (a real, settled commission, so the whole audit holds) and asks to withdraw
    ¥50.00 to WeChat change."""
    from shop.distribution.settlement import settle_due_commissions

    complete(paid_order(quantity=10), days_ago=30)
    assert settle_due_commissions() == (2, 15000)
    withdrawal = withdrawals.request_withdrawal(shop.b.id, 5000, "wechat", {})
    db.session.commit()
    return withdrawal


@pytest.fixture
def sent(db, asked, staff):
    """An approved WeChat withdrawal of ¥50.00 whose transfer waits for the payee (WAIT_USER_CONFIRM)."""
    withdrawals.approve(asked.id, staff)
    return fresh(db, asked)


def fresh(db, withdrawal):
    db.session.expire_all()
    return db.session.get(Withdrawal, withdrawal.id)


def balances(db, user_id):
    db.session.expire_all()
    account = db.session.get(Account, user_id)
    return account.available_fen, account.withdrawing_fen, account.withdrawn_fen


def entry_kinds(db, withdrawal):
    return db.session.scalars(select(LedgerEntry.kind).where(LedgerEntry.ref_type == "withdrawal",
                                                             LedgerEntry.ref_id == withdrawal.id)
                              .order_by(LedgerEntry.id)).all()


def bills(db, out_bill_no):
    return db.session.scalar(select(func.count()).select_from(SandboxTransfer)
                             .where(SandboxTransfer.transfer_no == out_bill_no))


def notice(withdrawal, state, amount=None, **kw):
    return TransferNotice(gateway="sandbox", transfer_no=withdrawal.out_bill_no, transfer_bill_no="1330X",
                          state=state, amount_fen=withdrawal.net_fen if amount is None else amount, **kw)


def age(db, withdrawal, hours):
    """Pretend the transfer went out `hours` ago."""
    db.session.execute(update(Withdrawal).where(Withdrawal.id == withdrawal.id).values(
        transfer_sent_at=utcnow() - timedelta(hours=hours), decided_at=utcnow() - timedelta(hours=hours)))
    db.session.commit()


# --- approval and the state machine -----------------------------------------------------------------

def test_approval_commits_the_bill_number_and_waits_for_the_payee(db, sent):
    assert (sent.status, sent.out_bill_no, sent.transfer_state) == ("approved", sent.withdrawal_no, "WAIT_USER_CONFIRM")
    assert sent.package_info and sent.transfer_bill_no.startswith("1330") and sent.transfer_sent_at
    assert balances(db, sent.user_id) == (5000, 5000, 0)


@pytest.mark.parametrize("state, status, money, kinds", [
    ("SUCCESS", "paid", (5000, 0, 5000), ["withdrawal_requested", "withdrawal_paid"]),
    ("FAIL", "failed", (10000, 0, 0), ["withdrawal_requested", "withdrawal_failed"]),
    ("CANCELLED", "failed", (10000, 0, 0), ["withdrawal_requested", "withdrawal_failed"]),
    ("TRANSFERING", "approved", (5000, 5000, 0), ["withdrawal_requested"]),
    ("CANCELING", "approved", (5000, 5000, 0), ["withdrawal_requested"]),
    ("PROCESSING", "approved", (5000, 5000, 0), ["withdrawal_requested"]),
])
def test_each_state_moves_the_money_once(db, sent, state, status, money, kinds):
    for _ in range(2):  # the second is a duplicate: nothing changes
        transfers.apply_transfer_result(notice(sent, state, fail_reason="ACCOUNT_FROZEN" if state == "FAIL" else None))
    w = fresh(db, sent)
    assert (w.status, w.transfer_state) == (status, state)
    assert balances(db, w.user_id) == money and entry_kinds(db, w) == kinds
    assert run_audit().clean


def test_a_late_state_after_the_end_changes_nothing(db, sent):
    transfers.apply_transfer_result(notice(sent, "SUCCESS"))
    transfers.apply_transfer_result(notice(sent, "WAIT_USER_CONFIRM", package_info="late"))
    w = fresh(db, sent)
    assert (w.status, w.transfer_state) == ("paid", "SUCCESS") and w.package_info != "late"


def test_a_failure_keeps_its_reason(db, sent):
    transfers.apply_transfer_result(notice(sent, "FAIL", fail_reason="NAME_NOT_CORRECT"))
    assert fresh(db, sent).fail_reason == "NAME_NOT_CORRECT"
    [entry] = db.session.scalars(select(LedgerEntry).where(LedgerEntry.kind == "withdrawal_failed")).all()
    assert (entry.d_withdrawing, entry.d_available, entry.memo) == (-5000, 5000, "NAME_NOT_CORRECT")


def test_an_amount_that_differs_is_refused_and_alerted(db, sent):
    with pytest.raises(PaymentRefused, match="amount"):
        transfers.apply_transfer_result(notice(sent, "SUCCESS", amount=4999))
    assert fresh(db, sent).status == "approved"
    [alert] = db.session.scalars(select(PaymentAlert)).all()
    assert alert.kind == AMOUNT_MISMATCH and alert.order_no == sent.withdrawal_no and "4999" in alert.message


def test_an_unknown_bill_is_refused(db, sent):
    with pytest.raises(PaymentRefused) as refused:
        transfers.apply_transfer_result(TransferNotice("sandbox", "W-unknown", "1330", "SUCCESS", 100))
    assert refused.value.status == 404


def test_reject_is_refused_while_the_transfer_is_out(db, sent, staff):
    with pytest.raises(ServiceError, match="微信转账已发起，不能再拒绝") as refused:
        withdrawals.reject(sent.id, staff, "不想付了")
    assert refused.value.status == 409
    db.session.rollback()
    assert fresh(db, sent).status == "approved"


# --- notifications through the endpoint ------------------------------------------------------------

def test_confirming_delivers_the_notification_and_pays(db, sandbox, sent):
    sandbox.confirm_transfer(sent.out_bill_no)
    w = fresh(db, sent)
    assert (w.status, w.transfer_state, w.pay_reference) == ("paid", "SUCCESS", w.transfer_bill_no)
    assert sandbox.deliver_transfer(sent.out_bill_no)  # WeChat sends it again: acknowledged, nothing changes
    assert balances(db, w.user_id) == (5000, 0, 5000) and run_audit().clean


def test_each_transfer_notification_is_logged_with_its_outcome(db, sandbox, sent, caplog):
    caplog.set_level(logging.INFO, logger="shop.notify")
    sandbox.confirm_transfer(sent.out_bill_no)
    sandbox.deliver_transfer(sent.out_bill_no)
    got = [(r.kind, r.transfer_no, r.outcome) for r in caplog.records if r.name == "shop.notify"]
    assert got == [("transfer", sent.out_bill_no, "applied"), ("transfer", sent.out_bill_no, "duplicate")]


@pytest.mark.parametrize("end", ["fail", "cancel"])
def test_a_failed_or_cancelled_transfer_gives_the_money_back(db, sandbox, sent, client, login, end):
    if end == "fail":
        sandbox.fail_transfer(sent.out_bill_no, "PAYEE_ACCOUNT_ABNORMAL")
    else:
        sandbox.cancel_transfer(sent.out_bill_no)
    w = fresh(db, sent)
    assert w.status == "failed" and w.transfer_state == ("FAIL" if end == "fail" else "CANCELLED")
    assert balances(db, w.user_id) == (10000, 0, 0) and "withdrawal_failed" in entry_kinds(db, w)
    login(w.user)
    page = client.get(f"/center/withdrawals/{w.id}").get_data(as_text=True)
    assert "打款失败" in page and 'id="withdrawal-fail-reason"' in page
    if end == "fail":
        assert "收款账户异常" in page
    assert run_audit().clean


def test_a_notification_with_another_amount_is_refused(app, db, sandbox, sent):
    headers, body = sandbox.build_transfer_notification(sent.out_bill_no, {"state": "SUCCESS", "transfer_amount": 1})
    resp = app.test_client().post("/pay/notify/sandbox", data=body, headers=headers, content_type="application/json")
    assert resp.status_code == 400 and resp.get_json()["code"] == "FAIL"
    assert fresh(db, sent).status == "approved"
    assert db.session.scalar(select(PaymentAlert.kind)) == AMOUNT_MISMATCH


# --- faults around the call ------------------------------------------------------------------------

def test_a_timeout_then_a_late_notification_pays_once(db, sandbox, asked, staff):
    withdrawal = asked
    sandbox.transfer_fault = "timeout"
    with pytest.raises(GatewayError):
        withdrawals.approve(withdrawal.id, staff)
    sandbox.transfer_fault = None
    w = fresh(db, withdrawal)
    assert (w.status, w.out_bill_no, w.transfer_state) == ("approved", w.withdrawal_no, "ACCEPTED")
    sandbox.confirm_transfer(w.out_bill_no)  # the bill was made: the payee confirms, WeChat notifies
    transfers.reconcile_transfers(now=utcnow() + timedelta(minutes=10))  # and reconcile finds nothing left
    w = fresh(db, withdrawal)
    assert w.status == "paid" and bills(db, w.out_bill_no) == 1
    assert balances(db, w.user_id) == (5000, 0, 5000) and run_audit().clean


def test_a_crash_after_the_commit_is_sent_again_under_the_same_number(db, sandbox, asked, staff):
    withdrawal = asked
    sandbox.transfer_fault = "crash"
    with pytest.raises(RuntimeError):
        withdrawals.approve(withdrawal.id, staff)
    sandbox.transfer_fault = None
    counts = transfers.reconcile_transfers(now=utcnow() + timedelta(minutes=10))
    w = fresh(db, withdrawal)
    assert counts == {"WAIT_USER_CONFIRM": 1}  # the bill existed: its state is taken, nothing sent twice
    assert bills(db, w.out_bill_no) == 1 and w.package_info


def test_a_bill_the_gateway_never_saw_is_sent_again_once(db, sandbox, asked, staff):
    """The worker died between the commit and the call: reconcile sends it under the same number, once."""
    withdrawal = asked
    with pytest.raises(RuntimeError):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(transfers, "send", lambda _id: (_ for _ in ()).throw(RuntimeError("died")))
            withdrawals.approve(withdrawal.id, staff)
    w = fresh(db, withdrawal)
    assert (w.status, w.transfer_state, bills(db, w.out_bill_no)) == ("approved", "ACCEPTED", 0)
    later = utcnow() + timedelta(minutes=10)
    assert transfers.reconcile_transfers(now=later) == {"sent_again": 1}
    assert transfers.reconcile_transfers(now=later) == {"unchanged": 1}
    w = fresh(db, withdrawal)
    assert (w.transfer_state, bills(db, w.out_bill_no)) == ("WAIT_USER_CONFIRM", 1)


def test_a_transfer_the_gateway_refuses_outright_gives_the_money_back(db, sandbox, requested, staff):
    withdrawal = requested(amount=300000, real_name="张三")
    payee = {"openid": withdrawal.payee["openid"]}  # the name lost: WeChat refuses a ¥3,000 bill without it
    db.session.execute(update(Withdrawal).where(Withdrawal.id == withdrawal.id).values(payee=payee))
    db.session.commit()
    w = withdrawals.approve(withdrawal.id, staff)
    assert w.status == "failed" and "姓名" in w.fail_reason
    assert balances(db, w.user_id) == (300000, 0, 0) and bills(db, w.out_bill_no) == 0


# --- reconcile: deadlines and stuck bills ----------------------------------------------------------

def test_an_unconfirmed_transfer_is_cancelled_after_the_deadline(db, sandbox, sent, settings):
    settings(transfer_confirm_hours=24)
    transfers.reconcile_transfers()
    assert fresh(db, sent).transfer_state == "WAIT_USER_CONFIRM"  # not yet: sent just now
    age(db, sent, 25)
    assert transfers.reconcile_transfers() == {"CANCELLED": 1}
    w = fresh(db, sent)
    assert (w.status, w.transfer_state) == ("failed", "CANCELLED") and w.fail_reason == "UNCONFIRMED_TIMEOUT"
    assert balances(db, w.user_id) == (10000, 0, 0) and run_audit().clean


def test_a_stuck_transfer_raises_one_alert(db, sandbox, sent, settings):
    settings(transfer_confirm_hours=100, stuck_after_hours=24)
    age(db, sent, 30)
    for _ in range(3):
        transfers.reconcile_transfers()
    [alert] = db.session.scalars(select(PaymentAlert)).all()
    assert alert.kind == TRANSFER_STUCK and alert.order_no == sent.withdrawal_no
    assert fresh(db, sent).status == "approved"


def test_reconcile_applies_a_lost_notification(db, sandbox, sent):
    sandbox.hold_transfer_notices = True
    sandbox.confirm_transfer(sent.out_bill_no)
    assert fresh(db, sent).status == "approved"  # the notification never arrived
    assert transfers.reconcile_transfers(now=utcnow() + timedelta(minutes=10)) == {"SUCCESS": 1}
    assert fresh(db, sent).status == "paid" and run_audit().clean


def test_the_reconcile_command(app, db, sandbox, sent):
    sandbox.hold_transfer_notices = True
    sandbox.confirm_transfer(sent.out_bill_no)
    out = app.test_cli_runner().invoke(args=["shop", "reconcile-transfers", "--minutes", "0"]).output
    assert "transfers: SUCCESS 1" in out and fresh(db, sent).status == "paid"


# --- the payee: bound openid, real name --------------------------------------------------------------

def test_a_member_without_a_bound_openid_cannot_withdraw_to_wechat(db, requested):
    with pytest.raises(ServiceError, match="请先绑定微信"):
        requested(wechat_openid=None)


def test_a_large_transfer_needs_the_real_name(db, requested, sandbox, staff):
    with pytest.raises(ServiceError, match="需填写收款人真实姓名"):
        requested(amount=200000)
    db.session.rollback()
    withdrawal = requested(amount=200000, real_name="张三丰")
    assert withdrawal.payee["real_name"] == "张三丰"
    withdrawals.approve(withdrawal.id, staff)
    bill = db.session.scalar(select(SandboxTransfer).where(SandboxTransfer.transfer_no == withdrawal.withdrawal_no))
    assert bill.user_name_given and bill.amount_fen == 200000


def test_the_real_name_is_masked_on_every_page(db, requested, sandbox, staff, client, login):
    withdrawal = requested(amount=200000, real_name="张三丰")
    withdrawals.approve(withdrawal.id, staff)
    login(withdrawal.user)
    center = client.get(f"/center/withdrawals/{withdrawal.id}").get_data(as_text=True)
    assert "张**" in center and "张三丰" not in center
    login_staff(client, staff)
    for path in ("/admin/withdrawals", f"/admin/withdrawals/{withdrawal.id}"):
        page = client.get(path).get_data(as_text=True)
        assert "张**" in page and "张三丰" not in page, path
    export = client.get("/admin/withdrawals/export").data
    cells = [c for row in openpyxl.load_workbook(io.BytesIO(export)).active.iter_rows(values_only=True) for c in row]
    assert any("张**" in str(c) for c in cells) and not any("张三丰" in str(c) for c in cells)


# --- the sandbox confirm page ----------------------------------------------------------------------

def test_the_owner_confirms_on_the_sandbox_page(db, sandbox, sent, client, login):
    login(sent.user)
    page = client.get(f"/center/withdrawals/{sent.id}").get_data(as_text=True)
    url = f"/pay/sandbox/transfer/{sent.out_bill_no}"
    assert "待确认收款" in page and f'href="{url}"' in page
    assert "确认收款" in client.get(url).get_data(as_text=True)
    resp = client.post(url, data={"action": "confirm"})
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/center/withdrawals/{sent.id}")
    assert fresh(db, sent).status == "paid"


def test_the_sandbox_fail_button_fails_the_transfer(db, sandbox, sent, client, login):
    login(sent.user)
    client.post(f"/pay/sandbox/transfer/{sent.out_bill_no}", data={"action": "fail"})
    w = fresh(db, sent)
    assert w.status == "failed" and "模拟转账失败" in client.get(f"/center/withdrawals/{w.id}").get_data(as_text=True)


@pytest.mark.parametrize("method", ["get", "post"])
def test_strangers_get_404_on_the_sandbox_page(db, sandbox, sent, client, login, make_user, method):
    login(make_user())
    resp = getattr(client, method)(f"/pay/sandbox/transfer/{sent.out_bill_no}", data={"action": "confirm"})
    assert resp.status_code == 404 and fresh(db, sent).status == "approved"


def test_the_sandbox_page_needs_a_login(client, sent):
    assert client.get(f"/pay/sandbox/transfer/{sent.out_bill_no}").status_code == 302


def test_the_sandbox_page_get_never_writes(db, sandbox, sent, client, login):
    from shop.sql import count_statements

    login(sent.user)
    db.session.rollback()
    with count_statements() as statements:
        assert client.get(f"/pay/sandbox/transfer/{sent.out_bill_no}").status_code == 200
    assert not [s for s in statements.statements if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]


def test_the_sandbox_page_is_not_served_with_wechat_pay(app, db, sent, client, login, monkeypatch):
    login(sent.user)
    monkeypatch.setitem(app.config, "SHOP_PAYMENT_GATEWAY", "wechat")
    assert client.get(f"/pay/sandbox/transfer/{sent.out_bill_no}").status_code == 404


@pytest.mark.parametrize("agent, shown", [("Mozilla/5.0 MicroMessenger/8.0", "transfer-confirm-wechat"),
                                          ("Mozilla/5.0 Safari", "transfer-open-in-wechat")])
def test_with_wechat_pay_the_page_confirms_inside_wechat_only(app, db, sent, client, login, monkeypatch, agent, shown):
    from shop.payments.gateways.sandbox import SandboxGateway

    login(sent.user)
    monkeypatch.setitem(app.config, "SHOP_PAYMENT_GATEWAY", "wechat")
    fake = SandboxGateway("unused")
    fake.mchid, fake.appid = "1900000109", "wx-app"
    monkeypatch.setattr("shop.payments.gateways.get_gateway", lambda name=None: fake)
    page = client.get(f"/center/withdrawals/{sent.id}", headers={"User-Agent": agent}).get_data(as_text=True)
    assert f'id="{shown}"' in page
    if shown == "transfer-confirm-wechat":
        assert f'data-package="{sent.package_info}"' in page and 'data-mch-id="1900000109"' in page
        assert "js/transfer.js" in page


# --- concurrency (PostgreSQL) ----------------------------------------------------------------------

@pytest.mark.pg
@pytest.mark.skipif(not IS_PG, reason="concurrency tests need PostgreSQL (set SHOP_TEST_DATABASE_URL)")
def test_20_concurrent_duplicate_notifications_pay_once(app, db, sandbox, sent):
    sandbox.hold_transfer_notices = True
    sandbox.confirm_transfer(sent.out_bill_no)
    no, withdrawal_id, user_id = sent.out_bill_no, sent.id, sent.user_id
    db.session.remove()
    start = threading.Barrier(20, timeout=60)

    def deliver(_):
        with app.app_context():
            start.wait()
            return sandbox.deliver_transfer(no)

    with ThreadPoolExecutor(max_workers=20) as pool:
        assert list(pool.map(deliver, range(20))) == [True] * 20
    assert db.session.get(Withdrawal, withdrawal_id).status == "paid"
    assert balances(db, user_id) == (5000, 0, 5000)
    assert db.session.scalar(select(func.count()).select_from(LedgerEntry)
                             .where(LedgerEntry.kind == "withdrawal_paid")) == 1
    assert run_audit().clean


# --- pages ----------------------------------------------------------------------------------------------

def test_the_form_links_an_unbound_member_to_wechat_binding(db, client, login, make_distributor):
    from flask import url_for

    member = make_distributor(wechat_openid=None).user
    login(member)
    html = client.get("/center/withdraw").get_data(as_text=True)
    with client.application.test_request_context():
        link = url_for("wechat_auth.start", next="/center/withdraw")
    assert 'id="wechat-unbound"' in html and f'href="{link}"' in html.replace("&amp;", "&")
    assert 'id="wechat_openid"' not in html  # nobody types an openid


def test_the_admin_sees_the_transfer_and_cannot_reject_it(db, sandbox, sent, staff, client, login):
    login_staff(client, staff)
    html = client.get(f"/admin/withdrawals/{sent.id}").get_data(as_text=True)
    assert sent.out_bill_no in html and sent.transfer_bill_no in html and "待确认收款" in html
    assert 'id="reject-form"' not in html and 'id="transfer-out"' in html
    resp = client.post(f"/admin/withdrawals/{sent.id}/reject", data={"reason": "不付了"})
    assert resp.status_code == 400 and "微信转账已发起，不能再拒绝" in resp.get_data(as_text=True)
    sandbox.fail_transfer(sent.out_bill_no, "ACCOUNT_FROZEN")
    html = client.get(f"/admin/withdrawals/{sent.id}").get_data(as_text=True)
    assert "收款账户已冻结" in html and "打款失败" in html
    listing = client.get("/admin/withdrawals").get_data(as_text=True)
    assert "转账失败" in listing and "收款账户已冻结" in listing


def test_reconcile_numbers_a_transfer_approved_before_bills_were_numbered(db, sandbox, sent):
    """Old approvals sent their transfer under the withdrawal number without storing it: reconcile finds it."""
    db.session.execute(update(Withdrawal).where(Withdrawal.id == sent.id).values(
        out_bill_no=None, transfer_state=None, transfer_sent_at=None, decided_at=utcnow() - timedelta(hours=1)))
    db.session.commit()
    sandbox.hold_transfer_notices = True
    sandbox.confirm_transfer(sent.withdrawal_no)
    assert transfers.reconcile_transfers() == {"SUCCESS": 1}
    w = fresh(db, sent)
    assert (w.status, w.out_bill_no) == ("paid", w.withdrawal_no)
