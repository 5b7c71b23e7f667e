"""The merchant's decisions on a withdrawal: nothing is approved or paid while the distributor is in debt
(defect 4.5), an approved WeChat withdrawal cannot be rejected once its transfer is out (defect 4.2), and
Alipay and bank withdrawals are paid by hand with a reference."""
import pytest

from shop.errors import ServiceError
from shop.wallet import ledger, withdrawals
from shop.wallet.models import Account, Withdrawal

PAYEES = {"wechat": {}, "alipay": {"account": "a@example.com", "name": "张三"},
          "bank": {"bank": "招商银行", "card_no": "6225880112345678", "name": "张三"}}


@pytest.fixture
def staff_user(make_user, make_staff):
    return make_staff()


@pytest.fixture
def requested(db, make_user):
    """Factory: requested(method='alipay', amount=5000) -> a requested Withdrawal of a member with ¥100.00."""
    def make(method="alipay", amount=5000):
        user = make_user()
        ledger.post(user.id, "adjustment", available=10000, ref_type="adjustment", ref_id=0)
        withdrawal = withdrawals.request_withdrawal(user.id, amount, method, PAYEES[method])
        db.session.commit()
        return withdrawal

    return make


def into_debt(db, user_id, fen=10001):
    """A clawback larger than what is available: the account owes money."""
    ledger.post(user_id, "commission_clawback", available=-fen, ref_type="commission", ref_id=1, allow_debt=True)
    db.session.commit()


def status(db, withdrawal):
    db.session.expire_all()
    return db.session.get(Withdrawal, withdrawal.id).status


@pytest.mark.parametrize("method", ["wechat", "alipay", "bank"])
def test_approve_is_refused_while_the_distributor_is_in_debt(db, requested, staff_user, method):
    w = requested(method)
    into_debt(db, w.user_id)
    with pytest.raises(ServiceError, match=r"该分销商有 ¥50\.01 的退款欠款，欠款还清前不能审核或打款") as refused:
        withdrawals.approve(w.id, staff_user)
    assert refused.value.status == 409
    db.session.rollback()
    assert status(db, w) == "requested"


@pytest.mark.parametrize("method", ["alipay", "bank"])
def test_mark_paid_is_refused_while_the_distributor_is_in_debt(db, requested, staff_user, method):
    w = requested(method)
    withdrawals.approve(w.id, staff_user)
    db.session.commit()
    into_debt(db, w.user_id)
    with pytest.raises(ServiceError, match="欠款还清前不能审核或打款"):
        withdrawals.mark_paid(w.id, staff_user, "BANK-1")
    db.session.rollback()
    assert status(db, w) == "approved"
    ledger.post(w.user_id, "commission_settled", available=20000, ref_type="commission", ref_id=2)
    withdrawals.mark_paid(w.id, staff_user, "BANK-1")  # the debt repaid, the payment is recorded
    db.session.commit()
    assert status(db, w) == "paid"


def test_a_gateway_success_is_recorded_even_in_debt(db, requested, staff_user):
    """Money the gateway already paid is recorded whatever happened since: only decisions wait for the debt."""
    w = requested("wechat")
    withdrawals._approve(w.id, staff_user)
    db.session.commit()
    into_debt(db, w.user_id)
    withdrawals.record_payment(w.id, None, "1330TRANSFER")
    db.session.commit()
    assert status(db, w) == "paid"
    account = db.session.get(Account, w.user_id)
    assert (account.withdrawing_fen, account.withdrawn_fen) == (0, 5000)


def test_an_approved_wechat_withdrawal_cannot_be_rejected(db, requested, staff_user):
    w = requested("wechat")
    withdrawals._approve(w.id, staff_user)  # approved, its transfer out and not yet answered
    db.session.commit()
    with pytest.raises(ServiceError, match="微信转账已发起，不能再拒绝") as refused:
        withdrawals.reject(w.id, staff_user, "不想付了")
    assert refused.value.status == 409
    db.session.rollback()
    assert status(db, w) == "approved"
    account = db.session.get(Account, w.user_id)
    assert (account.available_fen, account.withdrawing_fen) == (5000, 5000)


@pytest.mark.parametrize("method", ["alipay", "bank"])
def test_an_approved_manual_withdrawal_can_still_be_rejected(db, requested, staff_user, method):
    w = requested(method)
    withdrawals.approve(w.id, staff_user)
    withdrawals.reject(w.id, staff_user, "账户名与实名不符")
    db.session.commit()
    assert status(db, w) == "rejected"
    assert db.session.get(Account, w.user_id).available_fen == 10000


def test_a_requested_wechat_withdrawal_can_be_rejected(db, requested, staff_user):
    w = requested("wechat")
    withdrawals.reject(w.id, staff_user, "信息有误")
    db.session.commit()
    assert status(db, w) == "rejected"


def test_a_wechat_withdrawal_is_not_marked_paid_by_hand(db, requested, staff_user):
    w = requested("wechat")
    withdrawals._approve(w.id, staff_user)
    db.session.commit()
    with pytest.raises(ServiceError, match="微信零钱提现由微信转账结果确认到账"):
        withdrawals.mark_paid(w.id, staff_user, "HAND-1")
    db.session.rollback()
    assert status(db, w) == "approved"


@pytest.mark.parametrize("call", [lambda i, a: withdrawals.approve(i, a), lambda i, a: withdrawals.mark_paid(i, a, "R"),
                                  lambda i, a: withdrawals.reject(i, a, "r")])
def test_unknown_withdrawals_are_not_found(db, staff_user, call):
    with pytest.raises(ServiceError) as refused:
        call(999999, staff_user)
    assert refused.value.status == 404
