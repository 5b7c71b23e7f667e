"""The dashboard's figures on a hand-built shop, exact to the fen: sales on the day paid, refunds on the day they
succeed, commission on the day created / settled / reversed; the same with the closed days rolled up."""
from datetime import timedelta

import pytest

from shop.admin.dashboard.services import china_today, period_days, range_report
from shop.distribution.models import Commission
from shop.distribution.settlement import settle
from shop.reports.rollups import build_rollups, rolled_through


@pytest.fixture
def books(db, shop, sale, refund, make_user, joined):
    """The commission shop (A invites B invites the buyer C; ¥100 a unit, free shipping, 10% / 5%):
    two days ago C bought 1 unit (later refunded today in full); today C bought 2 and a stranger 1;
    B's commission on today's order settled today. A registered 40 days ago, everyone else today."""
    joined(shop.a, 40)
    earlier = sale(days_ago=2)
    today = sale(quantity=2)
    sale(buyer=make_user(nickname="路人"))
    refund(earlier)
    level1 = db.session.query(Commission).filter_by(order_id=today.id, level=1).one()
    settle(level1.id)
    db.session.commit()
    return earlier, today


TODAY = dict(sales_fen=30000, orders=2, distributor_sales_fen=20000, refunds_fen=10000, refunds=1, new_members=3,
             new_distributors=1, commission_created_fen=3000, commission_settled_fen=2000,
             commission_reversed_fen=1500)
WEEK = dict(TODAY, sales_fen=40000, orders=3, distributor_sales_fen=30000, commission_created_fen=4500)
MONTH = WEEK
QUARTER = dict(WEEK, new_members=4, new_distributors=2)  # staff accounts are not members


@pytest.mark.parametrize("rolled", [False, True], ids=["live", "rolled-up"])
@pytest.mark.parametrize("period,expected,average,share", [
    ("today", TODAY, 15000, 6666), ("7d", WEEK, 13333, 7500), ("30d", MONTH, 13333, 7500)])
def test_figures_of_each_period(books, period, expected, average, share, rolled):
    if rolled:
        build_rollups()
        assert rolled_through() == china_today() - timedelta(days=1)
    report = range_report(*period_days(period, china_today()))
    assert report.totals == expected
    assert (report.average_order_fen, report.distributor_share_bp) == (average, share)


def test_a_chosen_range_reaches_further_back(books):
    today = china_today()
    report = range_report(today - timedelta(days=60), today)
    assert report.totals == QUARTER


def test_daily_series_put_each_event_on_its_day(books):
    report = range_report(*period_days("7d", china_today()))
    by_day = [(f["sales_fen"], f["commission_created_fen"], f["refunds_fen"]) for _day, f in report.days]
    assert by_day == [(0, 0, 0)] * 4 + [(10000, 1500, 0), (0, 0, 0), (30000, 3000, 10000)]


def test_top_products_and_distributors(books, shop):
    report = range_report(*period_days("7d", china_today()))
    assert [(p.name, p.value, p.extra) for p in report.top_products] == [("好物", 40000, 4)]
    assert [(d.key, d.value, d.extra) for d in report.top_distributors] == [
        (shop.b.id, 3000, 30000), (shop.a.id, 1500, 0)]


def test_an_empty_shop_has_zeros_and_no_share(db):
    report = range_report(*period_days("30d", china_today()))
    assert set(report.totals.values()) == {0} and len(report.days) == 30
    assert (report.average_order_fen, report.distributor_share_bp, report.top_products) == (0, None, [])
