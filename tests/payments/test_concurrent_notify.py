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
