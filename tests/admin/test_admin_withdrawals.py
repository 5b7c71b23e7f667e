"""提现 in the admin: the queue with each distributor's balances and debt, filters, one withdrawal, approve, mark
paid, reject, bulk approve and the Excel export."""
import io
from datetime import datetime, timedelta
from decimal import Decimal

import openpyxl
import pytest
from sqlalchemy import select

from shop.payments.gateways import get_gateway
from shop.sql import count_statements
from shop.wallet import ledger, withdrawals
from shop.wallet.models import Account, Withdrawal

PAYEES = {"wechat": {}, "alipay": {"account": "a@example.com", "name": "张三"},
          "bank": {"bank": "招商银行", "card_no": "6225880112345678", "name": "张三"}}


@pytest.fixture
def make_withdrawal(db, make_distributor):
    """Factory: make_withdrawal(method='alipay', amount=5000, balance=10000, nickname='阿强', created_at=None) ->
    a requested Withdrawal of a new distributor who had `balance` fen available."""
    def make(method="alipay", amount=5000, balance=10000, nickname="阿强", created_at=None, payee=None):
        user = make_distributor(nickname=nickname).user
        ledger.post(user.id, "adjustment", available=balance, ref_type="adjustment", ref_id=0)
        w = withdrawals.request_withdrawal(user.id, amount, method, payee or PAYEES[method], now=created_at)
        db.session.commit()
        return w

    return make


def into_debt(db, user_id, fen):
    ledger.post(user_id, "commission_clawback", available=-fen, ref_type="commission", ref_id=1, allow_debt=True)
    db.session.commit()


def fresh(db, withdrawal):
    db.session.expire_all()
    return db.session.get(Withdrawal, withdrawal.id)


def row_html(html, withdrawal):
    start = html.index(f'id="withdrawal-{withdrawal.id}"')
    return html[start:html.index("</tr>", start)]


# ---- the queue -------------------------------------------------------------------------------------------

def test_the_queue_shows_the_distributor_and_their_balances(client, db, staff, make_withdrawal):
    w = make_withdrawal("bank", amount=3000, balance=10000, nickname="王大锤")
    row = row_html(client.get("/admin/withdrawals").get_data(as_text=True), w)
    for text in (w.withdrawal_no, "王大锤", w.user.phone, "银行卡", "6225880112345678", "¥30.00", "审核中",
                 "可提现 <span class=\"\">¥70.00", "提现中 ¥30.00", "冻结 ¥0.00", 'name="ids"'):
        assert text in row, text
    assert "欠款" not in row


def test_the_queue_shows_a_debt(client, db, staff, make_withdrawal):
    w = make_withdrawal(balance=10000, amount=5000)
    into_debt(db, w.user_id, 5123)
    row = row_html(client.get("/admin/withdrawals").get_data(as_text=True), w)
    assert "欠款 ¥0.01" not in row and "-¥1.23" in row and "欠款 ¥1.23" in row


def test_an_empty_queue_says_so(client, staff):
    html = client.get("/admin/withdrawals").get_data(as_text=True)
    assert "没有符合条件的提现申请" in html and "导出 Excel" in html


def test_the_queue_filters_by_status_method_and_date(client, db, staff, make_withdrawal):
    now = datetime(2026, 11, 20, 4, 0)  # 12:00 China time
    old = make_withdrawal("alipay", created_at=now - timedelta(days=3))
    bank = make_withdrawal("bank", created_at=now)
    wechat = make_withdrawal("wechat", created_at=now)
    withdrawals.reject(wechat.id, staff, "信息有误")
    db.session.commit()

    def shown(query):
        html = client.get("/admin/withdrawals" + query).get_data(as_text=True)
        return {w.withdrawal_no for w in (old, bank, wechat) if w.withdrawal_no in html}

    assert shown("") == {old.withdrawal_no, bank.withdrawal_no, wechat.withdrawal_no}
    assert shown("?status=requested") == {old.withdrawal_no, bank.withdrawal_no}
    assert shown("?status=rejected") == {wechat.withdrawal_no}
    assert shown("?method=bank") == {bank.withdrawal_no}
    assert shown("?start=2026-11-20&end=2026-11-20") == {bank.withdrawal_no, wechat.withdrawal_no}
    assert shown("?end=2026-11-19") == {old.withdrawal_no}
    assert shown("?start=2026-11-17&end=2026-11-17&method=alipay") == {old.withdrawal_no}
    assert shown("?status=nonsense&method=cash&start=yesterday") == shown("")


def test_a_china_day_starts_at_midnight_china_time(client, db, staff, make_withdrawal):
    late = make_withdrawal(created_at=datetime(2026, 11, 19, 16, 30))  # 2026-11-20 00:30 China time
    html = client.get("/admin/withdrawals?start=2026-11-20&end=2026-11-20").get_data(as_text=True)
    assert late.withdrawal_no in html
    assert late.withdrawal_no not in client.get("/admin/withdrawals?end=2026-11-19").get_data(as_text=True)


def test_the_queue_runs_the_same_number_of_statements_for_more_rows(client, db, staff, make_withdrawal):
    def statements():
        with count_statements() as sql:
            assert client.get("/admin/withdrawals").status_code == 200
        return len(sql)

    for _ in range(2):
        make_withdrawal()
    few = statements()
    for method in ("bank", "wechat") * 6:
        w = make_withdrawal(method)
        into_debt(db, w.user_id, 6000)
    assert statements() == few


def test_the_menu_counts_the_requests_waiting(client, db, staff, make_withdrawal):
    for _ in range(3):
        w = make_withdrawal()
    withdrawals.reject(w.id, staff, "信息有误")
    db.session.commit()
    html = client.get("/admin/").get_data(as_text=True)
    link = html[html.index('href="/admin/withdrawals"'):]
    assert '<b class="badge"' in link[:200] and ">2</b>" in link[:200]


# ---- one withdrawal --------------------------------------------------------------------------------------

def test_the_detail_page_shows_the_request_and_the_balances(client, db, staff, make_withdrawal):
    w = make_withdrawal("alipay", amount=5000, nickname="李四")
    html = client.get(f"/admin/withdrawals/{w.id}").get_data(as_text=True)
    for text in (w.withdrawal_no, "李四", "a@example.com", "张三", "¥50.00", "审核通过", "拒绝原因（分销商可见）",
                 "申请提现"):
        assert text in html, text


@pytest.mark.parametrize("method,path", [("GET", "/admin/withdrawals/999999"),
                                         ("POST", "/admin/withdrawals/999999/approve"),
                                         ("POST", "/admin/withdrawals/999999/paid"),
                                         ("POST", "/admin/withdrawals/999999/reject")])
def test_unknown_withdrawals_are_404(client, staff, method, path):
    resp = client.open(path, method=method, data={"reference": "R", "reason": "r"})
    assert resp.status_code == 404
    assert "提现申请不存在" in resp.get_data(as_text=True)


def test_approve_alipay_then_mark_paid_with_a_reference(client, db, staff, make_withdrawal):
    w = make_withdrawal("alipay")
    resp = client.post(f"/admin/withdrawals/{w.id}/approve", follow_redirects=True)
    assert f"提现 {w.withdrawal_no} 已审核通过" in resp.get_data(as_text=True)
    assert fresh(db, w).status == "approved" and fresh(db, w).decided_by == staff.id

    resp = client.post(f"/admin/withdrawals/{w.id}/paid", data={"reference": "  "})
    assert resp.status_code == 400 and "请填写付款凭证号" in resp.get_data(as_text=True)
    assert fresh(db, w).status == "approved"

    reference = "2026112022001400000000000000000000001234"  # 40 digits, as Alipay writes them
    resp = client.post(f"/admin/withdrawals/{w.id}/paid", data={"reference": reference}, follow_redirects=True)
    html = resp.get_data(as_text=True)
    assert f"提现 {w.withdrawal_no} 已标记打款" in html and reference in html
    w = fresh(db, w)
    assert (w.status, w.pay_reference) == ("paid", reference)
    account = db.session.get(Account, w.user_id)
    assert (account.withdrawing_fen, account.withdrawn_fen) == (0, 5000)


def test_approve_wechat_pays_through_the_gateway(client, db, staff, make_withdrawal):
    w = make_withdrawal("wechat")
    client.post(f"/admin/withdrawals/{w.id}/approve")
    w = fresh(db, w)  # the transfer is out, waiting for the distributor to confirm it in WeChat
    assert (w.status, w.transfer_state, w.out_bill_no) == ("approved", "WAIT_USER_CONFIRM", w.withdrawal_no)
    get_gateway().confirm_transfer(w.out_bill_no)
    w = fresh(db, w)
    assert w.status == "paid" and w.pay_reference == w.transfer_bill_no and w.pay_reference.startswith("1330")


def test_approve_and_mark_paid_are_refused_in_debt(client, db, staff, make_withdrawal):
    w = make_withdrawal("bank")
    into_debt(db, w.user_id, 6000)
    html = client.get(f"/admin/withdrawals/{w.id}").get_data(as_text=True)
    assert 'id="withdrawal-debt"' in html
    resp = client.post(f"/admin/withdrawals/{w.id}/approve", follow_redirects=True)
    assert "该分销商有 ¥10.00 的退款欠款，欠款还清前不能审核或打款" in resp.get_data(as_text=True)
    assert fresh(db, w).status == "requested"

    ledger.post(w.user_id, "adjustment", available=1000, ref_type="adjustment", ref_id=0)
    db.session.commit()
    client.post(f"/admin/withdrawals/{w.id}/approve")
    into_debt(db, w.user_id, 100)
    resp = client.post(f"/admin/withdrawals/{w.id}/paid", data={"reference": "BANK-1"})
    assert resp.status_code == 400 and "欠款还清前不能审核或打款" in resp.get_data(as_text=True)
    assert fresh(db, w).status == "approved"


def test_reject_needs_a_reason_and_returns_the_money(client, db, staff, make_withdrawal):
    w = make_withdrawal("alipay")
    resp = client.post(f"/admin/withdrawals/{w.id}/reject", data={"reason": " "})
    assert resp.status_code == 400 and "请填写拒绝原因" in resp.get_data(as_text=True)
    resp = client.post(f"/admin/withdrawals/{w.id}/reject", data={"reason": "支付宝账号不存在"}, follow_redirects=True)
    assert "已拒绝，金额已退回可提现余额" in resp.get_data(as_text=True)
    w = fresh(db, w)
    assert (w.status, w.reject_reason) == ("rejected", "支付宝账号不存在")
    assert db.session.get(Account, w.user_id).available_fen == 10000


def test_an_approved_wechat_withdrawal_offers_no_reject_and_refuses_one(client, db, staff, make_withdrawal):
    w = make_withdrawal("wechat")
    withdrawals._approve(w.id, staff)  # approved, its transfer out and not answered yet
    db.session.commit()
    html = client.get(f"/admin/withdrawals/{w.id}").get_data(as_text=True)
    assert 'id="transfer-out"' in html and 'id="reject-form"' not in html and 'id="paid-form"' not in html
    resp = client.post(f"/admin/withdrawals/{w.id}/reject", data={"reason": "不付了"})
    assert resp.status_code == 400 and "微信转账已发起，不能再拒绝" in resp.get_data(as_text=True)
    assert fresh(db, w).status == "approved"


def test_a_decided_withdrawal_is_decided_once(client, db, staff, make_withdrawal):
    w = make_withdrawal("alipay")
    client.post(f"/admin/withdrawals/{w.id}/reject", data={"reason": "信息有误"})
    resp = client.post(f"/admin/withdrawals/{w.id}/approve", follow_redirects=True)
    assert "该提现申请已处理" in resp.get_data(as_text=True)
    assert fresh(db, w).status == "rejected"


# ---- bulk approve ----------------------------------------------------------------------------------------

def test_bulk_approve_reports_what_was_approved_and_what_was_refused(client, db, staff, make_withdrawal):
    good = [make_withdrawal("alipay"), make_withdrawal("wechat"), make_withdrawal("bank")]
    debtor = make_withdrawal("bank")
    into_debt(db, debtor.user_id, 6000)
    done = make_withdrawal("alipay")
    withdrawals.reject(done.id, staff, "信息有误")
    db.session.commit()
    ids = [str(w.id) for w in good + [debtor, done]] + ["999999", "x"]
    resp = client.post("/admin/withdrawals/approve", data={"ids": ids, "method": "bank"})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/admin/withdrawals?method=bank")
    html = client.get("/admin/withdrawals").get_data(as_text=True)
    assert "已审核通过 3 笔提现" in html
    assert f"{debtor.withdrawal_no} 未通过：该分销商有 ¥10.00 的退款欠款" in html
    assert f"{done.withdrawal_no} 未通过：该提现申请已处理" in html
    assert "#999999 未通过：提现申请不存在" in html
    assert [fresh(db, w).status for w in good] == ["approved", "approved", "approved"]
    assert (fresh(db, debtor).status, fresh(db, done).status) == ("requested", "rejected")


def test_bulk_approve_of_nothing_approves_nothing(client, db, staff, make_withdrawal):
    w = make_withdrawal()
    resp = client.post("/admin/withdrawals/approve", data={}, follow_redirects=True)
    assert "已审核通过 0 笔提现" in resp.get_data(as_text=True)
    assert fresh(db, w).status == "requested"


# ---- export ----------------------------------------------------------------------------------------------

def test_export_writes_the_filtered_rows_in_exact_yuan(client, db, staff, make_withdrawal, settings):
    settings(withdraw_fee_bp=60)
    bank = make_withdrawal("bank", amount=12345, balance=20001, nickname="王大锤")
    into_debt(db, bank.user_id, 7700)  # available 76.56 - 77.00 = -0.44
    make_withdrawal("alipay", amount=1000)
    resp = client.get("/admin/withdrawals/export?method=bank")
    assert resp.status_code == 200
    assert resp.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment;" in resp.headers["Content-Disposition"] and ".xlsx" in resp.headers["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(resp.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("提现单号", "申请时间", "分销商", "手机号", "提现方式", "收款账户", "提现金额（元）", "手续费（元）",
                       "实际到账（元）", "状态", "付款凭证", "拒绝原因", "可提现余额（元）", "冻结（元）", "提现中（元）",
                       "欠款（元）", "转账状态", "微信转账单号", "转账失败原因")
    assert len(rows) == 2  # only the bank withdrawal
    row = dict(zip(rows[0], rows[1]))
    assert (row["提现单号"], row["分销商"], row["手机号"]) == (bank.withdrawal_no, "王大锤", bank.user.phone)
    assert (row["提现方式"], row["收款账户"], row["状态"]) == ("银行卡", "张三 招商银行 6225880112345678", "审核中")
    amounts = {key: Decimal(str(value)) for key, value in row.items() if key.endswith("（元）")}
    assert amounts == {"提现金额（元）": Decimal("123.45"), "手续费（元）": Decimal("0.74"),
                       "实际到账（元）": Decimal("122.71"), "可提现余额（元）": Decimal("-0.44"),
                       "冻结（元）": Decimal("0"), "提现中（元）": Decimal("123.45"), "欠款（元）": Decimal("0.44")}
    assert sheet["G2"].number_format == "0.00"


def test_an_empty_export_has_the_headers(client, staff):
    sheet = openpyxl.load_workbook(io.BytesIO(client.get("/admin/withdrawals/export").data)).active
    assert sheet.max_row == 1 and sheet["A1"].value == "提现单号"


def test_nothing_is_exported_to_strangers(client, db, make_withdrawal):
    make_withdrawal()
    resp = client.get("/admin/withdrawals/export")
    assert resp.status_code == 302 and db.session.scalar(select(Withdrawal.id)) is not None


def test_a_transfer_the_gateway_did_not_take_leaves_the_approval_standing(client, db, staff, make_withdrawal,
                                                                          monkeypatch):
    """WeChat times out after the approval was committed: the page says so, the withdrawal stays approved under
    its out-bill number (a retry reuses it) and can no longer be rejected, since WeChat may still pay it."""
    from shop.payments.gateways.base import GatewayError
    from shop.payments.gateways.sandbox import SandboxGateway

    def times_out(self, **kwargs):
        raise GatewayError("微信支付接口超时")

    monkeypatch.setattr(SandboxGateway, "transfer", times_out)
    w = make_withdrawal("wechat")
    resp = client.post(f"/admin/withdrawals/{w.id}/approve", follow_redirects=True)
    assert "已审核通过，但微信转账请求未成功：微信支付接口超时" in resp.get_data(as_text=True)
    assert fresh(db, w).status == "approved"
    assert client.post(f"/admin/withdrawals/{w.id}/reject", data={"reason": "重来"}).status_code == 400
    assert fresh(db, w).status == "approved"
