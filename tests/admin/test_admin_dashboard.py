"""概览: today's orders, orders waiting on someone, catalog size and low stock; a period's figures, the range form,
the charts, the audit card and the cost of a page."""
from datetime import timedelta

import pytest

from shop.admin.dashboard.services import china_today
from shop.reports.models import AuditRun
from shop.sql import count_statements


def test_dashboard_counts_orders_products_and_low_stock(client, staff, make_product, make_order):
    product = make_product("保温杯", skus=((3900, 4, ["白"]), (3900, 50, ["黑"])), spec_names=["颜色"])
    make_product("帆布包", skus=((2900, 30, []),), spec_names=[])
    white = next(s for s in product.skus if s.spec_values == ["白"])
    make_order(white, status="paid")
    make_order(white)

    html = client.get("/admin/").get_data(as_text=True)

    figures = html.split('class="stat-value">')[1:5]
    assert [f.split("<")[0] for f in figures] == ["2", "1", "1", "2"]  # today, pending, to ship, products
    low = html.split("库存紧张")[1]
    assert "保温杯" in low and "白" in low and "帆布包" not in low


def test_dashboard_of_an_empty_shop(client, staff):
    resp = client.get("/admin/")
    assert resp.status_code == 200
    assert "暂无库存紧张的商品" in resp.get_data(as_text=True)



def figure(html, label):
    """The figure shown above `label` in the period's panel."""
    return html.split(f'<span class="figure-label">{label}')[0].rsplit('<span class="figure-value">', 1)[1].split("<")[0]


def test_the_period_panel_shows_paid_sales_and_commission(client, staff, paid_order):
    paid_order(quantity=2)
    html = client.get("/admin/?period=7d").get_data(as_text=True)
    assert figure(html, "支付金额") == "¥200.00" and figure(html, "支付订单") == "1"
    assert figure(html, "产生佣金") == "¥30.00" and figure(html, "分销成交占比") == "100.00%"
    assert "<svg" in html and "好物" in html and "小B" in html


@pytest.mark.parametrize("query,shown", [
    ("period=today", "今日"), ("period=7d", "近7天"), ("period=30d", "近30天"), ("period=nonsense", "今日")])
def test_each_period_is_a_tab(client, staff, query, shown):
    html = client.get(f"/admin/?{query}").get_data(as_text=True)
    assert f'class="on">{shown}</a>' in html


def test_a_chosen_range(client, staff):
    today = china_today()
    start = today - timedelta(days=9)
    html = client.get(f"/admin/?period=range&start={start}&end={today}").get_data(as_text=True)
    assert f"{start} ~ {today}" in html and 'role="alert"' not in html
    assert html.count('<rect class="bar"') == 10


@pytest.mark.parametrize("start,end,message", [
    ("2026-13-01", "2026-12-01", "请输入正确的日期"), ("", "", "请输入正确的日期"), ("abc", "2026-01-01", "请输入正确的日期"),
    ("2026-02-01", "2026-01-01", "开始日期不能晚于结束日期"), ("2099-01-01", "2099-01-02", "开始日期不能晚于今天"),
    ("2020-01-01", "2026-01-01", "日期范围最长366天")])
def test_bad_dates_give_a_message_and_today(client, staff, start, end, message):
    resp = client.get(f"/admin/?period=range&start={start}&end={end}")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and message in html and 'class="on">今日</a>' in html


def test_a_range_ending_in_the_future_stops_today(client, staff):
    today = china_today()
    html = client.get(f"/admin/?period=range&start={today}&end={today + timedelta(days=5)}").get_data(as_text=True)
    assert f"{today} ~" not in html and 'role="alert"' not in html


def statements(client, path):
    with count_statements() as seen:
        assert client.get(path).status_code == 200
    return len(seen)


def test_a_dashboard_load_sends_a_bounded_number_of_statements(client, staff, paid_order, make_user):
    from shop.reports.rollups import build_rollups

    paid_order()
    few = statements(client, "/admin/?period=30d")
    for _ in range(3):
        paid_order(buyer=make_user())
    build_rollups()
    assert statements(client, "/admin/?period=30d") <= few <= 30
    assert statements(client, "/admin/?period=today") <= few


@pytest.mark.parametrize("clean,css,text", [(None, "audit-none", "未运行"), (True, "audit-ok", "正常"),
                                             (False, "audit-bad", "2个问题")])
def test_the_latest_audit_is_shown_red_when_anything_is_wrong(client, staff, db, clean, css, text):
    if clean is not None:
        db.session.add(AuditRun(clean=not clean, problem_count=0 if not clean else 1, summary=""))
        db.session.add(AuditRun(clean=clean, problem_count=0 if clean else 2, summary="" if clean else "account 7: x"))
        db.session.commit()
    html = client.get("/admin/").get_data(as_text=True)
    card = html.split('id="audit"')[0].rsplit("<a ", 1)[1]
    assert css in card and text in html.split('id="audit"')[1].split("</a>")[0]


def test_the_audit_command_records_its_run(app, db, paid_order):
    paid_order()
    result = app.test_cli_runner().invoke(args=["shop", "audit"])
    assert result.exit_code == 0, result.output
    run = db.session.query(AuditRun).one()
    assert (run.clean, run.problem_count) == (True, 0)


def test_the_rollup_command(app, db, make_user):
    make_user()
    result = app.test_cli_runner().invoke(args=["shop", "rollup", "--since", str(china_today() - timedelta(days=3))])
    assert result.exit_code == 0 and "rolled up 3 day(s)" in result.output


def test_chart_scales_are_round_and_never_below_one_unit():
    from shop.admin.dashboard.charts import bars_chart, nice_top

    assert [nice_top(v) for v in (0, 4, 5, 9, 41, 399, 401, 123_456)] == [4, 4, 8, 20, 80, 400, 800, 200_000]
    chart = bars_chart([china_today()], [0], unit=100)
    assert [tick for _y, tick in chart.ticks] == ["0", "100", "200", "300", "400"]


@pytest.mark.parametrize("lang,labels", [("zh", ["0", "5000", "2万", "1.5亿"]), ("en", ["0", "5K", "20K", "150M"])])
def test_axis_labels_are_compact_in_the_readers_language(app, lang, labels):
    from shop.admin.dashboard.charts import compact

    with app.test_request_context(f"/admin/?lang={lang}"):
        assert [compact(n) for n in (0, 5000, 20000, 150_000_000)] == labels


def test_the_dashboard_in_english(client, staff, paid_order):
    paid_order(quantity=2)
    resp = client.get("/admin/?period=7d&lang=en")
    assert resp.status_code == 200 and "<svg" in resp.get_data(as_text=True)
