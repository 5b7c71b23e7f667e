"""助力免单: who starts, what counts as a help (new members only, once each, never the starter, never a lookalike
sharing the starter's device or IP within the hour, only before the deadline), the reward at N helps (a coupon
worth the whole product, once per campaign), the pages and the admin."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from shop.assist import services
from shop.assist.models import AssistCampaign, AssistHelp
from shop.clock import utcnow
from shop.coupons.models import Coupon
from shop.errors import NotFound
from shop.growth.fraud import record_sighting
from tests.conftest import login_staff


def reread(db, campaign):
    db.session.expire_all()
    return db.session.get(AssistCampaign, campaign.id)


def reward_coupons(db, user_id):
    return db.session.scalars(select(Coupon).where(Coupon.user_id == user_id, Coupon.source == "assist")).all()


def test_only_an_enabled_product_can_be_started(db, make_user, make_product, assist_rule):
    member = make_user()
    with pytest.raises(NotFound):
        services.start(member, make_product().id)
    assist_rule.enabled = False
    db.session.commit()
    with pytest.raises(NotFound):
        services.start(member, assist_rule.product_id)


def test_starting_again_returns_the_running_campaign(db, campaign):
    again = services.start(campaign.starter, campaign.assist_product.product_id)
    assert again.id == campaign.id and campaign.deadline - campaign.started_at == timedelta(hours=24)


@pytest.mark.parametrize("who,expected", [("new", "counted"), ("starter", "self"), ("helped before", "already")])
def test_who_counts(db, make_user, campaign, assist_rule, who, expected):
    helper = make_user()
    if who == "helped before":
        other = services.start(make_user(), assist_rule.product_id)
        assert services.record_help(other.id, helper.id) == "counted"
    helper_id = campaign.starter_id if who == "starter" else helper.id
    assert services.record_help(campaign.id, helper_id) == expected
    assert reread(db, campaign).helps == (1 if expected == "counted" else 0)


@pytest.mark.parametrize("starter_seen,helper_seen,minutes_apart,expected", [
    (("dev-A", "10.0.0.1"), ("dev-A", "10.0.0.9"), 0, "lookalike"),      # the starter's device cookie
    (("dev-A", "10.0.0.1"), ("dev-B", "10.0.0.1"), 30, "lookalike"),     # the same IP within the hour
    (("dev-A", "10.0.0.1"), ("dev-B", "10.0.0.1"), 90, "counted"),       # the same IP, hours apart
    (("dev-A", "10.0.0.1"), ("dev-B", "10.0.0.2"), 0, "counted"),
])
def test_a_lookalike_of_the_starter_does_not_count(db, make_user, campaign, starter_seen, helper_seen,
                                                  minutes_apart, expected):
    now = utcnow()
    record_sighting(campaign.starter_id, "login", starter_seen, now=now - timedelta(minutes=minutes_apart))
    helper = make_user()
    record_sighting(helper.id, "register", helper_seen, now=now)
    db.session.commit()
    assert services.record_help(campaign.id, helper.id) == expected


def test_a_help_after_the_deadline_does_not_count(db, make_user, campaign):
    late = campaign.deadline + timedelta(seconds=1)
    assert services.record_help(campaign.id, make_user().id, now=late) == "closed"
    assert reread(db, campaign).state(late) == "expired"


def test_n_helps_win_a_coupon_worth_the_product_once(db, make_user, campaign, shop):
    assert services.record_help(campaign.id, make_user().id) == "counted"
    assert reward_coupons(db, campaign.starter_id) == []
    assert services.record_help(campaign.id, make_user().id) == "counted"
    assert services.record_help(campaign.id, make_user().id) == "closed"  # full: the third counts no more
    db.session.commit()
    done = reread(db, campaign)
    (coupon,) = reward_coupons(db, campaign.starter_id)
    assert done.status == "succeeded" and done.helps == 2 and done.coupon_id == coupon.id
    assert coupon.template.amount_fen == 8800 and coupon.template.scope_ids == [done.assist_product.product_id]
    assert coupon.ref == f"campaign:{campaign.id}"
    assert db.session.scalar(select(AssistHelp.id).where(AssistHelp.campaign_id == campaign.id).offset(2)) is None


def test_the_reward_makes_the_product_free(db, make_user, make_address, campaign):
    from shop.orders.services import place_order
    for _ in range(2):
        services.record_help(campaign.id, make_user().id)
    db.session.commit()
    starter = reread(db, campaign).starter
    product = campaign.assist_product.product
    order = place_order(starter, [(product.skus[1].id, 1)], make_address(starter).id)
    assert order.items_total_fen == 8800 and order.discount_fen == 8800 and order.pay_total_fen == order.shipping_fen


def test_registering_through_the_link_helps(db, client, campaign):
    page = client.get(f"/assist/{campaign.id}").get_data(as_text=True)
    assert "注册帮TA助力" in page and "0 / 2" in page
    resp = client.post("/register", data={"phone": "13612340001", "password": "shop-test-pass-7", "confirm": "shop-test-pass-7",
                                          "nickname": "小助手"}, environ_base={"REMOTE_ADDR": "10.1.1.1"})
    assert resp.status_code == 302
    assert reread(db, campaign).helps == 1


def test_an_existing_member_logging_in_does_not_help(db, client, login, make_user, campaign):
    member = make_user()
    client.get(f"/assist/{campaign.id}")
    login(member)
    assert reread(db, campaign).helps == 0


def test_the_starters_page_shows_masked_helpers_and_the_countdown(db, client, login, make_user, campaign):
    services.record_help(campaign.id, make_user(nickname="王小明").id)
    db.session.commit()
    login(campaign.starter)
    page = client.get(f"/assist/{campaign.id}").get_data(as_text=True)
    assert "王**" in page and "王小明" not in page and 'id="assist-countdown"' in page
    assert 'id="assist-share-link"' in page and "1 / 2" in page
    assert "免单好物" in client.get("/me/assist").get_data(as_text=True)


def test_the_product_page_offers_to_start(db, client, login, make_user, assist_rule):
    member = make_user()
    login(member)
    page = client.get(f"/p/{assist_rule.product_id}").get_data(as_text=True)
    assert 'id="assist-start"' in page and "¥88.00" in page
    resp = client.post(f"/assist/start/{assist_rule.product_id}")
    assert resp.status_code == 302 and "/assist/" in resp.headers["Location"]
    assert "查看我的助力" in client.get(f"/p/{assist_rule.product_id}").get_data(as_text=True)


def test_a_missing_campaign_is_404(db, client):
    assert client.get("/assist/999999").status_code == 404


def test_the_admin_enables_a_product(db, client, make_staff, make_product):
    login_staff(client, make_staff("operator"))
    product = make_product()
    data = {"product_id": str(product.id), "helps_needed": "3", "hours": "48", "enabled": "y"}
    assert client.post("/admin/assist/new", data=data).status_code == 302
    resp = client.post("/admin/assist/new", data=data)
    assert resp.status_code == 400 and "该商品已设置助力免单" in resp.get_data(as_text=True)
    resp = client.post("/admin/assist/new", data={**data, "product_id": "999999"})
    assert resp.status_code == 400 and "商品不存在" in resp.get_data(as_text=True)
    assert product.title in client.get("/admin/assist").get_data(as_text=True)


def test_the_demo_enables_one_product_once(db, make_product):
    from shop.assist import seed_demo
    from shop.assist.models import AssistProduct
    make_product()
    seed_demo(echo=lambda _line: None)
    seed_demo(echo=lambda _line: None)
    assert len(db.session.scalars(select(AssistProduct)).all()) == 1
