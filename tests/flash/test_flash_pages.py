"""Flash sales on the pages: the home panel with its countdowns, the /flash tabs, the product panel, checkout at the
flash price and a refusal flashed back; and the admin's slots, items and figures."""
from datetime import datetime

import pytest
from sqlalchemy import func, select

from shop.clock import local_time
from shop.flash.models import FlashItem, FlashSlot
from shop.orders import services
from shop.orders.models import Order
from tests.flash.conftest import flash


def text_of(resp):
    assert resp.status_code == 200, resp.status_code
    return resp.get_data(as_text=True)


def test_the_home_panel_shows_the_running_and_coming_slots(db, client, shop, make_slot, make_item):
    running = make_item(slot=make_slot(-10, 60, title="正在抢"), stock=10)
    running.sold = 4
    make_item(slot=make_slot(120, 60, title="下一场"))
    db.session.commit()
    page = text_of(client.get("/"))
    assert "限时秒杀" in page and "距结束" in page and "距开始" in page and "下一场" in page
    assert "¥60.00" in page and "¥100.00" in page and 'class="w-40"' in page and "马上抢" in page
    assert f"activity=flash&amp;activity_id={running.id}&amp;sku_id={shop.sku_id}&amp;quantity=1" in page
    assert "js/flash.js" in page and 'data-remaining="' in page


def test_no_slot_no_panel(db, client, shop, make_slot, make_item):
    make_item(slot=make_slot(-120, 60))  # ended
    make_item(slot=make_slot(-10, 60, is_active=False))  # switched off
    assert "限时秒杀" not in text_of(client.get("/"))
    assert "暂无秒杀活动" in text_of(client.get("/flash"))


def test_sold_out_and_coming_items_say_so(db, client, shop, make_slot, make_item):
    item = make_item(stock=3)
    item.sold = 3
    coming = make_item(slot=make_slot(60, 60, title="晚场"))
    db.session.commit()
    assert "已抢光" in text_of(client.get("/flash"))
    page = text_of(client.get(f"/flash?slot={coming.slot_id}"))
    assert "即将开始" in page and "晚场" in page and "马上抢" not in page


def test_the_product_page_shows_its_flash_price(db, client, shop, make_item):
    make_item(price_fen=5990)
    page = text_of(client.get(f"/p/{shop.product.id}"))
    assert "秒杀" in page and "¥59.90" in page and "马上抢" in page and "限购2件" in page


def test_checkout_at_the_flash_price_and_a_refusal_goes_back_with_a_message(db, client, login, shop, make_item):
    item = make_item(limit=1)
    login(shop.buyer)
    args = f"activity=flash&activity_id={item.id}&sku_id={shop.sku_id}&quantity=1"
    page = text_of(client.get(f"/checkout?{args}"))
    assert "秒杀" in page and "¥60.00" in page and 'name="activity" value="flash"' in page
    form = {"activity": "flash", "activity_id": item.id, "sku_id": shop.sku_id, "quantity": 1,
            "address_id": shop.address.id}
    assert client.post("/checkout", data=form).status_code == 302
    resp = client.post("/checkout", data=form, follow_redirects=True)
    assert "每人限购1件" in resp.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Order)) == 1


def test_admin_creates_a_slot_in_china_time_and_adds_an_item(db, client, staff, shop):
    resp = client.post("/admin/flash/new", data={"title": "20点场", "starts_at": "2030-01-02T20:00",
                                                  "ends_at": "2030-01-02T22:00", "is_active": "y"})
    assert resp.status_code == 302
    slot = db.session.scalar(select(FlashSlot))
    assert slot.starts_at == datetime(2030, 1, 2, 12, 0) and local_time(slot.ends_at) == "2030-01-02 22:00"
    page = text_of(client.get(f"/admin/flash/{slot.id}/items/new?q=好物"))
    assert f"sku_id={shop.sku_id}" in page
    resp = client.post(f"/admin/flash/{slot.id}/items/new", data={
        "sku_id": shop.sku_id, "price_fen": "59.00", "stock": "50", "per_member_limit": "2", "sort": "0"})
    assert resp.status_code == 302
    item = db.session.scalar(select(FlashItem))
    assert (item.price_fen, item.stock, item.per_member_limit, item.commission) == (5900, 50, 2, False)
    page = text_of(client.get(f"/admin/flash/{slot.id}"))
    assert "好物" in page and "¥59.00" in page and "不计佣" in page
    assert "20点场" in text_of(client.get("/admin/flash"))


@pytest.mark.parametrize("data,message", [
    ({"price_fen": "100.00"}, "秒杀价应大于0且低于原价"),
    ({"stock": "0"}, "秒杀库存应在1到1000000之间"),
    ({"per_member_limit": "0"}, "每人限购应在1到99件之间"),
    ({"sku_id": "999999"}, "SKU不存在或已停用"),
    ({"price_fen": "abc"}, "金额格式不正确"),
])
def test_admin_item_refusals(db, client, staff, shop, make_slot, data, message):
    slot = make_slot(60, 60)
    form = {"sku_id": shop.sku_id, "price_fen": "59.00", "stock": "50", "per_member_limit": "2", **data}
    resp = client.post(f"/admin/flash/{slot.id}/items/new", data=form)
    assert resp.status_code == 400 and message in resp.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(FlashItem)) == 0


def test_admin_slot_refuses_an_end_before_its_start(db, client, staff):
    resp = client.post("/admin/flash/new", data={"title": "错场", "starts_at": "2030-01-02T20:00",
                                                  "ends_at": "2030-01-02T19:00"})
    assert resp.status_code == 400 and "结束时间应晚于开始时间" in resp.get_data(as_text=True)


def test_admin_figures_and_no_deleting_what_was_sold(db, client, staff, shop, place, pay, make_item):
    item = make_item(stock=10)
    pay(place(quantity=2, choice=flash(item)))
    other = make_item(slot=item.slot, sku=_other_sku(db, shop))
    services.place_order(shop.buyer, [(other.sku_id, 1)], shop.address.id, choice=flash(other))  # unpaid
    page = text_of(client.get(f"/admin/flash/{item.slot_id}"))
    assert "¥120.00" in page and "2 / 10" in page
    resp = client.post(f"/admin/flash/{item.slot_id}/items/{item.id}/delete", follow_redirects=True)
    assert "不能移除" in resp.get_data(as_text=True)
    resp = client.post(f"/admin/flash/{item.slot_id}/delete", follow_redirects=True)
    assert "不能删除" in resp.get_data(as_text=True) and db.session.get(FlashItem, item.id) is not None


def _other_sku(db, shop):
    from shop.catalog.models import Sku
    sku = Sku(product_id=shop.product.id, spec_values=["蓝", "L"], price_fen=8000, stock=5)
    db.session.add(sku)
    db.session.commit()
    return sku


def test_an_item_of_another_slot_is_a_404(db, client, staff, make_slot, make_item):
    item = make_item()
    other = make_slot(60, 60, title="别场")
    assert client.get(f"/admin/flash/{other.id}/items/{item.id}/edit").status_code == 404
    assert client.post(f"/admin/flash/{other.id}/items/{item.id}/delete").status_code == 404
    assert client.get("/admin/flash/999999").status_code == 404


def test_an_unsold_slot_is_deleted(db, client, staff, make_item):
    item = make_item()
    assert client.post(f"/admin/flash/{item.slot_id}/delete").status_code == 302
    assert db.session.scalar(select(func.count()).select_from(FlashSlot)) == 0


def test_checkout_of_an_ended_slot_goes_back_to_the_flash_page_saying_why_once(db, client, login, shop, make_item,
                                                                              make_slot):
    item = make_item(slot=make_slot(-120, 60, title="早场"))
    login(shop.buyer)
    args = f"activity=flash&activity_id={item.id}&sku_id={shop.sku_id}&quantity=1"
    resp = client.get(f"/checkout?{args}")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/flash")
    assert text_of(client.get("/flash")).count("秒杀已结束") == 1
    form = {"activity": "flash", "activity_id": item.id, "sku_id": shop.sku_id, "quantity": 1,
            "address_id": shop.address.id}
    page = text_of(client.post("/checkout", data=form, follow_redirects=True))
    assert page.count("秒杀已结束") == 1 and db.session.scalar(select(func.count()).select_from(Order)) == 0
