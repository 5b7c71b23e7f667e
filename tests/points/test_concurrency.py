"""Points under concurrency on PostgreSQL, with real threads each in its own app context and session: ten check-ins
at once give one; concurrent spends of one balance never overdraw it; expiry on two hosts at once expires once;
two first orders of one invitee paid at once reward the inviter once."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from shop.accounts.models import User
from shop.clock import utcnow
from shop.orders.models import Order
from shop.orders.pricing import Choice
from shop.orders.services import place_order
from shop.points.ledger import balance_of
from shop.points.models import CHECKIN, INVITE, Checkin, PointsEntry
from shop.points.services import check_in, expire_points
from shop.wallet.audit import run_audit
from tests.conftest import IS_PG, run_at_once

pytestmark = [pytest.mark.pg, pytest.mark.skipif(not IS_PG, reason="concurrency tests need PostgreSQL "
                                                                     "(set SHOP_TEST_DATABASE_URL)")]



def test_ten_check_ins_at_once_give_one(app, db, shop):
    user_id = shop.buyer.id

    def checkin(_i):
        check_in(db.session.get(User, user_id))
        return "ok"
    results = run_at_once(app, db, 10, checkin)
    assert results.count("ok") == 1 and all("已经签到" in r for r in results if r != "ok")
    assert db.session.scalar(select(func.count(Checkin.id))) == 1
    assert db.session.scalar(select(func.count(PointsEntry.id)).where(PointsEntry.kind == CHECKIN)) == 1
    assert balance_of(user_id) == 5


def test_concurrent_spends_of_one_balance_never_overdraw_it(app, db, shop, give):
    give(shop.buyer, 1000)
    user_id, address_id, sku_id = shop.buyer.id, shop.address.id, shop.sku_id

    def spend(_i):
        place_order(db.session.get(User, user_id), [(sku_id, 1)], address_id, choice=Choice(points=300))
        return "ok"
    results = run_at_once(app, db, 10, spend)
    assert results.count("ok") == 3 and all("积分不足" in r for r in results if r != "ok")
    assert balance_of(user_id) == 100
    assert db.session.scalar(select(func.count(Order.id))) == 3
    assert run_audit().clean, run_audit().problems


def test_two_hosts_expiring_at_once_expire_once(app, db, shop, give, make_user):
    members = [make_user() for _ in range(5)]
    for member in members:
        give(member, 100, now=utcnow() - timedelta(days=400))
    ids = [member.id for member in members]
    results = run_at_once(app, db, 2, lambda _i: expire_points())
    assert sum(points for _members, points in results) == 500
    assert [balance_of(user_id) for user_id in ids] == [0] * 5
    assert run_audit().clean, run_audit().problems


def test_two_first_orders_paid_at_once_reward_the_inviter_once(app, db, shop, place, notify):
    orders = [place(), place()]
    numbers, inviter = [(o.order_no, o.pay_total_fen) for o in orders], shop.b.id
    results = run_at_once(app, db, 2, lambda i: notify(*numbers[i]).status_code)
    assert results == [204, 204]
    assert db.session.execute(select(PointsEntry.user_id, PointsEntry.delta)
                              .where(PointsEntry.kind == INVITE)).all() == [(inviter, 100)]
    assert run_audit().clean, run_audit().problems
