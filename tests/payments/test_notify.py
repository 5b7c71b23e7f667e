"""Payment notifications: exactly once, refused when forged/stale/mismatched, never lost."""
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from shop.clock import utcnow
from shop.distribution.explain import explain
from shop.distribution.models import Commission, ReferralNode
from shop.orders.models import Order
from shop.payments.models import Payment, PaymentAlert, Refund
from shop.payments.services import payment_applied
from shop.wallet.audit import run_audit
from shop.wallet.models import Account, LedgerEntry


def counts(db):
    return tuple(db.session.scalar(select(func.count()).select_from(m))
                 for m in (Payment, Commission, LedgerEntry))


def test_worked_example_pays_each_level_once(db, shop, place, notify):
    order = place()
    resp = notify(order.order_no, 10000)
    assert resp.status_code == 204
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == "paid"
    got = {(c.beneficiary_id, c.level): c.amount_fen for c in db.session.scalars(select(Commission))}
    assert got == {(shop.b.id, 1): 1000, (shop.a.id, 2): 500}
    assert db.session.get(Account, shop.b.id).frozen_fen == 1000
    assert db.session.get(Account, shop.a.id).frozen_fen == 500
    c = db.session.scalar(select(Commission).where(Commission.level == 1))
    assert "实付 ¥100.00 × 10.00% = ¥10.00" in explain(c)
    assert db.session.get(ReferralNode, shop.b.id).commission_frozen_fen == 1000
    assert run_audit().clean


def test_duplicate_notification_is_acknowledged_and_changes_nothing(db, shop, place, notify):
    order = place()
    assert notify(order.order_no, 10000, transaction_id="4200000000000001").status_code == 204
    before = counts(db)
    for _ in range(3):
        assert notify(order.order_no, 10000, transaction_id="4200000000000001").status_code == 204
    assert counts(db) == before == (1, 2, 2)


def _notice(order_no=None, amount_fen=10000, skew=0, **kw):
    """A sender of a sandbox notification for the order (or for order_no), its timestamp `skew` seconds off."""
    def send(client, notify, order):
        return notify(order_no or order.order_no, amount_fen, timestamp=int(time.time()) + skew, **kw)

    return send


def _raw_body(body, signed=False):
    """A sender that posts `body` with the headers of a genuine notification for the order (whose signature
    then does not cover the body), or with `signed`, headers that sign this very body."""
    def send(client, notify, order):
        from shop.payments.gateways import crypto, get_gateway, sandbox

        headers, _body = sandbox.build_notification(order.order_no, "4200000000000099", 10000)
        if signed:
            headers = crypto.signature_headers(get_gateway("sandbox").keys.platform_key, headers[crypto.SERIAL], body)
        return client.post("/pay/notify/sandbox", data=body, headers=headers, content_type="application/json")

    return send


MALFORMED = b'{"id": "x", "resource": {"ciphertext": "AAAA"}}'


@pytest.mark.parametrize("send, status, alerts", [
    pytest.param(_notice(tamper=True), 401, [], id="forged"),
    pytest.param(_notice(skew=-360), 401, [], id="stale"),
    pytest.param(_notice(skew=360), 401, [], id="future"),
    pytest.param(_notice(amount_fen=9999), 400, ["amount_mismatch"], id="wrong_amount"),
    pytest.param(_notice(order_no="209901010000000000"), 404, [], id="unknown_order"),
    # The first order was paid with this transaction id.
    pytest.param(_notice(transaction_id="4200000000000077"), 409, ["transaction_reused"],
                 id="replayed_for_another_order"),
    # The signature is checked first: a body the headers do not sign is refused as forged.
    pytest.param(_raw_body(MALFORMED), 401, [], id="malformed"),
    pytest.param(_raw_body(b"{not json"), 401, [], id="not_json"),
    pytest.param(_raw_body(MALFORMED, signed=True), 400, [], id="signed_malformed"),
    pytest.param(_raw_body(b"{not json", signed=True), 400, [], id="signed_not_json"),
])
def test_bad_notifications_answer_fail_and_change_nothing(db, client, shop, place, notify, send, status, alerts):
    first, second = place(), place()
    assert notify(first.order_no, 10000, transaction_id="4200000000000077").status_code == 204
    before = counts(db)
    resp = send(client, notify, second)
    assert (resp.status_code, resp.json["code"]) == (status, "FAIL")
    assert counts(db) == before
    db.session.expire_all()
    assert db.session.get(Order, second.id).status == "pending"
    assert db.session.scalars(select(PaymentAlert.kind)).all() == alerts
    assert run_audit().clean


def test_unknown_gateway_is_refused(client):
    resp = client.post("/pay/notify/paypal", data=b"{}", content_type="application/json")
    assert resp.status_code == 404 and resp.json["code"] == "FAIL"


def test_failure_before_commit_leaves_no_trace_and_the_retry_succeeds_once(app, db, shop, place, notify):
    order = place()

    def explode(sender, **kw):
        assert Commission.query.count() == 2  # the commissions were written in this transaction
        raise RuntimeError("injected fault after commissions, before commit")

    payment_applied.connect(explode)
    try:
        resp = notify(order.order_no, 10000, transaction_id="4200000000000123")
    finally:
        payment_applied.disconnect(explode)
    assert resp.status_code == 500 and resp.json["code"] == "FAIL"
    assert counts(db) == (0, 0, 0)
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == "pending"
    assert notify(order.order_no, 10000, transaction_id="4200000000000123").status_code == 204
    assert notify(order.order_no, 10000, transaction_id="4200000000000123").status_code == 204
    assert counts(db) == (1, 2, 2)
    assert run_audit().clean


def test_late_payment_for_an_expired_order_is_taken_when_stock_allows(app, db, shop, place, notify):
    from shop.orders.services import expire_orders

    order = place(quantity=3)
    order.created_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    expire_orders()
    assert notify(order.order_no, 30000).status_code == 204
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == "paid"
    assert shop.product.skus[0].stock == 97
    assert db.session.scalar(select(func.count()).select_from(Commission)) == 2


def test_late_payment_without_stock_is_refunded_automatically(app, db, shop, place, notify):
    from shop.catalog.models import Sku
    from shop.orders.services import expire_orders

    order = place(quantity=2)
    order.created_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    expire_orders()
    db.session.execute(Sku.__table__.update().values(stock=0))
    db.session.commit()
    assert notify(order.order_no, 20000).status_code == 204
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == "cancelled"
    payment = db.session.scalar(select(Payment))
    refund = db.session.scalar(select(Refund))
    assert (payment.status, refund.kind, refund.status, refund.amount_fen) == ("refunded", "auto", "succeeded", 20000)
    assert db.session.scalar(select(PaymentAlert.kind)) == "auto_refund"
    assert db.session.scalar(select(func.count()).select_from(Commission)) == 0
    assert run_audit().clean


def test_second_payment_of_a_paid_order_is_refunded(db, shop, place, notify):
    order = place()
    notify(order.order_no, 10000)
    notify(order.order_no, 10000)  # paid twice with two transactions
    statuses = sorted(p.status for p in db.session.scalars(select(Payment)))
    assert statuses == ["applied", "refunded"]
    assert db.session.scalar(select(func.count()).select_from(Commission)) == 2
