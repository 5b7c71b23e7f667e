"""The merchant's money pages in a real browser at 1280×800: the distributor list with its filters (and empty), a
distributor's page with the adjustment, grade and referrer forms, an adjustment made and one refused, the ledger,
the commission search with its totals (and empty), and the settings page refusing a freeze shorter than the
refund window. Long names and large numbers on purpose. Screenshots go to test-artifacts/screenshots/money-*.png."""
import re

from sqlalchemy import update

from shop.distribution import rules
from shop.distribution.models import ReferralNode
from shop.wallet import adjustments
from tests.browser.journey import arrive, expect_text
from tests.browser.test_aftersales_browser import log_in_staff

ADMIN = {"width": 1280, "height": 800}
LONG_NAME = "上海浦东新区张江高科技园区旗舰店推广员王小明同学"


def log_in(tab, phone, next_path):
    tab.goto(next_path)
    tab.locator("#pw").get_by_label("手机号").fill(phone)
    tab.locator("#pw").get_by_label("密码").fill("secret123")
    tab.locator("#pw").get_by_role("button", name="登录").click()
    arrive(tab, re.escape(next_path))


def full(desk, screenshot, name):
    desk.screenshot(path=screenshot(desk, name), full_page=True)


def test_admin_money_pages(db, shop, paid_order, make_user, make_staff, make_distributor, desk, screenshot):
    rules.save_grade(name="普通分销商", rank=1)
    rules.save_grade(name="钻石合伙人等级", rank=3, min_direct=50)
    db.session.commit()
    star = make_distributor(nickname=LONG_NAME, referrer=make_distributor(nickname="华东大区总代理李四"))
    for i in range(3):
        make_distributor(nickname=f"{LONG_NAME[:12]}{i}号", referrer=star)
    make_distributor(nickname="W" * 40, referrer=star)  # one unbroken word
    db.session.execute(update(ReferralNode).where(ReferralNode.user_id == star.user_id).values(
        team_sales_fen=98_765_432_100, commission_frozen_fen=1_234_567_890, commission_settled_fen=987_654_321))
    for quantity in (1, 2, 90):
        paid_order(quantity=quantity)
    adjustments.adjust(star.user_id, 99_999_999, "年度冠军奖励：全年团队业绩第一，按合伙人协议第三条发放奖励金")
    staff = make_staff(display_name="店长")
    db.session.commit()

    log_in_staff(desk, staff.login, "/admin/distribution/distributors?sort=commission")
    expect_text(desk, LONG_NAME)
    full(desk, screenshot, "money-1-distributors")
    desk.goto("/admin/distribution/distributors?team_min=100000&start=2020-01-01")
    expect_text(desk, "没有符合条件的分销商")
    screenshot(desk, "money-2-distributors-empty")

    desk.goto(f"/admin/distribution/distributors/{star.user_id}")
    expect_text(desk, "人工调整佣金")
    full(desk, screenshot, "money-3-distributor")
    adjust = desk.locator("#adjust")
    adjust.get_by_label("扣减").check()
    adjust.get_by_label("金额（元）").fill("2000000")
    adjust.get_by_label("调整原因").fill("测试超额扣减")
    desk.once("dialog", lambda d: d.accept())
    adjust.get_by_role("button", name="确认调整").click()
    expect_text(desk, "单次调整不能超过")
    desk.locator("#adjust").scroll_into_view_if_needed()
    screenshot(desk, "money-4-adjust-refused")
    adjust = desk.locator("#adjust")
    adjust.get_by_label("扣减").check()
    adjust.get_by_label("金额（元）").fill("12.34")
    adjust.get_by_label("调整原因").fill("错发佣金更正")
    desk.once("dialog", lambda d: d.accept())
    adjust.get_by_role("button", name="确认调整").click()
    arrive(desk, f"/admin/commissions/ledger/{star.user_id}")
    expect_text(desk, "错发佣金更正")
    full(desk, screenshot, "money-5-ledger")

    grade = desk.goto(f"/admin/distribution/distributors/{star.user_id}") and desk.locator("#grade")
    grade.get_by_label("新等级").select_option(label="钻石合伙人等级")
    grade.get_by_label("调整原因").fill("年度优秀推广员，破格提升为钻石合伙人")
    grade.get_by_role("button", name="确认调整").click()
    expect_text(desk, "已调整")
    desk.locator("#grade").scroll_into_view_if_needed()
    expect_text(desk, "破格提升为钻石合伙人")
    full(desk, screenshot, "money-10-distributor-after")

    desk.goto("/admin/commissions")
    expect_text(desk, "净佣金")
    full(desk, screenshot, "money-6-commissions")
    desk.goto("/admin/commissions?order=NO-SUCH-ORDER")
    expect_text(desk, "没有符合条件的佣金")
    screenshot(desk, "money-7-commissions-empty")
    lonely = make_distributor(nickname="新来的")
    db.session.commit()
    desk.goto(f"/admin/commissions/ledger/{lonely.user_id}")
    expect_text(desk, "还没有账户流水")
    screenshot(desk, "money-8-ledger-empty")

    desk.goto("/admin/settings")
    rules_form = desk.locator("#rules")
    rules_form.get_by_label("售后期（天）").fill("15")
    rules_form.get_by_label("佣金冻结期（天）").fill("7")
    rules_form.get_by_role("button", name="保存商家规则").click()
    expect_text(desk, "佣金冻结期不能短于售后期（15 天）")
    full(desk, screenshot, "money-9-settings-refused")
