"""The dashboard's period picker (GET ?period=today|7d|30d|range&start=YYYY-MM-DD&end=YYYY-MM-DD)."""
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import gettext as _

from .services import MAX_RANGE_DAYS, PERIODS, period_days


@dataclass
class PeriodChoice:
    """The period shown: its name, its first and last China days, and what was wrong with the form, if anything."""
    period: str
    first: date
    last: date
    error: str = ""


def _date(text):
    try:
        return date.fromisoformat((text or "").strip())
    except ValueError:
        return None


def _range_error(first, last, today):
    if first is None or last is None:
        return _("请输入正确的日期，例如 2026-11-01")
    if first > last:
        return _("开始日期不能晚于结束日期")
    if first > today:
        return _("开始日期不能晚于今天")
    if (min(last, today) - first).days >= MAX_RANGE_DAYS:
        return _("日期范围最长%(days)s天", days=MAX_RANGE_DAYS)
    return ""


def choose_period(args, today):
    """The period the query string asks for; a bad range falls back to today with a message, never an error."""
    period = args.get("period", "today")
    if period == "range":
        first, last = _date(args.get("start")), _date(args.get("end"))
        error = _range_error(first, last, today)
        if not error:
            return PeriodChoice("range", first, min(last, today))
        return PeriodChoice("today", today, today, error)
    return PeriodChoice(period, *period_days(period, today)) if period in PERIODS else PeriodChoice("today", today, today)


def default_range(today):
    """The dates the range fields show before the merchant picks any: the last 30 days."""
    return today - timedelta(days=29), today
