"""Only the logged-in distributor's own data: strangers log in first, members who are not distributors are
sent to /center, and every id in a /center URL is checked against the owner (someone else's record -> 404)."""
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from shop.distribution.models import Commission

#: Every /center page without an id in its URL.
PAGES = ["/center", "/center/invite", "/center/qr.png", "/center/poster.png", "/center/team", "/center/team?level=2",
         "/center/commissions", "/center/commissions?status=frozen", "/center/orders", "/center/withdraw",
         "/center/ranking", "/center/ranking?board=invitees&period=month", "/center/materials",
         "/center/funnel", "/center/funnel?days=30", "/center/ledger", "/center/ledger?group=withdrawals"]

#: Every /center URL with an id in it: (rule, how to build the URL from a record of the `other` fixture).
OWNED = {
    "/center/commissions/<int:commission_id>": lambda rec: f"/center/commissions/{rec['commission'].id}",
    "/center/orders/<order_no>": lambda rec: f"/center/orders/{rec['order'].order_no}",
    "/center/withdrawals/<int:withdrawal_id>": lambda rec: f"/center/withdrawals/{rec['withdrawal'].id}",
}
#: Ids in a /center URL that are not anyone's record: a product of the shop (any distributor may share it).
PUBLIC = {"/center/poster/product/<int:product_id>.png"}


def test_every_center_url_with_an_id_is_in_the_tables(app):
    """A new /center URL with an id must be added to OWNED (with its 404 check below) or, if it names
    something public, to PUBLIC."""
    with_ids = {rule.rule for rule in app.url_map.iter_rules()
                if rule.endpoint.startswith("center.") and rule.arguments}
    assert with_ids == set(OWNED) | PUBLIC


@pytest.mark.parametrize("path", PAGES + ["/center/commissions/1", "/center/orders/2026", "/center/withdrawals/1",
                                          "/center/poster/product/1.png"])
def test_strangers_are_sent_to_login(client, path):
    resp = client.get(path)
    assert resp.status_code == 302 and resp.headers["Location"].startswith("/login")


@pytest.mark.parametrize("path", PAGES[1:])
def test_members_who_are_not_distributors_are_sent_to_join(client, make_user, login, settings, path):
    settings(distribution_mode="apply")
    login(make_user())
    resp = client.get(path)
    if path.endswith(".png"):
        assert resp.status_code == 404
    else:
        assert resp.status_code == 302 and resp.headers["Location"] == "/center"


@pytest.fixture
def records(db, other):
    """Z's records, by the names the URL builders use."""
    commission = db.session.scalar(select(Commission).where(Commission.beneficiary_id == other["user"].id))
    return {"commission": commission, "order": other["order"], "withdrawal": other["withdrawal"]}


@pytest.mark.parametrize("rule", sorted(OWNED))
def test_another_distributors_record_is_404(client, login, make_distributor, records, rule):
    login(make_distributor(nickname="A").user)
    resp = client.get(OWNED[rule](records))
    assert resp.status_code == 404
    assert "别人Z" not in resp.get_data(as_text=True)


@pytest.mark.parametrize("rule", sorted(OWNED))
def test_the_owner_sees_the_same_record(client, login, other, records, rule):
    login(other["user"])
    assert client.get(OWNED[rule](records)).status_code == 200


@pytest.mark.parametrize("rule", sorted(OWNED))
def test_an_id_that_does_not_exist_is_404(client, login, make_distributor, rule):
    login(make_distributor().user)
    missing = {"commission": SimpleNamespace(id=999999), "order": SimpleNamespace(order_no="X1"),
               "withdrawal": SimpleNamespace(id=999999)}
    assert client.get(OWNED[rule](missing)).status_code == 404


@pytest.mark.parametrize("path", PAGES)
def test_pages_show_none_of_another_distributors_records(client, login, make_distributor, other, path):
    login(make_distributor(nickname="A").user)
    resp = client.get(path)
    assert resp.status_code == 200
    if not path.endswith(".png"):
        html = resp.get_data(as_text=True)
        assert other["order"].order_no not in html and other["withdrawal"].withdrawal_no not in html
        assert "¥40.00" not in html  # Z's level-1 commission on ¥200 is ¥20.00; Z's balance ¥40.00 after withdrawing
