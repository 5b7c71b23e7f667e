"""我的团队: tabs by level with counts from the counters, each member with what they earned me, search, pages."""
import re

import pytest

from shop.center import queries
from shop.distribution import binding, rules


def member_ids(html):
    return [int(i) for i in re.findall(r'id="team-member-(\d+)"', html)]


def test_tabs_for_two_levels_with_counts(client, login, shop):
    login(shop.a)
    html = client.get("/center/team").get_data(as_text=True)
    assert re.search(r'id="team-tab-1"[^>]*>一级成员 <span class="count">1</span>', html)
    assert re.search(r'id="team-tab-2"[^>]*>二级成员 <span class="count">1</span>', html)
    assert 'id="team-tab-3"' not in html
    assert member_ids(html) == [shop.b.id]


def test_third_tab_when_the_merchant_pays_three_levels(client, db, login, shop, make_user):
    rules.update_global_rules(levels=3, rate3_bp=200)
    d = make_user(nickname="D")
    binding.bind_referrer(d.id, shop.buyer.id, "link")
    db.session.commit()
    login(shop.a)
    html = client.get("/center/team?level=3").get_data(as_text=True)
    assert 'id="team-tab-3"' in html and member_ids(html) == [d.id]


def test_a_level_beyond_the_rules_shows_level_one(client, login, shop):
    login(shop.a)
    assert member_ids(client.get("/center/team?level=3").get_data(as_text=True)) == [shop.b.id]


def test_row_shows_nickname_masked_phone_join_date_orders_and_what_they_earned_me(
        client, db, login, shop, paid_order):
    paid_order(quantity=2)  # C buys ¥200: A earns ¥10.00 at level 2, B ¥20.00 at level 1
    paid_order(buyer=shop.b)  # B buys ¥100 for themself: A earns ¥10.00 at level 1
    login(shop.a)
    level1 = client.get("/center/team?level=1").get_data(as_text=True)
    row = level1[level1.index(f'id="team-member-{shop.b.id}"'):]
    assert "小B" in row and "139****4444" in row and "13933334444" not in level1
    assert "已付款订单 1 笔" in row and "¥10.00" in row
    level2 = client.get("/center/team?level=2").get_data(as_text=True)
    row = level2[level2.index(f'id="team-member-{shop.buyer.id}"'):]
    assert "买家C" in row and "137****6666" in row and "已付款订单 1 笔" in row and "¥10.00" in row


def test_what_they_earned_me_is_net_of_refunds(db, shop, paid_order):
    from shop.distribution.models import Commission
    paid_order(quantity=2)
    commission = db.session.scalar(db.select(Commission).where(Commission.beneficiary_id == shop.a.id))
    commission.reversed_fen = 300
    db.session.commit()
    assert queries.earned_from_members(shop.a.id, [shop.buyer.id, shop.b.id]) == {shop.buyer.id: 700}
    assert queries.earned_from_members(shop.a.id, []) == {}


@pytest.fixture
def big_team(db, shop, make_user):
    """25 more level-1 members under A, with searchable names."""
    members = []
    for i in range(25):
        user = make_user(nickname=f"成员{i:02d}", phone=f"1580000{i:04d}")
        assert binding.bind_referrer(user.id, shop.a.id, "link") == binding.BOUND
        members.append(user)
    db.session.commit()
    return members


def test_pages_of_twenty_newest_first(client, login, shop, big_team):
    login(shop.a)
    first = client.get("/center/team?level=1").get_data(as_text=True)
    second = client.get("/center/team?level=1&page=2").get_data(as_text=True)
    assert member_ids(first) == [u.id for u in reversed(big_team)][:20]
    assert member_ids(second) == [u.id for u in reversed(big_team)][20:] + [shop.b.id]
    assert "1 / 2" in first and "2 / 2" in second and 'class="count">26<' in first


@pytest.mark.parametrize("q,expected", [("成员0", 10), ("15800000001", 1), ("小B", 1), ("nobody", 0)])
def test_search_by_nickname_or_phone(client, login, shop, big_team, q, expected):
    login(shop.a)
    html = client.get(f"/center/team?level=1&q={q}").get_data(as_text=True)
    assert len(member_ids(html)) == expected and f"找到 {expected} 人" in html


def test_search_stays_inside_my_team(client, login, make_distributor, make_user, db, shop):
    stranger = make_user(nickname="小B的表哥")
    z = make_distributor(nickname="Z").user
    binding.bind_referrer(stranger.id, z.id, "link")
    db.session.commit()
    login(shop.a)
    html = client.get("/center/team?level=1&q=小B").get_data(as_text=True)
    assert member_ids(html) == [shop.b.id]


def test_empty_team_invites_to_invite(client, login, make_distributor):
    login(make_distributor().user)
    assert "还没有一级成员" in client.get("/center/team").get_data(as_text=True)
