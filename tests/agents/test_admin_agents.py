"""Admin 区域代理: appoint, change the rate, end; the list with figures, filters and exports; the operation log."""
import csv
import io

import pytest
from openpyxl import load_workbook

from shop.agents.models import Agent
from shop.staff.models import OperationLog
from tests.conftest import login_staff

FORM = {"phone": "13755556666", "level": "city", "province": "浙江省", "city": "杭州市", "district": "",
        "rate": "1.5"}


@pytest.fixture
def finance(client, make_staff):
    staff = make_staff(role="finance")
    login_staff(client, staff)
    return staff


def test_appoint_change_and_end_are_logged(client, db, shop, finance):
    resp = client.post("/admin/agents/new", data=FORM)
    assert resp.status_code == 302, resp.get_data(as_text=True)
    agent = db.session.query(Agent).one()
    assert (agent.user_id, agent.level, agent.rate_bp, agent.actor_id) == (shop.buyer.id, "city", 150, finance.id)
    assert client.post(f"/admin/agents/{agent.id}/rate", data={"rate": "2"}).status_code == 302
    assert client.post(f"/admin/agents/{agent.id}/end", data={"reason": "合同到期"}).status_code == 302
    db.session.refresh(agent)
    assert (agent.rate_bp, agent.status, agent.end_reason) == (200, "ended", "合同到期")
    assert db.session.query(OperationLog).filter_by(area="agents").count() == 3


@pytest.mark.parametrize("field, value, message", [
    ("phone", "13900000000", "没有手机号"), ("rate", "abc", "比例格式不正确"), ("city", "", "请填写代理区域"),
    ("level", "town", "不是有效的选择"), ("rate", "", "请填写分红比例"),
])
def test_bad_appointments_show_a_message_and_change_nothing(client, db, shop, finance, field, value, message):
    resp = client.post("/admin/agents/new", data={**FORM, field: value})
    assert resp.status_code == 400
    assert message in resp.get_data(as_text=True)
    assert db.session.query(Agent).count() == 0


def test_a_taken_region_is_refused_with_a_message(client, db, shop, finance, appoint):
    appoint("city", "浙江省", "杭州市")
    resp = client.post("/admin/agents/new", data=FORM)
    assert resp.status_code == 400 and "已有在任" in resp.get_data(as_text=True)


def test_end_without_a_reason_is_flashed(client, db, shop, finance, appoint):
    agent = appoint("city", "浙江省", "杭州市")
    resp = client.post(f"/admin/agents/{agent.id}/end", data={"reason": ""}, follow_redirects=True)
    assert "请填写卸任原因" in resp.get_data(as_text=True)
    assert db.session.get(Agent, agent.id).status == "active"


def test_list_figures_filters_and_exports(client, db, shop, finance, appoint, paid_order):
    city = appoint("city", "浙江省", "杭州市", rate_bp=100)
    appoint("province", "上海市", rate_bp=100)
    paid_order(quantity=2)
    page = client.get("/admin/agents").get_data(as_text=True)
    assert "浙江省杭州市" in page and "¥200.00" in page and "¥2.00" in page
    filtered = client.get("/admin/agents?level=province").get_data(as_text=True)
    assert "上海市" in filtered and "浙江省杭州市" not in filtered
    assert client.get("/admin/agents?level=nonsense&status=zzz").status_code == 200
    text = client.get("/admin/agents/export?format=csv&level=city").get_data().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) == 2 and rows[1][3] == "浙江省杭州市" and rows[1][8] == "200.00" and rows[1][9] == "2.00"
    book = load_workbook(io.BytesIO(client.get("/admin/agents/export").get_data()))
    assert book.active.max_row == 3
    assert client.get(f"/admin/agents/{city.id}").status_code == 200
    assert client.get("/admin/agents/999999").status_code == 404


def test_the_distribution_settings_page_explains_why_agents_are_not_a_level(client, db, make_staff):
    login_staff(client, make_staff(role="owner"))
    page = client.get("/admin/distribution/settings").get_data(as_text=True)
    assert 'id="agents-compliance"' in page and "与推荐关系无关" in page and "不收取任何加盟费" in page
