"""概览 in a real browser at 1280×800: an empty shop, a shop with a week of sales (rolled up, audit clean), and a
shop with large numbers and a failed audit. Screenshots go to test-artifacts/screenshots/dashboard-*.png (the
screen, and -full for the whole page)."""
# ruff: noqa: F811  (the fixtures imported below are parameters of the tests)
from datetime import timedelta

import pytest

from shop.admin.dashboard.services import china_today
from shop.reports.models import AuditRun, DailyDistributorSales, DailyFigures, DailyProductSales
from shop.reports.rollups import build_rollups
from tests.browser.journey import expect_text
from tests.browser.test_aftersales_browser import log_in_staff as log_in
from tests.reports.conftest import joined, refund, sale  # noqa: F401  (paid orders on chosen days)


def shoot(tab, screenshot, name):
    screenshot(tab, f"dashboard-{name}")
    tab.screenshot(path=screenshot(tab, f"dashboard-{name}-full"), full_page=True)


@pytest.fixture
def merchant(db, make_staff):
    staff = make_staff(display_name="店长")
    db.session.commit()
    return staff


def test_dashboard_of_an_empty_shop(db, merchant, desk, screenshot):
    log_in(desk, merchant.login, "/admin/")
    expect_text(desk, "这段时间还没有成交")
    shoot(desk, screenshot, "1-empty")


def test_dashboard_with_a_week_of_sales(db, shop, merchant, sale, refund, joined, make_user, make_product,
                                        desk, screenshot):
    teapot = make_product("青瓷茶壶 · 手工拉坯 500ml", skus=[(26800, 50, ["青", "大"])])
    for days_ago, quantity in ((6, 1), (5, 3), (4, 2), (3, 1), (2, 5), (1, 2), (0, 2)):
        sale(days_ago=days_ago, quantity=quantity)
        sale(days_ago=days_ago, quantity=1, buyer=make_user(), product=teapot)
    for n, user in enumerate((shop.a, shop.b, shop.buyer)):
        joined(user, 6 - n * 2)
    refund(sale(days_ago=3, quantity=2), quantity=1)
    build_rollups()
    db.session.add(AuditRun(clean=True))
    db.session.commit()
    log_in(desk, merchant.login, "/admin/")
    desk.goto("/admin/?period=7d")
    expect_text(desk, "青瓷茶壶")
    shoot(desk, screenshot, "2-week")
    desk.goto("/admin/?period=range&start=2026-02-30&end=2026-03-01")
    expect_text(desk, "请输入正确的日期")
    shoot(desk, screenshot, "3-bad-range")


def test_dashboard_with_large_numbers(db, merchant, make_user, make_product, desk, screenshot):
    today = china_today()
    products = [make_product(f"超长名字的商品 {n} 号 · 限量联名款礼盒装（含赠品和专属包装）", skus=[(9900, 9, ["红", "M"])])
                for n in range(10)]
    people = [make_user(nickname=f"金牌推广员{n}号") for n in range(10)]
    for back in range(1, 31):
        day = today - timedelta(days=back)
        db.session.add(DailyFigures(day=day, sales_fen=1_234_567_890 + back * 9_876_543, orders=98_765 + back,
                                    distributor_sales_fen=987_654_321, refunds_fen=12_345_678, refunds=1_234,
                                    new_members=23_456 + back * 37, new_distributors=3_456,
                                    commission_created_fen=123_456_789 + back * 1_000_000,
                                    commission_settled_fen=111_111_111, commission_reversed_fen=2_222_222))
        for n, product in enumerate(products):
            db.session.add(DailyProductSales(day=day, product_id=product.id, sales_fen=99_999_999 - n * 7_654_321,
                                             quantity=12_345 - n))
        for n, person in enumerate(people):
            db.session.add(DailyDistributorSales(day=day, user_id=person.id, commission_fen=8_888_888 - n * 654_321,
                                                 sales_fen=88_888_888))
    db.session.add(AuditRun(clean=False, problem_count=12, summary="account 42: balances (100, 0, 0, 0) != ledger "
                                                                   "sums (90, 0, 0, 0); commission 7 ..."))
    db.session.commit()
    log_in(desk, merchant.login, "/admin/")
    desk.goto("/admin/?period=30d")
    expect_text(desk, "12个问题")
    shoot(desk, screenshot, "4-large")
