"""Policy preview, invite funnel and fraud flags in a real browser: the rules page with a preview, the admin's
funnel and flags at 1280×800, and the distributor's 我的漏斗 at 375×812. Screenshots go to
test-artifacts/screenshots/growth-*.png."""
import pytest

from shop.clock import utcnow
from shop.growth.fraud import record_sighting
from shop.growth.visits import count_visit
from tests.browser.journey import expect_text
from tests.browser.test_aftersales_browser import log_in, log_in_staff


@pytest.fixture
def activity(db, shop, paid_order, make_user):
    """Visits of B's links from every source, the buyer's orders (one held: C logged in on B's device)."""
    for source, n in (("link", 12), ("qr", 7), ("poster", 4), ("share", 9)):
        for _ in range(n):
            count_visit(shop.b.id, source)
    for _ in range(3):
        count_visit(shop.a.id, "link")
    paid_order(quantity=2)
    for user in (shop.buyer, shop.b):
        record_sighting(user.id, "login", ("d" * 32, "10.0.0.1"), now=utcnow())
    db.session.commit()
    paid_order()
    db.session.rollback()


def test_admin_policy_preview_funnel_and_flags(db, shop, activity, make_staff, desk, screenshot):
    staff = make_staff(display_name="店长")
    db.session.rollback()
    log_in_staff(desk, staff.login, "/admin/distribution/rules")
    desk.get_by_label("一级佣金比例（%）").fill("8")
    desk.get_by_label("二级佣金比例（%）").fill("6")
    desk.get_by_role("button", name="试算（不保存）").click()
    expect_text(desk, "规则试算")
    desk.screenshot(path=screenshot(desk, "growth-1-rules-preview"), full_page=True)
    desk.goto("/admin/growth/funnel")
    expect_text(desk, "按分销商")
    screenshot(desk, "growth-2-admin-funnel")
    desk.goto("/admin/growth/flags")
    expect_text(desk, "与上级使用同一设备")
    screenshot(desk, "growth-3-admin-flags")
    desk.get_by_placeholder("处理原因（必填）").fill("夫妻共用手机，已电话核实")
    desk.get_by_role("button", name="放行").click()
    expect_text(desk, "已放行")
    desk.goto("/admin/growth/flags?status=cleared")
    expect_text(desk, "夫妻共用手机")
    screenshot(desk, "growth-4-admin-flag-cleared")


def test_my_funnel_on_a_phone(db, shop, activity, page, screenshot):
    log_in(page, shop.b.phone, "/center/funnel")
    expect_text(page, "我的漏斗")
    page.screenshot(path=screenshot(page, "growth-5-my-funnel"), full_page=True)
    page.get_by_role("link", name="近 30 天").click()
    expect_text(page, "访问来源")
