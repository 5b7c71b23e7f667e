"""100 concurrent deliveries of the same notification, on PostgreSQL with real threads."""
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from shop.distribution.models import Commission
from shop.payments.models import Payment
from shop.wallet.audit import run_audit
from shop.wallet.models import LedgerEntry
from tests.conftest import IS_PG

pytestmark = pytest.mark.skipif(not IS_PG, reason="concurrency tests need PostgreSQL (set SHOP_TEST_DATABASE_URL)")


def test_100_concurrent_deliveries_pay_once(app, db, shop, place):
    from shop.payments.gateways import sandbox

    order = place()
    headers, body = sandbox.build_notification(order.order_no, "4200000000009999", 10000)
    a_id, b_id = shop.a.id, shop.b.id
    db.session.remove()
    start = threading.Barrier(100, timeout=60)

    def deliver(_):
        client = app.test_client()
        start.wait()
        return client.post("/pay/notify/sandbox", data=body, headers=headers,
                           content_type="application/json").status_code

    with ThreadPoolExecutor(max_workers=100) as pool:
        codes = list(pool.map(deliver, range(100)))
    assert codes == [204] * 100
    assert db.session.scalar(select(func.count()).select_from(Payment)) == 1
    assert db.session.scalar(select(func.count()).select_from(Commission)) == 2
    entries = db.session.execute(select(LedgerEntry.user_id, LedgerEntry.kind, LedgerEntry.d_frozen)
                                 .order_by(LedgerEntry.user_id)).all()
    assert [(e.user_id, e.kind, e.d_frozen) for e in entries] == sorted(
        [(a_id, "commission_frozen", 500), (b_id, "commission_frozen", 1000)])
    assert run_audit().clean


def test_payments_and_refunds_of_one_chain_at_once_never_deadlock(app, db, shop, place, paid_order, make_staff):
    """A payment posts its commissions to the chain's accounts in one UPDATE; a refund reverses them one by one,
    level 1 first. Both lock the accounts in ascending user id first (ledger.lock_accounts), so running together
    they wait for each other; before, PostgreSQL broke a deadlock now and then (seen under load: a notification
    answered FAIL 503)."""
    from shop.orders.models import Order
    from shop.payments import refunds
    from shop.payments.gateways import sandbox
    from shop.staff.models import Staff

    rounds, each = 3, 6
    to_refund = [paid_order().id for _ in range(rounds * each)]
    to_pay = [place() for _ in range(rounds * each)]
    notes = [sandbox.build_notification(o.order_no, f"4399{n:012d}", o.pay_total_fen) for n, o in enumerate(to_pay)]
    staff_id = make_staff().id
    db.session.commit()
    db.session.remove()

    def refund(order_id, start):
        with app.app_context():
            actor, order = db.session.get(Staff, staff_id), db.session.get(Order, order_id)
            db.session.rollback()
            start.wait()
            try:
                return refunds.merchant_refund(order, "缺货", actor, None).status
            except Exception as err:  # a deadlock would surface here as OperationalError
                return repr(err)
            finally:
                db.session.remove()

    def pay(note, start):
        client = app.test_client()
        start.wait()
        headers, body = note
        resp = client.post("/pay/notify/sandbox", data=body, headers=headers, content_type="application/json")
        return resp.status_code if resp.status_code == 204 else (resp.status_code, resp.get_data(as_text=True))

    results = []
    for r in range(rounds):
        start = threading.Barrier(2 * each, timeout=60)
        with ThreadPoolExecutor(max_workers=2 * each) as pool:
            refunded = [pool.submit(refund, i, start) for i in to_refund[r * each:(r + 1) * each]]
            paid = [pool.submit(pay, n, start) for n in notes[r * each:(r + 1) * each]]
            results += [f.result() for f in refunded] + [f.result() for f in paid]
    assert results == (["succeeded"] * each + [204] * each) * rounds
    assert run_audit().clean
