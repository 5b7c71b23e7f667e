"""门店 in a real browser at 375×812: B lets the checkout use their location, picks up in the nearest store, pays at
the sandbox cashier and sees the redemption code and its QR code; the store's clerk opens /store, enters the code
and confirms the pickup, and the order is completed. A shopper who refuses the location chooses by city. The
merchant's store list and store page at 1280×800. Screenshots go to test-artifacts/screenshots/stores-*.png."""
import re

import pytest

from shop.orders import status as st
from shop.orders.models import Order
from tests.browser.journey import arrive, expect_text
from tests.browser.test_aftersales_browser import log_in_staff
from tests.browser.test_flash_browser import log_in
from tests.browser.test_marketing_journey import pay_at_cashier
from tests.stores import conftest as store_fixtures
from tests.stores.conftest import PEOPLES_SQUARE, SUZHOU, WEST_LAKE

# The store factories of tests/stores/conftest.py, for this directory too.
make_store, make_clerk = store_fixtures.make_store, store_fixtures.make_clerk

#: B stands on the Bund, about 1.2 km from People's Square.
THE_BUND = {"latitude": 31.240000, "longitude": 121.490000}
LONG = "上海市黄浦区南京东路步行街世纪广场旗舰体验店（地铁二号线南京东路站三号口出）"


@pytest.fixture
def stores(db, make_store, make_clerk, settings):
    settings(shipping_fee_fen=1000, free_shipping_threshold_fen=0)
    near = make_store("人民广场店", at=PEOPLES_SQUARE)
    make_store(LONG, at=(31.2290, 121.4600), detail="南京东路步行街世纪广场 B1 层 101-108 室，靠近地铁口，可电话联系店员")
    make_store("西湖店", at=WEST_LAKE, city="杭州市", province="浙江省", district="西湖区")
    make_store("苏州店", at=SUZHOU, city="苏州市", province="江苏省", district="姑苏区")
    clerk = make_clerk(near, phone="13600000001", nickname="店员小王")
    return near, clerk


def test_pickup_in_the_nearest_store_and_the_clerk_redeems(new_phone, desk, screenshot, db, shop, stores, make_staff):
    near, clerk = stores
    b = new_phone(geolocation=THE_BUND, permissions=["geolocation"])
    log_in(b, shop.buyer.phone, "/")
    b.goto(f"/checkout?sku_id={shop.sku_id}&quantity=1")
    b.locator("#mode-pickup").click()
    arrive(b, r"/checkout\?.*lat=31\.24.*lng=121\.49.*")  # the browser gave its location
    names = b.locator("#pickup-stores .store-name").all_inner_texts()
    assert names[0] == "人民广场店" and names[1] == LONG and names[-1] == "西湖店"
    assert b.locator("#pickup-stores .store-distance").first.inner_text().endswith("km")
    screenshot(b, "stores-01-nearest")
    b.locator("#pickup-stores .store-pick").first.click()
    arrive(b, rf"/checkout\?.*store={near.id}.*")
    expect_text(b, "到店自提，免运费", "#checkout-sums")
    expect_text(b, "¥100.00", "#pay-total")
    screenshot(b, "stores-02-chosen")
    b.get_by_role("button", name="提交订单").click()
    arrive(b, r"/orders/\d+")
    pay_at_cashier(b)
    code = b.locator("#pickup-code-text").inner_text().replace(" ", "")
    assert re.fullmatch(r"\d{12}", code)
    assert b.locator("#pickup-code img").evaluate("img => img.complete && img.naturalWidth > 0")
    expect_text(b, "待提货", ".status-banner")
    screenshot(b, "stores-03-code")

    c = new_phone()
    log_in(c, clerk.phone, "/store")
    expect_text(c, "人民广场店", ".clerk-head")
    screenshot(c, "stores-04-clerk-home")
    c.locator("#clerk-code").fill(f"{code[:4]} {code[4:8]} {code[8:]}")
    c.get_by_role("button", name="查询").click()
    arrive(c, f"/store/redeem/{code}")
    expect_text(c, "买家C")
    expect_text(c, "¥100.00", "#redeem-paid")
    screenshot(c, "stores-05-clerk-order")
    c.once("dialog", lambda dialog: dialog.accept())
    c.get_by_role("button", name="确认提货").click()
    expect_text(c, "核销成功，订单已完成")
    expect_text(c, "已核销", "#redeem-status")
    screenshot(c, "stores-06-redeemed")
    c.goto("/store?tab=redeemed")
    expect_text(c, "买家C")
    screenshot(c, "stores-07-clerk-redeemed")

    db.session.expire_all()
    order = db.session.query(Order).filter_by(pickup_code=code).one()
    assert order.status == st.COMPLETED and order.redeemed_by == clerk.id
    b.reload()
    expect_text(b, "已在门店提货")
    expect_text(b, "已完成", ".status-banner")

    staff = make_staff(role="owner", login="boss")
    log_in_staff(desk, staff.login, "/admin/stores")
    expect_text(desk, "人民广场店")
    expect_text(desk, "¥100.00", ".store-table")
    screenshot(desk, "stores-08-admin-list")
    desk.goto(f"/admin/stores/{near.id}")
    expect_text(desk, "店员小王")
    screenshot(desk, "stores-09-admin-detail")
    desk.goto("/admin/stores/new")
    screenshot(desk, "stores-10-admin-form")


def test_without_location_the_shopper_chooses_a_city(new_phone, screenshot, shop, stores, make_user, make_clerk,
                                                     make_store):
    d = new_phone()  # no geolocation permission: the browser refuses
    log_in(d, shop.buyer.phone, "/")
    d.goto(f"/checkout?sku_id={shop.sku_id}&quantity=1&mode=pickup")
    expect_text(d, "无法获取位置，请选择城市", "#pickup-locate")
    screenshot(d, "stores-11-no-location")
    d.locator("#pickup-city").select_option("杭州市")
    arrive(d, r"/checkout\?.*city=.*")
    assert d.locator("#pickup-stores .store-name").all_inner_texts() == ["西湖店"]
    screenshot(d, "stores-12-by-city")

    empty_clerk = make_clerk(make_store("新开的店", at=WEST_LAKE, city="杭州市"), phone="13600000002")
    e = new_phone()
    log_in(e, empty_clerk.phone, "/store")
    expect_text(e, "暂无待提货订单")
    screenshot(e, "stores-13-clerk-empty")


def test_empty_states(new_phone, desk, screenshot, shop, make_staff):
    """No store yet: the checkout says so (the location is refused), and so does the admin's list."""
    e = new_phone()
    log_in(e, shop.buyer.phone, "/")
    e.goto(f"/checkout?sku_id={shop.sku_id}&quantity=1&mode=pickup")
    expect_text(e, "暂无可自提的门店", "#pickup-panel")
    assert e.get_by_role("button", name="提交订单").is_disabled()
    screenshot(e, "stores-14-no-stores")
    log_in_staff(desk, make_staff(role="viewer", login="guest").login, "/admin/stores")
    expect_text(desk, "还没有门店")
    assert desk.get_by_role("link", name="新建门店").count() == 0  # a viewer reads only
    screenshot(desk, "stores-15-admin-empty")
