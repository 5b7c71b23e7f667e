"""分销 settings, commission rules, grades and per-product commission in the admin."""
import re

import pytest
from sqlalchemy import func, select

from shop.distribution import rules
from shop.distribution.models import CommissionSettings, Grade, ProductCommission, RuleVersion
from shop.money import bp_to_percent_text, parse_percent_bp
from shop.settings import get_setting


def value_of(html, name):
    """The value attribute of the input called name."""
    match = re.search(rf'<input [^>]*name="{name}"[^>]*value="([^"]*)"', html)
    return match.group(1) if match else None


def count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


def stored_rules(db):
    db.session.expire_all()
    row = db.session.get(CommissionSettings, 1)
    return (row.levels, row.rate1_bp, row.rate2_bp, row.rate3_bp, row.self_purchase, row.cap_bp) if row else None


def rules_form(levels="2", rate1="10", rate2="5", rate3="0", cap="50", self_purchase=False):
    data = {"levels": levels, "rate1": rate1, "rate2": rate2, "rate3": rate3, "cap": cap}
    if self_purchase:
        data["self_purchase"] = "y"
    return data


# ---- percent parsing -------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, bp", [
    ("10", 1000), ("7.5", 750), ("7.55", 755), ("0", 0), ("0.01", 1), ("100", 10000), ("100.00", 10000),
    (" 12.3 ", 1230), ("5%", 500), ("007.5", 750),
])
def test_percent_is_parsed_to_basis_points_with_integers(text, bp):
    assert parse_percent_bp(text) == bp


@pytest.mark.parametrize("text", ["7.555", "-1", "abc", "101", "100.01", "", "1e2", ".5", "5.", "1,5", "１０",
                                  "10 %%", "nan", None])
def test_percent_refuses_what_is_not_a_rate(text):
    with pytest.raises(ValueError):
        parse_percent_bp(text)


@pytest.mark.parametrize("bp, text", [(1000, "10"), (750, "7.5"), (755, "7.55"), (1, "0.01"), (0, "0"),
                                      (None, "")])
def test_basis_points_are_shown_as_percent(bp, text):
    assert bp_to_percent_text(bp) == text
    if bp is not None:
        assert parse_percent_bp(text) == bp


# ---- 分销设置 --------------------------------------------------------------------------------------------

def settings_form(**fields):
    data = {"distribution_mode": "everyone", "distribution_threshold": "100.00", "bind_scope": "any",
            "bind_moment": "visit", "bind_validity": "permanent", "bind_valid_days": ""}
    data.update(fields)
    return data


def test_settings_page_shows_the_defaults_and_that_joining_is_free(client, staff):
    html = client.get("/admin/distribution/settings").get_data(as_text=True)
    assert "永远免费" in html and "人人分销" in html and "申请审核" in html and "消费门槛" in html
    assert '<input checked id="distribution_mode-0" name="distribution_mode" type="radio" value="everyone">' in html
    assert value_of(html, "distribution_threshold") == "100.00"


def test_settings_are_saved(client, staff, db):
    resp = client.post("/admin/distribution/settings", data=settings_form(
        distribution_mode="threshold", distribution_threshold="288.5", bind_scope="new", bind_moment="paid",
        bind_validity="days", bind_valid_days="30"))
    assert resp.status_code == 302
    assert {k: get_setting(k) for k in ("distribution_mode", "distribution_threshold_fen", "bind_scope",
                                        "bind_moment", "bind_valid_days")} == {
        "distribution_mode": "threshold", "distribution_threshold_fen": 28850, "bind_scope": "new",
        "bind_moment": "paid", "bind_valid_days": 30}
    html = client.get("/admin/distribution/settings").get_data(as_text=True)
    assert (value_of(html, "distribution_threshold"), value_of(html, "bind_valid_days")) == ("288.50", "30")

    client.post("/admin/distribution/settings", data=settings_form(bind_valid_days="30"))
    db.session.rollback()  # settings are read once per transaction: this test's own ends here
    assert get_setting("bind_valid_days") == 0 and get_setting("distribution_mode") == "everyone"
    assert get_setting("distribution_threshold_fen") == 10000


@pytest.mark.parametrize("fields, message", [
    ({"distribution_mode": "threshold", "distribution_threshold": ""}, "请填写大于0的消费门槛"),
    ({"distribution_mode": "threshold", "distribution_threshold": "0"}, "请填写大于0的消费门槛"),
    ({"distribution_threshold": "1.234"}, "金额格式不正确"),
    ({"bind_validity": "days", "bind_valid_days": ""}, "请填写1到3650之间的天数"),
    ({"bind_validity": "days", "bind_valid_days": "0"}, "请填写1到3650之间的天数"),
    ({"bind_validity": "days", "bind_valid_days": "abc"}, "请填写整数"),
    ({"distribution_mode": "pay_to_join"}, "分销"),
])
def test_bad_settings_are_refused_and_change_nothing(client, staff, fields, message):
    resp = client.post("/admin/distribution/settings", data=settings_form(**{"distribution_mode": "apply", **fields}))
    assert resp.status_code == 400
    assert message in resp.get_data(as_text=True)
    assert get_setting("distribution_mode") == "everyone" and get_setting("bind_valid_days") == 0


# ---- 佣金规则 ----------------------------------------------------------------------------------------------

def test_rules_page_explains_the_three_level_limit(client, staff):
    html = client.get("/admin/distribution/rules").get_data(as_text=True)
    assert "禁止传销条例" in html and "最多 3 级" in html
    assert (value_of(html, "rate1"), value_of(html, "rate2"), value_of(html, "cap")) == ("10", "5", "50")


def test_a_valid_change_saves_the_rules_as_a_new_version(client, db, staff):
    rules.current_version()
    db.session.commit()
    before = count(db, RuleVersion)

    resp = client.post("/admin/distribution/rules", data=rules_form("3", "12.5", "5", "2.25", "40", True))

    assert resp.status_code == 302
    assert stored_rules(db) == (3, 1250, 500, 225, True, 4000)
    assert count(db, RuleVersion) == before + 1
    newest = rules.current_version()
    assert newest.rules["rates_bp"] == [1250, 500, 225] and newest.actor_id == staff.id
    html = client.get("/admin/distribution/rules").get_data(as_text=True)
    assert f"#{newest.id}" in html and "修改全局佣金规则" in html and value_of(html, "rate1") == "12.5"


def test_more_than_three_levels_is_refused_as_pyramid_selling_and_changes_nothing(client, db, staff):
    rules.current_version()
    db.session.commit()
    before, versions = stored_rules(db), count(db, RuleVersion)

    resp = client.post("/admin/distribution/rules", data=rules_form("4", "10", "5", "1"))

    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert "传销" in html and "禁止传销条例" in html
    assert '<option selected value="4">' in html  # the refused value is shown as sent
    assert stored_rules(db) == before and count(db, RuleVersion) == versions


@pytest.mark.parametrize("form, message", [
    (rules_form("2", "40", "20"), "超过封顶"),
    (rules_form("3", "30", "15", "10", cap="50"), "超过封顶"),
    (rules_form("2", "10", "5", cap="101"), "比例格式不正确"),
    (rules_form("2", "7.555"), "比例格式不正确"),
    (rules_form("2", "-1"), "比例格式不正确"),
    (rules_form("2", "abc"), "比例格式不正确"),
    (rules_form("2", "10", ""), "请填写已启用层级的佣金比例"),
    (rules_form("2", cap=""), "请填写佣金封顶比例"),
    (rules_form("0"), "至少1级"),
    (rules_form("x"), "分销层级："),
])
def test_bad_rules_are_refused_and_change_nothing(client, db, staff, form, message):
    rules.current_version()
    db.session.commit()
    before, versions = stored_rules(db), count(db, RuleVersion)
    resp = client.post("/admin/distribution/rules", data=form)
    assert resp.status_code == 400
    assert message in resp.get_data(as_text=True)
    assert stored_rules(db) == before and count(db, RuleVersion) == versions


def test_a_blank_rate_of_an_unused_level_is_zero(client, db, staff):
    assert client.post("/admin/distribution/rules", data=rules_form("1", "15", "", "")).status_code == 302
    assert stored_rules(db) == (1, 1500, 0, 0, False, 5000)


# ---- 分销等级 --------------------------------------------------------------------------------------------

def grade_form(name="银牌", rank="", rate1="12", rate2="", rate3="", min_direct="5", min_team_sales="1000",
               min_own_paid="", min_commission="88.8"):
    return {"name": name, "rank": rank, "rate1": rate1, "rate2": rate2, "rate3": rate3, "min_direct": min_direct,
            "min_team_sales": min_team_sales, "min_own_paid": min_own_paid, "min_commission": min_commission}


def test_create_a_grade(client, db, staff):
    versions = count(db, RuleVersion)
    resp = client.post("/admin/distribution/grades/new", data=grade_form())
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/admin/distribution/grades")
    grade = db.session.scalar(select(Grade))
    assert (grade.name, grade.rank, grade.rates, grade.min_direct, grade.min_team_sales_fen, grade.min_own_paid_fen,
            grade.min_commission_fen) == ("银牌", 1, (1200, None, None), 5, 100000, 0, 8880)
    assert count(db, RuleVersion) == versions + 1
    html = client.get("/admin/distribution/grades").get_data(as_text=True)
    assert "银牌" in html and "12.00%" in html and "全局" in html and "直推 5 人" in html and "¥1000.00" in html


def test_edit_a_grade(client, db, staff):
    client.post("/admin/distribution/grades/new", data=grade_form("普通", rate1="", min_direct="", min_team_sales="",
                                                                  min_commission=""))
    client.post("/admin/distribution/grades/new", data=grade_form())
    silver = db.session.scalar(select(Grade).where(Grade.name == "银牌"))
    assert silver.rank == 2
    html = client.get(f"/admin/distribution/grades/{silver.id}/edit").get_data(as_text=True)
    assert [value_of(html, f) for f in ("name", "rank", "rate1", "rate2", "min_team_sales", "min_commission")] == [
        "银牌", "2", "12", "", "1000.00", "88.80"]

    resp = client.post(f"/admin/distribution/grades/{silver.id}/edit",
                       data=grade_form("金牌", rank="5", rate1="", rate2="6.5", min_direct="0", min_commission=""))

    assert resp.status_code == 302
    db.session.expire_all()
    silver = db.session.get(Grade, silver.id)
    assert (silver.name, silver.rank, silver.rates, silver.min_direct, silver.min_commission_fen) == (
        "金牌", 5, (None, 650, None), 0, 0)


@pytest.mark.parametrize("form, message", [
    (grade_form(name=""), "请填写等级名称"),
    (grade_form(name="普通"), "等级名称「普通」已存在"),
    (grade_form(rank="1"), "等级高低 1 已被其他等级使用"),
    (grade_form(rank="0"), "等级高低须为正整数"),
    (grade_form(rate1="45", rate2="10"), "超过封顶"),
    (grade_form(rate1="7.555"), "比例格式不正确"),
    (grade_form(min_direct="-1"), "直推人数不能为负数"),
    (grade_form(min_team_sales="-5"), "金额格式不正确"),
])
def test_bad_grades_are_refused(client, db, staff, form, message):
    client.post("/admin/distribution/grades/new", data=grade_form("普通", rank="1", rate1=""))
    versions = count(db, RuleVersion)
    resp = client.post("/admin/distribution/grades/new", data=form)
    assert resp.status_code == 400
    assert message in resp.get_data(as_text=True)
    assert count(db, Grade) == 1 and count(db, RuleVersion) == versions


def test_unknown_grade_is_404(client, staff):
    assert client.get("/admin/distribution/grades/999/edit").status_code == 404
    assert client.post("/admin/distribution/grades/999/edit", data=grade_form()).status_code == 404


# ---- 商品佣金 --------------------------------------------------------------------------------------------

@pytest.fixture
def product(make_product):
    """A product whose lowest price is ¥100.00."""
    return make_product("分销茶具", skus=((10000, 5, ["白"]), (12000, 5, ["青"])), spec_names=["颜色"])


def overrides(db, product_id):
    db.session.expire_all()
    return {row.level: (row.mode, row.value) for row in
            db.session.scalars(select(ProductCommission).where(ProductCommission.product_id == product_id))}


def test_product_edit_page_offers_the_enabled_levels(client, db, staff, product):
    html = client.get(f"/admin/products/{product.id}/edit").get_data(as_text=True)
    assert "商品佣金" in html and 'name="mode1"' in html and 'name="mode2"' in html and 'name="mode3"' not in html
    rules.update_global_rules(levels=3)
    db.session.commit()
    assert 'name="mode3"' in client.get(f"/admin/products/{product.id}/edit").get_data(as_text=True)
    assert "商品佣金" not in client.get("/admin/products/new").get_data(as_text=True)


def test_set_product_commission(client, db, staff, product):
    versions = count(db, RuleVersion)
    resp = client.post(f"/admin/products/{product.id}/commission",
                       data={"mode1": "fixed", "value1": "15", "mode2": "percent", "value2": "7.5"})
    assert resp.status_code == 302
    assert resp.headers["Location"].endswith(f"/admin/products/{product.id}/edit#commission")
    assert overrides(db, product.id) == {1: ("fixed", 1500), 2: ("percent", 750)}
    assert count(db, RuleVersion) == versions + 1
    assert rules.current_version().rules["product_overrides"][str(product.id)] == {"1": ["fixed", 1500],
                                                                                  "2": ["percent", 750]}
    html = client.get(f"/admin/products/{product.id}/edit").get_data(as_text=True)
    assert (value_of(html, "value1"), value_of(html, "value2")) == ("15.00", "7.5")
    assert '<option selected value="fixed">' in html

    client.post(f"/admin/products/{product.id}/commission", data={"mode1": "", "value1": "", "mode2": "", "value2": ""})
    assert overrides(db, product.id) == {}


@pytest.mark.parametrize("data, message", [
    ({"mode1": "fixed", "value1": "100.01"}, "超过该商品最低售价"),
    ({"mode1": "percent", "value1": "45", "mode2": "percent", "value2": "10"}, "超过封顶"),
    ({"mode1": "fixed", "value1": "45", "mode2": "percent", "value2": "10"}, "超过最低售价"),
    ({"mode1": "percent", "value1": "7.555"}, "比例格式不正确"),
    ({"mode1": "fixed", "value1": "1.234"}, "金额格式不正确"),
    ({"mode1": "fixed", "value1": ""}, "请填写佣金数值"),
    ({"mode1": "bonus", "value1": "5"}, "不是有效的选择"),
])
def test_bad_product_commission_is_refused_and_changes_nothing(client, db, staff, product, data, message):
    client.post(f"/admin/products/{product.id}/commission", data={"mode1": "percent", "value1": "20"})
    versions = count(db, RuleVersion)
    resp = client.post(f"/admin/products/{product.id}/commission", data=data)
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert message in html
    assert 'name="title"' in html and 'value="分销茶具"' in html  # the product form again, with stored values
    assert overrides(db, product.id) == {1: ("percent", 2000)} and count(db, RuleVersion) == versions


def test_overrides_of_a_switched_off_level_are_kept(client, db, staff, product):
    rules.update_global_rules(levels=3, rate3_bp=100)
    db.session.commit()
    client.post(f"/admin/products/{product.id}/commission", data={"mode3": "percent", "value3": "2"})
    rules.update_global_rules(levels=2)
    db.session.commit()
    client.post(f"/admin/products/{product.id}/commission", data={"mode1": "percent", "value1": "9"})
    assert overrides(db, product.id) == {1: ("percent", 900), 3: ("percent", 200)}


def test_commission_of_an_unknown_product_is_404(client, staff):
    assert client.post("/admin/products/999/commission", data={"mode1": "percent", "value1": "5"}).status_code == 404
