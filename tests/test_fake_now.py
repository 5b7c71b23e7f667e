"""`--fake-now` (tests/fake_clock.py): the suite can run as if the clock started at a chosen instant (.ci/run runs the
calendar's folders on a Sunday night that ends a month and on a 1st after midnight, China time)."""
from datetime import datetime, timedelta

import pytest

from shop.clock import china_now, period_start, to_china, utcnow


@pytest.fixture
def instant(pytestconfig):
    given = pytestconfig.getoption("--fake-now")
    if not given:
        pytest.skip("runs with --fake-now only")
    return datetime.fromisoformat(given)


def test_the_business_clock_starts_at_the_instant_and_ticks_on(instant):
    now = china_now()
    assert timedelta(0) <= now - instant < timedelta(hours=1)  # (the folders before this one took some minutes)
    assert to_china(utcnow()).date() == now.date()


def test_the_periods_follow_the_fake_clock(instant):
    month = to_china(period_start("month"))
    assert (month.year, month.month, month.day, month.hour) == (china_now().year, china_now().month, 1, 0)
    week = to_china(period_start("week"))
    assert week.weekday() == 0 and week.date() <= china_now().date() < week.date() + timedelta(days=7)
