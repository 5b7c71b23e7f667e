"""Leaderboards: top distributors by net commission created and by members bound, this week and this month
(China time), names masked, at most 20 rows."""
import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import update

from shop import clock
from shop.center import queries
from shop.center.masking import mask_name
from shop.clock import utcnow
from shop.distribution import binding
from shop.distribution import services as distribution
from shop.distribution.models import Commission, ReferralNode


def ranked(html):
    return re.findall(r'id="rank-(\d+)">\s*<span class="rank[^"]*">\d+</span>\s*<span class="grow">([^<]+)', html)


def test_commission_board_ranks_net_commission_of_the_week(client, db, login, shop, paid_order):
    paid_order(quantity=3)   # B earns ¥30, A ¥15
    login(shop.a)
    html = client.get("/center/ranking").get_data(as_text=True)
    assert [name.strip() for _rank, name in ranked(html)] == ["小**", "阿**"]
    assert "¥30.00" in html and "¥15.00" in html and "阿强" not in html
    assert 'class="rank-row me" id="rank-2"' in html


def test_refunds_and_older_commissions_do_not_count(db, shop, paid_order):
    now = datetime(2026, 3, 18, 4, 0)  # Wednesday noon in China; the week began Monday March 16 (China)
    last_week, this_week = paid_order(), paid_order(quantity=2)
    db.session.execute(update(Commission).where(Commission.order_id == last_week.id)
                       .values(created_at=datetime(2026, 3, 15, 15, 59)))  # Sunday 23:59 in China
    db.session.execute(update(Commission).where(Commission.order_id == this_week.id)
                       .values(created_at=datetime(2026, 3, 17, 2, 0)))
    db.session.execute(update(Commission).where(Commission.order_id == this_week.id,
                                                Commission.beneficiary_id == shop.a.id).values(reversed_fen=1000))
    db.session.commit()
    week = queries.leaderboard("commission", "week", now)
    assert [(r["user_id"], r["value"]) for r in week] == [(shop.b.id, 2000)]  # A's ¥10 was all reversed
    month = queries.leaderboard("commission", "month", now)
    assert [(r["user_id"], r["value"]) for r in month] == [(shop.b.id, 3000), (shop.a.id, 500)]


def test_disabled_distributors_are_not_ranked(db, shop, paid_order):
    paid_order()
    distribution.set_active(shop.b.id, False)
    db.session.commit()
    assert [r["user_id"] for r in queries.leaderboard("commission", "week")] == [shop.a.id]


def before_this_week_and_month():
    """A day before both the week and the month began (on the 1st of a month the week may have begun earlier)."""
    return min(clock.period_start("week"), clock.period_start("month")) - timedelta(days=1)


def test_invitee_board_counts_bindings_in_the_period(client, db, login, shop, make_user, make_distributor):
    for i in range(3):
        binding.bind_referrer(make_user().id, shop.b.id, "link")
    moved = make_user()
    binding.admin_move(moved.id, shop.b.id, None, "客服调整")  # not an invitation
    late = make_user()
    binding.bind_referrer(late.id, shop.a.id, "link")
    db.session.execute(update(ReferralNode).where(ReferralNode.user_id == late.id)
                       .values(bound_at=before_this_week_and_month()))
    db.session.commit()
    rows = queries.leaderboard("invitees", "week")
    assert [(r["user_id"], r["value"]) for r in rows][:2] == [(shop.b.id, 4), (shop.a.id, 1)]  # B: 3 + the buyer C
    login(shop.a)
    html = client.get("/center/ranking?board=invitees&period=month").get_data(as_text=True)
    assert "4 人" in html and 'id="ranking-board-invitees" class="on"' in html


def test_at_most_twenty_rows(db, shop, make_user):
    users = [make_user(nickname=f"推广员{i}") for i in range(25)]
    for u in users:
        distribution.become_distributor(u.id, "admin")
    db.session.commit()
    for u in users:
        binding.bind_referrer(make_user().id, u.id, "link")
    db.session.commit()
    assert len(queries.leaderboard("invitees", "month")) == 20


@pytest.mark.parametrize("name,phone,masked", [("阿强", "13811112222", "阿**"), ("Bo", "13811112222", "B**"),
                                                ("王", "13811112222", "王**"), ("", "13811112222", "138****2222")])
def test_names_are_masked(name, phone, masked):
    from shop.accounts.models import User
    assert mask_name(User(nickname=name, phone=phone)) == masked


def test_empty_board(client, login, make_distributor):
    login(make_distributor().user)
    assert "本期还没有上榜的分销商" in client.get("/center/ranking?period=month").get_data(as_text=True)


def test_leaderboard_is_one_query(db, shop, paid_order):
    from shop.sql import count_statements
    paid_order()
    for board in queries.BOARDS:
        with count_statements() as counted:
            queries.leaderboard(board, "month", utcnow())
        assert len(counted) == 1, board
