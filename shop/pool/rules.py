"""The pool's arithmetic, pure (no Flask, no database): periods in China time, the pool of a base, and the split.

The split is a plain floor per member: share = pool x weight // total weight, and what the floors leave (less
than one fen per member) is the remainder, which stays with the merchant; so shares + remainder == pool exactly.
A plain floor (rather than a cumulative one) is monotone in the pool: when a refund shrinks the pool, each
member's recomputed share is never larger than before, so a clawback never gives money back to anyone."""
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from ..clock import CHINA, to_china

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


@dataclass(frozen=True)
class Period:
    """A pool period: its label ("2026-11", "2026-W48"), kind, and [starts_at, ends_at) as naive UTC."""
    label: str
    kind: str
    starts_at: datetime
    ends_at: datetime


def _utc(day):
    return datetime.combine(day, time(), CHINA).astimezone(timezone.utc).replace(tzinfo=None)


def _next_month(day):
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def parse_period(label):
    """The Period a label names, or None when it is not "YYYY-MM" or "YYYY-Www" (an ISO week)."""
    label = (label or "").strip()
    try:
        if m := _MONTH.match(label):
            first = date(int(m[1]), int(m[2]), 1)
            return Period(label, "month", _utc(first), _utc(_next_month(first)))
        if m := _WEEK.match(label):
            monday = date.fromisocalendar(int(m[1]), int(m[2]), 1)
            return Period(label, "week", _utc(monday), _utc(monday + timedelta(days=7)))
    except ValueError:
        return None
    return None


def period_label(kind, day):
    """The label of the period of `kind` that contains the China-time date `day`."""
    if kind == "week":
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{day.year}-{day.month:02d}"


def last_closed(kind, now):
    """The last period of `kind` that ended before `now` (naive UTC)."""
    today = to_china(now).date()
    start = today - timedelta(days=today.weekday()) if kind == "week" else today.replace(day=1)
    return parse_period(period_label(kind, start - timedelta(days=1)))


def pool_of(base_fen, rate_bp):
    """The pool of a base: floor(base x rate / 10000), in fen."""
    return base_fen * rate_bp // 10000


def split(pool_fen, weights):
    """({key: share}, remainder) for a pool split by weight ({key: weight >= 0}); plain floor per key. With no
    weight at all, everything is the remainder."""
    total = sum(weights.values())
    if total <= 0:
        return dict.fromkeys(weights, 0), pool_fen
    shares = {key: pool_fen * weight // total for key, weight in weights.items()}
    return shares, pool_fen - sum(shares.values())


def clawbacks(amounts, weights, pool_now, clawed):
    """What to take back from each share so that it equals its split of the pool as it now is (`pool_now`, after
    the refunds under clawback), given what was paid ({key: amount}) and clawed back already ({key: fen})."""
    now, _ = split(pool_now, weights)
    return {key: amounts[key] - now[key] - clawed.get(key, 0) for key in amounts}
