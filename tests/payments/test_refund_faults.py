"""Refunds when the gateway misbehaves: a timeout followed by a late success, a worker that dies after
PROCESSING was committed. In every case the money ends exactly right and the audit is clean."""
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from shop.clock import utcnow
from shop.errors import ServiceError
from shop.orders.models import Order
from shop.payments import refunds
from shop.payments.gateways import GatewayError, get_gateway
from shop.payments.models import APPROVED, PROCESSING, REFUND_STUCK, SUCCEEDED, PaymentAlert, Refund, SandboxRefund
from shop.payments.reconcile import reconcile_refunds
from shop.wallet.audit import run_audit
from shop.wallet.models import Account
from tests.conftest import IS_PG


@pytest.fixture
def admin(make_user, make_staff):
    return make_staff()


@pytest.fixture
def sandbox(app):
    gateway = get_gateway("sandbox")
    yield gateway
    gateway.refund_fault = None


@pytest.fixture
def one_of_three_asked(db, shop, paid_order):
    """A ¥300 order (B earns 3000, A 1500) and the shopper's request to refund one unit."""
    order = paid_order(quantity=3)
    refund = refunds.request_refund(shop.buyer, order, "尺码不合适", {order.lines[0].id: 1})
    db.session.commit()
    return refund


def frozen(db, user_id):
    db.session.expire_all()
    return db.session.get(Account, user_id).frozen_fen


def assert_refunded_once(db, shop, refund):
    db.session.expire_all()
    assert db.session.get(Refund, refund.id).status == SUCCEEDED
    assert db.session.get(Order, refund.order_id).refunded_fen == 10000
    assert (frozen(db, shop.b.id), frozen(db, shop.a.id)) == (2000, 1000)
    assert db.session.scalar(select(func.count()).select_from(SandboxRefund)) == 1
    assert run_audit().clean


def test_a_success_notified_after_our_call_timed_out_is_applied_once(db, shop, admin, sandbox, one_of_three_asked):
    refund = one_of_three_asked
    sandbox.refund_fault = "timeout"
    with pytest.raises(GatewayError):
        refunds.approve_refund(refund.id, admin)
    db.session.expire_all()
    assert db.session.get(Refund, refund.id).status == APPROVED
    sandbox.refund_fault = None
    assert sandbox.deliver_refund(refund.refund_no)
    assert sandbox.deliver_refund(refund.refund_no)  # a duplicate is acknowledged and changes nothing
    assert_refunded_once(db, shop, refund)
    with pytest.raises(ServiceError):  # the merchant's retry finds it done: no second refund
        refunds.execute_refund(refund.id)
    assert_refunded_once(db, shop, refund)


@pytest.mark.parametrize("fault", ["crash", "crash_before"])
def test_a_refund_left_processing_by_a_dead_worker_is_finished_by_reconcile(db, shop, admin, sandbox,
                                                                             one_of_three_asked, fault):
    """crash: the gateway refunded, then the worker died; crash_before: it died before the gateway heard of it."""
    refund = one_of_three_asked
    sandbox.refund_fault = fault
    with pytest.raises(RuntimeError):
        refunds.approve_refund(refund.id, admin)
    db.session.rollback()
    assert db.session.get(Refund, refund.id).status == PROCESSING
    sandbox.refund_fault = None
    assert reconcile_refunds(minutes=0) == {SUCCEEDED: 1}
    assert_refunded_once(db, shop, refund)
    assert reconcile_refunds(minutes=0) == {}  # nothing open any more
    assert_refunded_once(db, shop, refund)


def test_reconcile_leaves_recent_refunds_to_their_notification(db, admin, sandbox, one_of_three_asked):
    sandbox.refund_fault = "crash"
    with pytest.raises(RuntimeError):
        refunds.approve_refund(one_of_three_asked.id, admin)
    db.session.rollback()
    assert reconcile_refunds() == {}


def test_a_refund_still_open_after_the_configured_hours_raises_one_alert(app, db, shop, admin, sandbox, settings,
                                                                          one_of_three_asked):
    settings(stuck_after_hours=6)
    sandbox.refund_fault = "crash_before"  # the gateway stays out of reach
    with pytest.raises(RuntimeError):
        refunds.approve_refund(one_of_three_asked.id, admin)
    db.session.rollback()
    assert reconcile_refunds(minutes=0) == {"error": 1}
    assert db.session.scalar(select(func.count()).select_from(PaymentAlert)) == 0
    later = utcnow() + timedelta(hours=7)
    for _ in range(2):
        assert reconcile_refunds(now=later) == {"error": 1}
    assert db.session.scalars(select(PaymentAlert.kind)).all() == [REFUND_STUCK]
    sandbox.refund_fault = None
    out = app.test_cli_runner().invoke(args=["shop", "reconcile-payments", "--minutes", "0"]).output
    assert "refunds: succeeded 1" in out
    assert_refunded_once(db, shop, one_of_three_asked)


@pytest.mark.pg
@pytest.mark.skipif(not IS_PG, reason="concurrency tests need PostgreSQL (set SHOP_TEST_DATABASE_URL)")
def test_20_concurrent_late_successes_after_a_timeout_refund_once(app, db, shop, admin, sandbox, one_of_three_asked):
    refund = one_of_three_asked
    sandbox.refund_fault = "timeout"
    with pytest.raises(GatewayError):
        refunds.approve_refund(refund.id, admin)
    sandbox.refund_fault = None
    refund_no = refund.refund_no
    for loaded in (shop.a, shop.b, refund):  # read again below, after this session ends
        db.session.refresh(loaded)
    db.session.remove()
    start = threading.Barrier(20, timeout=60)

    def deliver(_):
        with app.app_context():
            start.wait()
            return sandbox.deliver_refund(refund_no)

    with ThreadPoolExecutor(max_workers=20) as pool:
        assert list(pool.map(deliver, range(20))) == [True] * 20
    assert_refunded_once(db, shop, refund)


def test_a_refund_the_gateway_closes_is_failed_with_its_answer_and_changes_no_money(app, db, shop, admin, sandbox,
                                                                                   one_of_three_asked):
    refund = one_of_three_asked
    sandbox.refund_fault = "crash_before"  # left PROCESSING, the gateway never heard of it
    with pytest.raises(RuntimeError):
        refunds.approve_refund(refund.id, admin)
    db.session.rollback()
    sandbox.refund_fault = None
    order = db.session.get(Order, refund.order_id)
    headers, body = sandbox.build_notification(order.order_no, "4200000000000000000001", 10000,
                                               event_type="REFUND.ABNORMAL", refund_no=refund.refund_no,
                                               changes={"user_received_account": "招商银行信用卡0403"})
    assert app.test_client().post("/pay/refund-notify/sandbox", data=body, headers=headers,
                                  content_type="application/json").status_code == 204
    db.session.expire_all()
    refund = db.session.get(Refund, refund.id)
    assert refund.status == "failed" and refund.fail_reason == "ABNORMAL (招商银行信用卡0403)"
    assert db.session.get(Order, refund.order_id).refunded_fen == 0
    assert (frozen(db, shop.b.id), frozen(db, shop.a.id)) == (3000, 1500)
    assert run_audit().clean
