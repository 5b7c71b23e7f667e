"""会员: the list searched by phone, nickname or invite code and filtered by registration date, spending and
distributor or not (a fixed number of statements), and a member's page with orders, addresses, referrer, team,
money and binding history."""
from datetime import timedelta

import pytest
from sqlalchemy import update

from shop.accounts.models import User
from shop.clock import utcnow
from shop.distribution import binding
from shop.distribution.models import Distributor
from shop.sql import count_statements


@pytest.fixture
def members(db, shop, paid_order, make_user):
    """The shop (A invites B, B invites the buyer C who paid ¥100) and a member registered ten days ago."""
    paid_order()
    old = make_user(nickname="老会员", phone="13500000009")
    db.session.execute(update(User).where(User.id == old.id).values(created_at=utcnow() - timedelta(days=10)))
    db.session.commit()
    return {"a": shop.a, "b": shop.b, "c": shop.buyer, "old": old}


def listed(client, members, query=""):
    resp = client.get("/admin/members" + query)
    assert resp.status_code == 200, query
    html = resp.get_data(as_text=True)
    return {name for name, user in members.items() if f'id="member-{user.id}"' in html}


@pytest.mark.parametrize("query,expected", [
    ("", {"a", "b", "c", "old"}),
    ("?q=13755556666", {"c"}),
    ("?q=5556", {"c"}),
    ("?q=老会", {"old"}),
    ("?distributor=yes", {"a", "b"}),
    ("?distributor=no", {"c", "old"}),
    ("?spent_over=100", {"c"}),
    ("?spent_over=100.01", set()),
    ("?spent_over=0&distributor=no", {"c", "old"}),
])
def test_search_and_filters(client, staff, members, query, expected):
    assert listed(client, members, query) == expected


def test_search_by_invite_code_and_registration_dates(client, db, staff, members):
    code = db.session.get(Distributor, members["b"].id).invite_code
    assert listed(client, members, f"?q={code}") == {"b"}
    assert listed(client, members, f"?q={code.lower()}") == {"b"}
    today = (utcnow() + timedelta(hours=8)).date()
    assert listed(client, members, f"?start={today}&end={today}") == {"a", "b", "c"}
    ten_days = today - timedelta(days=10)
    assert listed(client, members, f"?start={ten_days}&end={ten_days}") == {"old"}


@pytest.mark.parametrize("query,message", [
    ("?spent_over=-5", "累计付款金额格式不正确"),
    ("?spent_over=abc", "累计付款金额格式不正确"),
    ("?start=2026-99-01", "注册开始日期格式不正确"),
    ("?end=x", "注册结束日期格式不正确"),
    ("?distributor=maybe&q=" + "长" * 500, ""),
])
def test_a_mistyped_filter_is_ignored_with_a_message(client, staff, members, query, message):
    resp = client.get("/admin/members" + query)
    assert resp.status_code == 200 and message in resp.get_data(as_text=True)
    assert "老会员" in resp.get_data(as_text=True) or query.startswith("?distributor")


def test_the_list_shows_referrer_distributor_and_spending(client, db, staff, members):
    html = client.get("/admin/members?q=13755556666").get_data(as_text=True)
    assert "小B" in html and "¥100.00" in html and "买家C" in html
    code = db.session.get(Distributor, members["a"].id).invite_code
    assert code in client.get("/admin/members?distributor=yes").get_data(as_text=True)
    assert "没有符合条件的会员" in client.get("/admin/members?q=nobody-like-this").get_data(as_text=True)


def test_the_list_runs_a_fixed_number_of_statements(client, staff, members, make_user, make_distributor):
    def statements():
        with count_statements() as seen:
            assert client.get("/admin/members?spent_over=0").status_code == 200
        return len(seen)

    few = statements()
    referrer = make_distributor(nickname="新团长")
    for _ in range(6):
        make_distributor(referrer=referrer)
    assert statements() == few


def test_a_member_page_shows_orders_addresses_referrer_team_money_and_bindings(client, db, staff, members, shop):
    binding.admin_move(members["c"].id, members["a"].id, staff, "客户要求改绑")
    db.session.commit()
    html = client.get(f"/admin/members/{members['c'].id}").get_data(as_text=True)
    for text in ("买家C", "13755556666", "文三路 1 号", "¥100.00", "阿强", "客户要求改绑", "后台调整", "店长",
                 "推广链接", "小B", "绑定记录", "最近订单"):
        assert text in html, text
    page_b = client.get(f"/admin/members/{members['b'].id}").get_data(as_text=True)
    assert "邀请码" in page_b and "可提现" in page_b and "冻结" in page_b and "¥10.00" in page_b


def test_an_empty_member_page_and_an_unknown_member(client, staff, members):
    html = client.get(f"/admin/members/{members['old'].id}").get_data(as_text=True)
    assert "还没有订单" in html and "没有收货地址" in html and "没有绑定记录" in html and "无（顶级）" in html
    assert client.get("/admin/members/999999").status_code == 404
    assert client.get("/admin/members/abc").status_code == 404
    assert client.get("/admin/members/99999999999999999999").status_code == 404


def test_strangers_and_shoppers_never_see_members(client, members, login):
    assert client.get("/admin/members").status_code == 302
    assert client.get(f"/admin/members/{members['c'].id}").status_code == 302
    login(members["c"])  # a shopper's session is not a staff session: still sent to the admin login
    assert client.get("/admin/members").headers["Location"].startswith("/admin/login")
    assert client.get("/admin/orders/export.csv").headers["Location"].startswith("/admin/login")
