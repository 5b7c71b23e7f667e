"""Admin 增长: the funnel in total and per distributor, and the fraud flags listed with their reasons, cleared or
voided with a reason (CSRF-protected forms; nothing staff send causes a 500)."""
import pytest
from sqlalchemy import select

from shop.clock import utcnow
from shop.distribution.models import FROZEN, REVERSED, Commission
from shop.growth.fraud import record_sighting
from shop.growth.models import CLEARED, HELD, VOIDED, FraudFlag
from shop.growth.visits import count_visit


@pytest.fixture
def held(db, shop, paid_order):
    """The buyer C logged in on B's device: B's level-1 commission on C's order is held."""
    for user in (shop.buyer, shop.b):
        record_sighting(user.id, "login", ("d" * 32, "10.0.0.1"), now=utcnow())
    db.session.commit()
    paid_order()
    return db.session.scalar(select(FraudFlag))


@pytest.mark.parametrize("query", ["", "?days=30", "?days=7&sort=sales_fen", "?days=abc&sort=nope"])
def test_the_funnel_page(client, db, shop, staff, paid_order, query):
    count_visit(shop.b.id, "poster")
    paid_order()
    resp = client.get("/admin/growth/funnel" + query)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "小B" in html and "¥100.00" in html


def test_the_flags_list_says_why(client, staff, held):
    html = client.get("/admin/growth/flags").get_data(as_text=True)
    assert f'id="flag-{held.id}"' in html and "与上级使用同一设备" in html and "¥10.00" in html
    assert client.get("/admin/growth/flags?kind=binding&status=voided").status_code == 200


def test_clear_with_a_reason(client, db, staff, held):
    resp = client.post(f"/admin/growth/flags/{held.id}/clear", data={"reason": "夫妻，已核实"})
    assert resp.status_code == 302
    db.session.expire_all()
    flag = db.session.get(FraudFlag, held.id)
    assert flag.status == CLEARED and flag.decision_reason == "夫妻，已核实" and flag.decided_by_name == "店长"
    assert db.session.get(Commission, flag.commission_id).status == FROZEN  # settles when due


def test_void_reverses_the_commission(client, db, staff, held):
    assert client.post(f"/admin/growth/flags/{held.id}/void", data={"reason": "刷单"}).status_code == 302
    db.session.expire_all()
    flag = db.session.get(FraudFlag, held.id)
    assert flag.status == VOIDED and db.session.get(Commission, flag.commission_id).status == REVERSED


@pytest.mark.parametrize("decision,data", [("clear", {}), ("void", {"reason": " "}), ("clear", {"reason": "x" * 201})])
def test_a_refused_decision_shows_the_page_again(client, db, staff, held, decision, data):
    resp = client.post(f"/admin/growth/flags/{held.id}/{decision}", data=data)
    assert resp.status_code == 400
    db.session.expire_all()
    assert db.session.get(FraudFlag, held.id).status == HELD


def test_unknown_flags_and_decisions_are_404(client, staff):
    assert client.post("/admin/growth/flags/999/clear", data={"reason": "x"}).status_code == 404
    assert client.post("/admin/growth/flags/1/approve", data={"reason": "x"}).status_code == 404


def test_the_forms_need_csrf(app, db, staff, held, login, shop):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        resp = app.test_client().post(f"/admin/growth/flags/{held.id}/void", data={"reason": "刷单"})
        assert resp.status_code in (302, 400, 403)
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert db.session.get(FraudFlag, held.id).status == HELD
