"""From payment to withdrawal: completion, settlement, refunds (reversal and clawback), audit."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from shop.clock import utcnow
from shop.distribution.models import Commission
from shop.distribution.settlement import settle_due_commissions
from shop.errors import ServiceError
from shop.orders import services as orders
from shop.orders.models import Order
from shop.payments import refunds
from shop.wallet import withdrawals
from shop.wallet.audit import run_audit
from shop.wallet.models import Account
from tests.payments.user_agents import ANDROID_CHROME

ALIPAY = {"account": "a@example.com", "name": "张三"}


@pytest.fixture
def admin(make_user, make_staff):
    return make_staff()


def balances(db, user_id):
    db.session.expire_all()
    acc = db.session.get(Account, user_id)
    return acc.frozen_fen, acc.available_fen, acc.withdrawing_fen, acc.withdrawn_fen


def test_settlement_waits_for_completion_and_the_window(app, db, shop, paid_order, complete):
    order = paid_order()
    assert settle_due_commissions() == (0, 0)  # paid but not completed
    complete(order, days_ago=3)
    assert settle_due_commissions() == (0, 0)  # inside the 7-day after-sale window
    db.session.execute(Order.__table__.update().values(completed_at=utcnow() - timedelta(days=8)))
    db.session.commit()
    assert settle_due_commissions() == (2, 1500)
    assert settle_due_commissions() == (0, 0)  # idempotent
    assert balances(db, shop.b.id) == (0, 1000, 0, 0)
    out = app.test_cli_runner().invoke(args=["shop", "settle"]).output
    assert "settled 0 commission(s)" in out
    assert run_audit().clean


def test_partial_refund_before_settlement_reverses_in_proportion(db, shop, paid_order, admin):
    order = paid_order(quantity=3)  # ¥300: B 3000, A 1500
    line = order.lines[0]
    refund = refunds.request_refund(shop.buyer, order, "尺码不合适", {line.id: 1})
    db.session.commit()
    assert refund.amount_fen == 10000 and refund.kind == "partial"
    refunds.approve_refund(refund.id, admin)
    assert balances(db, shop.b.id)[0] == 2000 and balances(db, shop.a.id)[0] == 1000
    refund = refunds.request_refund(shop.buyer, order, "不想要了", {line.id: 2})
    db.session.commit()
    refunds.approve_refund(refund.id, admin)
    db.session.expire_all()
    assert {c.status for c in db.session.scalars(select(Commission))} == {"reversed"}
    assert balances(db, shop.b.id) == (0, 0, 0, 0)
    assert db.session.get(Order, order.id).status == "refunded"
    assert db.session.get(Order, order.id).refunded_fen == 30000 + order.shipping_fen
    assert run_audit().clean


def test_odd_amounts_are_reversed_exactly_to_the_fen(db, shop, paid_order, admin, make_product):
    from shop.distribution import rules
    rules.update_global_rules(rate1_bp=333, rate2_bp=777)
    db.session.commit()
    order = paid_order(quantity=7)  # base 70000: 2331 / 5439
    line = order.lines[0]
    taken = []
    for qty in (2, 1, 3, 1):
        r = refunds.request_refund(shop.buyer, order, "退", {line.id: qty})
        db.session.commit()
        refunds.approve_refund(r.id, admin)
        taken.append(balances(db, shop.b.id)[0])
    assert taken == [2331 * 5 // 7, 2331 * 4 // 7, 2331 * 1 // 7, 0]
    assert run_audit().clean


def test_refund_after_settlement_claws_back_as_a_debt_then_earnings_repay_it(db, shop, paid_order, admin, complete):
    order = paid_order()
    complete(order, days_ago=10)
    settle_due_commissions()
    assert balances(db, shop.b.id) == (0, 1000, 0, 0)
    w = withdrawals.request_withdrawal(shop.b.id, 800, "alipay", ALIPAY)
    withdrawals.approve(w.id, admin)
    withdrawals.mark_paid(w.id, admin, "ref-1")
    db.session.commit()
    refunds.merchant_refund(order, "质量问题", admin)
    assert balances(db, shop.b.id) == (0, -800, 0, 800)  # a debt, not clamped to zero
    with pytest.raises(ServiceError, match="欠款"):
        withdrawals.request_withdrawal(shop.b.id, 100, "alipay", ALIPAY)
    db.session.rollback()
    assert run_audit().clean
    # Later earnings repay the debt.
    for _ in range(2):
        o = paid_order()
        complete(o, days_ago=10)
    settle_due_commissions()
    assert balances(db, shop.b.id) == (0, 1200, 0, 800)
    assert run_audit().clean


def test_refund_window_and_one_open_refund(db, shop, paid_order, admin, complete):
    order = paid_order()
    complete(order, days_ago=8)
    with pytest.raises(ServiceError, match="售后期"):
        refunds.request_refund(shop.buyer, order, "晚了")
    db.session.rollback()
    order2 = paid_order(quantity=2)
    refunds.request_refund(shop.buyer, order2, "一", {order2.lines[0].id: 1})
    db.session.commit()
    with pytest.raises(ServiceError, match="处理中"):
        refunds.request_refund(shop.buyer, order2, "二", {order2.lines[0].id: 1})
    db.session.rollback()
    with pytest.raises(ServiceError, match="最多可退"):
        refunds.reject_refund(db.session.scalar(select(refunds.Refund.id)), admin, "不符合")
        db.session.commit()
        refunds.request_refund(shop.buyer, order2, "三", {order2.lines[0].id: 3})


def test_shopper_refund_page_and_strangers(client, db, shop, paid_order, login, make_user):
    order = paid_order(quantity=2)
    login(make_user())
    assert client.get(f"/orders/{order.order_no}/refund").status_code == 404
    client.post("/logout")
    login(shop.buyer)
    page = client.get(f"/orders/{order.order_no}/refund").get_data(as_text=True)
    assert "可退2件" in page
    bad = client.post(f"/orders/{order.order_no}/refund", data={f"qty_{order.lines[0].id}": "x", "reason": "r"})
    assert bad.status_code == 400
    over = client.post(f"/orders/{order.order_no}/refund", data={f"qty_{order.lines[0].id}": "5", "reason": "r"})
    assert over.status_code == 400 and "最多可退" in over.get_data(as_text=True)
    ok = client.post(f"/orders/{order.order_no}/refund", data={f"qty_{order.lines[0].id}": "1", "reason": "坏了"})
    assert ok.status_code == 302
    assert db.session.scalar(select(refunds.Refund)).amount_fen == 10000


def test_sandbox_checkout_pays_through_the_real_endpoint(client, db, shop, place, login):
    order = place()
    login(shop.buyer)
    assert "支付" in client.get(f"/orders/{order.order_no}").get_data(as_text=True)
    resp = client.post(f"/pay/{order.order_no}", headers={"User-Agent": ANDROID_CHROME})  # H5: a phone's browser
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/pay/sandbox/{order.order_no}")
    assert "沙箱收银台" in client.get(resp.headers["Location"]).get_data(as_text=True)
    client.post(f"/pay/sandbox/{order.order_no}", data={"action": "pay"})
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == "paid"
    assert "待发货" in client.get(f"/orders/{order.order_no}").get_data(as_text=True)
    assert client.post(f"/pay/{order.order_no}").status_code == 409  # nothing left to pay


def test_reconcile_applies_a_payment_whose_notification_was_lost(app, db, shop, place, login, client):
    from shop.payments.gateways import get_gateway

    order = place()
    login(shop.buyer)
    client.post(f"/pay/{order.order_no}")
    with app.test_request_context():
        get_gateway("sandbox").pay(order.order_no)  # paid, but the notification never arrived
    db.session.execute(Order.__table__.update().values(pay_opened_at=utcnow() - timedelta(minutes=30)))
    db.session.commit()
    out = app.test_cli_runner().invoke(args=["shop", "reconcile-payments"]).output
    assert f"{order.order_no}: applied" in out
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == "paid"
    assert "applied" not in app.test_cli_runner().invoke(args=["shop", "reconcile-payments"]).output.split(":")[0]


def test_auto_confirm(app, db, shop, paid_order):
    order = paid_order()
    orders.ship_order(order, "顺丰", "SF1")
    db.session.execute(Order.__table__.update().values(shipped_at=utcnow() - timedelta(days=11)))
    db.session.commit()
    assert "auto-confirmed 1 order(s)" in app.test_cli_runner().invoke(args=["shop", "auto-confirm"]).output
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == "completed"


def test_audit_command_fails_on_a_tampered_balance(app, db, shop, paid_order):
    paid_order()
    runner = app.test_cli_runner()
    assert runner.invoke(args=["shop", "audit"]).exit_code == 0
    db.session.execute(Account.__table__.update().where(Account.user_id == shop.b.id).values(frozen_fen=999999))
    db.session.commit()
    result = runner.invoke(args=["shop", "audit"])
    assert result.exit_code == 1 and "PROBLEM account" in result.output


def test_a_failed_audit_alerts_the_merchant_and_a_clean_one_does_not(app, db, shop, paid_order):
    from shop.payments.models import AUDIT_FAILED, PaymentAlert

    paid_order()
    runner = app.test_cli_runner()
    runner.invoke(args=["shop", "audit"])
    db.session.rollback()
    assert db.session.scalars(select(PaymentAlert.kind)).all() == []
    db.session.execute(Account.__table__.update().where(Account.user_id == shop.b.id).values(frozen_fen=999999))
    db.session.commit()
    runner.invoke(args=["shop", "audit"])
    db.session.rollback()
    alert = db.session.scalars(select(PaymentAlert)).one()
    assert alert.kind == AUDIT_FAILED and "account" in alert.message and alert.resolved_at is None


def test_refund_result_with_another_amount_is_refused_with_an_alert(db, shop, paid_order, admin):
    from shop.payments.gateways.base import RefundNotice
    from shop.payments.models import PaymentAlert
    from shop.payments.services import PaymentRefused

    order = paid_order()
    refund = refunds.request_refund(shop.buyer, order, "坏了")
    refund.status = "processing"
    db.session.commit()
    with pytest.raises(PaymentRefused):
        refunds.apply_refund_result(RefundNotice(gateway="sandbox", refund_no=refund.refund_no,
                                                 order_no=order.order_no, refund_id="50300", amount_fen=1,
                                                 status="SUCCESS"))
    db.session.expire_all()
    assert db.session.get(refunds.Refund, refund.id).status == "processing"
    assert db.session.scalar(select(PaymentAlert.kind)) == "refund_amount_mismatch"
    assert run_audit().clean
