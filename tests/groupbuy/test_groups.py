"""Opening and joining groups through real sandbox payments, the outcome at the deadline, refunds of failed
groups and of overflow payers through the normal refund path, and the ship guard."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from shop.catalog.models import Sku
from shop.clock import utcnow
from shop.distribution.models import Commission
from shop.errors import ServiceError
from shop.groupbuy import closing, services
from shop.groupbuy.models import Group, GroupMember, GroupOrder
from shop.orders import services as orders
from shop.orders.models import Order
from shop.payments.models import Refund
from shop.wallet.audit import run_audit


def fresh(db, model, ident):
    db.session.expire_all()
    return db.session.get(model, ident)


def group_of(db, order):
    return fresh(db, GroupOrder, order.id).group


def test_the_opener_pays_at_the_group_price_and_opens_a_group(db, shop, make_activity, group_order):
    activity = make_activity(group_size=3, hours_limit=12)
    order = group_order(activity)
    line = order.lines[0]
    assert (line.unit_price_fen, line.activity_kind, line.activity_id, line.commissionable) == (
        6000, "group", activity.id, False)
    group = group_of(db, order)
    assert (group.status, group.needed, group.paid_count, group.leader_id) == ("open", 3, 1, shop.buyer.id)
    assert group.group_no.startswith("G") and len(group.group_no) == 19
    assert abs((group.expires_at - order.paid_at) - timedelta(hours=12)) < timedelta(seconds=2)
    assert services.group_status_for_order(order).label == "待成团"
    assert db.session.scalars(select(Commission)).all() == []  # the activity pays no commission


def test_a_joiner_fills_the_group_and_then_the_orders_ship(db, shop, make_activity, group_order, member):
    activity = make_activity()
    first = group_order(activity)
    group = group_of(db, first)
    with pytest.raises(ServiceError, match="拼团未成功，暂不能发货"):
        orders.ship_order(first, "顺丰", "SF1")
    second = group_order(activity, buyer=member("小红"), group=group.group_no)
    group = fresh(db, Group, group.id)
    assert (group.status, group.paid_count) == ("succeeded", 2) and group.succeeded_at is not None
    assert [mb.is_leader for mb in group.members] == [True, False]
    assert services.group_status_for_order(second).label == "拼团成功"
    orders.ship_order(fresh(db, Order, first.id), "顺丰", "SF1")
    assert fresh(db, Order, first.id).status == "shipped"


def test_a_non_group_order_ships_as_usual(db, paid_order):
    order = paid_order()
    assert services.group_status_for_order(order) is None
    orders.ship_order(order, "顺丰", "SF1")


def test_duplicate_notifications_never_seat_a_member_twice(db, shop, make_activity, group_order, notify, member):
    activity = make_activity(group_size=3)
    first = group_order(activity)
    group = group_of(db, first)
    joiner = group_order(activity, buyer=member(), group=group.group_no, paid=False)
    for _ in range(3):
        assert notify(joiner.order_no, joiner.pay_total_fen, transaction_id="4200000000000099").status_code == 204
    notify(joiner.order_no, joiner.pay_total_fen, transaction_id="4200000000000100")  # paid twice: auto refund
    group = fresh(db, Group, group.id)
    assert group.paid_count == 2
    assert db.session.scalar(select(func.count()).select_from(GroupMember).where(GroupMember.group_id == group.id)) == 2


@pytest.mark.parametrize("needed, payers, past_deadline, simulate, outcome", [
    (2, 2, False, False, "succeeded"),
    (3, 3, True, False, "succeeded"),   # filled in time: the deadline changes nothing
    (3, 1, True, False, "failed"),
    (3, 2, True, False, "failed"),
    (3, 2, True, True, "succeeded"),    # 模拟成团: one short succeeds
    (4, 2, True, True, "failed"),       # two short: fails even so
    (2, 1, True, True, "succeeded"),
    (3, 2, False, True, "open"),        # not yet due
    (3, 1, False, False, "open"),
])
def test_group_outcome(db, shop, make_activity, group_order, member, needed, payers, past_deadline, simulate,
                       outcome):
    activity = make_activity(group_size=needed, simulate=simulate, hours_limit=2)
    first = group_order(activity)
    group = group_of(db, first)
    for i in range(payers - 1):
        group_order(activity, buyer=member(f"团员{i}"), group=group.group_no)
    closing.close_expired(now=utcnow() + timedelta(hours=3 if past_deadline else 1))
    group = fresh(db, Group, group.id)
    assert group.status == outcome
    assert group.paid_count == payers <= group.needed
    states = set(db.session.scalars(select(GroupOrder.state)))
    assert states == ({"refunded"} if outcome == "failed" else {"joined"})


def test_a_failed_group_refunds_everyone_in_full_and_the_audit_is_clean(db, shop, make_activity, group_order,
                                                                        member):
    activity = make_activity(group_size=3, commission=True)
    first = group_order(activity, quantity=2)
    group = group_of(db, first)
    second = group_order(activity, buyer=member(), group=group.group_no)
    assert db.session.scalar(select(func.count()).select_from(Commission)) > 0
    stock = fresh(db, Sku, shop.sku_id).stock
    later = utcnow() + timedelta(days=2)
    assert closing.close_expired(now=later) == {"failed": 1, "refunded": 2}
    assert closing.close_expired(now=later) == {"refunded": 0}  # twice: nothing more
    for order in (first, second):
        order = fresh(db, Order, order.id)
        assert order.status == "refunded" and order.refunded_fen == order.pay_total_fen
    assert db.session.scalar(select(func.count()).select_from(Refund)) == 2
    assert all(c.net_fen == 0 for c in db.session.scalars(select(Commission)))
    assert fresh(db, Sku, shop.sku_id).stock == stock + 3
    assert services.group_status_for_order(first).label == "拼团未成功，已退款"
    assert run_audit().clean, run_audit().problems


def test_a_payer_of_a_full_group_is_refunded_automatically(db, shop, make_activity, group_order, member):
    activity = make_activity(commission=True)
    leader = member("团长")
    first = group_order(activity, buyer=leader)
    group = group_of(db, first)
    late = group_order(activity, group=group.group_no, paid=False)  # placed while a seat was free
    group_order(activity, buyer=member(), group=group.group_no)     # takes the seat
    paid = _pay(db, late)
    assert paid.status == "refunded" and paid.refunded_fen == paid.pay_total_fen
    assert fresh(db, GroupOrder, late.id).state == "refunded"
    assert fresh(db, Group, group.id).paid_count == 2
    assert run_audit().clean, run_audit().problems


def _pay(db, order):
    from flask import current_app

    from shop.payments.gateways import sandbox
    headers, body = sandbox.build_notification(order.order_no, "4200009999999999", order.pay_total_fen)
    resp = current_app.test_client().post("/pay/notify/sandbox", data=body, headers=headers,
                                          content_type="application/json")
    assert resp.status_code == 204
    return fresh(db, Order, order.id)


def test_a_payer_of_a_full_group_opens_a_new_one_when_the_activity_says_so(db, shop, make_activity, group_order,
                                                                            member):
    activity = make_activity(overflow="new_group")
    group = group_of(db, group_order(activity, buyer=member("团长")))
    late = group_order(activity, group=group.group_no, paid=False)
    group_order(activity, buyer=member(), group=group.group_no)
    late = _pay(db, late)
    assert late.status == "paid"
    new = group_of(db, late)
    assert new.id != group.id and new.leader_id == shop.buyer.id and new.paid_count == 1 and new.status == "open"


def test_a_cancelled_group_order_frees_the_members_limit(db, shop, make_activity, group_order):
    activity = make_activity(per_member_limit=1)
    order = group_order(activity, paid=False)
    with pytest.raises(ServiceError, match="最多参与1次"):
        group_order(activity, paid=False)
    orders.cancel_order(order, reason="buyer")
    assert fresh(db, GroupOrder, order.id).state == "released"
    group_order(activity, paid=False)


def test_a_member_refunded_while_the_group_is_open_gives_the_seat_back(db, shop, make_activity, group_order,
                                                                       member, make_staff):
    from shop.payments.refunds import merchant_refund
    activity = make_activity(group_size=3)
    first = group_order(activity, buyer=member("团长"))
    group = group_of(db, first)
    joiner = group_order(activity, group=group.group_no)
    merchant_refund(fresh(db, Order, joiner.id), "不想要了", make_staff())
    group = fresh(db, Group, group.id)
    assert group.paid_count == 1 and [mb.order_id for mb in group.members] == [first.id]
    assert fresh(db, GroupOrder, joiner.id).state == "refunded"
    group_order(activity, buyer=member(), group=group.group_no)
    assert fresh(db, Group, group.id).paid_count == 2
    assert run_audit().clean, run_audit().problems


def test_the_buyer_cannot_ask_for_a_refund_while_the_group_is_open_but_can_once_it_succeeded(
        db, shop, make_activity, group_order, member):
    from shop.payments.refunds import request_refund
    activity = make_activity(group_size=2)
    opener = group_order(activity, buyer=member("团长"))
    group = group_of(db, opener)
    with pytest.raises(ServiceError, match="拼团进行中"):
        request_refund(opener.user, fresh(db, Order, opener.id), "不想等了")
    assert db.session.scalar(select(func.count(Refund.id))) == 0
    group_order(activity, group=group.group_no)
    assert fresh(db, Group, group.id).status == "succeeded"
    refund = request_refund(opener.user, fresh(db, Order, opener.id), "不想要了")
    assert refund.status == "requested"


def test_a_joiner_paying_after_the_deadline_is_refunded_and_the_group_is_untouched(db, shop, make_activity,
                                                                                   group_order, member):
    activity = make_activity(group_size=3)
    group = group_of(db, group_order(activity, buyer=member("团长")))
    late = group_order(activity, group=group.group_no, paid=False)
    db.session.get(Group, group.id).expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    late = _pay(db, late)
    assert late.status == "refunded" and fresh(db, GroupOrder, late.id).note.startswith("这个团已过期")
    assert fresh(db, Group, group.id).paid_count == 1
    assert run_audit().clean, run_audit().problems


def test_an_opener_paying_after_the_activity_ended_is_refunded(db, shop, make_activity, group_order):
    from shop.groupbuy.models import GroupActivity
    activity = make_activity(commission=True)
    order = group_order(activity, paid=False)
    db.session.get(GroupActivity, activity.id).ends_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    order = _pay(db, order)
    assert order.status == "refunded" and db.session.scalars(select(Group)).all() == []
    assert run_audit().clean, run_audit().problems
