"""The money loop in real Chromium: shoppers and the distributor at 375×812, the merchant's admin at 1280×800.

A shopper asks back one of three units; the merchant approves it with restock; the distributor sees the
commission reduced, with the shopper's reason. A second shopper's refund is rejected with a reason that
shopper reads. At the end the audit is clean. Screenshots go to test-artifacts/screenshots/loop-*.png.

The journey is told in steps (tests/browser/journey.py): a failure names its step, and the steps after it skip."""
import pytest
from sqlalchemy import select

from shop.catalog.models import Sku
from shop.distribution.models import Commission
from shop.orders.models import Order
from shop.payments.models import Refund
from shop.wallet.audit import run_audit
from tests.browser.journey import JourneySteps, arrive, expect_text

pytestmark = pytest.mark.browser

ADMIN = {"width": 1280, "height": 800}
REASON = "尺码偏小，三件里退一件"
REJECTION = "商品已拆封使用，影响二次销售，不支持退款"


def log_in(tab, phone, next_path):
    tab.goto(next_path)
    tab.locator("#pw").get_by_label("手机号").fill(phone)
    tab.locator("#pw").get_by_label("密码").fill("secret123")
    tab.locator("#pw").get_by_role("button", name="登录").click()
    arrive(tab, next_path)


def open_desk(journey):
    """The merchant's laptop: a 1280×800 tab of its own."""
    context = journey.browser.new_context(viewport=ADMIN, locale="zh-CN", base_url=journey.base_url)
    context.set_default_timeout(15_000)
    journey.contexts.append(context)
    return context.new_page()


class TestMoneyLoopJourney(JourneySteps):
    """Refunds answered by the merchant and the commission following them, seen by everyone concerned."""

    def test_two_shoppers_have_paid(self, journey, db, shop, paid_order, make_user, make_distributor):
        """The commission shop (A invites B, B invites the buyer C; 10% / 5%); C buys three units, D (also B's)
        one. The merchant's clerk is staff."""
        from shop.distribution import binding
        d = make_user(nickname="买家D", phone="13766667777")
        assert binding.bind_referrer(d.id, shop.b.id, "link") == binding.BOUND
        db.session.commit()
        first, second = paid_order(quantity=3), paid_order(quantity=1, buyer=d)
        clerk = make_user(is_admin=True, nickname="客服小王", phone="13800001111")
        journey.ids = {"c": shop.buyer.phone, "d": d.phone, "b": shop.b.phone, "clerk": clerk.phone,
                       "first": first.order_no, "second": second.order_no, "sku": shop.sku_id}
        db.session.rollback()

    def test_the_shopper_asks_back_one_unit(self, journey, screenshot):
        phone = journey.c = journey.open()
        log_in(phone, journey.ids["c"], f"/orders/{journey.ids['first']}")
        phone.get_by_role("link", name="申请退款").click()
        phone.get_by_label("退款数量").fill("1")
        phone.locator("input[name=reason]").fill(REASON)
        screenshot(phone, "loop-1-refund-form")
        phone.get_by_role("button", name="提交申请").click()
        expect_text(phone, "申请中")
        assert phone.get_by_role("link", name="申请退款").count() == 0  # not offered again while open
        screenshot(phone, "loop-2-refund-asked")

    def test_the_merchant_approves_it_with_restock(self, journey, db, screenshot):
        desk = journey.desk = open_desk(journey)
        log_in(desk, journey.ids["clerk"], "/admin/refunds")
        expect_text(desk, REASON)
        screenshot(desk, "loop-3-admin-queue")
        desk.locator(".refund-queue tbody tr").first.get_by_role("link", name="处理").click()
        desk.get_by_label("退回库存").check()
        desk.once("dialog", lambda d: d.accept())
        desk.get_by_role("button", name="同意退款").click()
        expect_text(desk, "退款成功")
        expect_text(desk, "已退回库存")
        screenshot(desk, "loop-4-admin-approved")
        db.session.rollback()
        assert db.session.get(Sku, journey.ids["sku"]).stock == 100 - 4 + 1
        journey.c.reload()
        expect_text(journey.c, "已退款")
        screenshot(journey.c, "loop-5-shopper-refunded")

    def test_the_distributor_sees_the_commission_reduced_with_the_reason(self, journey, db, screenshot):
        phone = journey.b = journey.open()
        log_in(phone, journey.ids["b"], "/center/commissions")
        db.session.rollback()
        commission = db.session.scalars(select(Commission).join(Order, Order.id == Commission.order_id).where(
            Order.order_no == journey.ids["first"], Commission.level == 1)).one()
        phone.goto(f"/center/commissions/{commission.id}")
        expect_text(phone, "退款记录")
        assert phone.locator("#commission-reversed").inner_text() == "-¥10.00"
        expect_text(phone, REASON, "#commission-refunds")
        screenshot(phone, "loop-6-commission-reduced")

    def test_a_second_refund_is_rejected_and_the_shopper_reads_why(self, journey, db, screenshot):
        phone = journey.d = journey.open()
        log_in(phone, journey.ids["d"], f"/orders/{journey.ids['second']}")
        phone.get_by_role("link", name="申请退款").click()
        phone.locator("input[name=reason]").fill("不想要了")
        phone.get_by_role("button", name="提交申请").click()
        expect_text(phone, "申请中")
        desk = journey.desk
        desk.goto("/admin/refunds?status=requested")
        desk.locator(".refund-queue tbody tr").first.get_by_role("link", name="处理").click()
        desk.get_by_label("拒绝原因").fill(REJECTION)
        desk.get_by_role("button", name="拒绝申请").click()
        expect_text(desk, "已拒绝")
        screenshot(desk, "loop-7-admin-rejected")
        phone.reload()
        expect_text(phone, "已拒绝")
        expect_text(phone, REJECTION)
        screenshot(phone, "loop-8-shopper-rejected")
        db.session.rollback()
        assert db.session.query(Refund).filter_by(status="rejected").count() == 1

    def test_the_audit_is_clean(self, journey, db):
        db.session.rollback()
        report = run_audit()
        assert report.clean, report.problems
