"""The invite funnel: a followed link counts one visit by its src with one upsert (the only write of that GET
besides binding), registrations, first paid orders and sales of the members brought in; per distributor in the
center (7 and 30 days) and in total in the admin."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from shop.clock import utcnow
from shop.growth import funnel
from shop.growth.models import VisitCounter
from shop.growth.visits import add_visits, count_visit
from shop.sql import count_statements

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)


def code_of(db, user):
    from shop.distribution.models import Distributor

    return db.session.get(Distributor, user.id).invite_code


def visits_of(db, user):
    db.session.expire_all()
    return dict(db.session.execute(select(VisitCounter.source, func.sum(VisitCounter.visits))
                                   .where(VisitCounter.distributor_id == user.id).group_by(VisitCounter.source)).all())


@pytest.mark.parametrize("path,source", [
    ("/i/{code}", "link"), ("/i/{code}?via=qr", "qr"), ("/i/{code}?via=qr&src=poster", "poster"),
    ("/p/{product}?ref={code}", "share"), ("/p/{product}?ref={code}&src=poster", "poster"),
    ("/?ref={code}", "link"), ("/i/{code}?src=nonsense", "link")])
def test_a_followed_link_counts_one_visit_by_its_source(app, db, shop, path, source):
    url = path.format(code=code_of(db, shop.b), product=shop.product.id)
    client = app.test_client()
    client.get(url)
    client.get(url)
    assert visits_of(db, shop.b) == {source: 2}


def test_a_visit_is_one_upsert_and_nothing_else(app, db, shop):
    """The GET of an invite link by a visitor writes exactly one statement: the counter's upsert."""
    client, code = app.test_client(), code_of(db, shop.b)
    db.session.rollback()
    with count_statements() as statements:
        assert client.get(f"/i/{code}").status_code == 302
    writes = [s for s in statements.statements if WRITE.match(s)]
    assert len(writes) == 1 and "visit_counters" in writes[0] and "ON CONFLICT" in writes[0].upper()


def test_unknown_codes_and_the_distributors_own_clicks_are_not_counted(client, db, shop, login):
    client.get("/i/NOSUCH")
    login(shop.b)
    client.get(f"/i/{code_of(db, shop.b)}")
    assert visits_of(db, shop.b) == {}


def test_counts_add_up_on_one_row_per_day(db, shop):
    for _ in range(3):
        count_visit(shop.b.id, "qr")
    add_visits(shop.b.id, "qr", (utcnow() - timedelta(days=1)).date(), 5)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(VisitCounter)) in (1, 2)
    assert visits_of(db, shop.b) == {"qr": 8}


def test_the_stages(db, shop, make_user, paid_order, make_distributor):
    from shop.distribution import binding

    count_visit(shop.b.id, "link")
    count_visit(shop.b.id, "poster")
    newcomer = make_user()
    binding.bind_referrer(newcomer.id, shop.b.id, "link")
    db.session.commit()
    paid_order()  # the buyer C (registered today, under B) pays: a first order
    paid_order()
    f = funnel.my_funnel(shop.b.id, 7)
    assert (f.visits, f.registrations, f.first_orders, f.orders, f.sales_fen) == (2, 2, 1, 2, 20000)
    assert dict(f.sources()) == {"link": 1, "qr": 0, "poster": 1, "share": 0}
    assert [(s, n) for s, n, _r in f.stages()] == [("visits", 2), ("registrations", 2), ("first_orders", 1)]
    assert funnel.my_funnel(shop.a.id, 30).registrations == 1  # B registered today under A
    everyone = funnel.funnels(30)
    assert funnel.total(everyone).registrations == 3


def test_old_activity_falls_out_of_the_period(db, shop, paid_order):
    order = paid_order()
    order.paid_at = utcnow() - timedelta(days=10)
    add_visits(shop.b.id, "link", (utcnow() - timedelta(days=10)).date(), 4)
    db.session.commit()
    week, month = funnel.my_funnel(shop.b.id, 7), funnel.my_funnel(shop.b.id, 30)
    assert (week.visits, week.orders, week.first_orders) == (0, 0, 0)
    assert (month.visits, month.orders, month.first_orders) == (4, 1, 1)


@pytest.mark.parametrize("days", ["", "7", "30", "999", "x"])
def test_my_funnel_page(client, db, shop, login, days):
    count_visit(shop.b.id, "qr")
    login(shop.b)
    resp = client.get(f"/center/funnel?days={days}")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "我的漏斗" in html and 'id="funnel-visits"' in html


def test_my_funnel_shows_only_my_figures(client, db, shop, login):
    count_visit(shop.a.id, "qr")
    login(shop.b)
    html = client.get("/center/funnel").get_data(as_text=True)
    assert re.search(r'id="funnel-visits".*?<b>0</b>', html, re.S)
