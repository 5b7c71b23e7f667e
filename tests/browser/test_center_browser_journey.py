"""推广中心 in real Chromium at 375x812, two phones: distributor A copies the invite link; B opens it on a phone
of their own, registers and pays through the sandbox cashier; A sees B in 我的团队 and the frozen commission
explained; after completion and `flask shop settle` A withdraws to Alipay, the merchant approves and pays
(through the service until the admin screen exists), and A sees it arrive. Every center page is saved under
test-artifacts/screenshots/center-*.png, and the money audit is clean at the end.

The journey is told in steps (tests/browser/journey.py): a failure names its step, and the steps after it skip."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from shop.accounts.models import User
from shop.admin.products.services import add_promo_material
from shop.clock import utcnow
from shop.distribution import rules
from shop.distribution import services as distribution
from shop.distribution.models import Commission, ReferralNode
from shop.distribution.settlement import freeze_days
from shop.orders import services as orders
from shop.orders.models import Order
from shop.settings import set_setting
from shop.staff.models import Staff
from shop.wallet import withdrawals
from shop.wallet.audit import run_audit
from shop.wallet.models import Account, Withdrawal
from tests.browser.journey import JourneySteps, arrive, expect_text, fill_address, sums

pytestmark = pytest.mark.browser

A_PHONE, A_NAME = "13811112222", "阿强"
B_PHONE, B_NAME = "13912345678", "小贝"
PRODUCT = "高山云雾绿茶礼盒"
MATERIAL = "明前头采高山云雾茶，清香回甘，送礼自饮都合适！"
CLIPBOARD = ["clipboard-read", "clipboard-write"]


def text_of(page, selector):
    return " ".join(page.locator(selector).first.inner_text().split())


def center_tab(page, label, path):
    """Go to a center page through the center's own navigation."""
    page.locator("#center-nav").get_by_role("link", name=label, exact=True).click()
    arrive(page, path)
    assert page.locator("#center-nav a.on").inner_text() == label


def wait_for_image(page, element_id, timeout=15_000):
    """The <img id=element_id> is scrolled to and has loaded a real picture (not a broken image)."""
    page.locator(f"#{element_id}").scroll_into_view_if_needed()
    page.wait_for_function("id => { const img = document.getElementById(id); "
                           "return img.complete && img.naturalWidth > 0; }", arg=element_id, timeout=timeout)


def fresh(db):
    """End the test's transaction: see what the live server committed, and hold no SQLite lock."""
    db.session.rollback()
    return db


def settle_by_command(app):
    """`flask shop settle`, in-process (its advisory lock is per schema: no other test run holds it)."""
    result = app.test_cli_runner().invoke(args=["shop", "settle"])
    assert result.exit_code == 0 and "another settlement is running" not in result.output, result.output
    return result.output


class TestDistributorCenterJourney(JourneySteps):
    """Distributor A and their friend B, each on a phone of their own, from the invite to the money withdrawn."""

    def test_the_merchant_opens_the_shop(self, journey, db, make_user, make_product, make_staff):
        """Rules 10% / 5%, a 1% withdrawal fee, distributor A, one ¥200 product (free shipping) with a promotion
        text, and the merchant's finance clerk."""
        rules.update_global_rules(levels=2, rate1_bp=1000, rate2_bp=500)
        set_setting("withdraw_fee_bp", 100)
        db.session.commit()
        a = make_user(phone=A_PHONE, nickname=A_NAME)
        distribution.become_distributor(a.id, "admin")
        db.session.commit()
        product = make_product(PRODUCT, skus=[(20000, 50, ["250g", "礼盒装"])], spec_names=("规格", "包装"),
                               subtitle="明前头采 · 清香回甘")
        add_promo_material(product, MATERIAL)
        db.session.commit()
        clerk = make_staff(role="finance", display_name="财务")
        journey.ids = {"a": a.id, "product": product.id, "sku": product.skus[0].id, "clerk": clerk.id}
        db.session.rollback()

    def test_a_logs_in_and_opens_the_center(self, journey, screenshot):
        """A logs in on their phone and opens 推广中心 from 我的."""
        a = journey.open(permissions=CLIPBOARD)
        a.goto("/me")
        arrive(a, r"/login\?next=(/|%2F)me")
        a.locator("#pw").get_by_label("手机号").fill(A_PHONE)
        a.locator("#pw").get_by_label("密码").fill("secret123")
        a.locator("#pw").get_by_role("button", name="登录").click()
        arrive(a, "/me")
        a.locator("#center-entry").click()
        arrive(a, "/center")
        expect_text(a, "推广中心")
        expect_text(a, A_NAME, "#center-overview")
        for label in ("可提现", "冻结中", "已提现", "今日收益", "本月收益", "我的团队", "我的等级", "我的邀请码"):
            expect_text(a, label)
        assert text_of(a, "#balance-available") == "¥0.00"
        assert text_of(a, "#balance-frozen") == "¥0.00"
        assert text_of(a, "#team-size-1") == "0"
        expect_text(a, "成为分销商完全免费")
        assert a.evaluate("document.documentElement.scrollWidth") <= 375
        screenshot(a, "center-01-overview")
        journey.a = a

    def test_a_copies_the_invite_link(self, journey, screenshot):
        """邀请: A copies the invite link with the button; the QR code and the poster load."""
        a = journey.a
        center_tab(a, "邀请", "/center/invite")
        expect_text(a, "邀请好友")
        expect_text(a, "我的邀请码")
        code = text_of(a, "#invite-code")
        link = a.locator("#invite-link").input_value()
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/i/" + re.escape(code), link), link
        a.get_by_role("button", name="复制邀请链接").click()
        toast = a.locator(".toast", has_text="已复制")
        toast.wait_for(state="visible")
        assert a.evaluate("navigator.clipboard.readText()") == link
        expect_text(a, "邀请二维码")
        wait_for_image(a, "invite-qr")
        a.evaluate("window.scrollTo(0, 0)")
        screenshot(a, "center-02-invite")
        toast.wait_for(state="detached")
        expect_text(a, "推广海报")
        wait_for_image(a, "invite-poster", timeout=30_000)  # drawn server-side on first request
        expect_text(a, "下载海报")
        screenshot(a, "center-03-invite-poster")
        journey.code, journey.link = code, link

    def test_b_opens_the_link_on_their_own_phone_and_registers(self, journey, db, screenshot):
        """B opens the link on a phone of their own and registers: the link alone binds B to A."""
        ids, link = journey.ids, journey.link
        b = journey.open()
        b.goto(link)
        arrive(b, "/")
        expect_text(b, PRODUCT)
        b.locator(".tabbar").get_by_role("link", name="我的").click()
        arrive(b, r"/login\?next=(/|%2F)me")
        b.get_by_role("link", name="没有账号？立即注册").click()
        arrive(b, r"/register\?next=(/|%2F)me")
        b.get_by_label("手机号").fill(B_PHONE)
        b.get_by_label("昵称").fill(B_NAME)
        b.get_by_label("密码", exact=True).fill("shop-test-pass-7")
        b.get_by_label("确认密码").fill("shop-test-pass-7")
        assert b.get_by_label("邀请码（选填）").input_value() == ""  # the link alone binds B to A
        screenshot(b, "center-04-b-register")
        b.get_by_role("button", name="注册").click()
        arrive(b, "/me")
        expect_text(b, "注册成功，欢迎光临")
        expect_text(b, B_NAME)
        b_id = fresh(db).session.scalar(select(User.id).where(User.phone == B_PHONE))
        assert db.session.get(ReferralNode, b_id).referrer_id == ids["a"]
        fresh(db)
        journey.b, journey.b_id = b, b_id

    def test_b_orders_the_product(self, journey):
        """B puts the product in the cart, adds an address at checkout and submits the order."""
        b, ids = journey.b, journey.ids
        b.locator(".tabbar").get_by_role("link", name="首页").click()
        arrive(b, "/")
        b.locator("a.card", has_text=PRODUCT).first.click()
        arrive(b, rf"/p/{ids['product']}")
        expect_text(b, "明前头采")
        b.locator(".sku-chip", has_text="250g / 礼盒装").click()
        b.get_by_role("button", name="加入购物车").click()
        arrive(b, "/cart")
        expect_text(b, "已加入购物车")
        b.get_by_role("link", name=re.compile(r"结算\(1\)")).click()
        arrive(b, "/checkout")
        expect_text(b, "确认订单")
        expect_text(b, "请添加收货地址")
        b.locator("a.address-pick").click()
        arrive(b, r"/me/addresses\?pick=1&next=.+")
        b.get_by_role("link", name="新增收货地址").click()
        fill_address(b, "贝贝", "13912345678", "龙井路 1 号")
        b.get_by_role("button", name="保存").click()
        arrive(b, r"/me/addresses\?pick=1&next=.+")
        expect_text(b, "地址已保存")
        b.locator("a.address-main", has_text="贝贝").click()
        arrive(b, r"/checkout\?.*address=\d+")
        assert text_of(b, "#pay-total") == "¥200.00"  # ¥200 of goods ships free
        b.get_by_role("button", name="提交订单").click()
        arrive(b, r"/orders/\d+")
        order_no = b.url.rsplit("/", 1)[1]
        assert b.locator(".status-banner h2").inner_text() == "待付款"
        journey.order_no = order_no

    def test_b_pays_at_the_sandbox_cashier(self, journey, db, screenshot):
        """支付 -> 沙箱收银台 -> 确认支付: the signed notification is delivered, the order is paid and A earns a frozen commission."""
        b, ids, order_no = journey.b, journey.ids, journey.order_no
        b.get_by_role("button", name="支付", exact=True).click()
        arrive(b, f"/pay/sandbox/{order_no}")
        expect_text(b, "沙箱收银台")
        expect_text(b, "这是开发用的模拟支付，不会产生真实扣款")
        expect_text(b, "¥200.00")
        screenshot(b, "center-05-b-cashier")
        b.get_by_role("button", name="确认支付").click()
        arrive(b, f"/orders/{order_no}")
        expect_text(b, "支付成功")
        assert b.locator(".status-banner h2").inner_text() == "待发货"
        screenshot(b, "center-06-b-paid")

        fresh(db)
        order_id = db.session.scalar(select(Order.id).where(Order.order_no == order_no))
        commission = db.session.scalars(select(Commission).where(Commission.order_id == order_id)).one()
        assert (commission.beneficiary_id, commission.level, commission.status, commission.amount_fen) == \
            (ids["a"], 1, "frozen", 2000)
        commission_id = commission.id
        fresh(db)
        journey.order_id, journey.commission_id = order_id, commission_id

    def test_a_sees_b_in_the_team(self, journey, screenshot):
        """我的团队 shows B with a masked phone."""
        a, b_id = journey.a, journey.b_id
        a.reload()  # A is still on the invite page
        center_tab(a, "团队", "/center/team")
        expect_text(a, "我的团队")
        assert " ".join(a.locator("#team-tab-1").inner_text().split()) == "一级成员 1"
        assert " ".join(a.locator("#team-tab-2").inner_text().split()) == "二级成员 0"
        assert a.locator("#team-tab-1").get_attribute("aria-current") == "page"
        row = a.locator(f"#team-member-{b_id}")
        row.wait_for(state="visible")
        row_text = " ".join(row.inner_text().split())
        assert B_NAME in row_text and "139****5678" in row_text and B_PHONE not in row_text
        assert "已付款订单 1 笔" in row_text and "加入时间" in row_text
        assert row.locator(".member-earned").inner_text() == "¥20.00"
        expect_text(a, "为我带来佣金", f"#team-member-{b_id}")
        screenshot(a, "center-07-team")


    def test_a_sees_the_frozen_commission_explained(self, journey, screenshot):
        """佣金: the frozen commission, and its explanation."""
        a, order_no, commission_id = journey.a, journey.order_no, journey.commission_id
        center_tab(a, "佣金", "/center/commissions")
        expect_text(a, "佣金明细")
        line = a.locator(f"#commission-{commission_id}")
        line.wait_for(state="visible")
        line_text = " ".join(line.inner_text().split())
        assert PRODUCT in line_text and "+¥20.00" in line_text and "冻结中" in line_text and order_no in line_text
        assert "一级" in line_text
        a.locator("#commission-filter-frozen").click()
        arrive(a, r"/center/commissions\?status=frozen")
        assert a.locator(f"#commission-{commission_id}").is_visible()
        assert "¥20.00" in text_of(a, "#commission-totals")
        screenshot(a, "center-08-commissions")

        a.locator(f"#commission-{commission_id}").click()
        arrive(a, f"/center/commissions/{commission_id}")
        expect_text(a, "佣金详情")
        expect_text(a, "佣金说明")
        assert text_of(a, "#commission-amount") == "+¥20.00"
        assert text_of(a, "#commission-status") == "冻结中"
        assert text_of(a, "#commission-available-at") == \
            f"订单完成（确认收货）后再过 {freeze_days()} 天售后期，即可结算为可提现"
        facts = sums(a, "#commission-detail + .panel")
        assert facts["订单号"] == order_no and facts["订单状态"] == "待发货"
        assert facts["买家"] == "小** 139****5678"
        assert PRODUCT in facts["购买商品"] and "× 1" in facts["购买商品"]
        assert facts["层级"] == "一级佣金"
        assert facts["计算基数"] == "实付 ¥200.00（不含运费）"
        assert facts["比例"] == "10.00%"
        assert facts["规则来源"] == "全局比例"
        assert facts["佣金金额"] == "¥20.00" and facts["实得"] == "¥20.00"
        assert text_of(a, "#commission-explanation") == "一级佣金：实付 ¥200.00 × 10.00% = ¥20.00（全局比例）"
        expect_text(a, "之后的规则修改或换绑不会改变这笔佣金")
        screenshot(a, "center-09-commission-detail")


    def test_a_sees_the_promotion_order(self, journey, screenshot):
        """推广订单: B's order and what it earns A."""
        a, order_no = journey.a, journey.order_no
        center_tab(a, "推广订单", "/center/orders")
        expect_text(a, "推广订单")
        promo = a.locator(f"#promotion-order-{order_no}")
        promo.wait_for(state="visible")
        promo_text = " ".join(promo.inner_text().split())
        assert "待发货" in promo_text and "+¥20.00" in promo_text and PRODUCT in promo_text and "小**" in promo_text
        screenshot(a, "center-10-promotion-orders")
        promo.click()
        arrive(a, f"/center/orders/{order_no}")
        expect_text(a, "推广订单详情")
        expect_text(a, "这笔订单给我的佣金")
        assert sums(a, "#promotion-order")["我的佣金"] == "¥20.00"
        screenshot(a, "center-11-promotion-order")


    def test_the_overview_counts_b_and_the_frozen_commission(self, journey):
        """The overview now counts B and the frozen ¥20."""
        a = journey.a
        center_tab(a, "概览", "/center")
        assert text_of(a, "#balance-frozen") == "¥20.00"
        assert text_of(a, "#balance-available") == "¥0.00"
        assert text_of(a, "#earnings-today") == "¥20.00"
        assert text_of(a, "#team-size-1") == "1"


    def test_settlement_makes_the_commission_available(self, journey, app, db, screenshot):
        """The merchant ships, B's receipt is confirmed past the freeze window, `flask shop settle`: A can withdraw."""
        a, order_id, commission_id = journey.a, journey.order_id, journey.commission_id
        order = db.session.get(Order, order_id)
        orders.ship_order(order, "顺丰速运", "SF1234567890")
        orders.confirm_receipt(order, now=utcnow() - timedelta(days=freeze_days() + 1))
        output = settle_by_command(app)
        assert "settled 1 commission(s), 2000 fen" in output, output
        fresh(db)
        assert db.session.get(Commission, commission_id).status == "settled"
        fresh(db)

        a.reload()
        expect_text(a, "可提现")
        assert text_of(a, "#balance-available") == "¥20.00"
        assert text_of(a, "#balance-frozen") == "¥0.00"
        assert text_of(a, "#balance-withdrawn") == "¥0.00"
        screenshot(a, "center-12-overview-available")
        a.locator(".hero-money a", has_text="冻结中").click()
        arrive(a, r"/center/commissions\?status=frozen")
        expect_text(a, "暂无佣金记录")
        a.locator("#commission-filter-settled").click()
        arrive(a, r"/center/commissions\?status=settled")
        assert "已结算" in text_of(a, f"#commission-{commission_id}")
        a.locator(f"#commission-{commission_id}").click()
        arrive(a, f"/center/commissions/{commission_id}")
        assert text_of(a, "#commission-status") == "已结算"
        assert "计入可提现余额" in text_of(a, "#commission-available-at")
        assert sums(a, "#commission-detail + .panel")["订单状态"] == "已完成"


    def test_a_asks_to_withdraw_to_alipay(self, journey, db, screenshot):
        """提现 to Alipay: the form quotes the fee, the request waits for review."""
        a, ids = journey.a, journey.ids
        center_tab(a, "提现", "/center/withdraw")
        expect_text(a, "申请提现")
        expect_text(a, "提现规则")
        assert text_of(a, "#withdraw-available") == "¥20.00"
        limits = sums(a, "#withdraw-limits")
        assert limits["最低提现金额"] == "¥1.00" and limits["手续费"] == "1.00%"
        assert limits["每日次数"] == "3 次（今日还可 3 次）"
        expect_text(a, "暂无提现记录")
        a.get_by_role("button", name="全部提现").click()
        assert a.locator("#withdraw-amount").input_value() == "20.00"
        assert text_of(a, "#withdraw-fee") == "¥0.20" and text_of(a, "#withdraw-net") == "¥19.80"
        a.locator("#withdraw-methods").get_by_text("支付宝").click()
        assert a.locator("#withdraw-method-alipay").is_checked()
        assert a.locator("#payee-alipay").is_visible() and not a.locator("#payee-wechat").is_visible()
        a.get_by_label("支付宝账号").fill("aqiang@example.com")
        a.get_by_label("支付宝实名").fill("王阿强")
        a.locator("#withdraw-form").scroll_into_view_if_needed()
        screenshot(a, "center-13-withdraw-form")
        a.get_by_role("button", name="申请提现").click()
        arrive(a, "/center/withdraw")
        expect_text(a, "提现申请已提交：提现 ¥20.00，手续费 ¥0.20，预计到账 ¥19.80")
        assert text_of(a, "#withdraw-available") == "¥0.00"
        withdrawal_id = fresh(db).session.scalar(select(Withdrawal.id).where(Withdrawal.user_id == ids["a"]))
        fresh(db)
        history_row = a.locator(f"#withdrawal-{withdrawal_id}")
        history_text = " ".join(history_row.inner_text().split())
        assert "支付宝 ¥20.00" in history_text and "审核中" in history_text and "到账 ¥19.80" in history_text
        history_row.scroll_into_view_if_needed()
        screenshot(a, "center-14-withdraw-pending")

        journey.withdrawal_id = withdrawal_id

    def test_a_sees_the_withdrawal_approved_and_paid(self, journey, db, screenshot):
        """The merchant approves and pays it by hand (the admin screen does not exist yet)."""
        a, ids, withdrawal_id = journey.a, journey.ids, journey.withdrawal_id
        clerk = db.session.get(Staff, ids["clerk"])
        withdrawals.approve(withdrawal_id, clerk)
        db.session.commit()
        a.reload()
        assert "打款中" in text_of(a, f"#withdrawal-{withdrawal_id}")
        withdrawals.mark_paid(withdrawal_id, clerk, "ALIPAY-20260001")
        db.session.commit()
        fresh(db)
        a.reload()
        history_text = text_of(a, f"#withdrawal-{withdrawal_id}")
        assert "已到账" in history_text and "审核中" not in history_text
        a.locator(f"#withdrawal-{withdrawal_id}").scroll_into_view_if_needed()
        screenshot(a, "center-15-withdraw-paid")
        a.locator(f"#withdrawal-{withdrawal_id}").click()
        arrive(a, f"/center/withdrawals/{withdrawal_id}")
        expect_text(a, "提现详情")
        assert text_of(a, "#withdrawal-status") == "已到账"
        detail = sums(a, "#withdrawal-detail + .panel")
        assert detail["提现金额"] == "¥20.00" and detail["手续费"] == "¥0.20" and detail["实际到账"] == "¥19.80"
        assert detail["提现方式"] == "支付宝" and detail["付款凭证"] == "ALIPAY-20260001"
        assert detail["收款账户"] == "王阿强 ****.com"  # the account is masked
        screenshot(a, "center-16-withdrawal-detail")

    def test_the_overview_shows_the_money_withdrawn(self, journey, screenshot):
        """The overview shows the ¥20 withdrawn and nothing left in process."""
        a = journey.a
        center_tab(a, "概览", "/center")
        assert text_of(a, "#balance-withdrawn") == "¥20.00"
        assert text_of(a, "#balance-available") == "¥0.00"
        assert text_of(a, "#balance-frozen") == "¥0.00"
        assert a.locator(".hero-note", has_text="提现处理中").count() == 0
        screenshot(a, "center-17-overview-withdrawn")

    def test_a_tops_the_rankings(self, journey, screenshot):
        """排行榜: A tops both boards this week, name masked."""
        a = journey.a
        center_tab(a, "排行榜", "/center/ranking")
        expect_text(a, "佣金榜")
        expect_text(a, "本周")
        first = text_of(a, "#rank-1")
        assert "阿**" in first and "¥20.00" in first and A_NAME not in first
        assert a.locator("#rank-1 .tag").inner_text() == "我"
        expect_text(a, "名字已隐藏")
        screenshot(a, "center-18-ranking")
        a.locator("#ranking-board-invitees").click()
        arrive(a, r"/center/ranking\?board=invitees&period=week")
        assert "1 人" in text_of(a, "#rank-1")
        a.locator("#ranking-period-month").click()
        arrive(a, r"/center/ranking\?board=invitees&period=month")
        assert "阿**" in text_of(a, "#rank-1")


    def test_a_copies_a_promotion_text(self, journey, screenshot):
        """推广素材: A copies the merchant's text; the share link carries A's code."""
        a, ids, code = journey.a, journey.ids, journey.code
        center_tab(a, "素材", "/center/materials")
        expect_text(a, "推广素材")
        expect_text(a, PRODUCT, "#material-list")
        text_box = a.locator(".material-text").first
        assert text_box.input_value() == MATERIAL
        a.locator("#material-list").get_by_role("button", name="复制文案").first.click()
        a.locator(".toast", has_text="文案已复制").wait_for(state="visible")
        assert a.evaluate("navigator.clipboard.readText()") == MATERIAL
        share = a.locator(".material-product").first.get_attribute("href")
        assert share.endswith(f"/p/{ids['product']}?ref={code}")
        screenshot(a, "center-19-materials")
        assert a.evaluate("document.documentElement.scrollWidth") <= 375


    def test_the_money_audit_is_clean(self, journey, db):
        """`flask shop audit`: every money invariant holds."""
        ids = journey.ids
        fresh(db)
        account = db.session.get(Account, ids["a"])
        assert (account.frozen_fen, account.available_fen, account.withdrawing_fen, account.withdrawn_fen) == \
            (0, 0, 0, 2000)
        report = run_audit()
        assert report.clean, report.problems
        fresh(db)
