"""The merchant's staff at work in real Chromium at 1280×800 (CSRF on), each with their own account and role: the
operator ships an order (and cannot open the money pages), the finance clerk approves a withdrawal, the owner adjusts
a distributor's commission and reads all three changes in the operation log. Screenshots of each page go to
test-artifacts/screenshots/roles-*.png.

The journey is told in steps (tests/browser/journey.py): a failure names its step, and the steps after it skip."""
import pytest
from sqlalchemy import select

from shop.orders.models import Order
from shop.staff.models import OperationLog
from shop.wallet import adjustments, withdrawals
from shop.wallet.audit import run_audit
from shop.wallet.models import Account, Withdrawal
from tests.browser.journey import JourneySteps, arrive, expect_text

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 800}


def desk(journey):
    """A laptop of its own (its own cookies): one per staff member."""
    context = journey.browser.new_context(viewport=DESKTOP, locale="zh-CN", base_url=journey.base_url)
    context.set_default_timeout(15_000)
    journey.contexts.append(context)
    return context.new_page()


def log_in(tab, login, path):
    tab.goto(path)
    tab.get_by_label("登录名").fill(login)
    tab.get_by_label("密码").fill("secret123")
    tab.get_by_role("button", name="登录").click()
    arrive(tab, path)


def fits_the_screen(tab):
    assert tab.evaluate("document.documentElement.scrollWidth") <= tab.viewport_size["width"]


class TestStaffRolesJourney(JourneySteps):

    def test_the_shop_has_work_waiting(self, journey, db, shop, paid_order, make_staff):
        """A paid order to ship, a distributor's withdrawal to approve, and three staff accounts."""
        order = paid_order(quantity=2)
        adjustments.adjust(shop.a.id, 20000, "开业活动奖励", None)  # A has ¥200.00 available
        w = withdrawals.request_withdrawal(shop.a.id, 8000, "alipay", {"account": "aq@example.com", "name": "阿强"})
        db.session.commit()
        for role, login, name in (("operator", "op-zhao", "运营小赵"), ("finance", "fin-qian", "财务小钱"),
                                  ("owner", "boss-sun", "店长老孙")):
            make_staff(role=role, login=login, display_name=name)
        journey.ids = {"order": order.order_no, "withdrawal": w.id, "a": shop.a.id}
        db.session.rollback()

    def test_the_operator_ships_and_cannot_open_money(self, journey, db, screenshot):
        tab = journey.operator = desk(journey)
        log_in(tab, "op-zhao", f"/admin/orders/{journey.ids['order']}")
        tab.get_by_label("物流公司").fill("顺丰速运")
        tab.get_by_label("运单号").fill("SF1234567890123")
        screenshot(tab, "roles-1-operator-ships")
        tab.get_by_role("button", name="确认发货").click()
        expect_text(tab, "SF1234567890123", "#shipment")
        screenshot(tab, "roles-2-operator-shipped")
        fits_the_screen(tab)
        assert tab.goto("/admin/staff").status == 403  # the owner's (every route and role: tests/admin/test_roles.py)
        screenshot(tab, "roles-3-operator-forbidden")
        db.session.rollback()
        assert db.session.scalar(select(Order.status).where(Order.order_no == journey.ids["order"])) == "shipped"

    def test_finance_approves_the_withdrawal(self, journey, db, screenshot):
        tab = journey.finance = desk(journey)
        log_in(tab, "fin-qian", "/admin/withdrawals")
        screenshot(tab, "roles-4-finance-queue")
        tab.goto(f"/admin/withdrawals/{journey.ids['withdrawal']}")
        tab.once("dialog", lambda d: d.accept())
        tab.get_by_role("button", name="审核通过").click()
        tab.get_by_label("付款凭证号").fill("ALIPAY-2026113000001234")
        tab.get_by_role("button", name="标记已打款").click()
        expect_text(tab, "ALIPAY-2026113000001234")
        screenshot(tab, "roles-5-finance-paid")
        fits_the_screen(tab)
        db.session.rollback()
        assert db.session.get(Withdrawal, journey.ids["withdrawal"]).status == "paid"

    def test_the_owner_adjusts_a_commission_and_reads_the_log(self, journey, db, screenshot):
        tab = journey.owner = desk(journey)
        log_in(tab, "boss-sun", f"/admin/distribution/distributors/{journey.ids['a']}")
        tab.locator("#adjust").get_by_label("增加").check()
        tab.locator("#adjust").get_by_label("金额（元）").fill("66.60")
        tab.locator("#adjust").get_by_label("调整原因").fill("十一月推广冠军奖励")
        tab.once("dialog", lambda d: d.accept())
        tab.locator("#adjust").get_by_role("button", name="确认调整").click()
        expect_text(tab, "十一月推广冠军奖励")
        screenshot(tab, "roles-6-owner-adjusted")
        db.session.rollback()
        assert db.session.get(Account, journey.ids["a"]).available_fen == 20000 - 8000 + 6660
        tab.goto("/admin/oplog")
        for who in ("运营小赵", "财务小钱", "店长老孙"):
            expect_text(tab, who, ".oplog-table")
        screenshot(tab, "roles-7-owner-oplog")
        fits_the_screen(tab)
        logged = {staff_id for staff_id in db.session.scalars(select(OperationLog.staff_id))}
        assert len(logged) == 3

    def test_the_audit_is_clean(self, journey, db):
        db.session.rollback()
        report = run_audit()
        assert report.clean, report.problems
