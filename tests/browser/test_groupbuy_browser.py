"""拼团 in real Chromium: a member with a long name joins an open group from the product page, pays, and sees the
group page counting down, 我的拼团 and the order's 待成团 (375 px); the admin's activity form, groups and a group
at 1280 px. Nothing runs off the screen. Screenshots: test-artifacts/screenshots/groupbuy-*.png."""
import re

import pytest
from sqlalchemy import select

from shop.groupbuy.models import GroupOrder
from shop.orders.models import Order
from tests.browser.journey import arrive, expect_text
from tests.browser.test_withdrawals_browser import LONG_NAME, desktop, fits_the_screen, log_in, log_in_staff  # noqa: F401
from tests.groupbuy.conftest import group_order, make_activity, member  # noqa: F401  (the group-buy fixtures)

pytestmark = pytest.mark.browser
LONG_TITLE = "超长商品名称：2026 新款加绒加厚连帽卫衣男女同款宽松百搭潮牌外套（送同款袜子两双）"


@pytest.fixture
def open_group(db, shop, make_product, make_activity, group_order, member):  # noqa: F811
    product = make_product(LONG_TITLE, skus=[(12990, 50, ["超大号加长版", "XXXL"]), (11990, 0, ["黑", "M"])])
    activity = make_activity(product=product, price_fen=8990, group_size=3, title="三人团 · " + LONG_TITLE[:20])
    leader = member(LONG_NAME)
    first = _place_for(activity, leader, product)
    db.session.expire_all()
    return product, activity, db.session.get(GroupOrder, first.id).group


def _place_for(activity, leader, product):
    from shop.accounts.services import default_address
    from shop.orders.pricing import Choice
    from shop.orders.services import place_order
    return place_order(leader, [(product.skus[0].id, 1)], default_address(leader).id,
                       choice=Choice(activity=("group", activity.id)))


def test_a_member_joins_a_group_on_the_phone(page, db, shop, open_group, pay, screenshot):  # noqa: F811
    product, activity, _none = open_group
    leader_order = db.session.scalar(select(Order).order_by(Order.id))
    pay(leader_order)
    db.session.expire_all()
    group = db.session.get(GroupOrder, leader_order.id).group
    shop.buyer.nickname = LONG_NAME[::-1]
    db.session.commit()
    log_in(page, shop.buyer)
    page.goto(f"/p/{product.id}")
    expect_text(page, "去参团")
    fits_the_screen(page)
    screenshot(page, "groupbuy-01-product")
    assert page.locator("#gb-start").is_visible()
    page.evaluate("window.scrollBy(0, 500)")
    screenshot(page, "groupbuy-01b-product-panel")
    page.locator(".sku-chip").first.click()
    page.locator(".gb-join").first.click()
    arrive(page, r"/checkout\?.*activity=group.*")
    expect_text(page, "¥89.90")
    screenshot(page, "groupbuy-02-checkout")
    page.get_by_role("button", name="提交订单").click()
    arrive(page, r"/orders/\w+")
    order = db.session.scalar(select(Order).where(Order.user_id == shop.buyer.id))
    pay(order)
    page.goto(f"/orders/{order.order_no}")
    expect_text(page, "待成团")
    screenshot(page, "groupbuy-03-order")
    page.goto(f"/g/{group.group_no}")
    expect_text(page, "还差 1 人成团")
    page.wait_for_function("/\\d\\d:\\d\\d:\\d\\d/.test(document.querySelector('.gb-countdown').textContent)")
    assert re.search(r"\d\d:\d\d:\d\d", page.locator(".gb-countdown").text_content())
    fits_the_screen(page)
    screenshot(page, "groupbuy-04-group")
    page.goto("/me/groups")
    expect_text(page, "拼团中")
    fits_the_screen(page)
    screenshot(page, "groupbuy-05-mine")


def test_the_admin_screens_at_1280(desktop, db, shop, open_group, pay, make_staff, screenshot):  # noqa: F811
    product, activity, _none = open_group
    pay(db.session.scalar(select(Order).order_by(Order.id)))
    db.session.expire_all()
    group = db.session.scalar(select(GroupOrder)).group
    log_in_staff(desktop, make_staff(display_name="店长"))
    desktop.goto("/admin/groupbuy")
    expect_text(desktop, activity.title)
    fits_the_screen(desktop)
    screenshot(desktop, "groupbuy-admin-01-activities")
    desktop.goto(f"/admin/groupbuy/{activity.id}/edit")
    fits_the_screen(desktop)
    screenshot(desktop, "groupbuy-admin-02-form")
    desktop.goto("/admin/groupbuy/groups")
    expect_text(desktop, group.group_no)
    fits_the_screen(desktop)
    screenshot(desktop, "groupbuy-admin-03-groups")
    desktop.goto(f"/admin/groupbuy/groups/{group.id}")
    fits_the_screen(desktop)
    screenshot(desktop, "groupbuy-admin-04-group")
