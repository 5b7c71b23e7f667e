"""The shopper's journey in real Chromium at 375x812: browse, cart as a guest, register, check out, cancel.

The journey is told in steps (tests/browser/journey.py): a failure names its step, and the steps after it skip."""
import re

import pytest
from sqlalchemy import select

from shop.accounts.models import User
from shop.cart.models import CartItem
from shop.catalog.models import Product, Sku
from shop.demo import seed_demo
from shop.orders.models import Order
from tests.browser.journey import JourneySteps, arrive, expect_text, fill_address, sums

pytestmark = pytest.mark.browser

NEW_PHONE = "13712345678"


def fen(money_text):
    """'¥123.45' -> 12345, or 0 for 包邮."""
    match = re.search(r"(\d+)\.(\d{2})", money_text)
    return int(match.group(1)) * 100 + int(match.group(2)) if match else 0


def assert_square_cards(page):
    """Product card pictures are square, whatever the column width."""
    for box in page.locator(".card img").evaluate_all(
            "imgs => imgs.map(i => [i.getBoundingClientRect().width, i.getBoundingClientRect().height])"):
        assert abs(box[0] - box[1]) <= 1, f"card image is {box[0]}x{box[1]}"


def sku_of(db, title, spec_values):
    product = db.session.scalar(select(Product).where(Product.title == title))
    return next(s for s in product.skus if s.spec_values == spec_values)


def member_cart(db, phone):
    db.session.rollback()
    return db.session.execute(select(CartItem.sku_id, CartItem.quantity).join(User, User.id == CartItem.user_id)
                              .where(User.phone == phone)).all()


def stock_now(db, sku_id):
    db.session.rollback()  # see what the live server committed, not this session's cached copy
    return db.session.scalar(select(Sku.stock).where(Sku.id == sku_id))


class TestShopperJourney(JourneySteps):
    """A new customer on their phone: browses, fills the cart as a guest, registers, orders and cancels."""

    def test_the_demo_shop_is_open(self, journey, db):
        """The demo shop is seeded; the step remembers the 白 / M T-shirt's SKU, stock and price."""
        seed_demo(echo=lambda *args: None)
        sku = sku_of(db, "纯棉圆领T恤", ["白", "M"])
        journey.sku_id, journey.stock_before, journey.price = sku.id, sku.stock, sku.price_fen
        db.session.rollback()

    def test_a_form_post_without_its_csrf_token_is_refused(self, journey):
        """CSRF is on: a form post without its token is refused, so every step below proves the real forms
        carry one."""
        page = journey.open()
        refused = page.request.post("/cart/add", form={"sku_id": str(journey.sku_id), "quantity": "1"},
                                    max_redirects=0)
        assert refused.status == 400 and "页面已过期" in refused.text()
        journey.page = page

    def test_home(self, journey, screenshot):
        """首页: the recommendations and the tab bar."""
        page = journey.page
        page.goto("/")
        expect_text(page, "精选推荐")
        expect_text(page, "纯棉圆领T恤")
        assert page.locator(".tabbar").is_visible()
        screenshot(page, "01-home")


    def test_category(self, journey, screenshot):
        """分类 -> 服装 -> T恤: only T-shirts, in square cards."""
        page = journey.page
        page.locator(".tabbar").get_by_role("link", name="分类").click()
        page.locator(".cat-side").get_by_role("link", name="服装").click()
        page.locator(".chips").get_by_role("link", name="T恤", exact=True).click()
        expect_text(page, "宽松印花T恤")
        assert page.locator(".chips .chip.on").inner_text() == "T恤"
        assert page.locator(".cat-main").get_by_text("连帽加绒卫衣").count() == 0
        assert_square_cards(page)
        screenshot(page, "02-category")


    def test_search(self, journey, screenshot):
        """搜索 T恤 finds the three T-shirts."""
        page = journey.page
        search = page.get_by_role("searchbox", name="搜索商品")
        search.fill("T恤")
        search.press("Enter")
        arrive(page, r"/search\?q=.+")
        expect_text(page, "共 3 件商品")
        for title in ("纯棉圆领T恤", "宽松印花T恤", "速干运动T恤"):
            expect_text(page, title)
        assert_square_cards(page)
        screenshot(page, "03-search")


    def test_product_page(self, journey, screenshot):
        """商品详情 /p/<id> asks for a spec."""
        page = journey.page
        page.locator("a.card", has_text="纯棉圆领T恤").click()
        arrive(page, r"/p/\d+")
        expect_text(page, "商品详情")
        expect_text(page, "新疆长绒棉")
        expect_text(page, "请选择规格")
        screenshot(page, "04-product")


    def test_picking_a_sku_shows_its_price_and_stock(self, journey, screenshot):
        """Pick 白 / M: the price and stock follow the chip."""
        page, stock_before = journey.page, journey.stock_before
        page.locator(".sku-chip", has_text="白 / M").click()
        assert page.locator(".sku-chip", has_text="白 / M").locator("input").is_checked()
        expect_text(page, f"库存{stock_before}")
        assert page.locator("#sku-price").inner_text() == "¥59.00"
        page.locator("#sku-form").scroll_into_view_if_needed()
        screenshot(page, "05-product-sku")


    def test_add_to_cart_as_a_guest(self, journey, screenshot):
        """加入购物车 as a guest -> 购物车."""
        page = journey.page
        page.get_by_role("button", name="加入购物车").click()
        arrive(page, "/cart")
        expect_text(page, "已加入购物车")
        expect_text(page, "纯棉圆领T恤")
        expect_text(page, "颜色: 白, 尺码: M")
        assert page.locator(".cart-line input[name=quantity]").input_value() == "1"
        assert page.locator(".tabbar .badge").inner_text() == "1"
        expect_text(page, "合计")
        screenshot(page, "06-cart")


    def test_checkout_asks_a_guest_to_log_in(self, journey, screenshot):
        """结算 -> 登录 (guests cannot check out)."""
        page = journey.page
        page.get_by_role("link", name=re.compile(r"结算\(1\)")).click()
        arrive(page, r"/login\?next=(/|%2F)checkout")
        expect_text(page, "密码登录")
        screenshot(page, "07-login")


    def test_register_and_the_guest_cart_follows(self, journey, db, screenshot):
        """注册 with phone + password; the guest cart follows into the account."""
        page, sku_id = journey.page, journey.sku_id
        page.get_by_role("link", name="没有账号？立即注册").click()
        arrive(page, r"/register\?next=(/|%2F)checkout")
        page.get_by_label("手机号").fill(NEW_PHONE)
        page.get_by_label("昵称").fill("新顾客")
        page.get_by_label("密码", exact=True).fill("shop-test-pass-7")
        page.get_by_label("确认密码").fill("shop-test-pass-7")
        screenshot(page, "08-register")
        page.get_by_role("button", name="注册").click()
        arrive(page, "/checkout")
        expect_text(page, "注册成功，欢迎光临")
        expect_text(page, "确认订单")
        expect_text(page, "纯棉圆领T恤")  # merged from the guest cart
        assert member_cart(db, NEW_PHONE) == [(sku_id, 1)]
        expect_text(page, "请添加收货地址")
        assert page.get_by_role("button", name="提交订单").is_disabled()
        screenshot(page, "09-checkout-no-address")


    def test_add_an_address_and_pick_it(self, journey, screenshot):
        """The address link leads to the address book; add one there and pick it."""
        page = journey.page
        page.locator("a.address-pick").click()
        arrive(page, r"/me/addresses\?pick=1&next=.+")
        expect_text(page, "选择收货地址")
        expect_text(page, "还没有收货地址")
        screenshot(page, "10-addresses-empty")
        page.get_by_role("link", name="新增收货地址").click()
        expect_text(page, "新增地址")
        fill_address(page, "李四", "13911112222", "文三路 90 号")
        screenshot(page, "11-address-new")
        page.get_by_role("button", name="保存").click()
        arrive(page, r"/me/addresses\?pick=1&next=.+")
        expect_text(page, "地址已保存")
        expect_text(page, "选择收货地址")
        expect_text(page, "文三路 90 号")
        screenshot(page, "12-addresses-pick")
        page.locator("a.address-main", has_text="李四").click()
        arrive(page, r"/checkout\?.*address=\d+")


    def test_checkout_shows_the_address_and_the_totals(self, journey, screenshot):
        """确认订单: the address is chosen and 商品金额 − 优惠 + 运费 = 实付 (the demo gives a new member a ¥5 coupon,
        preselected)."""
        page, price = journey.page, journey.price
        picked = page.locator("a.address-pick")
        assert "李四" in picked.inner_text() and "文三路 90 号" in picked.inner_text()
        totals = sums(page, "#place-form")
        goods, shipping = fen(totals["商品金额"]), fen(totals["运费"])
        total = fen(page.locator("#pay-total").inner_text())
        discounts = sum(fen(value) for label, value in totals.items() if label not in ("商品金额", "运费"))
        assert goods == price and discounts == 500
        assert goods - discounts + shipping == total
        assert totals["运费"] == "¥10.00"  # ¥59 is under the free-shipping threshold
        expect_text(page, "实付")
        screenshot(page, "13-checkout")

        journey.total = total

    def test_place_the_order(self, journey, db, screenshot):
        """提交订单 -> order detail, 待付款, stock reserved."""
        page, sku_id, stock_before, total = journey.page, journey.sku_id, journey.stock_before, journey.total
        page.get_by_role("button", name="提交订单").click()
        arrive(page, r"/orders/\d+")
        order_no = page.url.rsplit("/", 1)[1]
        expect_text(page, "订单详情")
        assert page.locator(".status-banner h2").inner_text() == "待付款"
        expect_text(page, "超时订单将自动取消")
        expect_text(page, order_no)
        assert fen(sums(page, ".panel:has(.order-line)")["实付"]) == total
        assert stock_now(db, sku_id) == stock_before - 1
        screenshot(page, "14-order-pending")

        journey.order_no = order_no

    def test_my_orders_list_it_under_pending(self, journey, screenshot):
        """我的订单 -> 待付款 tab lists it."""
        page, order_no = journey.page, journey.order_no
        page.get_by_role("link", name="返回").click()
        arrive(page, "/orders")
        expect_text(page, "我的订单")
        page.locator("nav.tabs").get_by_role("link", name="待付款").click()
        arrive(page, r"/orders\?status=pending")
        assert page.locator("nav.tabs a.on").inner_text() == "待付款"
        card = page.locator(".order-card", has_text=order_no)
        card.wait_for()
        assert "待付款" in card.locator(".status").inner_text()
        assert "纯棉圆领T恤" in card.inner_text()
        screenshot(page, "15-orders-pending")


    def test_me_shows_the_member_and_one_pending_order(self, journey, screenshot):
        """我的: the member's name and one order 待付款."""
        page = journey.page
        page.locator(".tabbar").get_by_role("link", name="我的").click()
        arrive(page, "/me")
        expect_text(page, "新顾客")
        expect_text(page, "137****5678")
        pending_icon = page.locator(".order-icons a", has_text="待付款")
        assert pending_icon.locator(".oi").inner_text() == "1"
        expect_text(page, "收货地址")
        expect_text(page, "退出登录")
        screenshot(page, "16-me")

        journey.pending_icon = pending_icon

    def test_cancel_from_the_order_detail(self, journey, db, screenshot):
        """Cancel from the order detail (accepting the JS confirm): 已取消, stock back."""
        page, sku_id, stock_before = journey.page, journey.sku_id, journey.stock_before
        order_no, pending_icon = journey.order_no, journey.pending_icon
        pending_icon.click()
        page.locator(".order-card", has_text=order_no).locator("a.order-body").click()
        arrive(page, f"/orders/{order_no}")
        dialogs = []

        def accept(dialog):
            dialogs.append(dialog.message)
            dialog.accept()

        page.on("dialog", accept)
        with page.expect_navigation():
            page.get_by_role("button", name="取消订单").click()
        expect_text(page, "订单已取消")
        assert dialogs == ["确定取消这个订单吗？"]
        assert page.locator(".status-banner h2").inner_text() == "已取消"
        assert page.get_by_role("button", name="取消订单").count() == 0
        screenshot(page, "17-order-cancelled")
        assert stock_now(db, sku_id) == stock_before
        assert db.session.scalar(select(Order.status).where(Order.order_no == order_no)) == "cancelled"


@pytest.fixture
def long_product(make_category, make_product):
    shirts = make_category("T恤", parent=make_category("服装"))
    return make_product("超长标题的纯棉圆领短袖T恤男女同款宽松百搭夏季新款透气吸汗不变形不起球", category=shirts,
                        subtitle="新疆长绒棉 · 透气不闷 · 七天无理由退换",
                        skus=[(5900, 10, ["白色", "XXXL"]), (6900, 0, ["藏青色", "XXXXL"]),
                              (5900, 5, ["燕麦色", "M"])])


def test_product_page_fits_a_375px_phone(page, screenshot, long_product):
    page.goto(f"/p/{long_product.id}")
    expect_text(page, "超长标题的纯棉圆领短袖T恤")
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 375, f"page is {scroll_width}px wide at a 375px viewport"
    # On the product page the tab bar's place is taken by the action bar (首页, 购物车, 加入购物车, 立即购买).
    bar = page.locator(".actionbar")
    assert bar.is_visible()
    box = bar.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 375 and box["y"] + box["height"] <= 812
    for name in ("加入购物车", "立即购买"):
        button = bar.get_by_role("button", name=name)
        assert button.is_visible() and button.is_enabled()
        button_box = button.bounding_box()
        assert button_box["x"] + button_box["width"] <= 375
    assert bar.get_by_role("link", name="首页").is_visible()
    assert bar.get_by_role("link", name="购物车").is_visible()
    screenshot(page, "18-product-375px")
