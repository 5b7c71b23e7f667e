"""A member's own parts of the product page (the coupons they hold, their 助力免单 campaign, their share link) are
cached per member under a fingerprint read with the session check: a hit sends that one statement, and anything
that changes what the parts show renders them anew: a coupon got, a campaign started or helped, a running
campaign's deadline passing, the invite code coming and going. Each session gets its own CSRF token in them."""
import re
import time
from datetime import timedelta

import pytest

from shop.assist.models import AssistCampaign
from shop.clock import utcnow
from shop.database import transaction
from shop.sql import count_statements
from tests.catalog.conftest import get
from tests.conftest import IS_PG


@pytest.fixture
def product(offered):
    return offered


def cached_parts(client, path):
    """The page after the member's parts went into the cache (the view's render, then a hit that renders the parts)."""
    get(client, path)
    get(client, path)
    state, page = get(client, path)
    assert state == "hit"
    return page


def test_a_hit_with_the_parts_cached_sends_one_statement(product, busy_member):
    client, distributor = busy_member
    path = f"/p/{product.id}"
    cached_parts(client, path)
    with count_statements() as counter:
        state, page = get(client, path)
    assert state == "hit" and len(counter) == 1, "\n".join(s[:90] for s in counter.statements)
    assert counter.statements[0].lstrip().startswith("SELECT users.session_version")
    assert "已领取" in page and "查看我的助力（0/2）" in page and f"ref={distributor.invite_code}" in page


@pytest.mark.skipif(not IS_PG, reason="on SQLite the check shares the app's pool (an in-memory database is one connection)")
def test_on_postgresql_the_check_takes_an_autocommit_connection_and_none_of_the_app_pool(db, product, busy_member):
    """The session check draws from an engine of its own whose connections stay in autocommit (shop/database.py):
    a hit neither checks out a connection of the ORM's pool nor switches one's mode (BEGIN, ROLLBACK, the switch)."""
    from sqlalchemy import event

    from shop.database import autocommit_connection

    client, _distributor = busy_member
    path = f"/p/{product.id}"
    cached_parts(client, path)
    checkouts = []
    record = lambda *_args: checkouts.append(1)  # noqa: E731
    event.listen(db.engine, "checkout", record)
    try:
        assert get(client, path)[0] == "hit" and checkouts == []
    finally:
        event.remove(db.engine, "checkout", record)
    with autocommit_connection() as conn:
        assert conn.connection.dbapi_connection.autocommit is True and conn.engine.pool is not db.engine.pool


def test_a_coupon_claimed_shows_at_once(db, product, member):
    from shop.coupons.models import CouponTemplate
    from shop.coupons.services import claim

    client, user = member()
    path = f"/p/{product.id}"
    assert "coupon-claim" in cached_parts(client, path)
    claim(user, db.session.query(CouponTemplate.id).scalar())  # (the template's count moves the catalog on too)
    page = get(client, path)[1]
    assert "已领取" in page and "coupon-claim" not in page


def test_a_coupon_got_without_the_catalog_moving_shows_at_once(db, product, member):
    """Only the member's coupons change (no template written): the fingerprint alone tells."""
    from shop.coupons.models import Coupon, CouponTemplate

    client, user = member()
    path = f"/p/{product.id}"
    assert "coupon-claim" in cached_parts(client, path)
    now = utcnow()
    db.session.add(Coupon(template_id=db.session.query(CouponTemplate.id).scalar(), user_id=user.id, seq=1,
                          valid_from=now, valid_to=now + timedelta(days=7)))
    db.session.commit()
    state, page = get(client, path)
    assert state == "hit" and "已领取" in page and "coupon-claim" not in page


def test_a_campaign_started_and_helped_shows_at_once(db, product, member, make_user):
    from shop.assist.services import record_help, start

    client, user = member()
    path = f"/p/{product.id}"
    assert 'id="assist-start"' in cached_parts(client, path)
    campaign = start(user, product.id)
    assert "查看我的助力（0/2）" in get(client, path)[1]
    with transaction():
        assert record_help(campaign.id, make_user().id) == "counted"
    state, page = get(client, path)
    assert state == "hit" and "查看我的助力（1/2）" in page


def test_a_running_campaign_past_its_deadline_shows_the_start_again(db, product, member):
    from shop.assist.services import start

    client, user = member()
    path = f"/p/{product.id}"
    campaign = start(user, product.id)
    deadline = utcnow() + timedelta(seconds=1.5)
    db.session.query(AssistCampaign).filter_by(id=campaign.id).update({"deadline": deadline})
    db.session.commit()
    assert "查看我的助力（0/2）" in cached_parts(client, path)
    time.sleep(max((deadline - utcnow()).total_seconds(), 0) + 0.1)
    state, page = get(client, path)
    assert state == "hit" and 'id="assist-start"' in page and "查看我的助力" not in page


def test_the_share_link_follows_the_distributor_status(db, product, busy_member):
    from shop.distribution.services import set_active

    client, distributor = busy_member
    path = f"/p/{product.id}"
    assert f"ref={distributor.invite_code}" in cached_parts(client, path)
    with transaction():
        set_active(distributor.user_id, False)
    assert "product-share" not in get(client, path)[1]
    with transaction():
        set_active(distributor.user_id, True)
    assert f"ref={distributor.invite_code}" in get(client, path)[1]


def test_each_session_of_a_member_gets_its_own_token_in_the_cached_parts(app, db, product, member, monkeypatch):
    from shop.coupons.models import Coupon

    phone, user = member()
    path = f"/p/{product.id}"
    cached_parts(phone, path)
    tablet = app.test_client()
    assert tablet.post("/login", data={"phone": user.phone, "password": "secret123"}).status_code == 302
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    state, page = get(tablet, path)
    form = re.search(r'action="(/coupons/\d+/claim)"><input type="hidden" name="csrf_token" value="([^"]+)"', page)
    assert state == "hit" and form
    assert tablet.post(form.group(1), data={"csrf_token": form.group(2), "next": path}).status_code in (302, 303)
    assert db.session.query(Coupon).filter_by(user_id=user.id).count() == 1


def test_another_member_never_gets_the_parts(product, busy_member, member):
    (busy, distributor), (plain, _) = busy_member, member()
    path = f"/p/{product.id}"
    cached_parts(busy, path)
    cached_parts(plain, path)
    state, page = get(plain, path)
    assert state == "hit" and "已领取" not in page and "查看我的助力" not in page
    assert distributor.invite_code not in page


def test_the_share_link_names_the_host_it_was_asked_on(product, busy_member):
    client, distributor = busy_member
    path = f"/p/{product.id}"
    cached_parts(client, path)
    state, page = get(client, path)
    assert state == "hit" and f"http://localhost/p/{product.id}?ref={distributor.invite_code}" in page
    cookie = client.get_cookie("session").value  # (the test client sends it to its own host only)
    elsewhere = client.application.test_client(use_cookies=False)
    other = elsewhere.get(path, base_url="http://m.example.com", headers={"Cookie": f"session={cookie}"})
    assert other.headers["X-Member-Page-Cache"] == "hit"
    assert f"http://m.example.com/p/{product.id}?ref={distributor.invite_code}" in other.get_data(as_text=True)
