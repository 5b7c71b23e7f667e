"""China-time days in SQL: `china_day(column)` groups naive-UTC timestamps by the business day, on PostgreSQL
and SQLite alike; the offset comes from shop.clock.CHINA (the one definition of the business timezone)."""
from datetime import date, timedelta

from sqlalchemy import String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from ..clock import CHINA, day_start

#: Whole hours between UTC and the business timezone (CHINA has no daylight saving).
OFFSET_HOURS = CHINA.utcoffset(None) // timedelta(hours=1)


class china_day(FunctionElement):
    """The China-time calendar day of a naive-UTC timestamp column: a date on PostgreSQL, 'YYYY-MM-DD' text on
    SQLite (as_date reads both)."""
    type = String()
    inherit_cache = True
    name = "china_day"


@compiles(china_day)
def _china_day_sqlite(element, compiler, **kw):
    return f"date({compiler.process(element.clauses, **kw)}, '{OFFSET_HOURS:+d} hours')"


@compiles(china_day, "postgresql")
def _china_day_postgresql(element, compiler, **kw):
    return f"CAST({compiler.process(element.clauses, **kw)} + interval '{OFFSET_HOURS} hours' AS DATE)"


def as_date(value):
    """A china_day value (text) or a Date column's value as a `date`."""
    return value if isinstance(value, date) else date.fromisoformat(value)


def bounds(first, last):
    """The naive-UTC [start, end) of the China days first..last (dates, both included)."""
    return day_start(first), day_start(last + timedelta(days=1))


def days_between(first, last):
    """Every date from first to last, both included."""
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]
