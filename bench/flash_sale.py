#!/usr/bin/env python
"""Benchmark of order placement during a flash sale (秒杀) on PostgreSQL, next to a floor measured in the same run.

Builds a shop (2-level commission rules, one ¥100 product, BUYERS members each with an address, bound under a
distributor) and one running flash slot whose item has STOCK units at ¥59 with a per-member limit of 1. Then:

  app      THREADS threads place one order per buyer, all at once, through shop.orders.services.place_order with
           Choice(activity=("flash", item id)): the quote, the flash pricer, the order rows, and the reservation
           on order_placed (the member's counter row, then ONE guarded UPDATE of the item). Each call runs in its
           own app context and session, like a request. Buyers beyond the stock are refused 已抢光.
  floor    the same number of plain single-row guarded UPDATEs (UPDATE flash_items SET sold = sold + 1 WHERE id = ?
           AND sold + 1 <= stock), each its own transaction, from the same number of threads on the same machine:
           the hot row's own cost, the least any correct flash sale has to pay per attempt.

It prints attempts and orders per second, p50/p95 latency of each, checks sold == stock == orders placed, that the
SKU's own stock was not touched and that no member holds more than the limit, and the ratio app / floor.

    .venv/bin/python bench/flash_sale.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test
    .venv/bin/python bench/flash_sale.py --buyers 4000 --stock 1000 --threads 32

The database URL defaults to SHOP_BENCH_DATABASE_URL, then SHOP_TEST_DATABASE_URL. The script works in its own
schema bench_flash_<pid>, built by the migrations and dropped at the end (--keep leaves it).
This is a script that prints figures, not a test: pytest never collects it (testpaths = tests).
"""
import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from bench_common import bench_app, create_schema, drop_schema  # noqa: E402
from bench_json import row, write_json  # noqa: E402
from sqlalchemy import func, insert, select, text  # noqa: E402


def make_app(url, schema, tmpdir, pool):
    os.environ["SHOP_INSTANCE_PATH"] = tmpdir
    return bench_app(url, schema, engine={"pool_size": pool, "max_overflow": 0, "pool_timeout": 120}, TESTING=True)


def build(db, n_buyers, stock, limit):
    """Rules, a distributor, the buyers (bulk), the product and a running slot; returns (item id, sku id, buyers)."""
    from shop.accounts.models import Address, User
    from shop.catalog.services import save_product
    from shop.clock import utcnow
    from shop.distribution import rules, services
    from shop.flash.models import FlashItem, FlashSlot

    rules.update_global_rules(levels=2, rate1_bp=1000, rate2_bp=500)
    owner = User(phone="13800000000", nickname="分销员", password_hash="x")
    db.session.add(owner)
    db.session.flush()
    services.become_distributor(owner.id, "admin")
    db.session.execute(insert(User), [{"phone": str(15000000000 + i), "password_hash": "x", "nickname": f"b{i}"}
                                      for i in range(n_buyers)])
    ids = db.session.scalars(select(User.id).where(User.id != owner.id).order_by(User.id)).all()
    db.session.execute(insert(Address), [{"user_id": uid, "recipient": "买家", "phone": "13900001111",
                                          "province": "浙江省", "city": "杭州市", "district": "西湖区",
                                          "detail": "1 号", "is_default": True} for uid in ids])
    product = save_product({"title": "秒杀好物", "spec_names": ["颜色"], "category_id": None,
                            "skus": [{"price_fen": 10000, "stock": 100, "spec_values": ["红"],
                                      "original_price_fen": 10000}]})
    now = utcnow()
    slot = FlashSlot(title="压测场", starts_at=now - timedelta(minutes=5), ends_at=now + timedelta(hours=2))
    item = FlashItem(slot=slot, product_id=product.id, sku_id=product.skus[0].id, price_fen=5900, stock=stock,
                     per_member_limit=limit)
    db.session.add(item)
    db.session.commit()
    buyers = db.session.execute(select(Address.user_id, Address.id).order_by(Address.user_id)).all()
    return item.id, product.skus[0].id, buyers


def run_app(app, db, item_id, sku_id, buyers, threads):
    """Every buyer places one order at once from `threads` threads; returns (elapsed s, [latency s], outcomes)."""
    from shop.accounts.models import User
    from shop.errors import ServiceError
    from shop.orders.pricing import Choice
    from shop.orders.services import place_order

    choice = Choice(activity=("flash", item_id))
    start = threading.Barrier(threads + 1)

    def buy(buyer):
        user_id, address_id = buyer
        with app.app_context():
            user = db.session.get(User, user_id)
            db.session.rollback()
            began = time.perf_counter()
            try:
                place_order(user, [(sku_id, 1)], address_id, choice=choice)
                outcome = "ok"
            except ServiceError as err:
                outcome = err.message
            finally:
                db.session.remove()
            return time.perf_counter() - began, outcome

    return timed_pool(buy, buyers, threads, start)


def timed_pool(task, jobs, threads, start):
    """Run task(job) for every job from `threads` threads released together; (elapsed, latencies, outcomes)."""
    with ThreadPoolExecutor(max_workers=threads) as pool:
        for _ in range(threads):
            pool.submit(start.wait)
        start.wait()
        began = time.perf_counter()
        results = list(pool.map(task, jobs))
        elapsed = time.perf_counter() - began
    return elapsed, [r[0] for r in results], [r[1] for r in results]


def run_floor(db, item_id, attempts, threads):
    """The same number of guarded single-row UPDATEs on a copy of the item, each committed on its own."""
    with db.engine.begin() as conn:
        conn.execute(text("CREATE TABLE floor_items AS SELECT id, stock, 0 AS sold FROM flash_items WHERE id = :i"),
                     {"i": item_id})
        conn.execute(text("ALTER TABLE floor_items ADD PRIMARY KEY (id)"))
    local, engine = threading.local(), db.engine
    start = threading.Barrier(threads + 1)

    def update(_):
        if not hasattr(local, "conn"):
            local.conn = engine.raw_connection()
        began = time.perf_counter()
        with local.conn.cursor() as cur:
            cur.execute("UPDATE floor_items SET sold = sold + 1 WHERE id = %s AND sold + 1 <= stock", (item_id,))
            outcome = "ok" if cur.rowcount == 1 else "sold out"
        local.conn.commit()
        return time.perf_counter() - began, outcome

    result = timed_pool(update, range(attempts), threads, start)
    engine.dispose()  # the floor's connections go back
    with db.engine.connect() as conn:
        sold = conn.execute(text("SELECT sold FROM floor_items")).scalar()
    return result, sold


def ms(values, q):
    return statistics.quantiles(values, n=100)[q - 1] * 1000 if len(values) > 1 else values[0] * 1000


def report(label, elapsed, latencies, outcomes):
    ok = outcomes.count("ok")
    print(f"{label:6} {len(outcomes):>6} attempts in {elapsed:6.2f} s: {len(outcomes) / elapsed:8.1f} attempts/s, "
          f"{ok / elapsed:8.1f} successes/s ({ok} ok)   p50 {ms(latencies, 50):7.2f} ms   p95 {ms(latencies, 95):7.2f} ms")
    return len(outcomes) / elapsed


def check(db, item_id, sku_id, stock, limit, outcomes):
    from shop.catalog.models import Sku
    from shop.flash.models import FlashItem, FlashTake
    from shop.orders.models import Order

    sold = db.session.scalar(select(FlashItem.sold).where(FlashItem.id == item_id))
    orders = db.session.scalar(select(func.count()).select_from(Order))
    most = db.session.scalar(select(func.max(FlashTake.quantity))) or 0
    sku_stock = db.session.scalar(select(Sku.stock).where(Sku.id == sku_id))
    refusals = sorted(set(o for o in outcomes if o != "ok"))
    good = sold == stock == orders == outcomes.count("ok") and most <= limit and sku_stock == 100
    print(f"check: sold {sold} == stock {stock} == orders {orders} == successes {outcomes.count('ok')}; "
          f"most units held by one member {most} <= limit {limit}; SKU stock {sku_stock} (untouched: 100); "
          f"refusals {refusals} -> {'OK' if good else 'FAILED'}")
    return good


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("SHOP_BENCH_DATABASE_URL")
                        or os.environ.get("SHOP_TEST_DATABASE_URL"))
    parser.add_argument("--buyers", type=int, default=2000)
    parser.add_argument("--stock", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--limit", type=int, default=1)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON (bench/run_all.py reads it)")
    args = parser.parse_args(argv)
    if not (args.database_url or "").startswith("postgresql"):
        parser.error("a PostgreSQL --database-url (or SHOP_BENCH_DATABASE_URL / SHOP_TEST_DATABASE_URL) is needed")
    schema = f"bench_flash_{os.getpid()}"
    with tempfile.TemporaryDirectory(prefix="flash-bench-") as tmpdir:
        app = make_app(args.database_url, schema, tmpdir, pool=args.threads + 2)
        from shop.extensions import db

        create_schema(app, db, schema)
        try:
            return run(app, db, args)
        finally:
            if not args.keep:
                drop_schema(app, db, schema)


def run(app, db, args):
    with app.app_context():
        t0 = time.perf_counter()
        item_id, sku_id, buyers = build(db, args.buyers, args.stock, args.limit)
        server = db.session.execute(text("SHOW server_version")).scalar()
        db.session.remove()
        print(f"PostgreSQL {server}; built {len(buyers)} buyers, one flash item of {args.stock} units "
              f"(limit {args.limit}) in {time.perf_counter() - t0:.1f} s; {args.threads} threads; "
              f"{os.cpu_count()} CPUs")
    elapsed, latencies, outcomes = run_app(app, db, item_id, sku_id, buyers, args.threads)
    app_rate = report("app", elapsed, latencies, outcomes)
    with app.app_context():
        good = check(db, item_id, sku_id, args.stock, args.limit, outcomes)
        (f_elapsed, f_latencies, f_outcomes), f_sold = run_floor(db, item_id, len(buyers), args.threads)
        floor_rate = report("floor", f_elapsed, f_latencies, f_outcomes)
        print(f"floor check: sold {f_sold} == stock {args.stock} -> {'OK' if f_sold == args.stock else 'FAILED'}")
        db.session.remove()
    ok_rate = outcomes.count("ok") / elapsed
    print(f"orders/second: {ok_rate:.1f} placed ({app_rate:.1f} attempts/s incl. 已抢光 refusals); "
          f"floor {floor_rate:.1f} guarded UPDATEs/s; app/floor attempts ratio {app_rate / floor_rate:.3f} "
          f"(the floor is {floor_rate / app_rate:.1f}x faster)")
    good = good and f_sold == args.stock
    if args.json:
        note = f"{args.buyers} buyers, {args.stock} units, {args.threads} threads" + ("" if good else "; FAILED check")
        write_json(args.json, "flash_sale", [
            row("orders placed/s", round(ok_rate, 1), "orders/s", note=note),
            row("attempts/s vs guarded UPDATE floor", round(app_rate, 1), "attempts/s", round(floor_rate, 1),
                note="incl. 已抢光 refusals; ratio app/floor"),
            row("p50 latency", round(ms(latencies, 50), 2), "ms", round(ms(f_latencies, 50), 2))])
    return 0 if good else 1


if __name__ == "__main__":
    sys.exit(main())
