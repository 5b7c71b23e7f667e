"""Roll-ups agree with the facts: random payments on random days, roll-ups written, then refunds (reversals and
clawbacks) and settlements today; every range, mixed or not, equals a count made in Python from every row."""
import random
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select

from shop.accounts.models import User
from shop.admin.dashboard.services import china_today, range_report
from shop.clock import to_china
from shop.distribution.models import Commission, Distributor
from shop.distribution.settlement import settle
from shop.orders.models import Order
from shop.payments.models import AUTO, SUCCEEDED, Refund
from shop.reports.days import days_between
from shop.reports.facts import FIGURES
from shop.reports.models import DailyFigures
from shop.reports.rollups import build_rollups, rolled_through
from shop.wallet.models import LedgerEntry


def reference(db, first, last):
    """{day: figures} and {beneficiary: commission} for first..last, counted in Python from every row."""
    days = {day: dict.fromkeys(FIGURES, 0) for day in days_between(first, last)}
    per_distributor = Counter()

    def add(when, name, value):
        if when is not None and to_china(when).date() in days:
            days[to_china(when).date()][name] += value

    for order in db.session.scalars(select(Order)):
        through = any(c.level == 1 for c in db.session.scalars(select(Commission).filter_by(order_id=order.id)))
        for name, value in (("sales_fen", order.pay_total_fen), ("orders", 1),
                            ("distributor_sales_fen", order.pay_total_fen if through else 0)):
            add(order.paid_at, name, value)
    for refund in db.session.scalars(select(Refund).where(Refund.status == SUCCEEDED, Refund.kind != AUTO)):
        add(refund.succeeded_at, "refunds_fen", refund.amount_fen)
        add(refund.succeeded_at, "refunds", 1)
    for user in db.session.scalars(select(User)):
        add(user.created_at, "new_members", 1)
    for distributor in db.session.scalars(select(Distributor)):
        add(distributor.joined_at, "new_distributors", 1)
    for commission in db.session.scalars(select(Commission)):
        add(commission.created_at, "commission_created_fen", commission.amount_fen)
        if first <= to_china(commission.created_at).date() <= last:
            per_distributor[commission.beneficiary_id] += commission.amount_fen
    for entry in db.session.scalars(select(LedgerEntry)):
        if entry.kind == "commission_settled":
            add(entry.created_at, "commission_settled_fen", entry.d_available)
        elif entry.kind == "commission_reversed":
            add(entry.created_at, "commission_reversed_fen", -entry.d_frozen)
        elif entry.kind == "commission_clawback":
            add(entry.created_at, "commission_reversed_fen", -entry.d_available)
    return days, per_distributor


def assert_agrees(db, first, last):
    report = range_report(first, last)
    days, per_distributor = reference(db, first, last)
    assert dict(report.days) == days
    assert {d.key: d.value for d in report.top_distributors} == dict(per_distributor)


@pytest.fixture
def busy_shop(db, shop, sale, joined, make_user, make_distributor, make_product):
    """Returns play(seed): 14 orders on random days of the last 9, by buyers under A, under B or unbound, of
    two products; some members registered on earlier days."""
    from shop.distribution import binding

    other = make_product("好茶", skus=[(3300, 100, ["绿", "M"])])
    c = make_distributor(nickname="小C")
    buyers = [shop.buyer]
    for referrer in (shop.a, shop.b, c.user, None):
        buyer = make_user()
        if referrer is not None:
            assert binding.bind_referrer(buyer.id, referrer.id, "link") == binding.BOUND
        db.session.commit()
        buyers.append(buyer)

    def play(seed):
        rng = random.Random(seed)
        for user in buyers + [c.user]:
            joined(user, rng.randrange(0, 12))
        orders = []
        for _ in range(14):
            orders.append(sale(days_ago=rng.randrange(0, 9), quantity=rng.randint(1, 3), buyer=rng.choice(buyers),
                               hour=rng.choice((0, 7, 15, 23)), product=rng.choice((None, other))))
        return rng, orders

    return play


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_rollups_agree_with_the_facts_after_refunds_and_settlements(db, busy_shop, refund, sale, seed):
    rng, orders = busy_shop(seed)
    today = china_today()
    build_rollups()
    assert rolled_through() == today - timedelta(days=1)
    # Today: some commissions settle, then refunds take back frozen ones (reversal) and settled ones (clawback).
    for commission in db.session.scalars(select(Commission)).all():
        if rng.random() < 0.5:
            settle(commission.id)
    db.session.commit()
    for order in rng.sample(orders, 5):
        refund(order, quantity=1 if order.lines[0].quantity > 1 and rng.random() < 0.5 else None)
    sale(quantity=2)
    for first, last in ((today - timedelta(days=9), today), (today - timedelta(days=6), today), (today, today),
                        (today - timedelta(days=9), today - timedelta(days=1)), (today - timedelta(days=3),) * 2):
        assert_agrees(db, first, last)


def test_a_rollup_run_is_repeatable_and_can_start_over(db, busy_shop):
    busy_shop(7)
    assert build_rollups() > 0
    before = {row.day: (row.sales_fen, row.orders, row.commission_created_fen) for row in db.session.scalars(
        select(DailyFigures))}
    assert build_rollups() == 2  # the last two closed days, written again
    assert build_rollups(since=china_today() - timedelta(days=20)) == 20
    after = {row.day: (row.sales_fen, row.orders, row.commission_created_fen) for row in db.session.scalars(
        select(DailyFigures))}
    assert {day: after[day] for day in before} == before and set(after) > set(before)
    assert {after[day] for day in set(after) - set(before)} == {(0, 0, 0)}
    assert sum(v[1] for v in after.values()) == sum(
        1 for o in db.session.scalars(select(Order)) if to_china(o.paid_at).date() < china_today())


def test_nothing_to_roll_up_in_an_empty_shop(db):
    assert build_rollups() == 0 and rolled_through() is None


def test_days_after_the_last_rollup_are_read_live(db, busy_shop, sale):
    busy_shop(3)
    build_rollups()
    db.session.query(DailyFigures).filter(DailyFigures.day >= china_today() - timedelta(days=3)).delete()
    db.session.commit()
    sale(days_ago=2)
    assert rolled_through() == china_today() - timedelta(days=4)
    assert_agrees(db, china_today() - timedelta(days=9), china_today())


def test_a_late_start_never_leaves_a_gap(db, busy_shop):
    busy_shop(5)
    build_rollups(since=china_today() - timedelta(days=2))  # nothing written yet: starts at the first member
    days = sorted(db.session.scalars(select(DailyFigures.day)))
    assert days == days_between(days[0], china_today() - timedelta(days=1)) and len(days) > 3
    assert_agrees(db, china_today() - timedelta(days=9), china_today())
