"""`flask shop rollup`: writes the closed China-time days of the dashboard's figures into the daily tables.

A closed day never changes (every figure counts on the day its event was written: see models.py), so each day
is written once; the last REWRITE_DAYS closed days are written again on every run, for a transaction that
straddled midnight. Writing a day replaces its rows, so a run can be repeated or started over (`--since`)."""
from datetime import timedelta

from sqlalchemy import delete, func, insert, select

from ..accounts.models import User
from ..clock import to_china, utcnow
from ..database import transaction
from ..extensions import db
from . import facts
from .days import as_date, bounds, days_between
from .models import DailyDistributorSales, DailyFigures, DailyProductSales

#: Closed days written again on every run.
REWRITE_DAYS = 2
#: Days written per transaction.
CHUNK_DAYS = 31


def rolled_through():
    """The last day the roll-ups hold (every day before it too), or None. Reads only."""
    return db.session.scalar(select(func.max(DailyFigures.day)))


def _first_day():
    """The day of the first member: nothing countable is older."""
    first = db.session.scalar(select(func.min(User.created_at)))
    return None if first is None else to_china(first).date()


def _first_to_write(since):
    """The last REWRITE_DAYS written, or `since`; never later than the first day not written yet, so the rolled
    days stay contiguous (the dashboard takes every day up to the last one as rolled up)."""
    done = rolled_through()
    unwritten = done + timedelta(days=1) if done else _first_day()
    if since is not None:
        return min(since, unwritten) if unwritten else since
    return done - timedelta(days=REWRITE_DAYS - 1) if done else unwritten


#: `flask shop rollup` runs on one host at a time (shop.database.single_runner).
ROLLUP_LOCK_KEY = 7_301_004


def build_rollups(since=None, now=None, echo=None):
    """Write every closed day from `since` (default: the last two written, and every one since) through
    yesterday; one transaction per CHUNK_DAYS. Returns how many days were written."""
    last = to_china(now or utcnow()).date() - timedelta(days=1)
    first = _first_to_write(since)
    days = days_between(first, last) if first and first <= last else []
    for at in range(0, len(days), CHUNK_DAYS):
        chunk = days[at:at + CHUNK_DAYS]
        write_days(chunk[0], chunk[-1])
        if echo:
            echo(f"rolled up {chunk[0]} .. {chunk[-1]}")
    return len(days)


def write_days(first, last):
    """Replace the roll-up rows of first..last (dates) with what the facts say now. Owns its transaction."""
    start, end = bounds(first, last)
    with transaction():
        for model in (DailyFigures, DailyProductSales, DailyDistributorSales):
            db.session.execute(delete(model).where(model.day >= first, model.day <= last))
        _insert(DailyFigures, _figure_rows(first, last, facts.daily_figures(start, end)))
        _insert(DailyProductSales, [dict(zip(("day", "product_id", "sales_fen", "quantity"), row))
                                    for row in facts.daily_product_sales(start, end)])
        _insert(DailyDistributorSales, [dict(zip(("day", "user_id", "commission_fen", "sales_fen"), row))
                                        for row in facts.daily_distributor_sales(start, end)])


def _figure_rows(first, last, figures):
    """A row for every day, zeros for a quiet one: the last row says how far the roll-ups go."""
    now = utcnow()
    return [dict(figures.get(day, dict.fromkeys(facts.FIGURES, 0)), day=day, built_at=now)
            for day in days_between(first, last)]


def _insert(model, rows):
    if rows:
        db.session.execute(insert(model), rows)


def stored_days(first, last):
    """{date: {figure: int}} of the rolled-up days between first and last. Reads only."""
    rows = db.session.scalars(select(DailyFigures).where(DailyFigures.day >= first, DailyFigures.day <= last))
    return {as_date(row.day): {name: getattr(row, name) for name in facts.FIGURES} for row in rows}
