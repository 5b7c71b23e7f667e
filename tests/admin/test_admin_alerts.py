"""告警 in the admin: payment alerts by kind, handled or not, newest first; marking one handled with a note."""
from datetime import datetime, timedelta

import pytest

from shop.payments.models import PaymentAlert
from shop.sql import count_statements


@pytest.fixture
def make_alert(db):
    """Factory: make_alert(kind='amount_mismatch', message='…', minutes_ago=0, **columns) -> PaymentAlert."""
    now = datetime(2026, 11, 20, 4, 0)

    def make(kind="amount_mismatch", message="订单金额与支付金额不符", minutes_ago=0, **kw):
        alert = PaymentAlert(kind=kind, message=message, created_at=now - timedelta(minutes=minutes_ago), **kw)
        db.session.add(alert)
        db.session.commit()
        return alert

    return make


def fresh(db, alert):
    db.session.expire_all()
    return db.session.get(PaymentAlert, alert.id)


def test_unhandled_alerts_are_listed_newest_first(client, staff, make_alert):
    old = make_alert(message="旧的告警", minutes_ago=60, order_no="202611200001", amount_fen=5900)
    new = make_alert("transfer_stuck", message="新的告警")
    html = client.get("/admin/alerts").get_data(as_text=True)
    assert html.index(f'id="alert-{new.id}"') < html.index(f'id="alert-{old.id}"')
    assert "202611200001" in html and "¥59.00" in html and "标记已处理" in html


def test_alerts_are_filtered_by_kind_and_state(client, db, staff, make_alert):
    mismatch = make_alert("amount_mismatch", message="金额不符")
    stuck = make_alert("refund_stuck", message="退款卡住")
    handled = make_alert("refund_stuck", message="早已处理", resolved_at=datetime(2026, 11, 20), note="已查明")

    def shown(query):
        html = client.get("/admin/alerts" + query).get_data(as_text=True)
        return {a.message for a in (mismatch, stuck, handled) if a.message in html}

    assert shown("") == {"金额不符", "退款卡住"}
    assert shown("?kind=refund_stuck") == {"退款卡住"}
    assert shown("?state=handled") == {"早已处理"}
    assert shown("?state=all&kind=refund_stuck") == {"退款卡住", "早已处理"}
    assert shown("?state=nonsense&kind=nonsense") == shown("")


def test_mark_handled_records_who_when_and_the_note(client, db, staff, make_alert):
    alert = make_alert()
    resp = client.post(f"/admin/alerts/{alert.id}/handle", data={"note": " ", "state": "open"})
    assert resp.status_code == 400 and "请填写处理说明" in resp.get_data(as_text=True)
    assert fresh(db, alert).resolved_at is None

    resp = client.post(f"/admin/alerts/{alert.id}/handle", data={"note": "已联系顾客补差价", "state": "open"})
    assert resp.status_code == 302
    alert = fresh(db, alert)
    assert alert.resolved_at is not None and alert.resolved_by == staff.id and alert.note == "已联系顾客补差价"
    html = client.get("/admin/alerts?state=handled").get_data(as_text=True)
    assert "已联系顾客补差价" in html and "店长" in html
    assert "没有未处理的告警" in client.get("/admin/alerts").get_data(as_text=True)


def test_an_alert_is_handled_once(client, db, staff, make_alert):
    alert = make_alert()
    client.post(f"/admin/alerts/{alert.id}/handle", data={"note": "第一次"})
    resp = client.post(f"/admin/alerts/{alert.id}/handle", data={"note": "第二次"})
    assert resp.status_code == 400 and "该告警已处理" in resp.get_data(as_text=True)
    assert fresh(db, alert).note == "第一次"


def test_unknown_alerts_are_404(client, staff):
    resp = client.post("/admin/alerts/999999/handle", data={"note": "x"})
    assert resp.status_code == 404 and "告警不存在" in resp.get_data(as_text=True)


def test_the_menu_counts_unhandled_alerts(client, staff, make_alert):
    make_alert()
    make_alert()
    make_alert(resolved_at=datetime(2026, 11, 20), note="好了")
    html = client.get("/admin/").get_data(as_text=True)
    link = html[html.index('href="/admin/alerts"'):]
    assert '<b class="badge"' in link[:200] and ">2</b>" in link[:200]


def test_the_list_runs_the_same_number_of_statements_for_more(client, staff, make_alert):
    def statements():
        with count_statements() as sql:
            assert client.get("/admin/alerts?state=all").status_code == 200
        return len(sql)

    make_alert(resolved_at=datetime(2026, 11, 20), resolved_by=staff.id, note="好了")
    few = statements()
    for i in range(12):
        make_alert(resolved_at=datetime(2026, 11, 20), resolved_by=staff.id, note=f"好了{i}")
        make_alert()
    assert statements() == few
