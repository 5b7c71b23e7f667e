"""Refunds when the gateway misbehaves: a timeout followed by a late success, a worker that dies after
PROCESSING was committed. In every case the money ends exactly right and the audit is clean."""
import pytest
from sqlalchemy import func, select

from shop.errors import ServiceError
from shop.orders.models import Order
from shop.payments import refunds
from shop.payments.gateways import GatewayError, get_gateway
from shop.payments.models import APPROVED, SUCCEEDED, Refund, SandboxRefund
from shop.wallet.audit import run_audit
from shop.wallet.models import Account


@pytest.fixture
def admin(make_user):
    return make_user(is_admin=True)


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
