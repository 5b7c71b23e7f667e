#!/usr/bin/env python
"""Load on a mall of its own: browsing, ordering, sandbox payments (duplicate and concurrent notifications),
refunds and withdrawals for a bounded time, then the checks that must hold.

    .venv/bin/python bench/load.py [--seconds 60] [--shoppers 8] [--distributors 2] [--json PATH]

Starts its own PostgreSQL cluster (initdb into a temporary directory, as the `postgres` OS user when run as root),
its own redis-server and `gunicorn -w 2 --threads 4 wsgi:app`, each on a free 127.0.0.1 port; seeds the mall through
the app's services; runs the load with locust (bench/loadkit/locust_users.py, in a process of its own; `--generator
threads` runs the same actors in threads of this process instead); then prints locust's table and the audit, orders paid twice,
negative stock, and per kind of request: count, errors, p50/p90/p99. Everything is torn down at the end, also on
errors. Exit status 1 when a check fails. A script that prints figures, not a test: tests/load/ runs a bounded one.
"""
import argparse
import json
import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from bench.loadkit import checks, client, seed, swarm  # noqa: E402
from bench.loadkit.stack import Stack, missing_tools  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60, help="how long the load runs (default 60)")
    parser.add_argument("--shoppers", type=int, default=8, help="shopper threads (default 8)")
    parser.add_argument("--distributors", type=int, default=2, help="distributor threads (default 2)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--no-redis", action="store_true", help="run without SHOP_REDIS_URL")
    parser.add_argument("--generator", choices=("locust", "threads"), default="locust",
                        help="locust (default: bench/loadkit/locust_users.py in a process of its own) or the same "
                             "actors in plain threads of this process")
    parser.add_argument("--json", metavar="PATH", help="write the figures as JSON (bench/run_all.py's format)")
    return parser.parse_args(argv)


def print_table(rec, seconds):
    total, errors = rec.totals()
    print(f"\n{'request':<20}{'count':>8}{'errors':>8}{'p50 ms':>10}{'p90 ms':>10}{'p99 ms':>10}")
    for kind, count, bad, p50, p90, p99 in rec.table():
        print(f"{kind:<20}{count:>8}{bad:>8}{p50:>10.1f}{p90:>10.1f}{p99:>10.1f}")
    print(f"{'all':<20}{total:>8}{errors:>8}   {total / seconds:.1f} requests/s, error rate "
          f"{100 * errors / max(total, 1):.2f}%")
    print("orders: " + ", ".join(f"{k} {v}" for k, v in sorted(rec.outcomes.items())))
    for kind, _start, status, body in rec.bad[:10]:
        print(f"  bad answer: {kind} HTTP {status}: {body[:200]!r}")


def print_deadlocks(pg_log):
    """What PostgreSQL logged of each deadlock it broke: which statements waited for which."""
    try:
        with open(pg_log, errors="replace") as handle:
            lines = handle.read().splitlines()
    except OSError:
        return
    for n, line in enumerate(lines):
        if "deadlock detected" in line:
            print("  postgres: " + "\n  postgres: ".join(x[:300] for x in lines[n:n + 8]))


def json_rows(rec, verdict, seconds):
    total, errors = rec.totals()
    rows = [{"name": "requests per second", "value": round(total / seconds, 1), "unit": "req/s", "floor": None,
             "ratio": None, "note": f"{total} requests in {seconds:.0f} s"},
            {"name": "error rate", "value": round(100 * errors / max(total, 1), 3), "unit": "%", "floor": None,
             "ratio": None, "note": f"{errors} errors"},
            {"name": "checks clean", "value": int(verdict.clean), "unit": "bool", "floor": None, "ratio": None,
             "note": "; ".join(verdict.lines()[:6])}]
    for kind, count, bad, p50, p90, p99 in rec.table():
        for name, value in (("p50", p50), ("p90", p90), ("p99", p99)):
            rows.append({"name": f"{kind} {name}", "value": round(value, 1), "unit": "ms", "floor": None,
                         "ratio": None, "note": f"{count} requests, {bad} errors"})
    return {"bench": "load", "rows": rows}


def main(argv=None):
    args = parse_args(argv)
    missing = missing_tools()
    if missing:
        print(f"needs {', '.join(missing)} on PATH (PostgreSQL server tools, redis-server)", file=sys.stderr)
        return 2
    stack = Stack(redis=not args.no_redis)
    try:
        t0 = time.perf_counter()
        stack.start()
        database = stack.new_database("load")
        app = stack.app(database)
        seeded = seed.seed(app)
        env = stack.env(database, redis_url=stack.redis.url if stack.redis else None)
        server = stack.gunicorn(env, workers=args.workers)
        print(f"mall ready in {time.perf_counter() - t0:.1f} s: PostgreSQL :{stack.pg.port}, "
              f"redis {stack.redis.url if stack.redis else 'off'}, gunicorn {server.base} (-w {args.workers})",
              flush=True)
        started = time.perf_counter()
        if args.generator == "locust":
            rec, locust_rows = swarm.run_swarm(env, server.base, seeded, args.seconds, args.shoppers,
                                               args.distributors)
        else:
            rec, locust_rows = client.run_load(app, server.base, seeded, seed.PASSWORD, args.seconds, args.shoppers,
                                               args.distributors), None
        elapsed = time.perf_counter() - started
        if locust_rows:
            swarm.print_locust_table(locust_rows)
        print_table(rec, elapsed)
        outages = [line for line in server.log_text().splitlines() if "shop.outage" in line]
        for line in outages[:10]:
            print(f"  server said: {line[line.index('shop.outage'):][:240]}")
        print_deadlocks(stack.pg.log)
        verdict = checks.verify(app)
        print("\n" + "\n".join(verdict.lines()))
        if args.json:
            with open(args.json, "w") as handle:
                json.dump(json_rows(rec, verdict, elapsed), handle, indent=1)
        return 0 if verdict.clean else 1
    finally:
        stack.stop()


if __name__ == "__main__":
    sys.exit(main())
