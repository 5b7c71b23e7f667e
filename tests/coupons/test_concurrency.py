"""Claiming under concurrency on PostgreSQL with real threads, each with its own session: never more than the
total, never more than the per-member limit; one coupon never locked by two orders."""

import pytest
from sqlalchemy import func, insert, select

from shop.accounts.models import User
from shop.coupons.models import Coupon, CouponTemplate
from shop.coupons.services import claim
from shop.orders.pricing import Choice
from shop.orders.services import place_order
from tests.conftest import IS_PG, cheap_hash, run_at_once

pytestmark = [pytest.mark.pg, pytest.mark.skipif(not IS_PG, reason="concurrency tests need PostgreSQL "
                                                                     "(set SHOP_TEST_DATABASE_URL)")]



def claims(db, template_id):
    return db.session.execute(select(Coupon.user_id, func.count()).where(Coupon.template_id == template_id)
                              .group_by(Coupon.user_id)).all()


def test_30_members_claiming_10_coupons(app, db, make_template):
    template = make_template(total=10, per_member=1)
    pw = cheap_hash("secret123")
    db.session.execute(insert(User), [{"phone": f"1560000{i:04d}", "password_hash": pw, "nickname": ""}
                                      for i in range(30)])
    db.session.commit()
    users = db.session.scalars(select(User).order_by(User.id)).all()
    tid = template.id
    results = run_at_once(app, db, 30, lambda i: claim(db.session.get(User, users[i].id), tid) and "ok")
    assert results.count("ok") == 10 and all("领完" in r for r in results if r != "ok")
    assert db.session.scalar(select(CouponTemplate.issued).where(CouponTemplate.id == tid)) == 10
    assert db.session.scalar(select(func.count()).select_from(Coupon)) == 10


def test_one_member_in_10_threads_against_a_limit_of_2(app, db, make_template, make_user):
    template, member = make_template(total=100, per_member=2), make_user()
    tid, uid = template.id, member.id
    results = run_at_once(app, db, 10, lambda i: claim(db.session.get(User, uid), tid) and "ok")
    assert results.count("ok") == 2 and all("限领" in r for r in results if r != "ok")
    assert claims(db, tid) == [(uid, 2)]
    assert db.session.scalar(select(CouponTemplate.issued).where(CouponTemplate.id == tid)) == 2


def test_one_coupon_is_locked_by_one_order_only(app, db, shop, make_template, give):
    coupon = give(shop.buyer, make_template(amount_fen=1500))
    buyer_id, sku_id, address_id, wanted = shop.buyer.id, shop.sku_id, shop.address.id, str(coupon.id)

    def order(_i):
        return place_order(db.session.get(User, buyer_id), [(sku_id, 1)], address_id,
                           choice=Choice(coupon=wanted)) and "ok"
    results = run_at_once(app, db, 8, order)
    assert results.count("ok") == 1
    assert all("优惠券" in r for r in results if r != "ok"), results
