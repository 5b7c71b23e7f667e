"""The points pages: 我的积分 and the check-in, the entry in 我的, the checkout panel and placing with points, and
the admin area (overview, rules, a member's ledger, adjustments) with who may do what."""
import pytest
from sqlalchemy import select

from shop.orders.models import Order
from shop.points.ledger import balance_of
from shop.settings import DEFAULTS, get_setting
from tests.conftest import login_staff

RULES = {"points_per_yuan": "2", "checkin_points": "3", "checkin_streak_days": "5", "checkin_streak_bonus": "10",
         "invite_points": "50", "invite_points_daily_cap": "200", "points_per_yuan_spent": "200",
         "points_max_share": "30", "points_valid_days": "180"}


def test_me_shows_the_points_entry(client, login, shop, give):
    give(shop.buyer, 1234)
    login(shop.buyer)
    html = client.get("/me").get_data(as_text=True)
    assert 'id="points-entry"' in html and "<b>1234</b>" in html


def test_checking_in_from_the_points_page(client, login, shop, balance):
    login(shop.buyer)
    html = client.get("/me/points").get_data(as_text=True)
    assert "签到领积分" in html and "已连续签到 0 天" in html and html.count("<li class=\"") == 7
    assert client.post("/me/points/checkin").status_code == 303
    html = client.get("/me/points").get_data(as_text=True)
    assert "签到成功，已连续签到 1 天" in html and "今日已签到" in html and 'id="points-balance">5<' in html
    client.post("/me/points/checkin")
    assert "今天已经签到过了" in client.get("/me/points").get_data(as_text=True)
    assert balance(shop.buyer) == 5


def test_the_points_pages_need_a_login(client):
    assert client.get("/me/points").status_code == 302
    assert client.post("/me/points/checkin").status_code == 302


def test_the_checkout_panel_offers_the_points(client, login, shop, give):
    give(shop.buyer, 8000)
    login(shop.buyer)
    html = client.get(f"/checkout?sku_id={shop.sku_id}&quantity=1").get_data(as_text=True)
    assert "可用 8000 积分，本单最多 5000" in html and 'id="points-max"' in html and "points=5000" in html
    html = client.get(f"/checkout?sku_id={shop.sku_id}&quantity=1&points=2500").get_data(as_text=True)
    assert "-¥25.00" in html and "本单使用 2500 积分" in html and "¥75.00" in html  # ¥100 ships free
    html = client.get(f"/checkout?sku_id={shop.sku_id}&quantity=1&points=6000").get_data(as_text=True)
    assert "本单最多可用 5000 积分" in html and "-¥" not in html


def test_no_points_no_panel(client, login, shop):
    login(shop.buyer)
    assert 'id="points-panel"' not in client.get(f"/checkout?sku_id={shop.sku_id}&quantity=1").get_data(as_text=True)


def test_placing_with_points_and_a_refusal_back_to_checkout(db, client, login, shop, give, balance):
    give(shop.buyer, 3000)
    login(shop.buyer)
    form = {"sku_id": shop.sku_id, "quantity": 1, "address_id": shop.address.id}
    resp = client.post("/checkout", data={**form, "points": "3001"})
    assert resp.status_code == 303 and "points=3001" in resp.headers["Location"]
    assert "积分不足：您只有 3000 积分" in client.get(resp.headers["Location"]).get_data(as_text=True)
    assert client.post("/checkout", data={**form, "points": "3000"}).status_code == 302
    order = db.session.scalar(select(Order))
    assert order.discount_fen == 3000 and balance(shop.buyer) == 0


# ---- admin ----------------------------------------------------------------------------------------------------

def test_the_overview_adds_up(client, staff, shop, give, place):
    from shop.orders.pricing import Choice
    give(shop.buyer, 500)
    place(choice=Choice(points=200))
    html = client.get("/admin/points").get_data(as_text=True)
    assert "累计发放" in html and "会员持有" in html and 'id="points-overview"' in html
    html = client.get("/admin/points?q=13755556666").get_data(as_text=True)
    assert f"/admin/points/member/{shop.buyer.id}" in html and ">300<" in html


def test_the_rules_page_saves_every_setting(client, staff):
    html = client.get("/admin/points/settings").get_data(as_text=True)
    assert "每满 1 元奖励" in html and 'value="50"' in html and 'value="365"' in html
    assert client.post("/admin/points/settings", data=RULES).status_code == 302
    assert {key: get_setting(key) for key in ("points_per_yuan", "points_max_share_bp", "points_valid_days")} == \
        {"points_per_yuan": 2, "points_max_share_bp": 3000, "points_valid_days": 180}


@pytest.mark.parametrize("field,value,message", [
    ("points_per_yuan_spent", "0", "须在 1 到 100000 之间"), ("points_max_share", "150", "比例格式不正确"),
    ("checkin_points", "abc", "请填写整数"), ("points_valid_days", "", "请填写"),
])
def test_bad_rules_are_refused_and_change_nothing(client, staff, field, value, message):
    resp = client.post("/admin/points/settings", data={**RULES, field: value})
    assert resp.status_code == 400 and message in resp.get_data(as_text=True)
    assert get_setting("points_per_yuan") == DEFAULTS["points_per_yuan"]


def test_a_members_ledger_and_an_adjustment_with_its_reason(client, staff, shop, give):
    give(shop.buyer, 100)
    page = f"/admin/points/member/{shop.buyer.id}"
    assert "人工调整积分" in client.get(page).get_data(as_text=True)
    url = f"/admin/points/adjust/{shop.buyer.id}"
    resp = client.post(url, data={"direction": "plus", "amount": "50", "reason": ""})
    assert resp.status_code == 400 and "请填写调整原因" in resp.get_data(as_text=True)
    resp = client.post(url, data={"direction": "minus", "amount": "101", "reason": "更正"})
    assert resp.status_code == 400 and "最多可扣减 100" in resp.get_data(as_text=True)
    assert client.post(url, data={"direction": "minus", "amount": "40", "reason": "兑换礼品"}).status_code == 302
    html = client.get(page).get_data(as_text=True)
    assert "兑换礼品" in html and "操作人：店长" in html and balance_of(shop.buyer.id) == 60


def test_an_unknown_member_is_a_404(client, staff):
    assert client.get("/admin/points/member/999999").status_code == 404
    assert client.post("/admin/points/adjust/999999", data={"direction": "plus", "amount": "5",
                                                            "reason": "x"}).status_code == 404


@pytest.mark.parametrize("role,status", [("finance", 302), ("operator", 403), ("service", 403)])
def test_only_finance_and_the_owner_adjust(client, make_staff, shop, role, status):
    login_staff(client, make_staff(role=role))
    resp = client.post(f"/admin/points/adjust/{shop.buyer.id}", data={"direction": "plus", "amount": "5",
                                                                       "reason": "补偿"})
    assert resp.status_code == status


def test_the_member_page_shows_the_balance(client, staff, shop, give):
    give(shop.buyer, 77)
    html = client.get(f"/admin/members/{shop.buyer.id}").get_data(as_text=True)
    assert "积分余额" in html and f"/admin/points/member/{shop.buyer.id}" in html
