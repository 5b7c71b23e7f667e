"""The money loop in real Chromium: shoppers and the distributor at 375×812, the merchant's admin at 1280×800.

A shopper asks back one of three units; the merchant approves it with restock; the distributor sees the
commission reduced, with the shopper's reason. A second shopper's refund is rejected with a reason that
shopper reads. The distributor binds WeChat (the sandbox's imitation of 公众号网页授权), withdraws to WeChat
change, and confirms receipt (确认收款) when the transfer waits for them: the withdrawal completes. A second
transfer fails, and the money is back in available, with the reason shown. At the end the audit is clean. Screenshots go to test-artifacts/screenshots/loop-*.png.

The journey is told in steps (tests/browser/journey.py): a failure names its step, and the steps after it skip."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from shop.catalog.models import Sku
from shop.clock import utcnow
from shop.distribution.models import Commission
from shop.distribution.settlement import freeze_days
from shop.orders import services as orders
from shop.orders.models import Order
from shop.payments.models import Refund
from shop.wallet.audit import run_audit
from shop.wallet.models import Account, Withdrawal
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

    def test_two_shoppers_have_paid(self, journey, db, shop, paid_order, make_user, make_staff):
        """The commission shop (A invites B, B invites the buyer C; 10% / 5%); C buys three units, D (also B's)
        one. The merchant's finance clerk is a staff account."""
        from shop.distribution import binding
        d = make_user(nickname="买家D", phone="13766667777")
        assert binding.bind_referrer(d.id, shop.b.id, "link") == binding.BOUND
        db.session.commit()
        shop.b.wechat_openid = None  # B binds WeChat on the way to withdrawing (make_user binds one by default)
        db.session.commit()
        first, second = paid_order(quantity=3), paid_order(quantity=1, buyer=d)
        clerk = make_staff(role="finance", login="finance-wang", display_name="财务小王")
        journey.ids = {"c": shop.buyer.phone, "d": d.phone, "b": shop.b.phone, "clerk": clerk.login,
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
        desk.goto("/admin/refunds")  # the admin has its own login, for staff accounts
        desk.get_by_label("登录名").fill(journey.ids["clerk"])
        desk.get_by_label("密码").fill("secret123")
        desk.get_by_role("button", name="登录").click()
        arrive(desk, "/admin/refunds")
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

    def test_the_distributor_binds_wechat_and_withdraws(self, journey, db, app, screenshot):
        """Both orders complete past the after-sale window and `flask shop settle` runs: B has ¥30.00 available
        (¥20 left of the first order's ¥30, ¥10 of the second's). B binds WeChat and asks for ¥10.00."""
        db.session.rollback()
        for order_no in (journey.ids["first"], journey.ids["second"]):
            order = db.session.scalar(select(Order).where(Order.order_no == order_no))
            orders.ship_order(order, "顺丰", "SF1")
            orders.confirm_receipt(order, now=utcnow() - timedelta(days=freeze_days() + 1))
        db.session.commit()
        result = app.test_cli_runner().invoke(args=["shop", "settle"])
        assert result.exit_code == 0, result.output
        phone = journey.b
        phone.goto("/center/withdraw")
        assert phone.locator("#withdraw-available").inner_text() == "¥30.00"
        phone.locator("#withdraw-method-wechat").check()
        expect_text(phone, "你还没有绑定微信")
        screenshot(phone, "loop-9-withdraw-unbound")
        phone.locator("#wechat-bind").click()
        arrive(phone, "/center/withdraw(#wechat_redirect)?")  # a redirect keeps the authorize URL's fragment
        phone.locator("#withdraw-method-wechat").check()
        expect_text(phone, "提现到你已绑定的微信零钱")
        phone.locator("#withdraw-amount").fill("10")
        screenshot(phone, "loop-10-withdraw-bound")
        phone.locator("#withdraw-submit").click()
        expect_text(phone, "审核中")
        db.session.rollback()
        journey.first_withdrawal = db.session.scalars(select(Withdrawal)).one().id

    def test_the_merchant_approves_and_the_distributor_confirms_receipt(self, journey, db, screenshot):
        self.approve(journey, journey.first_withdrawal, screenshot, "loop-11-admin-transfer-waiting")
        phone = journey.b
        phone.goto(f"/center/withdrawals/{journey.first_withdrawal}")
        expect_text(phone, "待确认收款", "#withdrawal-transfer-state")
        screenshot(phone, "loop-12-confirm-receipt")
        phone.locator("#transfer-confirm-sandbox").click()
        screenshot(phone, "loop-13-sandbox-confirm")
        phone.locator("#sandbox-transfer-confirm").click()
        arrive(phone, f"/center/withdrawals/{journey.first_withdrawal}")
        expect_text(phone, "已到账", "#withdrawal-status")
        expect_text(phone, "转账成功", "#withdrawal-transfer-state")
        screenshot(phone, "loop-14-withdrawn")
        db.session.rollback()
        account = db.session.get(Account, db.session.get(Withdrawal, journey.first_withdrawal).user_id)
        assert (account.available_fen, account.withdrawing_fen, account.withdrawn_fen) == (2000, 0, 1000)

    def test_a_failed_transfer_gives_the_money_back(self, journey, db, screenshot):
        phone = journey.b
        phone.goto("/center/withdraw")
        phone.locator("#withdraw-method-wechat").check()
        phone.locator("#withdraw-amount").fill("5")
        phone.locator("#withdraw-submit").click()
        expect_text(phone, "审核中")
        db.session.rollback()
        second = db.session.scalars(select(Withdrawal).order_by(Withdrawal.id.desc())).first().id
        self.approve(journey, second, screenshot, "loop-15-admin-second-transfer")
        phone.goto(f"/center/withdrawals/{second}")
        phone.locator("#transfer-confirm-sandbox").click()
        phone.locator("#sandbox-transfer-fail").click()
        arrive(phone, f"/center/withdrawals/{second}")
        expect_text(phone, "打款失败", "#withdrawal-status")
        expect_text(phone, "打款失败的金额已退回可提现余额")
        assert phone.locator("#withdrawal-fail-reason").inner_text().startswith("失败原因：")
        screenshot(phone, "loop-16-transfer-failed")
        phone.goto("/center/withdraw")
        assert phone.locator("#withdraw-available").inner_text() == "¥20.00"
        journey.desk.goto(f"/admin/withdrawals/{second}")
        expect_text(journey.desk, "转账失败")
        screenshot(journey.desk, "loop-17-admin-transfer-failed")

    @staticmethod
    def approve(journey, withdrawal_id, screenshot, name):
        desk = journey.desk
        desk.goto(f"/admin/withdrawals/{withdrawal_id}")
        desk.once("dialog", lambda d: d.accept())
        desk.get_by_role("button", name="审核通过并发起微信转账").click()
        expect_text(desk, "待确认收款")
        screenshot(desk, name)

    def test_the_audit_is_clean(self, journey, db):
        db.session.rollback()
        report = run_audit()
        assert report.clean, report.problems
