"""分红池 in a real browser: a month later the pool pays the top grade. The orders were completed in a closed
month past its after-sale window; finance pays that month at /admin/pool and reads the period explained (1280×800);
D, a 金牌 distributor who sold nothing, finds their equal share under 推广中心 → 分红 (375×812). Screenshots go to
test-artifacts/screenshots/pool-*.png."""
from datetime import timedelta

import pytest
from sqlalchemy import update

from shop.clock import utcnow
from shop.orders.models import Order
from shop.pool import rules, services
from tests.browser.journey import arrive, expect_text
from tests.browser.test_aftersales_browser import log_in_staff
from tests.browser.test_flash_browser import log_in
from tests.pool import conftest as pool_fixtures

gold, pool_shop, sales = pool_fixtures.gold, pool_fixtures.pool_shop, pool_fixtures.sales


def payable_month():
    """The latest closed month whose after-sale window has passed by now."""
    period = rules.last_closed("month", utcnow())
    while utcnow() < services.payable_from(period):
        period = rules.last_closed("month", period.starts_at)
    return period


@pytest.fixture
def last_month(db, pool_shop, sales):
    """The sales of pool_shop, completed in the payable month (a day after it began)."""
    period = payable_month()
    ids = [o.id for o in sales()]
    db.session.execute(update(Order).where(Order.id.in_(ids)).values(completed_at=period.starts_at + timedelta(days=1)))
    db.session.commit()
    return period


def test_a_month_later_the_pool_pays_the_top_grade(new_phone, desk, screenshot, db, pool_shop, last_month,
                                                   make_staff):
    staff = make_staff("finance", login="caiwu")
    log_in_staff(desk, staff.login, "/admin/pool")
    expect_text(desk, "不是分销链条上多出的一级", ".pool-compliance")
    screenshot(desk, "pool-01-admin-settings")
    desk.locator(".pool-pay input[name=period]").fill(last_month.label)
    desk.get_by_role("button", name="发放该期分红").click()
    arrive(desk, r"/admin/pool/\d+")
    expect_text(desk, f"{last_month.label} 分红已发放")
    expect_text(desk, "¥13.33")   # the pool: 10% of ¥133.33
    assert desk.locator(".pool-shares tbody tr").count() == 3
    expect_text(desk, "¥0.01", ".stats")  # the remainder stays with the merchant
    screenshot(desk, "pool-02-admin-period")

    d = new_phone()
    log_in(d, pool_shop.d.phone, "/center")
    d.locator("#center-nav-dividends").click()
    arrive(d, "/center/dividends")
    expect_text(d, "+¥4.44", f"#dividend-{last_month.label}")
    screenshot(d, "pool-03-member-dividends")
    d.locator(f"#dividend-{last_month.label}").click()
    arrive(d, r"/center/dividends/\d+")
    expect_text(d, "¥13.33", "#dividend-facts")
    expect_text(d, "平均分配", "#dividend-facts")
    screenshot(d, "pool-04-member-dividend")
    d.goto("/center/withdraw")
    expect_text(d, "¥4.44")
