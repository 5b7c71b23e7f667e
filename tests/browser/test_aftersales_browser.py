"""售后 in a real browser: the merchant's queue, a refund's page and the order page's refund form at 1280×800, and
the shopper's order page with an open and a rejected refund at 375×812. Screenshots go to
test-artifacts/screenshots/aftersales-*.png."""
import re

from shop.payments import refunds
from tests.browser.journey import arrive, expect_text

ADMIN = {"width": 1280, "height": 800}
LONG_REASON = ("收到的衣服左袖有一条很长的开线，颜色也和商品详情页的图片差别很大，"
               "联系客服三天没有回复，希望全额退款" * 2)


def log_in(tab, phone, next_path):
    tab.goto(next_path)
    tab.locator("#pw").get_by_label("手机号").fill(phone)
    tab.locator("#pw").get_by_label("密码").fill("secret123")
    tab.locator("#pw").get_by_role("button", name="登录").click()
    arrive(tab, next_path)


def log_in_staff(tab, login, next_path):
    """Staff log in at the admin's own login page, and land on next_path."""
    tab.goto(next_path)
    tab.get_by_label("登录名").fill(login)
    tab.get_by_label("密码").fill("secret123")
    tab.get_by_role("button", name="登录").click()
    arrive(tab, re.escape(next_path))


def test_admin_after_sales_pages(db, shop, paid_order, make_staff, desk, screenshot):
    staff = make_staff(display_name="店长")
    db.session.rollback()
    desk.goto("/admin/refunds")
    desk.get_by_label("登录名").fill(staff.login)
    desk.get_by_label("密码").fill("secret123")
    desk.get_by_role("button", name="登录").click()
    arrive(desk, "/admin/refunds")
    expect_text(desk, "没有符合条件的退款")
    screenshot(desk, "aftersales-1-queue-empty")
    for reason in (LONG_REASON, "尺码不合适"):
        order = paid_order(quantity=3)
        refunds.request_refund(shop.buyer, order, reason, {order.lines[0].id: 2})
    spare = paid_order(quantity=2)
    db.session.rollback()
    desk.goto("/admin/refunds")
    expect_text(desk, "尺码不合适")
    screenshot(desk, "aftersales-2-queue")
    desk.locator(".refund-queue tbody tr").last.get_by_role("link", name="处理").click()
    expect_text(desk, "同意退款")
    screenshot(desk, "aftersales-3-refund")
    desk.get_by_label("退回库存").check()
    desk.once("dialog", lambda d: d.accept())
    desk.get_by_role("button", name="同意退款").click()
    expect_text(desk, "退款成功")
    screenshot(desk, "aftersales-4-refund-succeeded")
    desk.goto(f"/admin/orders/{spare.order_no}")
    expect_text(desk, "商家退款")
    desk.screenshot(path=screenshot(desk, "aftersales-5-order-refund-form"), full_page=True)


def test_shopper_order_page_with_open_and_rejected_refunds(db, shop, paid_order, make_staff, page, screenshot):
    staff = make_staff()
    first, second = paid_order(quantity=2), paid_order(quantity=2)
    refunds.request_refund(shop.buyer, first, LONG_REASON, {first.lines[0].id: 1})
    rejected = refunds.request_refund(shop.buyer, second, "不想要了")
    refunds.reject_refund(rejected.id, staff, "商品已发出，请收货后再申请退货退款，谢谢理解" * 2)
    db.session.rollback()
    log_in(page, shop.buyer.phone, f"/orders/{first.order_no}")
    expect_text(page, "申请中")
    screenshot(page, "aftersales-6-shopper-open")
    page.goto(f"/orders/{second.order_no}")
    expect_text(page, "已拒绝")
    screenshot(page, "aftersales-7-shopper-rejected")
