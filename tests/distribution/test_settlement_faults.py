"""Settlement against refunds and broken rows: the current net moves, and one commission's failure is
alerted without stopping the run."""
import threading
import time

import pytest
from sqlalchemy import select, text, update

from shop.database import transaction
from shop.distribution.earnings import settle
from shop.distribution.models import Commission
from shop.distribution.settlement import settle_due_commissions
from shop.payments import refunds
from shop.payments.gateways.base import RefundNotice
from shop.payments.models import PROCESSING, SETTLE_FAILED, PaymentAlert, Refund
from shop.wallet.audit import run_audit
from shop.wallet.models import Account
from tests.conftest import IS_PG


def balances(db, user_id):
    db.session.expire_all()
    acc = db.session.get(Account, user_id)
    return acc.frozen_fen, acc.available_fen


def test_one_broken_commission_is_alerted_and_the_others_settle(db, shop, paid_order, complete):
    broken, fine = paid_order(), paid_order()
    for order in (broken, fine):
        complete(order, days_ago=10)
    db.session.execute(update(Commission).where(Commission.order_id == broken.id, Commission.beneficiary_id == shop.b.id)
                       .values(amount_fen=5000))  # more than B holds frozen: its post must fail
    db.session.commit()
    assert settle_due_commissions() == (3, 2000)
    assert balances(db, shop.a.id) == (0, 1000)
    assert balances(db, shop.b.id) == (1000, 1000)
    assert db.session.scalars(select(PaymentAlert.kind)).all() == [SETTLE_FAILED]
    assert settle_due_commissions() == (0, 0)  # the broken one still waits for the merchant; nothing else to do


@pytest.mark.pg
@pytest.mark.skipif(not IS_PG, reason="concurrency tests need PostgreSQL (set SHOP_TEST_DATABASE_URL)")
def test_settle_racing_a_partial_refund_moves_the_net_left_after_it(app, db, shop, paid_order, complete):
    paid_order()  # another order keeps frozen money in B's account: the old net would have fitted
    order = paid_order(quantity=3)  # B earns 3000, A 1500
    complete(order)  # the settling thread below acts as if the due list had been read before the refund
    refund = refunds.request_refund(shop.buyer, order, "尺码不合适", {order.lines[0].id: 1})
    db.session.commit()
    b_commission = db.session.scalar(select(Commission.id).where(Commission.order_id == order.id,
                                                                 Commission.beneficiary_id == shop.b.id))
    # The refund's transaction begins and holds the order's commissions.
    db.session.execute(select(Commission).where(Commission.order_id == order.id).with_for_update())
    settler, result = {}, {}

    def settle_now():
        with app.app_context():
            settler["pid"] = db.session.scalar(text("SELECT pg_backend_pid()"))
            try:
                with transaction():
                    result["moved"] = settle(b_commission)
            except Exception as err:  # reported to the test below
                result["error"] = err

    thread = threading.Thread(target=settle_now)
    thread.start()
    wait_until_blocked(db, settler)
    db.session.execute(update(Refund).where(Refund.id == refund.id).values(status=PROCESSING))
    refunds.apply_refund_result(RefundNotice(gateway="sandbox", refund_no=refund.refund_no, order_no=order.order_no,
                                             refund_id="5030001", amount_fen=10000, status="SUCCESS"))
    thread.join(30)
    assert result == {"moved": 2000}
    assert balances(db, shop.b.id) == (1000, 2000)
    assert run_audit().clean


def wait_until_blocked(db, settler, seconds=20):
    """Until the settling thread waits for a row lock."""
    deadline = time.monotonic() + seconds
    with db.engine.connect() as conn:
        while time.monotonic() < deadline:
            pid = settler.get("pid")
            if pid and conn.execute(text("SELECT wait_event_type FROM pg_stat_activity WHERE pid = :p"),
                                    {"p": pid}).scalar() == "Lock":
                return
            conn.rollback()
            time.sleep(0.02)
    raise AssertionError("the settling thread never waited for the commission's lock")
