"""Policy preview (规则试算): what the paid orders of a period would have paid in commission under proposed
rules, next to what they actually paid. Reads only: nothing is written, whatever the rules.

Exact to the fen, and mostly in SQL. The engine's result for a line depends only on the line's product, quantity
and paid amount, and on who sits at each level *as far as rules care* (active or not, and the grade: read from
the order's stored upline snapshot), never on who they are. Two paths:

- Lines of products with a fixed amount per unit (the only rules the per-line cap can clamp) are grouped by
  (product, quantity, paid amount, seats) and each group is replayed once through the engine
  (`commission.seat_rules` and `commission.level_amounts`, which `compute_shares` itself uses), times its count.
- Every other line pays rate by rate, and rules that pass the guard never reach the cap with rates alone
  (sum of floors <= floor of the sum <= the cap). So SQL groups those lines by (product if it has its own rule,
  seats) and sums floor(base x rate / 10000) for each rate the rules hold: `rule_amount`'s one formula, per line,
  for a handful of candidate rates. The engine then says which rate each level of each group gets.

SQL groups by the snapshot's text rather than by values read out of the JSON: reading JSON per line was most of
the time (PostgreSQL parses a `json` value again for every path read), and a buyer's orders share one snapshot,
so Python parses each distinct snapshot once and adds up the groups that mean the same seats.
bench/preview_bench.py measures it on 100,000 orders.
"""
import json
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import Text, case, cast, func, literal_column, or_, select

from ..clock import utcnow
from ..extensions import db
from ..money import BP
from ..orders import status as st
from ..orders.models import Order, OrderLine
from . import commission as engine
from .models import Commission

#: Orders that were paid (later refunds included: they were paid in the period).
PAID_STATUSES = (st.PAID, st.SHIPPED, st.COMPLETED, st.REFUNDED)
DEFAULT_DAYS = 30


@dataclass
class Preview:
    """The figures the rules page shows; money in fen."""

    days: int
    orders: int = 0
    lines: int = 0
    groups: int = 0
    sales_fen: int = 0
    #: {level: fen} under the proposed rules, and what the orders actually got (as created, and net of refunds).
    proposed: dict = field(default_factory=dict)
    actual: dict = field(default_factory=dict)
    actual_net: dict = field(default_factory=dict)

    @property
    def proposed_fen(self):
        return sum(self.proposed.values())

    @property
    def actual_fen(self):
        return sum(self.actual.values())

    @property
    def difference_fen(self):
        return self.proposed_fen - self.actual_fen

    @property
    def proposed_share_bp(self):
        """The proposed commission as basis points of sales (floored)."""
        return self.proposed_fen * BP // self.sales_fen if self.sales_fen else 0

    @property
    def actual_share_bp(self):
        return self.actual_fen * BP // self.sales_fen if self.sales_fen else 0

    def rows(self):
        """(level, proposed, actual, difference) for levels 1..3 that either side pays."""
        levels = sorted(set(self.proposed) | set(self.actual) | {1})
        return [(lv, self.proposed.get(lv, 0), self.actual.get(lv, 0),
                 self.proposed.get(lv, 0) - self.actual.get(lv, 0)) for lv in levels]


def seat_values(snapshot):
    """The rules-relevant part of a stored upline snapshot (its JSON text): (grade, active) of the buyer and of
    ancestors 1..3, None where there is nobody. No database access."""
    data = json.loads(snapshot) if snapshot else {}
    entries = [data.get("buyer")] + [(data.get("ancestors") or [])[i:i + 1] for i in range(engine.MAX_LEVELS)]
    entries = [entries[0]] + [e[0] if e else None for e in entries[1:]]
    return tuple(v for e in entries for v in ((e.get("grade_id"), e.get("active")) if e else (None, None)))


class _Seats(dict):
    """snapshot text -> seat_values, each distinct snapshot parsed once (a buyer's orders share theirs)."""

    def __missing__(self, snapshot):
        self[snapshot] = value = seat_values(snapshot)
        return value


def _merge(rows, width, seats):
    """Rows keyed by (key columns..., snapshot text) with numbers after them, re-keyed by (key columns..., seat
    values...) and their numbers added up: SQL groups by the snapshot's text, which costs no JSON parsing."""
    merged = {}
    for row in rows:
        key = (*row[:width - 1], *seats[row[width - 1]])
        numbers = merged.get(key)
        if numbers is None:
            merged[key] = [int(v or 0) for v in row[width:]]
        else:
            for i, v in enumerate(row[width:]):
                numbers[i] += int(v or 0)
    return merged


def window(days, now=None):
    """Orders paid in the last `days` days (a SQL condition)."""
    since = (now or utcnow()) - timedelta(days=days)
    return (Order.status.in_(PAID_STATUSES), Order.paid_at >= since)


def line_groups(days, now=None, product_ids=None):
    """(product_id, quantity, paid_fen, seat values..., count) over the period's paid lines (of `product_ids`
    only, when given). Reads only."""
    keys = [func.coalesce(OrderLine.product_id, 0), OrderLine.quantity, OrderLine.paid_amount_fen,
            cast(Order.upline, Text)]
    stmt = (select(*keys, func.count()).select_from(OrderLine).join(Order, Order.id == OrderLine.order_id)
            .where(*window(days, now)).group_by(*keys))
    if product_ids is not None:
        stmt = stmt.where(OrderLine.product_id.in_(product_ids))
    merged = _merge(db.session.execute(stmt), len(keys), _Seats())
    return [(*key, numbers[0]) for key, numbers in merged.items()]


def candidate_rates(rules):
    """Every non-zero percent rate the rules hold (global, grades, products), ascending."""
    rates = set(rules.rates_bp) | {r for rs in rules.grade_rates_bp.values() for r in rs if r is not None}
    rates |= {o.value for levels in rules.product_overrides.values() for o in levels.values()
              if o.mode == engine.PERCENT}
    return sorted(r for r in rates if r)


def rate_sums(days, rules, fixed_ids, now=None):
    """(candidate rates, [((product key, seat values...), [sum of floor(base x rate / 10000) per rate])]) over the
    period's lines without a fixed amount; the product key is 0 for products without rules of their own.
    Reads only."""
    rates = candidate_rates(rules)
    own = [pid for pid in rules.product_overrides if pid not in fixed_ids]
    product = case((OrderLine.product_id.in_(own), OrderLine.product_id), else_=0) if own else literal_column("0")
    keys = [product, cast(Order.upline, Text)]
    sums = [func.sum(OrderLine.paid_amount_fen * rate // BP) for rate in rates]
    stmt = (select(*keys, *sums).select_from(OrderLine).join(Order, Order.id == OrderLine.order_id)
            .where(*window(days, now)).group_by(*(keys if own else keys[1:])))  # a constant is no GROUP BY key
    if fixed_ids:
        stmt = stmt.where(or_(OrderLine.product_id.is_(None), OrderLine.product_id.not_in(fixed_ids)))
    return rates, list(_merge(db.session.execute(stmt), len(keys), _Seats()).items())


def _beneficiary(seat_id, grade_id, active):
    return engine.Beneficiary(seat_id, grade_id, True) if active else None


class Replay:
    """The pure engine over grouped lines: each level's rule is resolved once per (product, seats) and cached, then
    `commission.level_amounts` (the function compute_shares itself uses) gives the line's amounts."""

    def __init__(self, rules):
        self.rules, self.cache = rules, {}

    def level_rules(self, product_id, seat_values):
        pairs = list(zip(seat_values[0::2], seat_values[1::2]))
        upline = engine.Upline(_beneficiary(-1, *pairs[0]),
                               tuple(_beneficiary(i, *pair) for i, pair in enumerate(pairs[1:], start=1)))
        return engine.seat_rules(self.rules, product_id, engine.chain(upline, self.rules))

    def amounts(self, row):
        """[fen per level] one line of a group pays: (product_id, quantity, paid_fen, seat values..., count)."""
        product_id, quantity, paid_fen, *seat_values = row[:-1]
        key = (product_id, *seat_values)
        rules_ = self.cache.get(key)
        if rules_ is None:
            rules_ = self.cache[key] = self.level_rules(product_id, seat_values)
        return engine.level_amounts(paid_fen, quantity, rules_, self.rules.cap_bp)


def _actual(days, now):
    stmt = (select(Commission.level, func.sum(Commission.amount_fen), func.sum(Commission.net_fen))
            .join(Order, Order.id == Commission.order_id).where(*window(days, now)).group_by(Commission.level))
    rows = db.session.execute(stmt).all()
    return {lv: int(a) for lv, a, _n in rows}, {lv: int(n) for lv, _a, n in rows}


def _sales(days, now):
    stmt = (select(func.count(func.distinct(Order.id)), func.count(), func.coalesce(func.sum(OrderLine.paid_amount_fen), 0))
            .select_from(OrderLine).join(Order, Order.id == OrderLine.order_id).where(*window(days, now)))
    return db.session.execute(stmt).one()


def _fixed_products(rules):
    return sorted(pid for pid, levels in rules.product_overrides.items()
                  if any(o.mode == engine.FIXED for o in levels.values()))


def _add_rate_groups(totals, replay, days, now):
    rules = replay.rules
    rates, groups = rate_sums(days, rules, _fixed_products(rules), now)
    column = {rate: i for i, rate in enumerate(rates)}
    for (product_key, *seat_values), sums in groups:
        level_rules = replay.level_rules(product_key, seat_values)
        if sum(rule[0] for rule in level_rules if rule) > min(rules.cap_bp, BP):
            raise ValueError("rules over the cap: only rules that pass validate_rules can be previewed")
        for index, rule in enumerate(level_rules):
            if rule is not None and rule[0]:
                totals[index] += sums[column[rule[0]]]
    return len(groups)


def _add_fixed_groups(totals, replay, days, now):
    fixed_ids = _fixed_products(replay.rules)
    groups = line_groups(days, now, fixed_ids) if fixed_ids else []
    for row in groups:
        for index, amount in enumerate(replay.amounts(row)):
            totals[index] += amount * row[-1]
    return len(groups)


def preview(rules, days=DEFAULT_DAYS, now=None):
    """A Preview of `rules` (engine Rules that pass the guard) over the orders paid in the last `days` days.
    Reads only."""
    now = now or utcnow()
    result = Preview(days=days)
    result.orders, result.lines, sales = _sales(days, now)
    result.sales_fen = int(sales)
    replay, totals = Replay(rules), [0] * rules.levels
    result.groups = _add_rate_groups(totals, replay, days, now) + _add_fixed_groups(totals, replay, days, now)
    result.proposed = {level: fen for level, fen in enumerate(totals, start=1) if fen}
    result.actual, result.actual_net = _actual(days, now)
    return result
