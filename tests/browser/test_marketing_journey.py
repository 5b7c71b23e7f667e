"""Issue 11's journey in real Chromium at 375x812: distributor A shares a group-buy product; B opens the link,
registers, claims a coupon and opens a group; C joins from B's share link and the group succeeds; A's commission is
computed on what B really paid, and its explanation names the coupon; D misses a flash-sale slot; the audit is
clean. Each phone is a browser of its own; payments go through the sandbox cashier."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from shop.accounts.models import User
from shop.clock import utcnow
from shop.coupons.models import Coupon, CouponTemplate
from shop.distribution import rules
from shop.distribution import services as distribution
from shop.distribution.models import Commission
from shop.flash.models import FlashItem, FlashSlot
from shop.groupbuy.models import Group, GroupActivity, GroupPrice
from shop.orders.models import Order
from shop.wallet.audit import run_audit
from tests.browser.journey import JourneySteps, arrive, expect_text, fill_address

pytestmark = pytest.mark.browser

A_PHONE, B_PHONE, C_PHONE, D_PHONE = "13800000001", "13900000002", "13700000003", "13600000004"
PRODUCT = "高山云雾绿茶礼盒（明前头采特级，年货送礼专用超长名称）"
COUPON = "新人立减¥10"


def fresh(db):
    """See what the live server committed, and hold no SQLite lock."""
    db.session.rollback()
    return db


def log_in(phone_tab, phone):
    phone_tab.goto("/me")
    arrive(phone_tab, r"/login\?next=(/|%2F)me")
    phone_tab.locator("#pw").get_by_label("手机号").fill(phone)
    phone_tab.locator("#pw").get_by_label("密码").fill("secret123")
    phone_tab.locator("#pw").get_by_role("button", name="登录").click()
    arrive(phone_tab, "/me")


def register(tab, phone, nickname):
    """我的 -> 登录 -> 立即注册, back at 我的."""
    tab.goto("/me")
    arrive(tab, r"/login\?next=(/|%2F)me")
    tab.get_by_role("link", name="没有账号？立即注册").click()
    tab.get_by_label("手机号").fill(phone)
    tab.get_by_label("昵称").fill(nickname)
    tab.get_by_label("密码", exact=True).fill("shop-test-pass-7")
    tab.get_by_label("确认密码").fill("shop-test-pass-7")
    tab.get_by_role("button", name="注册").click()
    arrive(tab, "/me")


def add_address_at_checkout(tab, name, phone):
    tab.locator("a.address-pick").click()
    tab.get_by_role("link", name="新增收货地址").click()
    fill_address(tab, name, phone, "龙井路 1 号")
    tab.get_by_role("button", name="保存").click()
    tab.locator("a.address-main", has_text=name).click()
    arrive(tab, r"/checkout\?.*address=\d+.*")


def pay_at_cashier(tab):
    order_no = tab.url.rsplit("/", 1)[1].split("?")[0]
    tab.get_by_role("button", name="支付", exact=True).click()
    arrive(tab, f"/pay/sandbox/{order_no}")
    tab.get_by_role("button", name="确认支付").click()
    arrive(tab, f"/orders/{order_no}.*")
    expect_text(tab, "支付成功")
    return order_no


def add_missed_flash_slot(db, product):
    """A slot that ran from two hours ago until one hour ago, with 10 units of the product at ¥39: its item id."""
    now = utcnow()
    slot = FlashSlot(title="早场 · 爆款直降", starts_at=now - timedelta(hours=2), ends_at=now - timedelta(hours=1),
                     is_active=True)
    slot.items = [FlashItem(product_id=product.id, sku_id=product.skus[0].id, price_fen=3900, stock=10, sold=0,
                            per_member_limit=1)]
    db.session.add(slot)
    db.session.commit()
    return slot.items[0].id


def miss_flash_slot(tab, item):
    """The 马上抢 link a friend shared during the slot, opened after it ended: back on the flash-sale page, told so
    in words; nothing placed."""
    tab.goto(f"/checkout?activity=flash&activity_id={item.id}&sku_id={item.sku_id}&quantity=1")
    arrive(tab, "/flash")
    expect_text(tab, "秒杀已结束")


class TestMarketingJourney(JourneySteps):
    """A shares, B claims a coupon and opens a group, C joins, A earns on what was paid, D is too late."""

    def test_the_merchant_sets_up_the_activities(self, journey, db, make_user, make_product):
        """Rules 10% / 5%; distributor A; a ¥100 product in a 2-person group at ¥80 whose lines pay commission; a
        claimable ¥10 coupon; a flash-sale slot that ended an hour ago."""
        rules.update_global_rules(levels=2, rate1_bp=1000, rate2_bp=500)
        db.session.commit()
        a = make_user(phone=A_PHONE, nickname="阿强")
        distribution.become_distributor(a.id, "admin")
        product = make_product(PRODUCT, skus=[(10000, 50, ["250g", "礼盒装"])], spec_names=("规格", "包装"))
        now = utcnow()
        activity = GroupActivity(title="两人团", product_id=product.id, group_size=2, hours_limit=24,
                                 starts_at=now - timedelta(hours=1), ends_at=now + timedelta(days=7),
                                 per_member_limit=2, max_quantity=1, commission=True)
        activity.prices = [GroupPrice(sku_id=product.skus[0].id, price_fen=8000)]
        db.session.add(activity)
        db.session.add(CouponTemplate(name=COUPON, kind="fixed", amount_fen=1000, threshold_fen=0, scope="all",
                                      validity="days", valid_days=7, total=100, per_member=1, obtain="claim"))
        db.session.commit()
        journey.ids = {"a": a.id, "product": product.id, "sku": product.skus[0].id, "activity": activity.id}
        journey.flash = add_missed_flash_slot(db, product)
        fresh(db)

    def test_a_shares_the_group_buy_product(self, journey, screenshot):
        """A opens the product page: the group-buy panel and A's own share link (with A's invite code)."""
        a = journey.open()
        log_in(a, A_PHONE)
        a.goto(f"/p/{journey.ids['product']}")
        expect_text(a, "拼团价", "#groupbuy-panel")
        link = a.locator("#product-share-link").input_value()
        assert re.search(r"/p/\d+\?ref=\w+$", link), link
        assert a.evaluate("document.documentElement.scrollWidth") <= 375
        screenshot(a, "mkt-01-a-product")
        journey.a, journey.link = a, link

    def test_b_registers_from_the_link_and_claims_the_coupon(self, journey, db, screenshot):
        """B opens A's link on their own phone, registers (bound to A), and claims the ¥10 coupon on the page."""
        b = journey.open()
        b.goto(journey.link)
        expect_text(b, PRODUCT)
        register(b, B_PHONE, "贝贝")
        b_id = fresh(db).session.scalar(select(User.id).where(User.phone == B_PHONE))
        journey.ids["b"] = b_id
        b.goto(f"/p/{journey.ids['product']}")
        b.locator("#product-coupons").get_by_role("button", name="领取").click()
        expect_text(b, "已领取", "#product-coupons")
        assert fresh(db).session.scalar(select(Coupon.status).where(Coupon.user_id == b_id)) == "unused"
        screenshot(b, "mkt-02-b-claimed")
        journey.b = b

    def test_b_opens_a_group_paying_less_with_the_coupon(self, journey, db, screenshot):
        """发起拼团 -> checkout at the group price ¥80 with the coupon preselected: ¥70 of goods; B pays."""
        b = journey.b
        b.locator("#gb-start").click()
        arrive(b, r"/checkout\?.*")
        add_address_at_checkout(b, "贝贝", "13912345678")
        expect_text(b, COUPON, "#checkout-sums")
        expect_text(b, "-¥10.00", "#checkout-sums")
        assert b.locator("#pay-total").inner_text() == "¥80.00"  # ¥80 - ¥10 coupon + ¥10 shipping (free from ¥99)
        screenshot(b, "mkt-03-b-checkout")
        b.get_by_role("button", name="提交订单").click()
        arrive(b, r"/orders/\d+")
        journey.b_order = pay_at_cashier(b)
        expect_text(b, "待成团")
        screenshot(b, "mkt-04-b-waiting")
        group = fresh(db).session.scalars(select(Group)).one()
        assert (group.status, group.paid_count, group.needed) == ("open", 1, 2)
        journey.group_no = group.group_no

    def test_c_joins_from_bs_share_link_and_the_group_succeeds(self, journey, db, screenshot):
        """B's group page share link -> C registers, joins (参团) and pays: the group has its 2 and succeeds."""
        b = journey.b
        b.goto(f"/g/{journey.group_no}")
        share = b.locator("#group-share-link").input_value()
        assert "ref=" in share
        screenshot(b, "mkt-05-b-group")
        c = journey.open()
        c.goto(share)
        expect_text(c, "还差 1 人成团")
        register(c, C_PHONE, "小C")
        c.goto(f"/g/{journey.group_no}")
        c.locator("#gb-join-button").click()
        arrive(c, r"/checkout\?.*")
        add_address_at_checkout(c, "小C", "13712345678")
        c.get_by_role("button", name="提交订单").click()
        arrive(c, r"/orders/\d+")
        pay_at_cashier(c)
        c.goto(f"/g/{journey.group_no}")
        expect_text(c, "已成团", "#group-state")
        screenshot(c, "mkt-06-c-succeeded")
        assert fresh(db).session.scalars(select(Group)).one().status == "succeeded"

    def test_as_commission_is_on_the_discounted_amount(self, journey, db, screenshot):
        """B paid ¥70 for the ¥80 group line: A's level-1 commission is 10% of ¥70, and the explanation in A's
        center shows the base and the coupon that reduced it."""
        order = fresh(db).session.scalar(select(Order).where(Order.order_no == journey.b_order))
        assert (order.lines[0].line_total_fen, order.lines[0].paid_amount_fen) == (8000, 7000)
        commission = db.session.scalars(select(Commission).where(Commission.order_id == order.id,
                                                                 Commission.beneficiary_id == journey.ids["a"])).one()
        assert (commission.level, commission.base_fen, commission.amount_fen) == (1, 7000, 700)
        a = journey.a
        a.goto(f"/center/commissions/{commission.id}")
        explanation = a.locator("#commission-explanation").inner_text()
        assert "优惠券 ¥10.00" in explanation and "实付 ¥70.00 = 商品 ¥80.00" in explanation, explanation
        screenshot(a, "mkt-07-a-commission")
        fresh(db)

    def test_d_misses_the_flash_sale_slot(self, journey, db, screenshot):
        """D opens the flash sale a little late: the slot has ended and buying it is refused in words."""
        d = journey.open()
        d.goto("/")
        register(d, D_PHONE, "迟到的D")
        item = fresh(db).session.get(FlashItem, journey.flash)
        miss_flash_slot(d, item)
        screenshot(d, "mkt-08-d-missed")
        item = fresh(db).session.get(FlashItem, journey.flash)
        assert item.sold == 0
        d_id = db.session.scalar(select(User.id).where(User.phone == D_PHONE))
        assert db.session.scalars(select(Order).where(Order.user_id == d_id)).all() == []
        fresh(db)

    def test_the_audit_is_clean(self, journey, db):
        report = run_audit()
        assert report.clean, report.problems
