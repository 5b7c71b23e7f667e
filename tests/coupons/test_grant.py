"""Getting a coupon: grant's refusals and limits, the validity it computes, the registration reward and the
referrer's reward for an invitee's first paid order (exactly once, even when notifications repeat)."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from shop.accounts.signin import sign_up
from shop.clock import utcnow
from shop.coupons.models import Coupon, CouponTemplate
from shop.coupons.services import claim, grant
from shop.errors import NotFound, ServiceError


def signed_up(app, phone):
    with app.test_request_context():
        return sign_up(phone, "shop-test-pass-7", "新人")


def coupons_of(db, user_id, source=None):
    stmt = select(Coupon).where(Coupon.user_id == user_id)
    return db.session.scalars(stmt.where(Coupon.source == source) if source else stmt).all()


@pytest.mark.parametrize("columns,message", [
    ({"total": 0}, "已被领完"),
    ({"enabled": False}, "已停用"),
    ({"validity": "dates", "ends_at": utcnow() - timedelta(days=1)}, "已过期"),
])
def test_grant_refuses(db, shop, make_template, columns, message):
    template = make_template(**columns)
    with pytest.raises(ServiceError, match=message):
        grant(shop.buyer.id, template.id, "staff")
    db.session.rollback()
    assert coupons_of(db, shop.buyer.id) == [] and db.session.get(CouponTemplate, template.id).issued == 0


def test_claims_stop_at_the_per_member_limit_and_the_total(db, shop, make_template):
    template = make_template(per_member=2, total=3)
    claim(shop.buyer, template.id)
    claim(shop.buyer, template.id)
    with pytest.raises(ServiceError, match="每人限领2张"):
        claim(shop.buyer, template.id)
    claim(shop.a, template.id)
    with pytest.raises(ServiceError, match="已被领完"):
        claim(shop.b, template.id)
    assert [c.seq for c in coupons_of(db, shop.buyer.id)] == [1, 2]
    assert db.session.get(CouponTemplate, template.id).issued == 3


def test_a_reward_only_template_cannot_be_claimed(db, shop, make_template):
    with pytest.raises(NotFound):
        claim(shop.buyer, make_template(obtain="reward").id)


def test_validity_is_computed_at_claim(db, shop, make_template):
    now = utcnow()
    by_days = grant(shop.buyer.id, make_template(valid_days=5).id, "staff", now=now)
    starts, ends = now - timedelta(days=1), now + timedelta(days=9)
    by_dates = grant(shop.buyer.id, make_template(validity="dates", starts_at=starts, ends_at=ends).id, "staff")
    assert (by_days.valid_from, by_days.valid_to) == (now, now + timedelta(days=5))
    assert (by_dates.valid_from, by_dates.valid_to) == (starts, ends)


def test_a_ref_gives_one_coupon_only(db, shop, make_template):
    template = make_template(per_member=1)
    first = grant(shop.buyer.id, template.id, "assist", ref="campaign:1")
    assert grant(shop.buyer.id, template.id, "assist", ref="campaign:1").id == first.id
    db.session.expire_all()
    assert db.session.get(CouponTemplate, template.id).issued == 1


def test_a_new_member_gets_the_registration_reward(app, db, make_template, settings):
    template = make_template(name="新人券", obtain="reward")
    settings(coupon_register_template_id=template.id)
    member = signed_up(app, "13612345678")
    assert [(c.template_id, c.source) for c in coupons_of(db, member.id)] == [(template.id, "register")]


def test_no_reward_configured_none_given(app, db):
    member = signed_up(app, "13612345679")
    assert coupons_of(db, member.id) == []


def test_a_used_up_reward_never_refuses_the_sign_up(app, db, make_template, settings):
    settings(coupon_register_template_id=make_template(total=0, obtain="reward").id)
    member = signed_up(app, "13612345670")
    assert member.id and coupons_of(db, member.id) == []


def test_the_referrer_is_rewarded_once_for_an_invitees_first_paid_order(db, shop, place, notify, pay,
                                                                       make_template, settings):
    settings(coupon_invite_template_id=make_template(name="邀请有礼", obtain="reward", per_member=1).id)
    order = place()
    for _ in range(3):  # the gateway repeats its notification
        assert notify(order.order_no, order.pay_total_fen, transaction_id="4200000000000000000001").status_code == 204
    pay(place())  # the invitee's second paid order earns nothing more
    rewards = coupons_of(db, shop.b.id, "invite")
    assert [(c.user_id, c.ref) for c in rewards] == [(shop.b.id, f"invitee:{shop.buyer.id}")]
    assert coupons_of(db, shop.a.id, "invite") == []


def test_a_second_invitee_rewards_the_referrer_again(db, shop, paid_order, make_user, make_template, settings):
    from shop.distribution import binding
    settings(coupon_invite_template_id=make_template(obtain="reward").id)
    other = make_user(nickname="买家D")
    binding.bind_referrer(other.id, shop.b.id, "link")
    db.session.commit()
    paid_order()
    paid_order(buyer=other)
    assert len(coupons_of(db, shop.b.id, "invite")) == 2


def test_the_demo_coupons_are_seeded_once(db, make_category):
    from shop.coupons import seed_demo
    from shop.settings import get_setting
    make_category("服装")
    seed_demo(echo=lambda _line: None)
    seed_demo(echo=lambda _line: None)
    names = db.session.scalars(select(CouponTemplate.name)).all()
    assert len(names) == 3 and get_setting("coupon_register_template_id")
