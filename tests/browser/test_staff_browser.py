"""员工 and 操作日志 in real Chromium at 1280x800 (CSRF on): the admin login, an owner creating a finance clerk,
the clerk logging in and rejecting a withdrawal, then the owner reading the operation log. Screenshots go to
test-artifacts/screenshots/staff-*.png."""
import pytest

from shop.wallet import ledger, withdrawals

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture
def desktop(browser, live_server):
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN", base_url=live_server)
    context.set_default_timeout(15_000)
    tab = context.new_page()
    yield tab
    context.close()


def log_in(tab, login, password="secret123"):
    tab.goto("/admin/login")
    tab.get_by_label("登录名").fill(login)
    tab.get_by_label("密码").fill(password)
    tab.get_by_role("button", name="登录").click()
    tab.wait_for_url("**/admin/")


def fits_the_screen(tab):
    assert tab.evaluate("document.documentElement.scrollWidth") <= tab.viewport_size["width"]


def test_owner_adds_a_clerk_who_acts_and_the_log_shows_it(desktop, db, make_staff, make_distributor, screenshot):
    owner = make_staff(display_name="店长王")
    user = make_distributor(nickname="阿强").user
    ledger.post(user.id, "adjustment", available=10000, ref_type="adjustment", ref_id=0)
    w = withdrawals.request_withdrawal(user.id, 5000, "alipay", {"account": "a@example.com", "name": "张三"})
    db.session.commit()
    db.session.rollback()

    desktop.goto("/admin/withdrawals")
    desktop.wait_for_url("**/admin/login?next=/admin/withdrawals")
    screenshot(desktop, "staff-1-login")
    fits_the_screen(desktop)
    desktop.get_by_label("登录名").fill(owner.login)
    desktop.get_by_label("密码").fill("wrong-password")
    desktop.get_by_role("button", name="登录").click()
    assert "账号或密码错误" in desktop.inner_text("body")
    log_in(desktop, owner.login)

    desktop.goto("/admin/staff/new")
    desktop.get_by_label("登录名").fill("finance-li")
    desktop.get_by_label("姓名").fill("财务小李")
    desktop.get_by_label("角色").select_option("finance")
    desktop.get_by_label("初始密码").fill("li-secret-1")
    desktop.get_by_role("button", name="保存").click()
    desktop.wait_for_url("**/admin/staff")
    assert "财务小李" in desktop.inner_text("main")
    screenshot(desktop, "staff-2-list")
    fits_the_screen(desktop)
    desktop.locator("tr", has_text="财务小李").get_by_role("link", name="编辑 / 重置密码").click()
    assert "重置密码" in desktop.inner_text("main")
    screenshot(desktop, "staff-2b-edit")

    desktop.locator(".admin-user").get_by_role("button", name="退出").click()
    desktop.wait_for_url("**/admin/login")
    log_in(desktop, "finance-li", "li-secret-1")
    nav = desktop.inner_text(".admin-nav")
    assert "提现" in nav and "员工" not in nav and "操作日志" not in nav
    desktop.goto(f"/admin/withdrawals/{w.id}")
    desktop.locator("form[action$='/reject'] input[name=reason]").fill("收款人姓名与实名不符")
    desktop.once("dialog", lambda d: d.accept())
    desktop.locator("form[action$='/reject'] button[type=submit]").click()
    desktop.wait_for_load_state()
    desktop.goto("/admin/staff")
    assert "没有权限访问" in desktop.inner_text("main")
    screenshot(desktop, "staff-3-forbidden")

    desktop.locator(".admin-user").get_by_role("button", name="退出").click()
    log_in(desktop, owner.login)
    desktop.goto("/admin/oplog")
    main = desktop.inner_text("main")
    assert "财务小李" in main and "收款人姓名与实名不符" in main and "rejected" in main
    screenshot(desktop, "staff-4-oplog")
    desktop.screenshot(path=screenshot(desktop, "staff-4-oplog-full").replace(".png", "-page.png"), full_page=True)
    fits_the_screen(desktop)
