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
so Python parses each distinct snapshot once (and resolves each level's rule once per product and snapshot).
bench/preview_bench.py measures it on 100,000 orders.
"""
import json
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import BigInteger, Text, case, cast, func, literal_column, select
from sqlalchemy.sql.expression import ColumnClause

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


def window(days, now=None):
    """Orders paid in the last `days` days (a SQL condition)."""
    since = (now or utcnow()) - timedelta(days=days)
    return (Order.status.in_(PAID_STATUSES), Order.paid_at >= since)


def candidate_rates(rules):
    """Every non-zero percent rate the rules hold (global, grades, products), ascending."""
    rates = set(rules.rates_bp) | {r for rs in rules.grade_rates_bp.values() for r in rs if r is not None}
    rates |= {o.value for levels in rules.product_overrides.values() for o in levels.values()
              if o.mode == engine.PERCENT}
    return sorted(r for r in rates if r)


def fixed_products(rules):
    """Products with a fixed amount per unit at some level: their lines are replayed whole."""
    return sorted(pid for pid, levels in rules.product_overrides.items()
                  if any(o.mode == engine.FIXED for o in levels.values()))


def _only_for(ids, column, other=0):
    """SQL: the column for lines of these products, `other` for the rest (a constant when there are none)."""
    return case((OrderLine.product_id.in_(ids), column), else_=other) if ids else literal_column(str(other))


def line_sums(days, rules, now=None):
    """(candidate rates, rows of (product key, quantity, paid, snapshot text, lines, paid sum, floor sum per rate))
    over the period's paid lines, in one statement. The product key is the product for products with rules of
    their own, else 0; quantity and paid are kept only for fixed-amount products (0 for the rest), whose groups
    are replayed whole. Sums come back as integers (no Decimal). Reads only."""
    rates, fixed = candidate_rates(rules), fixed_products(rules)
    keys = [_only_for(list(rules.product_overrides), OrderLine.product_id), _only_for(fixed, OrderLine.quantity),
            _only_for(fixed, OrderLine.paid_amount_fen), cast(Order.upline, Text)]
    sums = [func.count(), cast(func.sum(OrderLine.paid_amount_fen), BigInteger)]
    sums += [cast(func.sum(OrderLine.paid_amount_fen * rate // BP), BigInteger) for rate in rates]
    grouped = [key for key in keys if not isinstance(key, ColumnClause)]  # a constant is no GROUP BY key
    stmt = (select(*keys, *sums).select_from(OrderLine).join(Order, Order.id == OrderLine.order_id)
            .where(*window(days, now), OrderLine.commissionable).group_by(*grouped))
    return rates, db.session.execute(stmt)


def _beneficiary(seat_id, grade_id, active):
    return engine.Beneficiary(seat_id, grade_id, True) if active else None


class Replay:
    """The pure engine over grouped lines: each level's rule is resolved once per (product, seats) and cached, then
    `commission.level_amounts` (the function compute_shares itself uses) gives the line's amounts."""

    def __init__(self, rules):
        self.rules, self.cache, self.seats = rules, {}, _Seats()

    def level_rules(self, product_id, seat_values):
        pairs = list(zip(seat_values[0::2], seat_values[1::2]))
        upline = engine.Upline(_beneficiary(-1, *pairs[0]),
                               tuple(_beneficiary(i, *pair) for i, pair in enumerate(pairs[1:], start=1)))
        return engine.seat_rules(self.rules, product_id, engine.chain(upline, self.rules))

    def rules_for(self, product_key, snapshot):
        """Each level's rule for a line of this product under this upline snapshot: cached by what the rules see
        (product key and seats), so thousands of snapshots share a few hundred answers."""
        key = (product_key, self.seats[snapshot])
        rules_ = self.cache.get(key)
        if rules_ is None:
            rules_ = self.cache[key] = self.level_rules(*key)
        return rules_

    def add(self, totals, row, column, fixed):
        """Add one row of line_sums to totals (per level): replayed whole for a fixed-amount product, else each
        level's rate picked from the row's floor sums."""
        product_key, quantity, paid_fen, snapshot, lines = row[:5]
        level_rules = self.rules_for(product_key, snapshot)
        if product_key in fixed:
            amounts = engine.level_amounts(paid_fen, quantity, level_rules, self.rules.cap_bp)
            for index, amount in enumerate(amounts):
                totals[index] += amount * lines
            return
        if sum(rule[0] for rule in level_rules if rule) > min(self.rules.cap_bp, BP):
            raise ValueError("rules over the cap: only rules that pass validate_rules can be previewed")
        for index, rule in enumerate(level_rules):
            if rule is not None and rule[0]:
                totals[index] += row[6 + column[rule[0]]]


def _actual(days, now):
    stmt = (select(Commission.level, func.sum(Commission.amount_fen), func.sum(Commission.net_fen))
            .join(Order, Order.id == Commission.order_id).where(*window(days, now)).group_by(Commission.level))
    rows = db.session.execute(stmt).all()
    return {lv: int(a) for lv, a, _n in rows}, {lv: int(n) for lv, _a, n in rows}


def _order_count(days, now):
    return db.session.scalar(select(func.count()).select_from(Order).where(*window(days, now)))


def preview(rules, days=DEFAULT_DAYS, now=None):
    """A Preview of `rules` (engine Rules that pass the guard) over the orders paid in the last `days` days.
    Reads only."""
    now = now or utcnow()
    result = Preview(days=days, orders=_order_count(days, now))
    rates, rows = line_sums(days, rules, now)
    column, fixed = {rate: i for i, rate in enumerate(rates)}, set(fixed_products(rules))
    replay, totals = Replay(rules), [0] * rules.levels
    for row in rows:
        result.lines, result.sales_fen, result.groups = result.lines + row[4], result.sales_fen + row[5], result.groups + 1
        replay.add(totals, row, column, fixed)
    result.proposed = {level: fen for level, fen in enumerate(totals, start=1) if fen}
    result.actual, result.actual_net = _actual(days, now)
    return result
