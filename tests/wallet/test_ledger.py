"""The ledger: guarded posts, append-only entries, withdrawals and their limits."""
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DatabaseError

from shop.database import NestedTransaction, transaction
from shop.errors import ServiceError
from shop.settings import set_setting
from shop.wallet import adjustments, ledger, withdrawals
from shop.wallet.audit import run_audit
from shop.wallet.models import Account, LedgerEntry, Withdrawal
from tests.conftest import IS_PG

ALIPAY = {"account": "a@example.com", "name": "张三"}


def credit(db, user_id, amount):
    """Give a distributor available money the way the shop does: a manual adjustment and its entry."""
    adjustments.adjust(user_id, amount, "test")
    db.session.commit()
    return db.session.scalars(select(LedgerEntry).where(LedgerEntry.user_id == user_id)
                              .order_by(LedgerEntry.id.desc())).first()


def test_post_records_deltas_and_balances_after(db, make_user):
    user = make_user()
    ledger.post(user.id, "commission_frozen", frozen=1000, ref_type="commission", ref_id=1)
    entry = ledger.post(user.id, "commission_settled", frozen=-600, available=600, ref_type="commission", ref_id=1)
    db.session.commit()
    assert (entry.frozen_after, entry.available_after) == (400, 600)
    acc = db.session.get(Account, user.id)
    assert (acc.frozen_fen, acc.available_fen) == (400, 600)


def test_post_refuses_to_overdraw_and_changes_nothing(db, make_user):
    user = make_user()
    credit(db, user.id, 500)
    with pytest.raises(ledger.InsufficientBalance):
        ledger.post(user.id, "withdrawal_requested", available=-501, withdrawing=501, ref_type="withdrawal", ref_id=1)
    db.session.rollback()
    assert db.session.get(Account, user.id).available_fen == 500
    assert db.session.scalar(select(func.count()).select_from(LedgerEntry)) == 1


def test_clawback_may_go_into_debt(db, make_user):
    user = make_user()
    entry = ledger.post(user.id, "commission_clawback", available=-300, ref_type="commission", ref_id=9,
                        allow_debt=True)
    assert entry.available_after == -300


@pytest.mark.parametrize("statement", ["UPDATE ledger_entries SET d_available = 999",
                                       "DELETE FROM ledger_entries"])
def test_ledger_entries_cannot_be_changed(db, make_user, statement):
    user = make_user()
    credit(db, user.id, 100)
    with pytest.raises(DatabaseError, match="append-only"):
        db.session.execute(text(statement))
        db.session.commit()
    db.session.rollback()
    assert db.session.scalar(select(LedgerEntry.d_available)) == 100


def test_withdrawal_lifecycle_and_fee(db, make_user, make_staff):
    set_setting("withdraw_fee_bp", 60)  # 0.6 %
    admin, user = make_staff(), make_user()
    credit(db, user.id, 10000)
    w = withdrawals.request_withdrawal(user.id, 5000, "alipay", ALIPAY)
    db.session.commit()
    assert (w.fee_fen, w.net_fen, w.status) == (30, 4970, "requested")
    acc = db.session.get(Account, user.id)
    assert (acc.available_fen, acc.withdrawing_fen) == (5000, 5000)
    withdrawals.approve(w.id, admin)
    withdrawals.mark_paid(w.id, admin, "ALIPAY-20261123-001")
    db.session.commit()
    db.session.expire_all()
    acc = db.session.get(Account, user.id)
    assert (acc.available_fen, acc.withdrawing_fen, acc.withdrawn_fen) == (5000, 0, 5000)
    w2 = withdrawals.request_withdrawal(user.id, 2000, "bank", {"bank": "招商银行", "card_no": "6225", "name": "张三"})
    withdrawals.reject(w2.id, admin, "银行卡信息有误")
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Account, user.id).available_fen == 5000
    with pytest.raises(ServiceError, match="已处理"):
        withdrawals.mark_paid(w2.id, admin, "x")


def test_a_wechat_approval_commits_the_approval_and_the_transfer_itself(db, make_user, make_staff):
    """The approval and the transfer's out-bill number are committed before the transfer call (the number is
    reused by any retry), and the answer (waiting for the payee) after it: whatever the caller's transaction does
    next, the transfer stays recorded and is never asked for twice."""
    admin, user = make_staff(), make_user()
    credit(db, user.id, 10000)
    w = withdrawals.request_withdrawal(user.id, 5000, "wechat", {})
    db.session.commit()
    assert withdrawals.approve(w.id, admin).transfer_state == "WAIT_USER_CONFIRM"
    db.session.rollback()  # the caller's transaction fails after the call
    db.session.expire_all()
    w = db.session.get(Withdrawal, w.id)
    assert (w.status, w.out_bill_no, w.transfer_state) == ("approved", w.withdrawal_no, "WAIT_USER_CONFIRM")
    assert w.package_info and w.transfer_bill_no and w.transfer_sent_at
    account = db.session.get(Account, user.id)
    assert (account.withdrawing_fen, account.withdrawn_fen) == (5000, 0)
    with pytest.raises(ServiceError, match="已处理"):
        withdrawals.approve(w.id, admin)


def test_a_wechat_approval_refuses_to_run_inside_another_transaction(db, make_user, make_staff):
    admin, user = make_staff(), make_user()
    credit(db, user.id, 10000)
    w = withdrawals.request_withdrawal(user.id, 5000, "wechat", {})
    db.session.commit()
    with pytest.raises(NestedTransaction), transaction():
        withdrawals.approve(w.id, admin)
    db.session.expire_all()
    assert db.session.get(Withdrawal, w.id).status == "requested"


@pytest.mark.parametrize("amount, method, payee, message", [
    (50, "alipay", ALIPAY, "最低提现金额"),
    (0, "alipay", ALIPAY, "正确的提现金额"),
    (-5, "alipay", ALIPAY, "正确的提现金额"),
    (500, "paypal", ALIPAY, "不支持"),
    (500, "alipay", {"account": ""}, "收款信息"),
    (20000, "alipay", ALIPAY, "可提现余额不足"),
])
def test_withdrawal_refusals(db, make_user, amount, method, payee, message):
    user = make_user()
    credit(db, user.id, 10000)
    with pytest.raises(ServiceError, match=message):
        withdrawals.request_withdrawal(user.id, amount, method, payee)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Withdrawal)) == 0


def test_one_pending_withdrawal_and_daily_limits(db, make_user, make_staff):
    admin, user = make_staff(), make_user()
    credit(db, user.id, 100000)
    set_setting("withdraw_daily_count", 2)
    set_setting("withdraw_daily_amount_fen", 30000)
    w = withdrawals.request_withdrawal(user.id, 10000, "alipay", ALIPAY)
    with pytest.raises(ServiceError, match="正在处理中"):
        withdrawals.request_withdrawal(user.id, 100, "alipay", ALIPAY)
    withdrawals.approve(w.id, admin)
    withdrawals.mark_paid(w.id, admin, "ref-1")
    with pytest.raises(ServiceError, match="每日提现额度"):
        withdrawals.request_withdrawal(user.id, 25000, "alipay", ALIPAY)
    w = withdrawals.request_withdrawal(user.id, 10000, "alipay", ALIPAY)
    withdrawals.approve(w.id, admin)
    withdrawals.mark_paid(w.id, admin, "ref-2")
    with pytest.raises(ServiceError, match="每天最多提现 2 次"):
        withdrawals.request_withdrawal(user.id, 100, "alipay", ALIPAY)


def test_debt_blocks_withdrawals(db, make_user):
    user = make_user()
    ledger.post(user.id, "commission_clawback", available=-300, ref_type="commission", ref_id=1, allow_debt=True)
    with pytest.raises(ServiceError, match="欠款"):
        withdrawals.request_withdrawal(user.id, 100, "alipay", ALIPAY)


@pytest.mark.skipif(not IS_PG, reason="concurrency tests need PostgreSQL (set SHOP_TEST_DATABASE_URL)")
def test_50_concurrent_withdrawals_against_a_balance_for_3(app, db, make_user, make_staff):
    """Each request is a different distributor-day? No: one distributor, limits off, balance for 3."""
    set_setting("withdraw_daily_count", 1000)
    set_setting("withdraw_daily_amount_fen", 10**9)
    db.session.commit()
    user = make_user()
    credit(db, user.id, 3000)
    user_id = user.id
    db.session.remove()
    start = threading.Barrier(50, timeout=60)
    admin_id = make_staff().id
    db.session.remove()

    def attempt(_):
        with app.app_context():
            start.wait()
            try:
                w = withdrawals.request_withdrawal(user_id, 1000, "alipay", ALIPAY)
                db.session.commit()
                # Pay it at once so the "one pending" rule does not hide the balance guard.
                from shop.accounts.models import User
                admin = db.session.get(User, admin_id)
                withdrawals.approve(w.id, admin)
                withdrawals.mark_paid(w.id, admin, f"ref-{w.id}")
                db.session.commit()
                return True
            except ServiceError:
                db.session.rollback()
                return False
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=50) as pool:
        results = list(pool.map(attempt, range(50)))
    assert results.count(True) <= 3
    acc = db.session.get(Account, user_id)
    assert acc.available_fen == 3000 - 1000 * results.count(True) >= 0
    report = run_audit()
    assert report.clean, report.problems
