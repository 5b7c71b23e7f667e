"""提现 and 告警 in real Chromium: the merchant's queue (empty, then with long names and references), one
withdrawal and the alerts at 1280x800; the distributor's withdrawal pages at 375x812 with a 40-digit payment
reference and a long account name, where every label keeps its width and nothing runs off the screen.
Screenshots go to test-artifacts/screenshots/withdrawals-*.png."""
import pytest

from shop.payments.models import PaymentAlert
from shop.wallet import ledger, withdrawals

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 800}
REFERENCE = "2026112022001400000000000000000000001234"  # 40 digits, as Alipay writes them
LONG_NAME = "欧阳诸葛慕容司马上官皇甫令狐宇文长孙东方西门独孤南宫"


def log_in(tab, user):
    tab.goto("/login?next=/")
    tab.locator("#pw").get_by_label("手机号").fill(user.phone)
    tab.locator("#pw").get_by_label("密码").fill("secret123")
    tab.locator("#pw").get_by_role("button", name="登录").click()
    tab.wait_for_url("**/")


def log_in_staff(tab, staff):
    tab.goto("/admin/login")
    tab.get_by_label("登录名").fill(staff.login)
    tab.get_by_label("密码").fill("secret123")
    tab.get_by_role("button", name="登录").click()
    tab.wait_for_url("**/admin/")


def fits_the_screen(tab):
    """Nothing is wider than the window (no sideways scrolling of the page)."""
    width = tab.evaluate("document.documentElement.scrollWidth")
    assert width <= tab.viewport_size["width"], width


LINES_OF_TEXT = "el => { const r = document.createRange(); r.selectNodeContents(el); " \
                "return new Set(Array.from(r.getClientRects(), c => Math.round(c.top))).size; }"


def labels_keep_one_line(tab):
    """Every label of the figures stays on one line, however long its value (today: one character per line)."""
    labels = tab.locator("dl.sums dt").all()
    assert labels
    for label in labels:
        assert label.evaluate(LINES_OF_TEXT) == 1, label.inner_text()


@pytest.fixture
def desktop(browser, live_server):
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN", base_url=live_server)
    context.set_default_timeout(15_000)
    errors = []
    tab = context.new_page()
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    yield tab
    context.close()
    assert not errors, errors


@pytest.fixture
def queue(db, make_staff, make_distributor):
    """Four withdrawals: long names, a 40-digit reference, a long bank account name, one distributor in debt."""
    staff = make_staff(display_name="店长")
    rows = []
    for i, (method, payee) in enumerate([
            ("alipay", {"account": "a.very.long.alipay.account.name@example-company.com.cn", "name": LONG_NAME}),
            ("bank", {"bank": "中国工商银行股份有限公司北京长安街支行营业部", "card_no": "6222020200112345678901",
                      "name": LONG_NAME}),
            ("wechat", {"openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o-very-long-openid"}),
            ("alipay", {"account": "13800001111", "name": "张三"})]):
        user = make_distributor(nickname=f"{LONG_NAME}{i}" if i < 2 else f"分销商{i}").user
        ledger.post(user.id, "adjustment", available=123456, ref_type="adjustment", ref_id=0)
        user.wechat_openid = payee.get("openid")  # a WeChat payee is the member's bound openid
        rows.append(withdrawals.request_withdrawal(user.id, 10000 + i, method, payee))
    db.session.commit()
    withdrawals.approve(rows[0].id, staff)
    withdrawals.mark_paid(rows[0].id, staff, REFERENCE)
    ledger.post(rows[3].user_id, "commission_clawback", available=-200000, ref_type="commission", ref_id=1,
                allow_debt=True)
    db.session.add(PaymentAlert(kind="amount_mismatch", order_no="202611201234567890", amount_fen=5900,
                                transaction_id="4200001234202611201234567890", message="订单应付 ¥59.00，实际支付 ¥0.01；"
                                "该笔付款没有入账，请与顾客核实后退款或补差价。" * 2))
    db.session.add(PaymentAlert(kind="transfer_stuck", message="提现 W2026 的微信转账超过 24 小时仍未完成"))
    db.session.commit()
    db.session.rollback()
    return staff, rows


def test_an_empty_queue_at_1280(desktop, db, make_staff, screenshot):
    staff = make_staff(display_name="店长")
    db.session.rollback()
    log_in_staff(desktop, staff)
    desktop.goto("/admin/withdrawals")
    assert "没有符合条件的提现申请" in desktop.inner_text("main")
    screenshot(desktop, "withdrawals-01-empty-queue")
    fits_the_screen(desktop)


def test_the_queue_detail_and_alerts_at_1280(desktop, db, queue, screenshot):
    staff, rows = queue
    log_in_staff(desktop, staff)
    desktop.goto("/admin/withdrawals")
    assert desktop.locator(".admin-nav .badge").first.inner_text() == "3"
    assert REFERENCE in desktop.inner_text(f"#withdrawal-{rows[0].id}")
    assert "欠款" in desktop.inner_text(f"#withdrawal-{rows[3].id}")
    screenshot(desktop, "withdrawals-02-queue")
    fits_the_screen(desktop)
    desktop.goto(f"/admin/withdrawals/{rows[1].id}")
    screenshot(desktop, "withdrawals-03-detail-requested")
    fits_the_screen(desktop)
    desktop.goto(f"/admin/withdrawals/{rows[0].id}")
    assert REFERENCE in desktop.inner_text("#pay-reference")
    screenshot(desktop, "withdrawals-04-detail-paid")
    fits_the_screen(desktop)
    desktop.goto(f"/admin/withdrawals/{rows[3].id}")
    assert desktop.locator("#withdrawal-debt").is_visible()
    screenshot(desktop, "withdrawals-05-detail-debt")
    desktop.goto("/admin/alerts")
    screenshot(desktop, "withdrawals-06-alerts")
    fits_the_screen(desktop)


def test_the_center_withdrawal_pages_at_375(page, db, queue, screenshot):
    _staff, rows = queue
    paid = rows[0]
    log_in(page, paid.user)
    page.goto(f"/center/withdrawals/{paid.id}")
    assert REFERENCE in page.inner_text("body")
    screenshot(page, "withdrawals-07-center-withdrawal")
    fits_the_screen(page)
    labels_keep_one_line(page)
    page.goto("/center/withdraw")
    screenshot(page, "withdrawals-08-center-withdraw")
    fits_the_screen(page)
    labels_keep_one_line(page)
