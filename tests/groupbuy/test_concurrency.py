"""The last seat on PostgreSQL with real threads: N-1 members paid, then 5 payers at once — exactly one takes
the seat, the others are refunded or open new groups per the activity's overflow; never more than N members."""
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from shop.groupbuy.models import Group, GroupMember, GroupOrder
from shop.orders.models import Order
from shop.orders.pricing import Choice
from shop.wallet.audit import run_audit
from tests.conftest import IS_PG

pytestmark = [pytest.mark.pg, pytest.mark.skipif(not IS_PG, reason="concurrency tests need PostgreSQL "
                                                                     "(set SHOP_TEST_DATABASE_URL)")]


@pytest.mark.parametrize("overflow", ["refund", "new_group"])
def test_five_payers_for_the_last_seat(app, db, shop, make_activity, group_order, member, place, notify, overflow):
    activity = make_activity(group_size=3, commission=True, overflow=overflow)
    first = group_order(activity, buyer=member("团长"))
    db.session.expire_all()
    group = db.session.get(GroupOrder, first.id).group
    group_order(activity, buyer=member("二号"), group=group.group_no)
    late = [place(buyer=member(f"抢座{i}"), choice=Choice(activity=("group", activity.id), group=group.group_no))
            for i in range(4)]
    late.append(place(choice=Choice(activity=("group", activity.id), group=group.group_no)))
    payments = [(o.order_no, o.pay_total_fen) for o in late]
    group_id, group_no = group.id, group.group_no
    db.session.remove()
    start = threading.Barrier(len(payments), timeout=60)

    def pay(order_no, amount):
        with app.app_context():
            start.wait()
            try:
                return notify(order_no, amount).status_code
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=len(payments)) as pool:
        codes = list(pool.map(lambda p: pay(*p), payments))
    assert codes == [204] * 5
    group = db.session.get(Group, group_id)
    assert (group.status, group.paid_count, group.needed) == ("succeeded", 3, 3)
    assert db.session.scalar(select(func.count()).select_from(GroupMember).where(GroupMember.group_id == group_id)) == 3
    ids = [db.session.scalar(select(Order.id).where(Order.order_no == no)) for no, _amount in payments]
    intents = [db.session.get(GroupOrder, i) for i in ids]
    seated = [it for it in intents if it.group_id == group_id]
    assert len(seated) == 1 and seated[0].state == "joined"
    others = [it for it in intents if it.group_id != group_id]
    if overflow == "refund":
        assert {it.state for it in others} == {"refunded"}
        assert {db.session.get(Order, it.order_id).status for it in others} == {"refunded"}
    else:
        assert {it.state for it in others} == {"joined"}
        new_groups = {it.group_id for it in others}
        assert len(new_groups) == 4
        assert all(db.session.get(Group, g).paid_count == 1 and db.session.get(Group, g).status == "open"
                   for g in new_groups)
    assert group_no and run_audit().clean, run_audit().problems
