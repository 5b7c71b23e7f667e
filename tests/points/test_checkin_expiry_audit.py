"""The daily check-in and its streak over China days, expiry (FIFO, twice is a no-op), and the points audit."""
from datetime import datetime, timedelta

import pytest
from sqlalchemy import text

from shop.clock import utcnow
from shop.errors import ServiceError
from shop.orders.pricing import Choice
from shop.points.models import CHECKIN, CHECKIN_STREAK, EXPIRED
from shop.points.services import check_in, checkin_strip, expire_points
from shop.wallet.audit import run_audit

#: 10:00 in China on 2026-11-01.
DAY1 = datetime(2026, 11, 1, 2, 0)


@pytest.mark.parametrize("days,points,streak", [
    ([0], 5, 1),
    ([0, 1, 2], 15, 3),
    ([0, 1, 2, 3, 4, 5, 6], 35 + 20, 7),           # the 7th day in a row adds the bonus
    ([0, 1, 2, 3, 4, 5, 6, 7], 40 + 20, 8),
    ([0, 1, 3, 4, 5, 6, 7, 8, 9], 45 + 20, 7),     # a missed day starts the streak again
    ([0, 2, 4, 6, 8, 10, 12], 35, 1),
])
def test_the_check_in_streak_over_days(db, shop, balance, days, points, streak, entries):
    user = shop.buyer
    for day in days:
        done = check_in(user, now=DAY1 + timedelta(days=day))
    assert done.streak == streak and balance(user) == points
    assert len(entries(user, CHECKIN)) == len(days)


def test_one_check_in_per_china_day(db, shop, balance):
    check_in(shop.buyer, now=datetime(2026, 11, 1, 15, 59))      # 23:59 in China
    with pytest.raises(ServiceError, match="今天已经签到"):
        check_in(shop.buyer, now=datetime(2026, 11, 1, 3, 0))    # 11:00 the same China day
    assert check_in(shop.buyer, now=datetime(2026, 11, 1, 16, 1)).streak == 2   # 00:01 the next China day
    assert balance(shop.buyer) == 10


def test_the_strip_shows_the_last_seven_days(db, shop):
    for day in (0, 2, 3):
        check_in(shop.buyer, now=DAY1 + timedelta(days=day))
    streak, today, strip = checkin_strip(shop.buyer.id, now=DAY1 + timedelta(days=4))
    assert (streak, today) == (2, False)
    assert [checked for _day, checked in strip] == [False, False, True, False, True, True, False]


def test_settings_change_the_check_in(db, shop, settings, balance, entries):
    settings(checkin_points=2, checkin_streak_days=2, checkin_streak_bonus=9)
    check_in(shop.buyer, now=DAY1)
    check_in(shop.buyer, now=DAY1 + timedelta(days=1))
    assert entries(shop.buyer) == [(CHECKIN, 2), (CHECKIN, 2), (CHECKIN_STREAK, 9)] and balance(shop.buyer) == 13


def test_expiry_takes_the_oldest_lots_and_twice_is_a_no_op(db, shop, give, place, balance, entries):
    now = DAY1 + timedelta(days=500)
    give(shop.buyer, 100, now=now - timedelta(days=400))
    give(shop.buyer, 50, now=now - timedelta(days=10))
    place(choice=Choice(points=30))                       # spent now: from the oldest lot
    assert expire_points(now=now) == (1, 70)
    assert expire_points(now=now) == (0, 0)
    assert balance(shop.buyer) == 50 and entries(shop.buyer, EXPIRED) == [(EXPIRED, -70)]
    assert expire_points(now=now + timedelta(days=400)) == (1, 50)
    assert balance(shop.buyer) == 0
    assert run_audit().clean, run_audit().problems


def test_nothing_expires_when_the_period_is_zero(db, shop, give, settings, balance):
    settings(points_valid_days=0)
    give(shop.buyer, 100, now=DAY1)
    assert expire_points(now=DAY1 + timedelta(days=5000)) == (0, 0) and balance(shop.buyer) == 100


def test_the_expire_points_command(app, db, shop, give):
    give(shop.buyer, 40, now=utcnow() - timedelta(days=366))
    give(shop.buyer, 5)
    db.session.remove()
    result = app.test_cli_runner().invoke(args=["shop", "expire-points"])
    assert "1/1 member 3: 40 point(s) expired" in result.output, result.output
    assert "expired 40 point(s) of 1 member(s)" in result.output
    result = app.test_cli_runner().invoke(args=["shop", "expire-points"])
    assert "expired 0 point(s) of 0 member(s)" in result.output


def test_the_audit_is_clean_after_a_whole_scenario_and_reports_a_tampered_balance(db, shop, place, pay, complete,
                                                                                 give, make_staff):
    from shop.orders.services import cancel_order
    from shop.payments import refunds
    give(shop.buyer, 5000)
    check_in(shop.buyer)
    cancel_order(place(choice=Choice(points=1000)))
    order = complete(pay(place(quantity=2, choice=Choice(points=3001))))
    db.session.expire_all()
    refunds.merchant_refund(order, "少发", make_staff(), {order.lines[0].id: 1})
    expire_points(now=DAY1 + timedelta(days=5000))
    report = run_audit()
    assert report.clean, report.problems
    assert report.figures["points entries"] >= 8
    db.session.execute(text("UPDATE points_accounts SET balance = balance + 5 WHERE user_id = :u"), {"u": shop.buyer.id})
    db.session.commit()
    problems = run_audit().problems
    assert any(f"points account {shop.buyer.id}: balance" in p for p in problems), problems


def test_the_audit_reports_an_order_whose_spend_is_missing(db, shop, place, give):
    give(shop.buyer, 100)
    order = place(choice=Choice(points=100))
    db.session.execute(text("UPDATE orders SET discount_detail = :d WHERE id = :i"),
                       {"d": '[{"kind": "points", "amount_fen": 100, "points": 120}]', "i": order.id})
    db.session.commit()
    assert any("points spent 100 != points in its discount 120" in p for p in run_audit().problems)


def test_the_ledger_is_append_only(db, shop, give):
    give(shop.buyer, 10)
    with pytest.raises(Exception, match="append-only"):
        db.session.execute(text("UPDATE points_entries SET delta = 99"))
    db.session.rollback()


def test_the_demo_points_are_seeded_once(db, shop, balance):
    from shop.points.demo import seed_demo
    said = []
    seed_demo(echo=said.append)
    seed_demo(echo=said.append)
    assert len(said) == 2 and balance(shop.a) == 300 + 15
    assert run_audit().clean, run_audit().problems
