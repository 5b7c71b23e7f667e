"""分红池 in a real browser: a month later the pool pays the top grade. The orders were completed in a closed
month past its after-sale window; finance pays that month at /admin/pool and reads the period explained (1280×800);
D, a 金牌 distributor who sold nothing, finds their equal share under 推广中心 → 分红 (375×812). Screenshots go to
test-artifacts/screenshots/pool-*.png."""
from datetime import timedelta

import pytest
from sqlalchemy import update

from shop.orders.models import Order
from shop.payments import refunds
from tests.browser.journey import arrive, expect_text
from tests.browser.test_aftersales_browser import log_in_staff
from tests.browser.test_flash_browser import log_in
from tests.pool import conftest as pool_fixtures
from tests.pool.conftest import payable_month

gold, pool_shop, sales = pool_fixtures.gold, pool_fixtures.pool_shop, pool_fixtures.sales


def period_id(url):
    return int(url.rstrip("/").rsplit("/", 1)[1])


@pytest.fixture
def last_month(db, pool_shop, sales):
    """(the payable month, the order ids): the sales of pool_shop, completed a day after that month began."""
    period = payable_month()
    ids = [o.id for o in sales()]
    db.session.execute(update(Order).where(Order.id.in_(ids)).values(completed_at=period.starts_at + timedelta(days=1)))
    db.session.commit()
    return period, ids


def test_a_month_later_the_pool_pays_the_top_grade(new_phone, desk, screenshot, db, pool_shop, last_month,
                                                   make_staff):
    month, order_ids = last_month
    staff = make_staff("finance", login="caiwu")
    log_in_staff(desk, staff.login, "/admin/pool")
    expect_text(desk, "不是分销链条上多出的一级", ".pool-compliance")
    screenshot(desk, "pool-01-admin-settings")
    desk.locator(".pool-pay input[name=period]").fill(month.label)
    desk.get_by_role("button", name="发放该期分红").click()
    arrive(desk, r"/admin/pool/\d+")
    expect_text(desk, f"{month.label} 分红已发放")
    expect_text(desk, "¥13.33")   # the pool: 10% of ¥133.33
    assert desk.locator(".pool-shares tbody tr").count() == 3
    expect_text(desk, "¥0.01", ".stats")  # the remainder stays with the merchant
    screenshot(desk, "pool-02-admin-period")

    d = new_phone()
    log_in(d, pool_shop.d.phone, "/center")
    d.locator("#center-nav-dividends").click()
    arrive(d, "/center/dividends")
    expect_text(d, "+¥4.44", f"#dividend-{month.label}")
    screenshot(d, "pool-03-member-dividends")
    d.locator(f"#dividend-{month.label}").click()
    arrive(d, r"/center/dividends/\d+")
    expect_text(d, "¥13.33", "#dividend-facts")
    expect_text(d, "平均分配", "#dividend-facts")
    screenshot(d, "pool-04-member-dividend")
    d.goto("/center/withdraw")
    expect_text(d, "¥4.44")

    # after payout, B's ¥100 order is refunded: the pool is now floor(¥33.33 x 10%) = ¥3.33, ¥1.11 each, so each
    # share gives back ¥3.33 (¥9.99 in all), and the period page records it
    refunds.merchant_refund(db.session.get(Order, order_ids[0]), "质量问题", staff)
    desk.reload()
    expect_text(desk, "追回分红", ".pool-adjustments")
    expect_text(desk, "¥9.99", ".pool-adjustments")
    desk.locator(".pool-adjustments").scroll_into_view_if_needed()
    screenshot(desk, "pool-05-admin-clawback")
    d.goto(f"/center/dividends/{period_id(desk.url)}")
    expect_text(d, "+¥1.11", "#dividend-amount")
    expect_text(d, "-¥3.33", "#dividend-facts")
    screenshot(d, "pool-06-member-clawed-back")
