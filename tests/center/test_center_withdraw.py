"""Withdrawals from the center: the form shows limits, fee and what arrives; requests by method; every
refusal says why; the history with statuses."""
import re

import pytest
from sqlalchemy import select

from shop.wallet import ledger, withdrawals
from shop.wallet.models import Account, Withdrawal

ALIPAY = {"method": "alipay", "alipay_account": "a@example.com", "alipay_name": "阿强"}


@pytest.fixture
def rich(db, login, make_distributor, settings, client):
    """A logged-in distributor with ¥500.00 available, a 0.6% fee and the default limits."""
    settings(withdraw_fee_bp=60, withdraw_min_fen=1000, withdraw_daily_count=3, withdraw_daily_amount_fen=30000)
    user = make_distributor(nickname="阿强").user
    ledger.post(user.id, "adjustment", available=50000, ref_type="adjustment", ref_id=1, memo="test")
    db.session.commit()
    login(user)
    return user


def available(db, user):
    db.session.expire_all()
    return db.session.get(Account, user.id).available_fen


def test_form_shows_limits_fee_and_what_arrives(client, rich):
    html = client.get("/center/withdraw").get_data(as_text=True)
    limits = html[html.index('id="withdraw-limits"'):html.index('id="withdraw-form"')]
    for text in ("¥10.00", "3 次（今日还可 3 次）", "¥300.00", "0.60%"):
        assert text in limits, text
    assert 'id="withdraw-available">¥500.00<' in html and 'data-fee-bp="60"' in html
    for element in ("withdraw-amount", "withdraw-method-wechat", "withdraw-method-alipay", "withdraw-method-bank",
                    "withdraw-fee", "withdraw-net", "withdraw-preview", "withdraw-submit", "wechat_real_name",
                    "alipay_account", "alipay_name", "bank_name", "bank_card", "bank_holder"):
        assert f'id="{element}"' in html, element


def test_preview_computes_fee_and_arrival_on_the_server(client, db, rich):
    resp = client.post("/center/withdraw", data={**ALIPAY, "amount": "123.45", "preview": "1"})
    html = resp.get_data(as_text=True)
    # 12345 x 0.6% = 74.07 -> 74 fen (rounded down, the merchant never overcharges)
    assert resp.status_code == 200 and 'id="withdraw-fee">¥0.74<' in html and 'id="withdraw-net" class="price">¥122.71<' in html
    assert db.session.scalar(select(Withdrawal.id)) is None and available(db, rich) == 50000


@pytest.mark.parametrize("form,payee", [
    ({"method": "wechat"}, {"openid": "BOUND"}),
    ({"method": "wechat", "wechat_real_name": " 阿强 "}, {"openid": "BOUND", "real_name": "阿强"}),
    (ALIPAY, {"account": "a@example.com", "name": "阿强"}),
    ({"method": "bank", "bank_name": "招商银行", "bank_card": "6225880112345678", "bank_holder": "阿强"},
     {"bank": "招商银行", "card_no": "6225880112345678", "name": "阿强"}),
])
def test_request_by_each_method(client, db, rich, form, payee):
    resp = client.post("/center/withdraw", data={**form, "amount": "100"}, follow_redirects=True)
    html = resp.get_data(as_text=True)
    assert "提现申请已提交：提现 ¥100.00，手续费 ¥0.60，预计到账 ¥99.40" in html
    withdrawal = db.session.scalar(select(Withdrawal))
    assert (withdrawal.amount_fen, withdrawal.fee_fen, withdrawal.net_fen) == (10000, 60, 9940)
    if payee.get("openid") == "BOUND":  # WeChat change goes to the member's bound openid, never a typed one
        payee = {**payee, "openid": rich.wechat_openid}
    assert withdrawal.method == form["method"] and withdrawal.payee == payee
    assert available(db, rich) == 40000
    history = html[html.index('id="withdraw-history"'):]
    assert f'id="withdrawal-{withdrawal.id}"' in history and "审核中" in history


def test_only_the_chosen_methods_payee_is_kept(client, db, rich):
    client.post("/center/withdraw", data={**ALIPAY, "amount": "100", "bank_card": "6225880112345678"})
    assert db.session.scalar(select(Withdrawal)).payee == {"account": "a@example.com", "name": "阿强"}


def _refused(client, data):
    resp = client.post("/center/withdraw", data=data)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400
    return html


@pytest.mark.parametrize("setup,data,message", [
    (None, {**ALIPAY, "amount": "9.99"}, "最低提现金额为 ¥10.00"),
    (None, {**ALIPAY, "amount": "600"}, "超过每日提现额度 ¥300.00（今日已提 ¥0.00）"),
    ("three_today", {**ALIPAY, "amount": "10"}, "每天最多提现 3 次"),
    ("pending", {**ALIPAY, "amount": "10"}, "你有一笔提现正在处理中，请等它完成后再申请"),
    ("debt", {**ALIPAY, "amount": "10"}, "你有 ¥10.00 的退款欠款，后续佣金结算抵扣后才能提现"),
    ("poor", {**ALIPAY, "amount": "20"}, "可提现余额不足（可提现 ¥10.00）"),
    (None, {"method": "alipay", "alipay_account": "a@example.com", "amount": "10"}, "请填写完整的收款信息"),
    (None, {"method": "bank", "bank_name": "招商银行", "amount": "10"}, "请填写完整的收款信息"),
])
def test_every_refusal_says_why(client, db, rich, settings, setup, data, message):
    if setup == "three_today":
        for _ in range(3):
            w = withdrawals.request_withdrawal(rich.id, 1000, "alipay", {"account": "x", "name": "y"})
            withdrawals.approve(w.id, None)
            withdrawals.mark_paid(w.id, None, "REF")
        settings(withdraw_daily_amount_fen=10**8)
    elif setup == "pending":
        withdrawals.request_withdrawal(rich.id, 1000, "alipay", {"account": "x", "name": "y"})
    elif setup == "debt":
        ledger.post(rich.id, "adjustment", available=-51000, ref_type="adjustment", ref_id=2, allow_debt=True)
    elif setup == "poor":
        ledger.post(rich.id, "adjustment", available=-49000, ref_type="adjustment", ref_id=2)
    db.session.commit()
    before = available(db, rich)
    html = _refused(client, data)
    error = html[html.index('id="withdraw-error"'):]
    assert message in error[:400], error[:400]
    assert available(db, rich) == before


@pytest.mark.parametrize("amount", ["", "abc", "1.234", "-5", "0"])
def test_an_amount_that_is_not_money_is_refused_on_the_form(client, db, rich, amount):
    html = _refused(client, {**ALIPAY, "amount": amount})
    assert re.search(r"请输入(正确的)?提现金额", html)
    assert db.session.scalar(select(Withdrawal.id)) is None


def test_debt_is_announced_before_trying(client, db, rich):
    ledger.post(rich.id, "adjustment", available=-60000, ref_type="adjustment", ref_id=2, allow_debt=True)
    db.session.commit()
    assert 'id="withdraw-debt"' in client.get("/center/withdraw").get_data(as_text=True)


@pytest.mark.parametrize("status,label", [("paid", "已到账"), ("rejected", "已拒绝"), ("approved", "打款中")])
def test_history_and_detail_show_the_status(client, db, rich, status, label):
    w = withdrawals.request_withdrawal(rich.id, 2000, "bank", {"bank": "招商银行", "card_no": "6225880112345678",
                                                                "name": "阿强"})
    if status in ("paid", "approved"):
        withdrawals.approve(w.id, None)
    if status == "paid":
        withdrawals.mark_paid(w.id, None, "BANK-REF-1")
    if status == "rejected":
        withdrawals.reject(w.id, None, "银行卡信息有误")
    db.session.commit()
    history = client.get("/center/withdraw").get_data(as_text=True)
    row = history[history.index(f'id="withdrawal-{w.id}"'):]
    assert label in row[:600]
    detail = client.get(f"/center/withdrawals/{w.id}").get_data(as_text=True)
    assert label in detail and w.withdrawal_no in detail and "****5678" in detail and "6225880112345678" not in detail
    if status == "rejected":
        assert "银行卡信息有误" in row[:600] and "拒绝原因：银行卡信息有误" in detail
    if status == "paid":
        assert "BANK-REF-1" in detail


def test_methods_the_merchant_turned_off_are_not_offered(client, db, rich, settings):
    settings(withdraw_methods=["alipay"])
    html = client.get("/center/withdraw").get_data(as_text=True)
    assert 'id="withdraw-method-alipay"' in html and 'id="withdraw-method-wechat"' not in html
    assert _refused(client, {"method": "wechat", "amount": "10"})
