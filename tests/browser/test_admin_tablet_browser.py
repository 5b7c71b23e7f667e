"""The main admin pages and lists in real Chromium at 1280x800 and at tablet width (768x1024), with long names, titles,
addresses, tracking numbers, memos and amounts: the page itself never scrolls sideways (a wide table scrolls inside
its own wrapper), and a long ledger memo wraps inside its column. Screenshots go to
test-artifacts/screenshots/admin-tablet-*.png."""
import pytest
from sqlalchemy import update

from shop.admin.commissions.services import adjust
from shop.distribution.models import Distributor
from shop.orders.models import Order
from shop.orders.services import ship_order
from shop.wallet import ledger, withdrawals
from tests.browser.test_withdrawals_browser import LONG_NAME
from tests.browser.test_withdrawals_browser import log_in_staff as log_in

pytestmark = pytest.mark.browser

SIZES = {"1280": {"width": 1280, "height": 800}, "768": {"width": 768, "height": 1024}}
LONG_TITLE = "超长商品名称：2026 新款加绒加厚连帽卫衣男女同款宽松百搭潮牌外套（送同款袜子两双）"
LONG_ADDRESS = "新疆维吾尔自治区伊犁哈萨克自治州伊宁市解放路街道某某小区 18 号楼 3 单元 1201 室（请放快递柜）"
LONG_TRACKING = "SF1234567890123456789012345678901234567890"
LONG_MEMO = ("618 活动补发佣金：订单 2026061812345678901234567890 的二级佣金按新规则重算后少发，差额一次补齐；"
             "参考工单 TICKET-20260618-ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789，经财务复核，店长审批通过。")


@pytest.fixture
def long_data(db, shop, place, pay, make_staff, make_product):
    """The staff member, orders of a ¥12,345,678.90 product with long names and addresses (one shipped with a
    40-digit tracking number), a withdrawal to a long bank account, and a long adjustment memo on B's ledger.
    Returns (staff, {page name: path})."""
    staff = make_staff(display_name=LONG_NAME[:12])
    shop.b.nickname, shop.buyer.nickname = LONG_NAME[:20], LONG_NAME
    db.session.commit()
    hoodie = make_product(LONG_TITLE, skus=[(1234567890, 1000, ["超大号加长版", "XXXL"])])
    orders = [pay(place(quantity=1 + i % 3, product=hoodie if i % 2 else None)) for i in range(6)]
    db.session.execute(update(Order).where(Order.id == orders[-1].id).values(address_text=LONG_ADDRESS,
                                                                           note=LONG_ADDRESS))
    db.session.commit()
    ship_order(orders[0], "中国邮政速递物流股份有限公司", LONG_TRACKING)
    adjust(db.session.get(Distributor, shop.b.id), 12345678, LONG_MEMO, staff)
    ledger.post(shop.a.id, "adjustment", available=98765432, ref_type="adjustment", ref_id=0)
    withdrawals.request_withdrawal(shop.a.id, 1987654, "bank", {
        "bank": "中国工商银行股份有限公司北京长安街支行营业部", "card_no": "6222020200112345678901", "name": LONG_NAME})
    db.session.commit()
    paths = {"dashboard": "/admin/", "orders": "/admin/orders", "order": f"/admin/orders/{orders[-1].order_no}",
             "members": "/admin/members", "distributors": "/admin/distribution/distributors",
             "commissions": "/admin/commissions", "withdrawals": "/admin/withdrawals",
             "ledger": f"/admin/commissions/ledger/{shop.b.id}", "refunds": "/admin/refunds?status=",
             "products": "/admin/products", "alerts": "/admin/alerts?state=all", "staff": "/admin/staff",
             "oplog": "/admin/oplog"}
    db.session.rollback()
    return staff, paths


@pytest.fixture(params=sorted(SIZES))
def tab(request, browser, live_server):
    """A staff browser tab at 1280x800 or 768x1024."""
    context = browser.new_context(viewport=SIZES[request.param], locale="zh-CN", base_url=live_server)
    context.set_default_timeout(15_000)
    errors = []
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, errors


def test_the_main_pages_never_scroll_sideways(tab, long_data, screenshot):
    staff, paths = long_data
    log_in(tab, staff)
    width, too_wide = tab.viewport_size["width"], {}
    for name, path in paths.items():
        tab.goto(path)
        tab.screenshot(path=screenshot(tab, f"admin-tablet-{width}-{name}"), full_page=True)
        page_width = tab.evaluate("document.documentElement.scrollWidth")
        if page_width > width:
            too_wide[name] = page_width
    assert too_wide == {}, f"pages wider than {width} px"


def test_a_long_ledger_memo_wraps_inside_its_column(tab, long_data):
    staff, paths = long_data
    log_in(tab, staff)
    tab.goto(paths["ledger"])
    memo = tab.locator(".ledger-table td.why").first
    assert "TICKET-20260618-ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789" in memo.inner_text()
    box = memo.bounding_box()
    assert memo.evaluate("el => el.scrollWidth <= el.clientWidth")  # nothing clipped inside the cell
    assert box["height"] > 40  # the memo took more than one line
    if tab.viewport_size["width"] >= 1280:  # the whole table, 备注 included, is in view without scrolling
        wrapper = tab.locator(".ledger-table").locator("xpath=..")
        assert wrapper.evaluate("el => el.scrollWidth <= el.clientWidth")
        assert box["x"] + box["width"] <= wrapper.bounding_box()["x"] + wrapper.bounding_box()["width"] + 1
