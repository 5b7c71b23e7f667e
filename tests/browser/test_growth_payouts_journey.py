"""Issue 13's journey in one run, at 375×812 (the merchant at 1280×800): B's invitee C picks up in the nearest
store, the clerk redeems the code, the city agent of 上海市 sees the dividend of that order, and a month later the
pool pays the top grade (金牌) their equal shares. The audit is clean at the end. Screenshots go to
test-artifacts/screenshots/payouts-*.png."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from shop.orders import status as st
from shop.orders.models import Order
from shop.wallet.audit import run_audit
from tests.browser.journey import arrive, expect_text
from tests.browser.test_aftersales_browser import log_in_staff
from tests.browser.test_flash_browser import log_in
from tests.browser.test_marketing_journey import pay_at_cashier
from tests.browser.test_stores_journey import THE_BUND
from tests.pool import conftest as pool_fixtures
from tests.pool.conftest import payable_month
from tests.stores import conftest as store_fixtures
from tests.stores.conftest import PEOPLES_SQUARE, WEST_LAKE

gold, pool_shop = pool_fixtures.gold, pool_fixtures.pool_shop
make_store, make_clerk = store_fixtures.make_store, store_fixtures.make_clerk


@pytest.fixture
def network(db, pool_shop, make_store, make_clerk, make_user):
    """Two stores, a clerk in the nearer one, and the city agent of 上海市 at 1.5%; members who become distributors
    from now on (signing in, being appointed) get the entry grade 普通, not 金牌."""
    from shop.agents import services
    from shop.distribution.models import Grade

    db.session.add(Grade(name="普通", rank=1))
    db.session.commit()

    near = make_store("人民广场店", at=PEOPLES_SQUARE)
    make_store("西湖店", at=WEST_LAKE, city="杭州市", province="浙江省", district="西湖区")
    clerk = make_clerk(near, phone="13600000001", nickname="店员小王")
    agent = make_user(phone="13600000077", nickname="上海代理老周")
    services.appoint(agent.phone, "city", "上海市", "上海市", "", 150)
    return near, clerk, agent


def test_pickup_redemption_agent_dividend_and_the_pool(new_phone, desk, screenshot, db, shop, pool_shop, network,
                                                       make_staff):
    near, clerk, agent = network
    # 1. C picks up in the nearest store and pays
    c = new_phone(geolocation=THE_BUND, permissions=["geolocation"])
    log_in(c, shop.buyer.phone, "/")
    c.goto(f"/checkout?sku_id={shop.sku_id}&quantity=1")
    c.locator("#mode-pickup").click()
    arrive(c, r"/checkout\?.*lat=31\.24.*")
    assert c.locator("#pickup-stores .store-name").all_inner_texts()[0] == "人民广场店"
    c.locator("#pickup-stores .store-pick").first.click()
    arrive(c, rf"/checkout\?.*store={near.id}.*")
    c.get_by_role("button", name="提交订单").click()
    arrive(c, r"/orders/\d+")
    order_no = pay_at_cashier(c)
    code = c.locator("#pickup-code-text").inner_text().replace(" ", "")
    assert re.fullmatch(r"\d{12}", code)
    screenshot(c, "payouts-01-code")

    # 2. the clerk redeems it: the order is completed
    k = new_phone()
    log_in(k, clerk.phone, "/store")
    k.locator("#clerk-code").fill(code)
    k.get_by_role("button", name="查询").click()
    arrive(k, f"/store/redeem/{code}")
    k.once("dialog", lambda dialog: dialog.accept())
    k.get_by_role("button", name="确认提货").click()
    expect_text(k, "核销成功，订单已完成")
    screenshot(k, "payouts-02-redeemed")
    db.session.expire_all()
    order = db.session.scalar(select(Order.id).where(Order.order_no == order_no))
    assert db.session.get(Order, order).status == st.COMPLETED

    # 3. the city agent sees the dividend: 1.5% of ¥100 picked up in 上海市
    a = new_phone()
    log_in(a, agent.phone, "/center")
    a.locator("#agent-entry-link").click()
    arrive(a, "/center/agent")
    expect_text(a, order_no, "#dividend-list")
    expect_text(a, "+¥1.50", "#dividend-list")
    screenshot(a, "payouts-03-agent")

    # 4. a month later: the order was completed in a closed month past its after-sale window; finance pays it
    month = payable_month()
    db.session.execute(update(Order).where(Order.id == order).values(completed_at=month.starts_at + timedelta(days=1)))
    db.session.commit()
    log_in_staff(desk, make_staff("finance", login="caiwu").login, "/admin/pool")
    desk.locator(".pool-pay input[name=period]").fill(month.label)
    desk.get_by_role("button", name="发放该期分红").click()
    arrive(desk, r"/admin/pool/\d+")
    expect_text(desk, "¥10.00")  # 10% of the ¥100 picked up
    # the 金牌 grade: A, B and D, and C, a distributor since signing in (everyone mode) who reached 金牌 (no
    # threshold in this shop) with the order: ¥2.50 each, nothing left over
    shares = desk.locator(".pool-shares tbody").inner_text()
    assert desk.locator(".pool-shares tbody tr").count() == 4 and shares.count("¥2.50") == 8, shares
    for name in ("阿强", "小B", "买家C", "小D"):
        assert name in shares
    screenshot(desk, "payouts-04-pool")
    d = new_phone()
    log_in(d, pool_shop.d.phone, "/center")
    d.locator("#center-nav-dividends").click()
    arrive(d, "/center/dividends")
    expect_text(d, "+¥2.50", f"#dividend-{month.label}")
    screenshot(d, "payouts-05-share")
    assert run_audit().clean, run_audit().problems
