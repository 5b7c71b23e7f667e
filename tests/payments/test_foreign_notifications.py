"""A genuine, correctly signed notification for another merchant, another app or in another currency is
refused (FAIL, an alert, nothing applied): payments and refunds alike."""
import pytest
from sqlalchemy import func, select

from shop.orders.models import Order
from shop.payments import refunds
from shop.payments.gateways import sandbox
from shop.payments.models import FOREIGN_NOTICE, PROCESSING, Payment, PaymentAlert, Refund
from shop.wallet.audit import run_audit

FOREIGN = {
    "another merchant": {"mchid": "1900000999"},
    "another app": {"appid": "wx-someone-else"},
    "another currency": {"amount": {"total": 10000, "currency": "USD", "payer_total": 10000,
                                    "payer_currency": "USD"}},
    "another payer currency": {"amount": {"total": 10000, "currency": "CNY", "payer_total": 10000,
                                          "payer_currency": "HKD"}},
    "no merchant at all": {"mchid": None},
}


def assert_refused_with_one_alert(db, resp):
    assert resp.status_code == 400 and resp.json["code"] == "FAIL"
    assert db.session.scalars(select(PaymentAlert.kind)).all() == [FOREIGN_NOTICE]


@pytest.mark.parametrize("changes", FOREIGN.values(), ids=FOREIGN)
def test_a_foreign_payment_notification_is_refused(db, notify, place, changes):
    order = place()
    resp = notify(order.order_no, 10000, changes=changes)
    assert_refused_with_one_alert(db, resp)
    assert db.session.get(Order, order.id).status == "pending"
    assert db.session.scalar(select(func.count()).select_from(Payment)) == 0
    assert run_audit().clean


@pytest.mark.parametrize("changes", [{"mchid": "1900000999"},
                                     {"amount": {"total": 10000, "refund": 10000, "currency": "USD"}}],
                         ids=["another merchant", "another currency"])
def test_a_foreign_refund_notification_is_refused(app, db, shop, paid_order, changes):
    order = paid_order()
    refund = refunds.request_refund(shop.buyer, order, "坏了", {order.lines[0].id: 1})
    refund.status = PROCESSING
    db.session.commit()
    headers, body = sandbox.build_notification(order.order_no, "4200", 10000, event_type="REFUND.SUCCESS",
                                               refund_no=refund.refund_no, changes=changes)
    resp = app.test_client().post("/pay/refund-notify/sandbox", data=body, headers=headers,
                                  content_type="application/json")
    assert_refused_with_one_alert(db, resp)
    db.session.expire_all()
    assert db.session.get(Refund, refund.id).status == PROCESSING
    assert db.session.get(Order, order.id).refunded_fen == 0


def test_our_own_notification_still_pays(db, notify, place):
    order = place()
    assert notify(order.order_no, 10000).status_code == 204
    assert db.session.get(Order, order.id).status == "paid"
