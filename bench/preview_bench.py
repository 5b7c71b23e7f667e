#!/usr/bin/env python
"""Benchmark of the policy preview (规则试算) over 100,000 paid orders, next to a floor measured in the same run.

Builds a shop with 3-level rules, three grades, per-product overrides, a few thousand distributors and tens of
thousands of buyers, and bulk-loads N paid orders of the last 30 days (1 to 3 lines, 1 to 3 units, a quarter of
them with a coupon split over their lines) with the commissions the engine gives them. Then it times:

  preview   shop.distribution.preview.preview(proposed rules, 30): what the rules page runs;
  floor     one plain aggregate over the same lines (count and sum of the paid amounts of the period's
            lines): reading every line of the period once, the least any exact preview has to do;
  naive     the obvious alternative, once: every order and its lines read and replayed through the engine
            order by order in Python.

It checks that preview and naive agree to the fen, and that previewing the current rules gives what the orders
actually got.

    .venv/bin/python bench/preview_bench.py                       # SQLite file in a temporary directory
    .venv/bin/python bench/preview_bench.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test
    .venv/bin/python bench/preview_bench.py --orders 20000        # smaller and quicker

On PostgreSQL the script works in its own schema bench_preview_<pid>, dropped at the end.
This is a script that prints figures, not a test: pytest never collects it (testpaths = tests).
"""
import argparse
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import timedelta

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import bench_json  # noqa: E402
from bench_common import create_schema, drop_schema  # noqa: E402
from sqlalchemy import func, select, text  # noqa: E402
from tree_bench import Progress, bulk_load, make_app  # noqa: E402

PRICES = [990, 1990, 2990, 3990, 4990, 5990, 6990, 7990, 9900, 12900, 15900, 19900, 29900, 39900, 59900]
COUPONS = [500, 1000, 2000]


def split(total, amounts):
    """A coupon split over lines in proportion to their amounts (cumulative floor, the last line takes the rest)."""
    whole, done, parts = sum(amounts), 0, []
    for i, amount in enumerate(amounts):
        share = total - done if i == len(amounts) - 1 else total * amount // whole
        parts.append(share)
        done += share
    return parts


def setup_rules(db, n_products):
    """Rules 10% / 5% / 2% at 3 levels, three grades, fixed or percent overrides on every tenth product."""
    from shop.distribution import rules

    rules.update_global_rules(levels=3, rate1_bp=1000, rate2_bp=500, rate3_bp=200)
    grades = [rules.save_grade(name=n, rank=r, rate1_bp=b) for n, r, b in
              (("普通", 1, None), ("银牌", 2, 1200), ("金牌", 3, 1500))]
    db.session.commit()
    return [g.id for g in grades]


def build(db, n_orders, seed):
    """Bulk-load members, products, orders, lines and commissions; returns the proposed rules to preview."""
    from shop.clock import utcnow
    from shop.distribution import commission as engine
    from shop.distribution import rules

    rng = random.Random(seed)
    raw = db.engine.raw_connection()
    dialect = db.engine.dialect.name
    n_products, n_distributors, n_buyers = 300, 3000, 30000
    now = utcnow()
    progress = Progress(n_orders * 4)
    bulk_load(raw, dialect, "users", ("id", "phone", "nickname", "is_admin", "disabled", "created_at"),
              ((i, str(13000000000 + i), f"m{i}", False, False, now) for i in range(1, n_distributors + n_buyers + 1)),
              Progress(0), "users")
    prices = {pid: rng.choice(PRICES) for pid in range(1, n_products + 1)}
    bulk_load(raw, dialect, "products",
              ("id", "title", "subtitle", "description_html", "spec_names", "on_shelf", "is_featured", "sort",
               "sales", "min_price_fen", "created_at", "updated_at"),
              ((pid, f"p{pid}", "", "", "[]", True, False, 0, 0, price, now, now) for pid, price in prices.items()),
              Progress(0), "products")
    raw.close()
    grade_ids = setup_rules(db, n_products)
    for pid in range(10, n_products + 1, 10):
        mode = engine.FIXED if pid % 20 == 0 else engine.PERCENT
        value = min(500, prices[pid] // 10) if mode == engine.FIXED else 800
        rules.set_product_commission(pid, {1: (mode, value)})
    version = rules.current_version()
    db.session.commit()
    current = rules.load_rules(version.id)

    def seat(user_id):
        return {"user_id": user_id, "grade_id": rng.choice(grade_ids + [None]), "active": rng.random() > 0.05}

    # Distributors 1..n in chains: each has a parent among the earlier ones (the first 50 at the top).
    parent = {d: (rng.randint(1, d - 1) if d > 50 else None) for d in range(1, n_distributors + 1)}
    seats = {d: seat(d) for d in parent}

    def upline(buyer):
        chain, d = [], rng.randint(1, n_distributors)
        while d is not None and len(chain) < 3:
            chain.append(seats[d])
            d = parent[d]
        return {"buyer": None, "ancestors": chain}

    uplines = {b: upline(b) for b in range(n_distributors + 1, n_distributors + n_buyers + 1)}
    orders, lines, commissions = [], [], []
    line_id = commission_id = 0
    for order_id in range(1, n_orders + 1):
        buyer = rng.randint(n_distributors + 1, n_distributors + n_buyers)
        items = [(rng.randint(1, n_products), rng.choice((1, 1, 1, 2, 3)))
                 for _ in range(rng.choice((1, 1, 1, 1, 1, 1, 2, 2, 2, 3)))]
        amounts = [prices[p] * q for p, q in items]
        coupon = min(rng.choice(COUPONS), sum(amounts) // 2) if rng.random() < 0.25 else 0
        paid = [a - c for a, c in zip(amounts, split(coupon, amounts))]
        paid_at = now - timedelta(minutes=rng.randint(1, 29 * 24 * 60))
        orders.append((order_id, f"B{order_id:012d}", buyer, "completed", sum(amounts), 0, coupon,
                       sum(paid), "r", "13900000000", "a", "", paid_at, paid_at, json.dumps(uplines[buyer]),
                       version.id, 0))
        engine_lines = []
        for (pid, qty), amount, p in zip(items, amounts, paid):
            line_id += 1
            lines.append((line_id, order_id, pid, f"p{pid}", "", prices[pid], qty, amount, p))
            engine_lines.append(engine.Line(line_id, pid, qty, prices[pid], p))
        for s in engine.compute_shares(engine_lines, rules.upline_from_snapshot(uplines[buyer]), current):
            commission_id += 1
            commissions.append((commission_id, order_id, s.line_id, s.level, s.beneficiary_id, buyer, s.amount_fen,
                                0, 0, "frozen", s.base_fen, s.rate_bp, s.fixed_fen, s.quantity, s.source,
                                version.id, paid_at))
    raw = db.engine.raw_connection()
    bulk_load(raw, dialect, "orders",
              ("id", "order_no", "user_id", "status", "items_total_fen", "shipping_fen", "discount_fen",
               "pay_total_fen", "recipient", "recipient_phone", "address_text", "note", "created_at", "paid_at",
               "upline", "rule_version_id", "refunded_fen"), orders, progress, "orders")
    bulk_load(raw, dialect, "order_lines",
              ("id", "order_id", "product_id", "title", "spec_text", "unit_price_fen", "quantity", "line_total_fen",
               "paid_amount_fen"), lines, progress, "lines")
    bulk_load(raw, dialect, "commissions",
              ("id", "order_id", "order_line_id", "level", "beneficiary_id", "buyer_id", "amount_fen",
               "reversed_fen", "clawed_back_fen", "status", "base_fen", "rate_bp", "fixed_fen", "quantity", "source",
               "rule_version_id", "created_at"), commissions, progress, "commissions")
    cur = raw.cursor()
    cur.execute("ANALYZE")
    cur.close()
    raw.commit()
    raw.close()
    if dialect == "postgresql":  # bulk ids: move the sequences past them
        with db.engine.begin() as conn:
            for table in ("users", "products", "orders", "order_lines", "commissions"):
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                  f"(SELECT max(id) FROM {table}))"))
    return current, len(lines), len(commissions)


def timed(fn, runs, warmup=1):
    for _ in range(warmup):
        result = fn()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), max(times), result


def floor_query(db):
    from shop.distribution.preview import window
    from shop.orders.models import Order, OrderLine

    stmt = (select(func.count(), func.sum(OrderLine.paid_amount_fen)).select_from(OrderLine)
            .join(Order, Order.id == OrderLine.order_id).where(*window(30)))
    return db.session.execute(stmt).one()


def breakdown(db, rules_):
    """The preview's statements timed one by one (ms)."""
    from shop.clock import utcnow
    from shop.distribution import preview as policy

    now, parts = utcnow(), {}
    for name, fn in (("orders", lambda: policy._order_count(30, now)),
                     ("line sums statement, rows fetched", lambda: list(policy.line_sums(30, rules_, now)[1])),
                     ("actual", lambda: policy._actual(30, now))):
        started = time.perf_counter()
        fn()
        parts[name] = (time.perf_counter() - started) * 1000
    return parts


def naive(db, rules_):
    """Every order of the period and its lines, replayed order by order through the engine."""
    from shop.distribution import commission as engine
    from shop.distribution.preview import window
    from shop.distribution.rules import upline_from_snapshot
    from shop.orders.models import Order, OrderLine

    orders = dict(db.session.execute(select(Order.id, Order.upline).where(*window(30))).all())
    by_order = {}
    for row in db.session.execute(select(OrderLine.order_id, OrderLine.id, OrderLine.product_id, OrderLine.quantity,
                                         OrderLine.unit_price_fen, OrderLine.paid_amount_fen)
                                  .where(OrderLine.order_id.in_(select(Order.id).where(*window(30))))):
        by_order.setdefault(row[0], []).append(engine.Line(*row[1:]))
    totals = {}
    for order_id, lines in by_order.items():
        for s in engine.compute_shares(lines, upline_from_snapshot(orders[order_id]), rules_):
            totals[s.level] = totals.get(s.level, 0) + s.amount_fen
    return totals


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=100_000, help="paid orders (default 100000)")
    parser.add_argument("--database-url", help="a PostgreSQL URL; default: a fresh SQLite file in a temp dir")
    parser.add_argument("--runs", type=int, default=5, help="timed runs of preview and floor (default 5)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON (bench/run_all.py reads it)")
    args = parser.parse_args(argv)

    from shop.distribution import preview as policy
    from shop.distribution import rules
    from shop.extensions import db

    tmpdir = tempfile.mkdtemp(prefix="bench-preview-")
    schema = f"bench_preview_{os.getpid()}" if args.database_url else None
    url = args.database_url or "sqlite:///" + os.path.join(tmpdir, "bench.db")
    started = time.perf_counter()
    app = None
    try:
        app = make_app(url, schema, tmpdir)
        print(f"building schema with the migrations ({'schema ' + schema if schema else url}) ...", flush=True)
        create_schema(app, db, schema)
        with app.app_context():
            print(f"loading {args.orders:,} paid orders ...", flush=True)
            current, n_lines, n_commissions = build(db, args.orders, args.seed)
            data = rules.proposed_rules(levels=3, rate1_bp=800, rate2_bp=600, rate3_bp=300, self_purchase=True)[1]
            proposed = rules.rules_from_data(0, data)
            db.session.remove()
            db.engine.dispose()
            print(f"loaded: {n_lines:,} lines, {n_commissions:,} commissions; timing ...", flush=True)
            p_med, p_max, result = timed(lambda: policy.preview(proposed), args.runs)
            f_med, f_max, _floor = timed(lambda: floor_query(db), args.runs)
            parts = breakdown(db, proposed)
            n_started = time.perf_counter()
            naive_totals = naive(db, proposed)
            n_ms = (time.perf_counter() - n_started) * 1000
            same = policy.preview(current)
            dialect = db.engine.dialect.name
        print()
        print(f"{dialect} · {result.orders:,} orders, {result.lines:,} lines in the "
              f"period, {result.groups:,} groups ({result.groups / max(result.lines, 1):.0%} of the lines)")
        print(f"{'':10} {'median ms':>10} {'max ms':>10}")
        print(f"{'preview':10} {p_med:10.1f} {p_max:10.1f}")
        print(f"{'floor':10} {f_med:10.1f} {f_max:10.1f}")
        print(f"{'naive':10} {n_ms:10.1f} {'(once)':>10}")
        print("  parts of one preview (ms): " + ", ".join(f"{k} {v:.0f}" for k, v in parts.items()))
        print(f"ratio preview / floor: {p_med / f_med:.1f}x; naive / preview: {n_ms / p_med:.1f}x")
        print(f"groups {result.groups:,}; proposed {result.proposed_fen / 100:,.2f} yuan by level {result.proposed}; actual "
              f"{result.actual_fen / 100:,.2f} yuan")
        checks = {"preview == naive replay (to the fen)": result.proposed == naive_totals,
                  "preview of the current rules == what the orders got": same.proposed == same.actual}
        for name, ok in checks.items():
            print(f"  {'ok ' if ok else 'FAIL'} {name}")
        print(f"conclusion: the preview answers in {p_med:.0f} ms for {result.orders:,} orders "
              f"({'within' if p_med < 1000 else 'OVER'} the 1 s budget)")
        if args.json:
            note = f"{dialect}; {result.orders:,} orders, {result.lines:,} lines" + (
                "" if all(checks.values()) else "; FAILED check")
            bench_json.write_json(args.json, "preview", [
                bench_json.row("policy preview", round(p_med, 1), "ms", round(f_med, 1),
                               note=note + "; floor: one aggregate over the lines"),
                bench_json.row("naive replay (once)", round(n_ms, 1), "ms", round(f_med, 1), note=note)])
        if not all(checks.values()):
            sys.exit(1)
    finally:
        if schema and app is not None:
            drop_schema(app, db, schema)
        shutil.rmtree(tmpdir, ignore_errors=True)
        print(f"total run time {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
