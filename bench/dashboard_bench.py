#!/usr/bin/env python
"""Benchmark of the admin dashboard (概览) on one million orders, with and without the daily roll-ups.

Generates a year of a busy shop in its own PostgreSQL schema with bulk INSERT ... SELECT generate_series (members,
distributors, orders and lines, commissions at two levels, refunds, the ledger's frozen / settled / reversed
entries, withdrawals waiting), then, for today, 7 days, 30 days and a chosen range of a year, prints the median
time of

  plain    the dashboard's service (shop.admin.dashboard.services.range_report) with no roll-up: every day read
           from the facts, by the indexed timestamps;
  rolled   the same after `flask shop rollup` (closed days from daily_figures & co., today from the facts);
  page     GET /admin/?period=... through the test client, as a logged-in merchant (the whole page: the period's
           figures, charts and top lists, what waits today, the layout's badges);
  floor    one plain indexed statement measured in the same run: SELECT count(*), sum(pay_total_fen) FROM orders
           WHERE paid_at in the range, the least any dashboard of that range must do;

and the ratios rolled / floor and page / floor.

    .venv/bin/python bench/dashboard_bench.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test \\
        [--orders 1000000] [--days 365] [--runs 7] [--keep]

PostgreSQL only. The script works in its own schema bench_dashboard_<pid>, built by the migrations and dropped at
the end (also on errors and Ctrl-C; --keep leaves it). This is a script that prints figures, not a test.
"""
import argparse
import os
import statistics
import sys
import time
from datetime import timedelta

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from bench_common import bench_app, create_schema, drop_schema  # noqa: E402
from bench_json import row, write_json  # noqa: E402
from sqlalchemy import text  # noqa: E402

PERIODS = ("today", "7d", "30d", "range")
#: Generation, in order: (label, SQL). :n orders, :users, :dist(ributors), :products, :span seconds, :now.
GENERATE = (
    ("rule version", "INSERT INTO commission_rule_versions (id, rules, reason, created_at) "
                     "VALUES (1, '{}', 'bench', :now)"),
    ("products", "INSERT INTO products (id, title, subtitle, description_html, spec_names, on_shelf, is_featured, "
                 "sort, sales, min_price_fen, created_at, updated_at) SELECT g, '商品' || g, '', '', '[]', true, false, "
                 "0, 0, 1000 + g * 100, :now, :now FROM generate_series(1, :products) g"),
    ("members", "INSERT INTO users (id, phone, nickname, is_admin, disabled, created_at) SELECT g, "
                "'1' || lpad(g::text, 10, '0'), '会员' || g, false, false, "
                ":now - ((g::bigint * 7907) % :span) * interval '1 second' FROM generate_series(1, :users) g"),
    ("distributors", "INSERT INTO distributors (user_id, invite_code, status, source, joined_at) "
                     "SELECT id, 'B' || id, 'active', 'everyone', created_at FROM users WHERE id <= :dist"),
    ("orders", "INSERT INTO orders (id, order_no, user_id, status, items_total_fen, shipping_fen, discount_fen, "
               "pay_total_fen, recipient, recipient_phone, address_text, note, created_at, paid_at, refunded_fen) "
               "SELECT g, 'N' || g, 1 + (g::bigint * 31) % :users, 'completed', amt, 0, 0, amt, '收货人', '13800000000', "
               "'地址', '', paid - interval '5 minutes', paid, 0 FROM (SELECT g, "
               ":now - ((g::bigint * 104729) % :span) * interval '1 second' AS paid, "
               "1000 + (g::bigint * 37) % 20000 + CASE WHEN g % 3 = 0 THEN 990 ELSE 0 END AS amt "
               "FROM generate_series(1, :n) g) s"),
    ("order lines", "INSERT INTO order_lines (id, order_id, product_id, title, spec_text, unit_price_fen, quantity, "
                    "line_total_fen, paid_amount_fen) SELECT id, id, 1 + (id::bigint * 7919) % :products, '商品', '', "
                    "pay_total_fen - CASE WHEN id % 3 = 0 THEN 990 ELSE 0 END, 1, "
                    "pay_total_fen - CASE WHEN id % 3 = 0 THEN 990 ELSE 0 END, "
                    "pay_total_fen - CASE WHEN id % 3 = 0 THEN 990 ELSE 0 END FROM orders "
                    "UNION ALL SELECT :n + id, id, 1 + (id::bigint * 104729) % :products, '商品', '', 990, 1, 990, 990 "
                    "FROM orders WHERE id % 3 = 0"),
    ("refunds", "INSERT INTO refunds (refund_no, order_id, user_id, kind, status, amount_fen, shipping_fen, reason, "
                "created_at, decided_at, succeeded_at, commissions_adjusted_at, restocked) SELECT 'R' || id, id, "
                "user_id, 'full', 'succeeded', pay_total_fen, 0, '不想要了', paid_at + interval '1 day', "
                "paid_at + interval '1 day', paid_at + interval '2 days', paid_at + interval '2 days', false "
                "FROM orders WHERE id % 33 = 0 AND paid_at < :now - interval '2 days'"),
    ("refunded orders", "UPDATE orders SET status = 'refunded', refunded_fen = pay_total_fen "
                        "WHERE id IN (SELECT order_id FROM refunds)"),
    ("commissions", "INSERT INTO commissions (order_id, order_line_id, level, beneficiary_id, buyer_id, amount_fen, "
                    "reversed_fen, clawed_back_fen, status, base_fen, rate_bp, quantity, source, rule_version_id, "
                    "created_at, settled_at) SELECT o.id, o.id, lv, "
                    "1 + (o.id::bigint * CASE lv WHEN 1 THEN 13 ELSE 17 END) % :dist, o.user_id, "
                    "l.paid_amount_fen * CASE lv WHEN 1 THEN 1000 ELSE 500 END / 10000, "
                    "CASE WHEN o.status = 'refunded' THEN l.paid_amount_fen * CASE lv WHEN 1 THEN 1000 ELSE 500 END "
                    "/ 10000 ELSE 0 END, 0, CASE WHEN o.status = 'refunded' THEN 'reversed' "
                    "WHEN o.paid_at < :now - interval '15 days' THEN 'settled' ELSE 'frozen' END, l.paid_amount_fen, "
                    "CASE lv WHEN 1 THEN 1000 ELSE 500 END, 1, 'global', 1, o.paid_at, "
                    "CASE WHEN o.status <> 'refunded' AND o.paid_at < :now - interval '15 days' "
                    "THEN o.paid_at + interval '15 days' END "
                    "FROM orders o JOIN order_lines l ON l.id = o.id CROSS JOIN (VALUES (1), (2)) v(lv) "
                    "WHERE o.id % 10 < CASE lv WHEN 1 THEN 6 ELSE 3 END"),
    ("ledger: frozen", "INSERT INTO ledger_entries (user_id, kind, d_frozen, d_available, d_withdrawing, "
                       "d_withdrawn, frozen_after, available_after, withdrawing_after, withdrawn_after, ref_type, "
                       "ref_id, order_id, memo, created_at) SELECT beneficiary_id, 'commission_frozen', amount_fen, "
                       "0, 0, 0, 0, 0, 0, 0, 'commission', id, order_id, '', created_at FROM commissions"),
    ("ledger: settled", "INSERT INTO ledger_entries (user_id, kind, d_frozen, d_available, d_withdrawing, "
                        "d_withdrawn, frozen_after, available_after, withdrawing_after, withdrawn_after, ref_type, "
                        "ref_id, order_id, memo, created_at) SELECT beneficiary_id, 'commission_settled', "
                        "-amount_fen, amount_fen, 0, 0, 0, 0, 0, 0, 'commission', id, order_id, '', settled_at "
                        "FROM commissions WHERE status = 'settled'"),
    ("ledger: reversed", "INSERT INTO ledger_entries (user_id, kind, d_frozen, d_available, d_withdrawing, "
                         "d_withdrawn, frozen_after, available_after, withdrawing_after, withdrawn_after, ref_type, "
                         "ref_id, order_id, memo, created_at) SELECT c.beneficiary_id, 'commission_reversed', "
                         "-c.amount_fen, 0, 0, 0, 0, 0, 0, 0, 'commission', c.id, c.order_id, 'refund', r.succeeded_at "
                         "FROM commissions c JOIN refunds r ON r.order_id = c.order_id WHERE c.status = 'reversed'"),
    ("withdrawals", "INSERT INTO withdrawals (withdrawal_no, user_id, amount_fen, fee_fen, net_fen, method, payee, "
                    "status, created_at) SELECT 'W' || g, g, 10000 + g, 0, 10000 + g, 'alipay', '{}', 'requested', "
                    ":now - g * interval '1 hour' FROM generate_series(1, 300) g"),
    ("sequences", "SELECT setval(pg_get_serial_sequence('users', 'id'), (SELECT max(id) FROM users)), "
                  "setval(pg_get_serial_sequence('orders', 'id'), (SELECT max(id) FROM orders)), "
                  "setval(pg_get_serial_sequence('order_lines', 'id'), (SELECT max(id) FROM order_lines)), "
                  "setval(pg_get_serial_sequence('products', 'id'), (SELECT max(id) FROM products)), "
                  "setval(pg_get_serial_sequence('commission_rule_versions', 'id'), 1)"),
)


def make_app(url, schema):
    return bench_app(url, schema, TESTING=True)


def generate(app, db, args):
    """Every table the dashboard reads, in one transaction per step; returns the seconds it took."""
    from shop.clock import utcnow

    params = {"n": args.orders, "users": max(args.orders // 5, 1000), "dist": max(args.orders // 100, 100),
              "products": 200, "span": args.days * 86400, "now": utcnow()}
    started = time.perf_counter()
    with app.app_context():
        for label, sql in GENERATE:
            step = time.perf_counter()
            with db.engine.begin() as conn:
                # Foreign-key triggers off while loading (the rows are consistent by construction; superuser).
                conn.execute(text("SET LOCAL session_replication_role = replica"))
                rows = conn.execute(text(sql), params).rowcount
            print(f"  {label:<18} {rows:>10,} rows  {time.perf_counter() - step:6.1f} s", flush=True)
        raw = db.engine.raw_connection()
        try:
            raw.driver_connection.autocommit = True
            raw.cursor().execute("VACUUM (ANALYZE)")
        finally:
            raw.close()
    return time.perf_counter() - started, params


def period_query(period, today, days):
    from shop.admin.dashboard.services import period_days

    first, last = (today - timedelta(days=days - 1), today) if period == "range" else period_days(period, today)
    extra = f"&start={first}&end={last}" if period == "range" else ""
    return first, last, f"/admin/?period={period}{extra}"


def median_ms(call, runs):
    call()  # warm-up: caches, plans
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def measure(app, db, client, args, label):
    """{period: (service ms, page ms, floor ms, statements)} for each period."""
    from shop.admin.dashboard.services import china_today, range_report
    from shop.reports.days import bounds
    from shop.sql import count_statements

    results = {}
    with app.app_context():
        today = china_today()
        for period in PERIODS:
            first, last, path = period_query(period, today, args.range_days)
            start, end = bounds(first, last)
            floor_sql = text("SELECT count(*), sum(pay_total_fen) FROM orders WHERE paid_at >= :s AND paid_at < :e")
            service = median_ms(lambda: (range_report(first, last), db.session.rollback()), args.runs)
            floor = median_ms(lambda: (db.session.execute(floor_sql, {"s": start, "e": end}).one(),
                                       db.session.rollback()), args.runs)
            page = median_ms(lambda: client.get(path), args.runs)
            with count_statements() as seen:
                assert client.get(path).status_code == 200
            results[period] = (service, page, floor, len(seen))
            print(f"  {label:<7} {period:<6} service {service:8.1f} ms   page {page:8.1f} ms   floor {floor:7.1f} ms"
                  f"   {len(seen)} statements per page", flush=True)
    return results


def login(app, db):
    """A staff owner, logged in at the admin's own login page."""
    from shop.staff.models import OWNER, Staff

    with app.app_context():
        staff = Staff(login="bench-owner", display_name="店长", role=OWNER)
        staff.set_password("secret123")
        db.session.add(staff)
        db.session.commit()
    client = app.test_client()
    assert client.post("/admin/login", data={"login": "bench-owner", "password": "secret123"}).status_code == 302
    return client


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("SHOP_TEST_DATABASE_URL"))
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=365, help="the orders spread over this many days up to now")
    parser.add_argument("--range-days", type=int, default=365, help="the chosen range: this many days up to today")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON (bench/run_all.py reads it)")
    args = parser.parse_args()
    if not (args.database_url or "").startswith("postgresql"):
        parser.error("PostgreSQL only: --database-url postgresql+psycopg://...")
    from shop.extensions import db
    from shop.reports.rollups import build_rollups

    schema = f"bench_dashboard_{os.getpid()}"
    app = make_app(args.database_url, schema)
    create_schema(app, db, schema)
    try:
        print(f"Generating {args.orders:,} orders over {args.days} days in schema {schema}:", flush=True)
        seconds, params = generate(app, db, args)
        print(f"Generated in {seconds:.1f} s ({params['users']:,} members, {params['dist']:,} distributors)\n")
        client = login(app, db)
        print("Without roll-ups (every day read from the facts):")
        plain = measure(app, db, client, args, "plain")
        with app.app_context():
            started = time.perf_counter()
            days = build_rollups()
            print(f"\nflask shop rollup: {days} day(s) in {time.perf_counter() - started:.1f} s\n")
        print("With roll-ups (closed days from daily_figures, today from the facts):")
        rolled = measure(app, db, client, args, "rolled")
        report(plain, rolled, args)
        if args.json:
            write_json(args.json, "dashboard", json_rows(plain, rolled, args))
    finally:
        if not args.keep:
            drop_schema(app, db, schema)


def json_rows(plain, rolled, args):
    """Per period: the rolled-up service and the whole page (median ms) next to the one-statement floor."""
    out = []
    for period in PERIODS:
        service, page, floor, statements = rolled[period]
        name = f"chosen range of {args.range_days} days" if period == "range" else period
        where = f"{args.orders:,} orders"
        out.append(row(f"dashboard service, {name}", round(service, 1), "ms", round(floor, 1),
                       note=f"{where}; rolled up; plain {plain[period][0]:.1f} ms"))
        out.append(row(f"dashboard page, {name}", round(page, 1), "ms", round(floor, 1),
                       note=f"{where}; {statements} statements"))
    return out


def report(plain, rolled, args):
    print(f"\n{'period':<8}{'plain ms':>10}{'rolled ms':>11}{'page ms':>10}{'floor ms':>10}"
          f"{'rolled/floor':>14}{'page/floor':>12}{'plain/rolled':>14}")
    for period in PERIODS:
        p_service, _p_page, _floor, _n = plain[period]
        service, page, floor, _statements = rolled[period]
        name = f"{args.range_days}d" if period == "range" else period
        print(f"{name:<8}{p_service:>10.1f}{service:>11.1f}{page:>10.1f}{floor:>10.1f}"
              f"{service / floor:>14.1f}{page / floor:>12.1f}{p_service / service:>14.1f}")
    print("\nmedians of", args.runs, "runs each; page = the whole admin page with roll-ups")


if __name__ == "__main__":
    main()
