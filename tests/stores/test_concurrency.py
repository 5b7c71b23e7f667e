"""Redemption under concurrency on PostgreSQL: N clerks of the store confirm one code at once; one completes the
order, every other is told 已核销, and the order completed exactly once (one completion, its commissions unchanged)."""
import pytest

from shop.accounts.models import User
from shop.distribution.models import Commission
from shop.orders import status as st
from shop.orders.models import Order
from shop.stores import redemption
from tests.conftest import IS_PG, run_at_once

pytestmark = [pytest.mark.pg, pytest.mark.skipif(not IS_PG, reason="concurrency tests need PostgreSQL "
                                                                     "(set SHOP_TEST_DATABASE_URL)")]
CLERKS = 8


def test_concurrent_confirmations_complete_once(app, db, pickup_order, make_store, make_clerk):
    store = make_store()
    clerk_ids = [make_clerk(store, phone=f"1360000{i:04d}").id for i in range(CLERKS)]
    order = pickup_order(store)
    order_id, code = order.id, order.pickup_code
    commissions = db.session.query(Commission).filter_by(order_id=order_id).count()

    def confirm(i):
        redemption.redeem(db.session.get(User, clerk_ids[i]), code)
        return "ok"

    outcomes = run_at_once(app, db, CLERKS, confirm)
    assert outcomes.count("ok") == 1
    assert sorted(set(outcomes) - {"ok"}) == ["该订单已核销，请勿重复提货"]
    done = db.session.get(Order, order_id)
    assert done.status == st.COMPLETED and done.redeemed_by in clerk_ids
    assert db.session.query(Commission).filter_by(order_id=order_id).count() == commissions


def test_clerks_of_another_store_change_nothing_at_once(app, db, pickup_order, make_store, make_clerk):
    from tests.stores.conftest import WEST_LAKE

    store, other = make_store(), make_store("西湖店", at=WEST_LAKE, city="杭州市")
    ids = [make_clerk(other, phone=f"1361111{i:04d}").id for i in range(4)]
    order = pickup_order(store)
    outcomes = run_at_once(app, db, 4, lambda i: redemption.redeem(db.session.get(User, ids[i]), order.pickup_code))
    assert set(outcomes) == {"本店没有这个核销码的订单，请核对后重试"}
    assert db.session.get(Order, order.id).status == st.PAID
