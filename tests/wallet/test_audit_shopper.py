"""The audit's shopper side: each check sees data corrupted by hand, and a clean shop passes."""
from datetime import timedelta

import pytest
from sqlalchemy import update

from shop.clock import utcnow
from shop.distribution.models import Commission
from shop.orders.models import Order
from shop.payments import refunds
from shop.payments.models import PROCESSING, Payment, Refund
from shop.wallet.audit import run_audit
from shop.wallet.models import W_APPROVED, Withdrawal


@pytest.fixture
def refunded_one_of_three(db, shop, paid_order, make_user, make_staff):
    """A ¥300 order, one unit of it refunded (its commissions reversed by a third)."""
    order = paid_order(quantity=3)
    refund = refunds.request_refund(shop.buyer, order, "尺码不合适", {order.lines[0].id: 1})
    db.session.commit()
    refunds.approve_refund(refund.id, make_staff())
    assert run_audit().clean
    return order, refund


CORRUPTIONS = {
    "a payment of another amount": (lambda o, r: update(Payment).values(amount_fen=1), "applied payments"),
    "a paid order without its payment": (lambda o, r: update(Payment).values(status="refunded"), "applied payments"),
    "a payment kept by an unpaid order": (lambda o, r: update(Order).values(status="cancelled"), "applied payments"),
    "refunded_fen off by a fen": (lambda o, r: update(Order).values(refunded_fen=Order.refunded_fen + 1),
                                  "!= succeeded refunds"),
    "more refunded than paid": (lambda o, r: update(Refund).values(amount_fen=10**7), "> paid"),
    "a refunded unit still paying commission": (lambda o, r: update(Commission).values(reversed_fen=0),
                                                "units kept"),
    "a commission taken back without a refund": (lambda o, r: update(Commission).values(reversed_fen=Commission.amount_fen),
                                                 "units kept"),
}


@pytest.mark.parametrize("corruption", CORRUPTIONS)
def test_audit_sees_a_corrupted_shopper_side(db, refunded_one_of_three, corruption):
    statement, problem = CORRUPTIONS[corruption]
    db.session.execute(statement(*refunded_one_of_three))
    db.session.commit()
    report = run_audit()
    assert any(problem in text for text in report.problems), report.problems


def test_a_refund_left_open_fails_the_audit_after_the_configured_hours(db, refunded_one_of_three, settings):
    settings(stuck_after_hours=6)
    _order, refund = refunded_one_of_three
    db.session.execute(update(Refund).values(status=PROCESSING))
    db.session.commit()
    assert not [p for p in run_audit().problems if "hours" in p]
    problems = run_audit(now=utcnow() + timedelta(hours=7)).problems
    assert f"refund {refund.refund_no} still processing after more than 6 hours" in problems


def test_a_transfer_left_open_fails_the_audit_after_the_configured_hours(db, shop):
    db.session.add(Withdrawal(withdrawal_no="W1", user_id=shop.b.id, amount_fen=100, net_fen=100, method="wechat",
                              payee={"openid": "o1"}, status=W_APPROVED, decided_at=utcnow()))
    db.session.commit()
    assert not [p for p in run_audit().problems if "hours" in p]
    problems = run_audit(now=utcnow() + timedelta(hours=25)).problems
    assert "withdrawal W1 still being paid out after more than 24 hours" in problems
