"""The business clock: timestamps are stored as naive UTC; days, weeks and months are counted in China time."""
from datetime import datetime, time, timedelta, timezone

#: The business timezone (UTC+8, no daylight saving). Defined here only.
CHINA = timezone(timedelta(hours=8))


def utcnow():
    """Naive UTC now: every timestamp column stores naive UTC."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def china_now():
    """Now in China time (aware)."""
    return datetime.now(CHINA)


def to_china(value):
    """A naive UTC timestamp as an aware China-time datetime."""
    return value.replace(tzinfo=timezone.utc).astimezone(CHINA)


def local_time(value, fmt="%Y-%m-%d %H:%M"):
    """A naive UTC timestamp shown in China time; '' for None."""
    return "" if value is None else to_china(value).strftime(fmt)


def period_start(period="day", now=None):
    """Start of today / this week (Monday) / this month in China time, as naive UTC like the columns."""
    start = to_china(now or utcnow()).replace(hour=0, minute=0, second=0, microsecond=0)
    if period == "week":
        start -= timedelta(days=start.weekday())
    elif period == "month":
        start = start.replace(day=1)
    return start.astimezone(timezone.utc).replace(tzinfo=None)


def today_start(now=None):
    """Midnight of today in China time, as naive UTC."""
    return period_start("day", now)


def day_start(day):
    """Midnight of a China-time calendar date (a `date`), as naive UTC: the lower bound of a date filter."""
    return datetime.combine(day, time(), CHINA).astimezone(timezone.utc).replace(tzinfo=None)


def from_china(value):
    """A naive China-time datetime (as typed in a form) as naive UTC, like the columns."""
    return value.replace(tzinfo=CHINA).astimezone(timezone.utc).replace(tzinfo=None)
