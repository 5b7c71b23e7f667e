"""区域代理 in a real browser: the city agent of 上海市 opens the distributor center at 375×812, follows the 区域代理
entry and sees the dividend of a pickup order in a 上海 store; the merchant's agent list and an agent's page at
1280×800. Screenshots go to test-artifacts/screenshots/agents-*.png."""
from tests.browser.journey import arrive, expect_text
from tests.browser.test_aftersales_browser import log_in_staff
from tests.browser.test_flash_browser import log_in
from tests.stores import conftest as store_fixtures

make_store, pickup_order = store_fixtures.make_store, store_fixtures.pickup_order


def test_the_city_agent_sees_a_dividend(new_phone, desk, screenshot, db, shop, make_user, make_store, pickup_order,
                                        make_staff):
    from shop.agents import services
    agent_user = make_user(phone="13600000077", nickname="上海代理老周")
    agent = services.appoint(agent_user.phone, "city", "上海市", "上海市", "", 150)
    services.appoint(make_user(phone="13600000078", nickname="浙江代理").phone, "province", "浙江省", "", "", 100)
    order = pickup_order(make_store("人民广场店"), quantity=2)  # ¥200 picked up in 上海市黄浦区

    a = new_phone()
    log_in(a, agent_user.phone, "/center")
    expect_text(a, "上海市 市级代理", "#agent-entry")
    a.locator("#agent-entry").scroll_into_view_if_needed()
    screenshot(a, "agents-00-center-entry")
    a.locator("#agent-entry-link").click()
    arrive(a, "/center/agent")
    expect_text(a, order.order_no, "#dividend-list")
    expect_text(a, "+¥3.00", "#dividend-list")
    expect_text(a, "¥3.00", "#agent-frozen")
    assert a.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(a, "agents-01-center")
    a.locator("#agent-tab-orders").click()
    arrive(a, r"/center/agent\?tab=orders")
    expect_text(a, order.order_no, "#region-order-list")
    expect_text(a, "人民广场店", "#region-order-list")
    screenshot(a, "agents-01b-region-orders")

    staff = make_staff(role="finance", login="caiwu")
    log_in_staff(desk, staff.login, "/admin/agents")
    expect_text(desk, "上海市上海市", ".agent-table")
    expect_text(desk, "¥200.00", ".agent-table")
    assert desk.locator("#agents-export").is_visible() and desk.locator("#agents-export-csv").is_visible()
    screenshot(desk, "agents-02-admin-list")
    desk.goto(f"/admin/agents/{agent.id}")
    expect_text(desk, order.order_no)
    screenshot(desk, "agents-03-admin-agent")
