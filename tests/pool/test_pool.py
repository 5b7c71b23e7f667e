"""The pool's rules: the split (equal, by sales) with its remainder, exactly once, refunds after payout (clawback,
absorb), and the audit over all of it. Amounts are worked by hand in each test's comment."""
import pytest
from sqlalchemy import func, select

from shop.errors import ServiceError
from shop.payments import refunds
from shop.pool import rules, services
from shop.pool.models import PoolAdjustment, PoolPeriod, PoolShare
from shop.wallet.audit import run_audit
from shop.wallet.models import Account, LedgerEntry
from tests.conftest import IS_PG, run_at_once


def shares_by_user(db, period):
    return {s.user_id: (s.basis_fen, s.amount_fen) for s in db.session.scalars(
        select(PoolShare).where(PoolShare.period_id == period.id))}


def available(db, user):
    db.session.expire_all()
    account = db.session.get(Account, user.id)
    return account.available_fen if account else 0


@pytest.mark.parametrize("label, start, end", [
    ("2026-11", "2026-10-31 16:00:00", "2026-11-30 16:00:00"),   # China midnight = 16:00 UTC the day before
    ("2026-12", "2026-11-30 16:00:00", "2026-12-31 16:00:00"),
    ("2026-W48", "2026-11-22 16:00:00", "2026-11-29 16:00:00"),  # Monday 23 Nov to Monday 30 Nov
    ("2027-W53", None, None), ("2026-13", None, None), ("11-2026", None, None),
])
def test_periods_in_china_time(label, start, end):
    period = rules.parse_period(label)
    assert (str(period.starts_at), str(period.ends_at)) == (start, end) if start else period is None


@pytest.mark.parametrize("pool, weights, shares, remainder", [
    (1333, {1: 1, 2: 1, 3: 1}, {1: 444, 2: 444, 3: 444}, 1),
    (1333, {1: 3333, 2: 10000, 3: 0}, {1: 333, 2: 999, 3: 0}, 1),
    (100, {}, {}, 100),
    (100, {1: 0}, {1: 0}, 100),
])
def test_split_is_a_plain_floor_and_the_rest_stays(pool, weights, shares, remainder):
    assert rules.split(pool, weights) == (shares, remainder)


def test_equal_split_with_a_remainder(db, pool_shop, sales):
    sales()
    period = services.pay_dividends(pool_shop.period.label, now=pool_shop.pay_time)
    # base 10000 + 3333 = 13333; pool 10% = 1333; three 金牌 members: 444 each, 1 fen stays with the merchant
    assert (period.base_fen, period.pool_fen, period.shares_fen, period.remainder_fen) == (13333, 1333, 1332, 1)
    assert shares_by_user(db, period) == {pool_shop.a.id: (3333, 444), pool_shop.b.id: (10000, 444),
                                          pool_shop.d.id: (0, 444)}
    assert available(db, pool_shop.d) == 444 and available(db, pool_shop.e) == 0
    assert run_audit().clean, run_audit().problems


def test_split_by_sales_with_a_remainder(db, pool_shop, sales, settings):
    settings(pool_split="sales")
    sales()
    period = services.pay_dividends(pool_shop.period.label, now=pool_shop.pay_time)
    # A 1333 x 3333 // 13333 = 333; B 1333 x 10000 // 13333 = 999; D sold nothing: 0; 1 fen remains
    assert shares_by_user(db, period) == {pool_shop.a.id: (3333, 333), pool_shop.b.id: (10000, 999),
                                          pool_shop.d.id: (0, 0)}
    assert period.remainder_fen == 1
    assert run_audit().clean, run_audit().problems


def test_with_the_pool_off_nothing_is_paid(db, pool_shop, sales, settings):
    sales()
    settings(pool_rate_bp=0)
    assert services.pay_dividends(pool_shop.period.label, now=pool_shop.pay_time) == services.OFF
    assert db.session.scalar(select(func.count()).select_from(PoolPeriod)) == 0


def test_a_second_run_does_nothing(db, pool_shop, sales):
    sales()
    assert services.pay_dividends(pool_shop.period.label, now=pool_shop.pay_time) is not None
    entries = db.session.scalar(select(func.count()).select_from(LedgerEntry))
    assert services.pay_dividends(pool_shop.period.label, now=pool_shop.pay_time) is None
    assert db.session.scalar(select(func.count()).select_from(LedgerEntry)) == entries
    assert available(db, pool_shop.a) == 444


@pytest.mark.parametrize("label, message", [("2026/11", "期间格式应为 2026-11 或 2026-W48"), ("soon", "期间格式")])
def test_a_bad_period_is_refused(db, pool_shop, label, message):
    with pytest.raises(ServiceError, match=message):
        services.pay_dividends(label, now=pool_shop.pay_time)
    assert db.session.scalar(select(func.count()).select_from(PoolPeriod)) == 0


def test_a_period_inside_its_refund_window_waits(db, pool_shop, sales):
    sales()
    with pytest.raises(ServiceError, match="售后期未结束"):
        services.pay_dividends(pool_shop.period.label, now=pool_shop.period.ends_at)
    assert db.session.scalar(select(func.count()).select_from(PoolPeriod)) == 0


@pytest.mark.pg
@pytest.mark.skipif(not IS_PG, reason="concurrency tests need PostgreSQL (set SHOP_TEST_DATABASE_URL)")
def test_two_hosts_at_once_pay_once(app, db, pool_shop, sales):
    sales()
    label, when, a_id = pool_shop.period.label, pool_shop.pay_time, pool_shop.a.id

    def pay(_i):
        outcome = services.pay_dividends(label, now=when)
        return "paid" if isinstance(outcome, PoolPeriod) else f"nothing ({outcome})"

    results = run_at_once(app, db, 2, pay)
    assert sorted(results)[1] == "paid" and sorted(results)[0].startswith("nothing"), results
    assert db.session.scalar(select(func.count()).select_from(PoolPeriod)) == 1
    assert db.session.scalar(select(func.count()).select_from(PoolShare)) == 3
    assert db.session.get(Account, a_id).available_fen == 444
    assert run_audit().clean


def test_a_refund_after_payout_claws_back_in_proportion(db, pool_shop, sales, make_staff, settings):
    settings(pool_split="sales")
    order, _cheap = sales()
    period = services.pay_dividends(pool_shop.period.label, now=pool_shop.pay_time)
    refunds.merchant_refund(order, "质量问题", make_staff())
    # B's ¥100 order refunded: pool now 3333 x 10% = 333; A 333 x 3333 // 13333 = 83, B 333 x 10000 // 13333 = 249
    # so A gives back 333 - 83 = 250, B 999 - 249 = 750: 1000 in all
    adjustment = db.session.scalar(select(PoolAdjustment))
    assert (adjustment.policy, adjustment.base_fen, adjustment.amount_fen) == ("clawback", 10000, 1000)
    db.session.expire_all()
    assert {s.user_id: s.clawed_back_fen for s in db.session.scalars(select(PoolShare))} == {
        pool_shop.a.id: 250, pool_shop.b.id: 750, pool_shop.d.id: 0}
    assert db.session.get(PoolPeriod, period.id).clawback_base_fen == 10000
    report = run_audit()
    assert report.clean, report.problems


def test_a_refund_after_payout_absorbed_by_the_merchant(db, pool_shop, sales, make_staff, settings):
    order, _cheap = sales()
    services.pay_dividends(pool_shop.period.label, now=pool_shop.pay_time)
    settings(pool_refund_policy="absorb")
    refunds.merchant_refund(order, "质量问题", make_staff())
    # the ¥100 stood for 1333 - floor(3333 x 10%) = 1333 - 333 = 1000 of the pool; nobody's share moves
    adjustment = db.session.scalar(select(PoolAdjustment))
    assert (adjustment.policy, adjustment.amount_fen) == ("absorb", 1000)
    assert available(db, pool_shop.d) == 444
    assert db.session.scalar(select(func.sum(PoolShare.clawed_back_fen))) == 0
    assert run_audit().clean


def test_a_refund_before_payout_leaves_the_order_out(db, pool_shop, sales, make_staff):
    order, _cheap = sales()
    refunds.merchant_refund(order, "质量问题", make_staff())
    period = services.pay_dividends(pool_shop.period.label, now=pool_shop.pay_time)
    # the whole ¥100 order is refunded (no longer completed): base 3333, pool 333, 111 each
    assert (period.base_fen, period.pool_fen, period.remainder_fen) == (3333, 333, 0)
    assert db.session.scalar(select(func.count()).select_from(PoolAdjustment)) == 0


def test_the_audit_sees_a_share_without_its_entry(db, pool_shop, sales):
    sales()
    period = services.pay_dividends(pool_shop.period.label, now=pool_shop.pay_time)
    share = db.session.scalar(select(PoolShare).where(PoolShare.period_id == period.id).limit(1))
    share.amount_fen += 1
    db.session.commit()
    problems = run_audit().problems
    assert any(f"pool share {share.id}" in p for p in problems), problems
    assert any("pool " + period.period in p for p in problems), problems


def test_the_command_pays_then_says_it_was_paid(app, db, pool_shop, sales):
    sales()  # this month is still open: the command refuses it, with the day it may be paid
    runner = app.test_cli_runner()
    result = runner.invoke(args=["shop", "pay-dividends", "--period", pool_shop.period.label])
    assert result.exit_code == 1 and "售后期未结束" in result.output, result.output
    result = runner.invoke(args=["shop", "pay-dividends", "--period", "2020-01"])
    assert result.exit_code == 0 and "paid 2020-01: pool 0 fen" in result.output, result.output
    assert "paid 3/3 members" in result.output  # the progress line
    result = runner.invoke(args=["shop", "pay-dividends", "--period", "2020-01"])
    assert "paid before; nothing done" in result.output


def test_a_clawback_after_a_withdrawal_is_a_debt_the_audit_accepts(db, pool_shop, sales, make_staff):
    from shop.wallet import withdrawals

    order, _cheap = sales()
    services.pay_dividends(pool_shop.period.label, now=pool_shop.pay_time)
    withdrawals.request_withdrawal(pool_shop.d.id, 444, "alipay", {"account": "d@example.com", "name": "小D"})
    db.session.commit()
    refunds.merchant_refund(order, "质量问题", make_staff())
    # equal split: the pool falls to floor(3333 x 10%) = 333, 111 each, so D owes 444 - 111 = 333
    assert available(db, pool_shop.d) == -333
    report = run_audit()
    assert report.clean, report.problems
    assert report.figures["accounts in debt"] == 1


@pytest.mark.parametrize("kind", ["week", "month"])
def test_by_default_the_latest_period_past_its_window_is_paid(app, db, pool_shop, settings, kind):
    from datetime import timedelta

    from shop.clock import utcnow

    settings(pool_period=kind)
    result = app.test_cli_runner().invoke(args=["shop", "pay-dividends"])
    assert result.exit_code == 0, result.output
    period = db.session.scalar(select(PoolPeriod))
    window, now = timedelta(days=7), utcnow()
    assert period.kind == kind and period.ends_at + window <= now  # due
    after = rules.parse_period(rules.period_label(kind, (period.ends_at + timedelta(days=1)).date()))
    assert after.ends_at + window > now  # and the next one is not yet
