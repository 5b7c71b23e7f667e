#!/usr/bin/env python
"""Benchmark of the nearest pickup stores (shop/stores/nearby.py) with 5,000 stores.

Loads --stores stores (default 5,000) clustered around 60 Chinese cities (a few hundred around the big ones,
spread over ~30 km), then for --runs shoppers standing at random places near those cities times

  nearest  nearby.nearest_stores(): a bounding box on the indexed micro-degree columns in SQL, the exact haversine
           in Python on the candidates (at most len(RADII_M) statements);
  brute    the floor it replaces: every open store read, the haversine for each, sorted;

and checks that both give the same ten stores. Prints median and p95 milliseconds, statements per call, and the
ratio nearest / brute.

    .venv/bin/python bench/stores_nearest.py [--stores 5000] [--runs 200] [--database-url URL] [--json PATH]

Without --database-url it uses a temporary SQLite file; a PostgreSQL URL gets its own schema, dropped at the end.
"""
import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from sqlalchemy import select, text  # noqa: E402

CITIES = [(31.23, 121.47), (30.27, 120.15), (31.30, 120.58), (39.90, 116.40), (23.13, 113.26), (22.54, 114.06),
          (30.57, 104.07), (29.56, 106.55), (34.26, 108.94), (32.06, 118.80), (30.59, 114.30), (36.07, 120.38)]


def build(url, stores, seed):
    from shop import create_app
    from shop.extensions import db
    from shop.stores.models import Store

    schema = f"bench_stores_{os.getpid()}"
    options = {"connect_args": {"options": f"-csearch_path={schema}"}} if url.startswith("postgresql") else {}
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SQLALCHEMY_ENGINE_OPTIONS": options, "TESTING": True})
    with app.app_context():
        if options:
            with db.engine.begin() as conn:
                conn.execute(text(f"CREATE SCHEMA {schema}"))
        from flask_migrate import upgrade
        upgrade()
        rng = random.Random(seed)
        cities = CITIES + [(rng.uniform(22, 41), rng.uniform(102, 122)) for _ in range(48)]
        rows = []
        for i in range(stores):
            lat, lng = cities[min(int(rng.expovariate(0.15)), len(cities) - 1)]
            rows.append({"name": f"店{i}", "province": "省", "city": f"市{i % 60}", "district": "区", "detail": "路",
                         "lat_e6": round((lat + rng.gauss(0, 0.12)) * 1e6), "lng_e6": round((lng + rng.gauss(0, 0.12)) * 1e6),
                         "hours": "", "phone": "", "is_open": True})
        db.session.execute(Store.__table__.insert(), rows)
        db.session.commit()
    return app, schema if options else None, cities


def brute(lat_e6, lng_e6, limit=10):
    from shop.extensions import db
    from shop.stores.geo import haversine_m
    from shop.stores.models import Store

    rows = db.session.execute(select(Store.id, Store.lat_e6, Store.lng_e6).where(Store.is_open.is_(True))).all()
    lat, lng = lat_e6 / 1e6, lng_e6 / 1e6
    return sorted((haversine_m(lat, lng, r.lat_e6 / 1e6, r.lng_e6 / 1e6), r.id) for r in rows)[:limit]


def timed(fn, *args):
    start = time.perf_counter()
    result = fn(*args)
    return (time.perf_counter() - start) * 1000, result


def measure(app, cities, runs, seed):
    from shop.extensions import db
    from shop.sql import count_statements
    from shop.stores.nearby import nearest_stores

    rng = random.Random(seed + 1)
    near_ms, brute_ms, statements = [], [], []
    with app.app_context():
        for _ in range(runs):
            lat, lng = rng.choice(cities)
            point = (round((lat + rng.gauss(0, 0.2)) * 1e6), round((lng + rng.gauss(0, 0.2)) * 1e6))
            with count_statements() as seen:
                ms, found = timed(nearest_stores, *point)
            statements.append(len(seen))
            db.session.expunge_all()
            ms_b, floor = timed(brute, *point)
            assert [n.store.id for n in found] == [store_id for _d, store_id in floor], "nearest != brute force"
            near_ms.append(ms)
            brute_ms.append(ms_b)
            db.session.expunge_all()
    return near_ms, brute_ms, statements


def p95(values):
    return sorted(values)[int(len(values) * 0.95) - 1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stores", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--database-url")
    parser.add_argument("--json")
    args = parser.parse_args()
    tmp = tempfile.TemporaryDirectory(prefix="bench-stores-")
    os.environ["SHOP_INSTANCE_PATH"] = tmp.name
    url = args.database_url or "sqlite:///" + os.path.join(tmp.name, "bench.db")
    app, schema, cities = build(url, args.stores, args.seed)
    try:
        near, floor, statements = measure(app, cities, args.runs, args.seed)
    finally:
        if schema:
            from shop.extensions import db
            with app.app_context(), db.engine.begin() as conn:
                conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        tmp.cleanup()
    med, med_b = statistics.median(near), statistics.median(floor)
    print(f"{args.stores} stores, {args.runs} shoppers, {url.split(':')[0]}")
    print(f"nearest  median {med:7.2f} ms  p95 {p95(near):7.2f} ms  statements max {max(statements)}")
    print(f"brute    median {med_b:7.2f} ms  p95 {p95(floor):7.2f} ms  statements 1")
    print(f"nearest / brute = {med / med_b:.3f}; same ten stores in every run")
    if args.json:
        rows = [{"name": "nearest_stores median", "value": round(med, 3), "unit": "ms", "floor": round(med_b, 3),
                 "ratio": round(med / med_b, 3), "note": f"{args.stores} stores; floor = read all + haversine"},
                {"name": "nearest_stores statements (max)", "value": max(statements), "unit": "statements",
                 "floor": None, "ratio": None, "note": "bounding boxes tried until ten stores lie within one"}]
        with open(args.json, "w") as fh:
            json.dump({"bench": "stores_nearest", "rows": rows}, fh, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main()
