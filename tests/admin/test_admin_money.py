"""The merchant's money lists: distributors filtered and exported, 调整等级, 人工调整佣金, the commission search with
its totals, and a distributor's ledger."""
import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from shop.clock import utcnow
from shop.distribution import rules
from shop.distribution.models import Commission, Distributor, GradeChange, ReferralNode
from shop.sql import count_statements
from shop.wallet import adjustments
from shop.wallet.audit import run_audit
from shop.wallet.models import Account, Adjustment, LedgerEntry


def page(client, url, status=200):
    resp = client.get(url)
    assert resp.status_code == status, resp.get_data(as_text=True)[:500]
    return resp.get_data(as_text=True)


def names_in(html, names):
    return {name for name in names if name in html}


# ---- the distributor list: filters, order, export -------------------------------------------------------

NAMES = ("阿强", "小美", "老王")


@pytest.fixture
def crowd(db, make_distributor):
    """阿强 (金牌, team 3, earned ¥5.00, joined today), 小美 (no grade, nothing, joined 10 days ago), 老王 (普通,
    disabled, team 1, earned ¥123.45, joined 3 days ago)."""
    gold, plain = rules.save_grade(name="金牌", rank=2), rules.save_grade(name="普通", rank=1)
    db.session.commit()
    people = {name: make_distributor(nickname=name) for name in NAMES}
    figures = {"阿强": (gold.id, 2, 1, 0, 300, 200, 0), "小美": (None, 0, 0, 0, 0, 0, 10),
               "老王": (plain.id, 1, 0, 0, 12345, 0, 3)}
    for name, (grade_id, direct, level2, level3, frozen, settled, days_ago) in figures.items():
        d = db.session.get(Distributor, people[name].user_id)
        d.grade_id, d.joined_at = grade_id, utcnow() - timedelta(days=days_ago)
        d.status = "disabled" if name == "老王" else "active"
        node = db.session.get(ReferralNode, d.user_id)
        node.direct_count, node.level2_count, node.level3_count = direct, level2, level3
        node.commission_frozen_fen, node.commission_settled_fen = frozen, settled
    db.session.commit()
    return people, gold, plain


def day(days_ago):
    return (utcnow() + timedelta(hours=8) - timedelta(days=days_ago)).date().isoformat()


@pytest.mark.parametrize("query, expected", [
    ("", set(NAMES)),
    ("status=active", {"阿强", "小美"}),
    ("status=disabled", {"老王"}),
    ("grade=none", {"小美"}),
    ("team_min=1", {"阿强", "老王"}),
    ("team_min=2&team_max=3", {"阿强"}),
    ("team_max=0", {"小美"}),
    ("commission_min=5", {"阿强", "老王"}),
    ("commission_min=5.01", {"老王"}),
    ("commission_max=5.00", {"阿强", "小美"}),
    ("status=active&commission_min=0.01&team_min=3", {"阿强"}),
])
def test_the_list_filters(client, staff, crowd, query, expected):
    assert names_in(page(client, f"/admin/distribution/distributors?{query}"), NAMES) == expected


def test_the_list_filters_by_grade_and_join_date(client, staff, crowd):
    _, gold, plain = crowd
    url = "/admin/distribution/distributors"
    assert names_in(page(client, f"{url}?grade={gold.id}"), NAMES) == {"阿强"}
    assert names_in(page(client, f"{url}?grade={plain.id}"), NAMES) == {"老王"}
    assert names_in(page(client, f"{url}?start={day(5)}"), NAMES) == {"阿强", "老王"}
    assert names_in(page(client, f"{url}?start={day(11)}&end={day(2)}"), NAMES) == {"小美", "老王"}


@pytest.mark.parametrize("query", [
    "team_min=abc", "team_min=-1", "commission_min=-5", "commission_min=1e9", "start=2026-13-01", "end=x",
    "grade=99999999999", "grade=abc", "sort=evil", "status=deleted", "page=-3", "q=%25_%27",
])
def test_bad_filter_values_are_ignored_never_a_500(client, staff, crowd, query):
    page(client, f"/admin/distribution/distributors?{query}")
    assert client.get(f"/admin/distribution/distributors/export?{query}").status_code == 200


def test_the_list_orders_by_commission_and_team(client, staff, crowd):
    html = page(client, "/admin/distribution/distributors?sort=commission")
    assert html.index("老王") < html.index("阿强") < html.index("小美")
    html = page(client, "/admin/distribution/distributors?sort=team")
    assert html.index("阿强") < html.index("老王") < html.index("小美")


def test_the_filtered_list_keeps_its_filters_on_the_pager_and_export_link(client, staff, crowd, make_distributor):
    for i in range(21):
        make_distributor(nickname=f"推广员{i:02d}")
    html = page(client, "/admin/distribution/distributors?status=active&team_max=0")
    assert "1 / 2" in html and "page=2" in html and "team_max=0" in html.split('rel="next"')[0].rsplit("<a", 1)[1]
    assert "/admin/distribution/distributors/export?status=active&amp;team_max=0" in html


def test_the_filtered_list_runs_a_fixed_number_of_statements(client, staff, crowd, make_distributor):
    def statements():
        with count_statements() as seen:
            page(client, "/admin/distribution/distributors?status=active&commission_max=100&sort=team")
        return len(seen)

    few = statements()
    for i in range(12):
        make_distributor(nickname=f"推广员{i:02d}", referrer=crowd[0]["小美"])
    assert statements() == few


def sheet_rows(resp):
    assert resp.status_code == 200
    assert resp.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return list(load_workbook(io.BytesIO(resp.data)).active.iter_rows(values_only=True))


def test_the_export_holds_exactly_the_filtered_rows(client, db, staff, crowd):
    people, _, _ = crowd
    rows = sheet_rows(client.get("/admin/distribution/distributors/export?commission_min=1&sort=commission"))
    header, body = rows[0], rows[1:]
    assert [row[0] for row in body] == ["老王", "阿强"]
    wang = dict(zip(header, body[0]))
    assert wang["邀请码"] == people["老王"].invite_code and wang["等级"] == "普通" and wang["状态"] == "已停用"
    assert wang["团队人数"] == 1 and str(wang["待结算佣金（元）"]) == "123.45"
    everyone = db.session.scalar(select(func.count(Distributor.user_id)))  # the staff member joined at login too
    assert len(sheet_rows(client.get("/admin/distribution/distributors/export"))) == everyone + 1
    assert sheet_rows(client.get("/admin/distribution/distributors/export?q=nobody")) == [header]


# ---- 调整等级 --------------------------------------------------------------------------------------------

def test_change_grade_with_a_reason_is_recorded_and_shown(client, db, staff, crowd):
    people, gold, plain = crowd
    d = people["阿强"]
    resp = client.post(f"/admin/distribution/distributors/{d.user_id}/grade",
                       data={"grade_id": str(plain.id), "reason": "违规推广，降级处理"})
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(Distributor, d.user_id).grade_id == plain.id
    change = db.session.scalar(select(GradeChange).where(GradeChange.user_id == d.user_id))
    assert (change.from_grade_id, change.to_grade_id, change.reason, change.actor_id) == (
        gold.id, plain.id, "违规推广，降级处理", staff.id)
    html = page(client, f"/admin/distribution/distributors/{d.user_id}")
    assert "金牌 → 普通" in html and "违规推广，降级处理" in html and "操作人：店长" in html

    client.post(f"/admin/distribution/distributors/{d.user_id}/grade", data={"grade_id": "", "reason": "取消等级"})
    db.session.expire_all()
    assert db.session.get(Distributor, d.user_id).grade_id is None


@pytest.mark.parametrize("grade, reason, message", [
    ("gold", "  ", "请填写调整原因"),
    ("gold", "x" * 201, "原因最多200字"),
    ("9999", "升级", "分销等级不存在"),
    ("abc", "升级", "分销等级不存在"),
    ("same", "再来一次", "该分销商已经是这个等级"),
])
def test_change_grade_refusals_change_nothing(client, db, staff, crowd, grade, reason, message):
    people, gold, plain = crowd
    d = people["老王"]
    grade_id = {"gold": str(gold.id), "same": str(plain.id)}.get(grade, grade)
    resp = client.post(f"/admin/distribution/distributors/{d.user_id}/grade",
                       data={"grade_id": grade_id, "reason": reason})
    assert resp.status_code == 400 and message in resp.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Distributor, d.user_id).grade_id == plain.id
    assert db.session.scalar(select(func.count(GradeChange.id))) == 0


# ---- 人工调整佣金 -----------------------------------------------------------------------------------------

def adjust(client, who, direction, amount, reason="活动奖励"):
    return client.post(f"/admin/commissions/adjust/{who.user_id}",
                       data={"direction": direction, "amount": amount, "reason": reason})


def account(db, user_id):
    db.session.expire_all()
    return db.session.get(Account, user_id)


def test_a_plus_adjustment_is_its_own_ledger_entry_and_the_audit_stays_clean(client, db, staff, shop, paid_order):
    paid_order()
    b = db.session.get(Distributor, shop.b.id)
    resp = adjust(client, b, "plus", "88.80", "双十一冠军奖励")
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/admin/commissions/ledger/{b.user_id}")
    acc = account(db, b.user_id)
    assert (acc.frozen_fen, acc.available_fen) == (1000, 8880)
    entry = db.session.scalar(select(LedgerEntry).where(LedgerEntry.kind == "adjustment"))
    adjustment = db.session.scalar(select(Adjustment))
    assert (entry.d_available, entry.available_after, entry.ref_type, entry.ref_id, entry.actor_id, entry.memo) == (
        8880, 8880, "adjustment", adjustment.id, staff.id, "双十一冠军奖励")
    assert (adjustment.user_id, adjustment.amount_fen, adjustment.actor_id) == (b.user_id, 8880, staff.id)
    assert run_audit().clean, run_audit().problems
    html = page(client, f"/admin/commissions/ledger/{b.user_id}")
    assert "人工调整" in html and "+¥88.80" in html and "双十一冠军奖励" in html and "操作人：店长" in html


def test_a_minus_adjustment_takes_only_what_is_available(client, db, staff, make_distributor):
    d = make_distributor(nickname="阿强")
    adjust(client, d, "plus", "50.00")
    assert adjust(client, d, "minus", "20.00", "错发更正").status_code == 302
    assert account(db, d.user_id).available_fen == 3000

    resp = adjust(client, d, "minus", "30.01", "再扣一点")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400 and "可提现余额只有 ¥30.00，不能扣减 ¥30.01" in html
    assert account(db, d.user_id).available_fen == 3000
    assert db.session.scalar(select(func.count(Adjustment.id))) == 2
    assert adjust(client, d, "minus", "30.00", "清零").status_code == 302
    assert account(db, d.user_id).available_fen == 0
    assert run_audit().clean, run_audit().problems


@pytest.mark.parametrize("direction, amount, reason, message", [
    ("plus", "10.00", "   ", "请填写调整原因"),
    ("plus", "0", "奖励", "调整金额须为不等于 0 的金额"),
    ("plus", "", "奖励", "请填写调整金额"),
    ("plus", "-5", "奖励", "金额格式不正确"),
    ("plus", "1.234", "奖励", "金额格式不正确"),
    ("plus", "abc", "奖励", "金额格式不正确"),
    ("plus", "1000000.01", "奖励", "单次调整不能超过 ¥1000000.00"),
    ("sideways", "10.00", "奖励", "调整方向"),
    ("plus", "10.00", "长" * 201, "原因最多200字"),
])
def test_adjustment_refusals_change_nothing(client, db, staff, make_distributor, direction, amount, reason, message):
    d = make_distributor(nickname="阿强")
    resp = adjust(client, d, direction, amount, reason)
    assert resp.status_code == 400 and message in resp.get_data(as_text=True)
    assert db.session.scalar(select(func.count(LedgerEntry.id))) == 0
    assert db.session.scalar(select(func.count(Adjustment.id))) == 0


def test_the_audit_finds_an_adjustment_entry_without_its_adjustment(db, make_distributor):
    from shop.wallet import ledger

    d = make_distributor()
    adjustments.adjust(d.user_id, 500, "奖励")
    ledger.post(d.user_id, "adjustment", available=700, ref_type="adjustment", ref_id=424242)
    db.session.commit()
    problems = run_audit().problems
    assert any("adjustment 424242" in p for p in problems)
    assert any("adjustments 500" in p for p in problems)


# ---- strangers ---------------------------------------------------------------------------------------------

def test_unknown_ids_are_404(client, staff, make_user):
    member = make_user()  # a member, but not a distributor
    for user_id in (999, member.id):
        assert client.get(f"/admin/commissions/ledger/{user_id}").status_code == 404
        assert client.post(f"/admin/commissions/adjust/{user_id}",
                           data={"direction": "plus", "amount": "1", "reason": "x"}).status_code == 404
        assert client.post(f"/admin/distribution/distributors/{user_id}/grade",
                           data={"grade_id": "", "reason": "x"}).status_code == 404


# ---- the commission search and its totals ----------------------------------------------------------------

def commission_sums(db, *where):
    return db.session.execute(select(func.count(Commission.id), func.sum(Commission.amount_fen),
                                     func.sum(Commission.net_fen)).where(*where)).one()


def test_the_search_totals_every_filtered_row_not_just_the_page(client, db, staff, shop, paid_order):
    orders = [paid_order(quantity=q) for q in (1, 2, 3)] + [paid_order() for _ in range(10)]
    html = page(client, "/admin/commissions")
    count, amount, net = commission_sums(db)
    assert count == 26 and "1 / 2" in html
    totals = html.split('id="commission-totals"')[1].split("</section>")[0]
    assert (count, amount, net) == (26, 24000, 24000)  # 16 units of ¥100: 10% to B, 5% to A
    assert ">26<" in totals and "¥240.00" in totals

    html = page(client, f"/admin/commissions?distributor={shop.b.phone}")
    assert "¥160.00" in html.split('id="commission-totals"')[1].split("</section>")[0]  # 10% of 16 × ¥100
    html = page(client, f"/admin/commissions?order={orders[2].order_no}")
    totals = html.split('id="commission-totals"')[1].split("</section>")[0]
    assert ">2<" in totals and "¥45.00" in totals and orders[2].order_no in html and orders[0].order_no not in html


def test_the_search_filters_by_status_level_invite_code_and_date(client, db, staff, shop, paid_order):
    paid_order()
    a = db.session.get(Distributor, shop.a.id)
    assert "¥5.00" in page(client, f"/admin/commissions?distributor={a.invite_code.lower()}")
    assert "还没有佣金" not in page(client, "/admin/commissions?level=2")
    assert "没有符合条件的佣金" in page(client, "/admin/commissions?status=settled")
    assert "冻结中" in page(client, "/admin/commissions?status=frozen")
    assert "没有符合条件的佣金" in page(client, f"/admin/commissions?start={day(-1)}")
    assert "没有符合条件的佣金" not in page(client, f"/admin/commissions?start={day(0)}&end={day(0)}")
    for query in ("level=7", "status=x", "start=2026-02-30", "page=0", "distributor=%25"):
        page(client, f"/admin/commissions?{query}")


def test_the_search_runs_a_fixed_number_of_statements(client, staff, shop, paid_order):
    def statements():
        with count_statements() as seen:
            page(client, "/admin/commissions?level=1")
        return len(seen)

    paid_order()
    few = statements()
    for _ in range(5):
        paid_order()
    assert statements() == few


def test_an_empty_search_says_so(client, staff):
    assert "还没有佣金" in page(client, "/admin/commissions")


# ---- a distributor's ledger --------------------------------------------------------------------------------

def test_the_ledger_shows_each_entry_with_the_balances_after(client, db, staff, shop, paid_order):
    paid_order()
    a = db.session.get(Distributor, shop.a.id)
    adjustments.adjust(a.user_id, 250, "奖励")
    db.session.commit()
    html = page(client, f"/admin/commissions/ledger/{a.user_id}")
    body = html.split("<tbody>")[1]
    adjustment_row, commission_row = body.split("</tr>")[:2]
    assert "人工调整" in adjustment_row and "+¥2.50" in adjustment_row
    assert adjustment_row.count("¥5.00") == 1 and "¥2.50" in adjustment_row  # frozen 5.00 after, available 2.50
    assert "佣金入账（冻结）" in commission_row and "+¥5.00" in commission_row


def test_the_ledger_pages_in_a_fixed_number_of_statements(client, db, staff, make_distributor):
    d = make_distributor(nickname="阿强")

    def statements(url):
        with count_statements() as seen:
            html = page(client, url)
        return len(seen), html

    adjustments.adjust(d.user_id, 100, "第1笔")
    db.session.commit()
    few, _ = statements(f"/admin/commissions/ledger/{d.user_id}")
    for i in range(2, 23):
        adjustments.adjust(d.user_id, 100, f"第{i}笔")
    db.session.commit()
    many, html = statements(f"/admin/commissions/ledger/{d.user_id}")
    assert many == few and "1 / 2" in html and "第22笔" in html and "第1笔<" not in html
    assert "第1笔<" in page(client, f"/admin/commissions/ledger/{d.user_id}?page=2")


def test_an_empty_ledger_says_so(client, staff, make_distributor):
    d = make_distributor()
    assert "还没有账户流水" in page(client, f"/admin/commissions/ledger/{d.user_id}")


def test_the_totals_count_what_refunds_took_back(client, db, staff, shop, paid_order):
    from shop.payments import refunds

    order = paid_order(quantity=3)
    refund = refunds.request_refund(shop.buyer, order, "尺码偏小", {order.lines[0].id: 1})
    db.session.commit()
    refunds.approve_refund(refund.id, staff)
    html = page(client, "/admin/commissions")
    totals = html.split('id="commission-totals"')[1].split("</section>")[0]
    assert "¥45.00" in totals and "退回 ¥15.00 · 追回 ¥0.00" in totals and "¥30.00" in totals
    assert run_audit().clean, run_audit().problems
