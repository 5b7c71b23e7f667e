"""订单 and 会员 in real Chromium at 1280x800: the empty lists, the order list filtered with long names and large
amounts, an order with its payment and commissions, bulk shipping from the list, the member list and a member's
page; nothing runs off the screen. Screenshots go to test-artifacts/screenshots/admin-lists-*.png."""
import pytest
from sqlalchemy import update

from shop.orders.models import Order
from tests.browser.test_withdrawals_browser import LONG_NAME, desktop, fits_the_screen  # noqa: F401
from tests.browser.test_withdrawals_browser import log_in_staff as log_in

pytestmark = pytest.mark.browser

LONG_TITLE = "超长商品名称：2026 新款加绒加厚连帽卫衣男女同款宽松百搭潮牌外套（送同款袜子两双）"
LONG_ADDRESS = "新疆维吾尔自治区伊犁哈萨克自治州伊宁市解放路街道某某小区 18 号楼 3 单元 1201 室（请放快递柜）"


@pytest.fixture
def busy(db, shop, place, pay, make_staff, make_product, make_address, make_distributor):
    """The staff member, and 24 orders: long names and titles, a ¥12,345,678.90 order, paid and unpaid, through
    the distributor 小B (renamed long)."""
    staff = make_staff(display_name="店长")
    shop.b.nickname = LONG_NAME[:20]
    shop.buyer.nickname = LONG_NAME
    db.session.commit()
    hoodie = make_product(LONG_TITLE, skus=[(1234567890, 1000, ["超大号加长版", "XXXL"])])
    orders = []
    for i in range(24):
        order = place(quantity=1 + i % 3, product=hoodie if i % 2 else None)
        orders.append(pay(order) if i % 4 else order)
    big = orders[-1]
    db.session.execute(update(Order).where(Order.id == big.id).values(address_text=LONG_ADDRESS, note=LONG_ADDRESS))
    db.session.commit()
    for _ in range(3):
        make_distributor(referrer=make_distributor(nickname=LONG_NAME[::-1]))
    db.session.rollback()
    return staff, orders


def test_empty_lists_at_1280(desktop, db, make_user, make_staff, screenshot):  # noqa: F811
    staff, member = make_staff(display_name="店长"), make_user(nickname="新会员")
    db.session.rollback()
    log_in(desktop, staff)
    desktop.goto("/admin/orders?buyer=19900000000")
    assert "没有符合条件的订单" in desktop.inner_text("main")
    screenshot(desktop, "admin-lists-01-orders-empty")
    fits_the_screen(desktop)
    desktop.goto("/admin/members?start=not-a-day&q=nobody")
    assert "没有符合条件的会员" in desktop.inner_text("main") and "格式不正确" in desktop.inner_text("main")
    screenshot(desktop, "admin-lists-02-members-empty")
    fits_the_screen(desktop)
    desktop.goto(f"/admin/members/{member.id}")
    assert "还没有订单" in desktop.inner_text("main")
    screenshot(desktop, "admin-lists-03-member-empty")
    fits_the_screen(desktop)


def test_orders_at_1280(desktop, busy, screenshot):  # noqa: F811
    staff, orders = busy
    log_in(desktop, staff)
    desktop.goto("/admin/orders")
    screenshot(desktop, "admin-lists-04-orders")
    fits_the_screen(desktop)
    desktop.goto("/admin/orders?status=paid&distributor=13933334444&product=卫衣")
    assert "共 12 个订单" in desktop.inner_text("main")
    assert desktop.locator("#order-filters input[name=distributor]").input_value() == "13933334444"
    screenshot(desktop, "admin-lists-05-orders-filtered")
    fits_the_screen(desktop)
    paid = next(o for o in reversed(orders) if o.status == "paid")
    desktop.goto(f"/admin/orders/{paid.order_no}")
    assert "一级佣金" in desktop.inner_text("#commissions") and "二级佣金" in desktop.inner_text("#commissions")
    desktop.screenshot(path=screenshot(desktop, "admin-lists-06-order"), full_page=True)
    fits_the_screen(desktop)


def test_bulk_ship_from_the_list_at_1280(desktop, busy, screenshot):  # noqa: F811
    staff, orders = busy
    log_in(desktop, staff)
    desktop.goto("/admin/orders?status=paid")
    rows = desktop.locator("#bulk-ship tbody tr")
    first, second = rows.nth(0), rows.nth(1)
    first.locator("input[type=checkbox]").check()
    first.locator("select.carrier").select_option("京东物流")
    first.locator("input.tracking").fill("JD1234567890123")
    second.locator("input[type=checkbox]").check()
    second.locator("input.tracking").fill("SF1234567890123")  # no carrier: nothing ships, the order is named
    desktop.get_by_role("button", name="批量发货").click()
    desktop.wait_for_selector("#ship-problems")
    assert "没有发货任何订单" in desktop.inner_text("main")
    assert "填写了运单号，但没有选择物流公司" in desktop.inner_text("#ship-problems")
    assert first.locator("input.tracking").input_value() == "JD1234567890123"  # what was typed is kept
    screenshot(desktop, "admin-lists-07a-bulk-ship-incomplete")
    desktop.locator("#bulk-carrier").select_option("顺丰速运")
    desktop.get_by_role("button", name="应用到所有行").click()
    assert second.locator("select.carrier").input_value() == "顺丰速运"
    first.locator("select.carrier").select_option("京东物流")
    desktop.get_by_role("button", name="批量发货").click()
    desktop.wait_for_selector(".alert-success")
    assert "已发货 2 个订单" in desktop.inner_text("main")
    screenshot(desktop, "admin-lists-07-bulk-shipped")
    fits_the_screen(desktop)


def test_members_at_1280(desktop, busy, shop, screenshot):  # noqa: F811
    staff, _orders = busy
    log_in(desktop, staff)
    desktop.goto("/admin/members")
    screenshot(desktop, "admin-lists-08-members")
    fits_the_screen(desktop)
    desktop.goto("/admin/members?distributor=yes&spent_over=0")
    fits_the_screen(desktop)
    desktop.goto(f"/admin/members/{shop.b.id}")
    assert "绑定记录" in desktop.inner_text("main")
    desktop.screenshot(path=screenshot(desktop, "admin-lists-09-member-distributor"), full_page=True)
    fits_the_screen(desktop)
    desktop.goto(f"/admin/members/{shop.buyer.id}")
    desktop.screenshot(path=screenshot(desktop, "admin-lists-10-member-buyer"), full_page=True)
    fits_the_screen(desktop)
