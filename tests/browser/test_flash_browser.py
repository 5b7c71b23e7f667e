"""秒杀 in a real browser at 375×812: the home panel's countdown ticks, a member grabs a running item at the flash
price, another member misses a slot that has just ended, and the /flash tabs and product panel; the merchant's slot
page at 1280×800. Screenshots go to test-artifacts/screenshots/flash-*.png."""
import re
from datetime import timedelta
from urllib.parse import quote

import pytest

from shop.clock import utcnow
from shop.flash.models import FlashItem, FlashSlot
from tests.browser.journey import arrive, expect_text
from tests.browser.test_aftersales_browser import log_in_staff


def log_in(tab, phone, next_path):
    """Log in through the real form, then land on next_path (public pages do not ask for a login)."""
    tab.goto("/login?next=" + quote(next_path))
    tab.locator("#pw").get_by_label("手机号").fill(phone)
    tab.locator("#pw").get_by_label("密码").fill("secret123")
    tab.locator("#pw").get_by_role("button", name="登录").click()
    arrive(tab, re.escape(next_path))


LONG = "加厚保暖羊毛混纺高领毛衣男女同款秋冬季新款宽松百搭打底针织衫（限量款）"


@pytest.fixture
def sale(db, shop, make_product):
    """A running slot (long product name, 7 of 10 sold), a coming one, and one that ended a minute ago."""
    now = utcnow()
    long_product = make_product(LONG, skus=[(25900, 20, ["燕麦色", "XL"])])

    def slot(title, start, minutes, items):
        s = FlashSlot(title=title, starts_at=now + timedelta(minutes=start), is_active=True,
                      ends_at=now + timedelta(minutes=start + minutes))
        s.items = [FlashItem(product_id=sku.product_id, sku_id=sku.id, price_fen=price, stock=stock, sold=sold,
                             per_member_limit=2) for sku, price, stock, sold in items]
        db.session.add(s)
        return s
    running = slot("早场 · 爆款直降", -30, 90, [(shop.product.skus[0], 5900, 10, 7),
                                            (long_product.skus[0], 9900, 5, 5)])
    coming = slot("晚场 · 新品首发", 120, 60, [(long_product.skus[0], 12900, 30, 0)])
    ended = slot("刚结束的场次", -61, 60, [(shop.product.skus[0], 3900, 10, 0)])
    db.session.commit()
    return running, ended, coming


def test_a_member_grabs_one_and_another_misses_the_slot(new_phone, desk, screenshot, shop, sale, make_user,
                                                        make_address, make_staff):
    running, ended, coming = sale
    c = new_phone()
    log_in(c, shop.buyer.phone, "/")
    expect_text(c, "限时秒杀", "#flash-home")
    first = c.locator("#flash-home .flash-cd-time").first.inner_text()
    c.wait_for_timeout(1300)
    assert c.locator("#flash-home .flash-cd-time").first.inner_text() != first  # the countdown ticks
    screenshot(c, "flash-01-home")
    c.locator("#flash-home").get_by_role("link", name="马上抢").first.click()
    arrive(c, r"/checkout\?.*activity=flash.*")
    expect_text(c, "¥59.00")
    screenshot(c, "flash-02-checkout")
    c.get_by_role("button", name="提交订单").click()
    arrive(c, r"/orders/\d+")
    expect_text(c, "¥59.00")

    d = new_phone()
    d_user = make_user(nickname="D")
    make_address(d_user)
    item = ended.items[0]
    log_in(d, d_user.phone, "/flash")
    d.goto(f"/checkout?activity=flash&activity_id={item.id}&sku_id={item.sku_id}&quantity=1")
    arrive(d, "/flash")  # back on the flash-sale page, told why
    expect_text(d, "秒杀已结束")
    screenshot(d, "flash-03-missed")
    d.goto("/flash")
    expect_text(d, "已抢光")
    screenshot(d, "flash-04-tabs")
    # The coming slot's tab: 即将开始 when it starts today in China time, else its date (after 22:00 it starts tomorrow).
    tab = d.locator(f'a[href$="slot={coming.id}"]').first
    assert re.search(r"即将开始|\d{2}-\d{2}", tab.inner_text())
    tab.click()
    expect_text(d, "晚场 · 新品首发")
    screenshot(d, "flash-05-coming")
    d.goto(f"/p/{shop.product.id}")
    expect_text(d, "马上抢", "#flash-product")
    d.locator("#flash-product").scroll_into_view_if_needed()
    screenshot(d, "flash-06-product")

    log_in_staff(desk, make_staff().login, f"/admin/flash/{running.id}")
    expect_text(desk, LONG[:10])
    screenshot(desk, "flash-07-admin-slot")
    desk.goto("/admin/flash")
    screenshot(desk, "flash-08-admin-list")
    desk.goto(f"/admin/flash/{running.id}/items/new?q=毛衣")
    screenshot(desk, "flash-09-admin-item")
