#!/usr/bin/env python
"""Instructions the app's process executes per payment notification, counted by valgrind (callgrind): a figure
that does not move with a noisy machine, to compare two versions of the notification path.

notify_bench.py measures throughput against a floor, and its figures swing by a tenth from run to run on a shared
machine; a change worth 3 % of the app's CPU cannot be seen there. Here the mall's WSGI app (the one wsgi.py
builds) takes the same signed, encrypted sandbox notifications in one thread, without gunicorn and without a
client, under `valgrind --tool=callgrind`, twice: once for --small notifications and once for --large, on fresh
copies of the same data. Everything else the process does (start-up, imports, the app, signing the notifications
it sends) is the same in both runs, so

    (instructions with --large  -  instructions with --small) / (--large - --small)

is what one notification costs in the app's process: Flask, the view, the services, SQLAlchemy, psycopg and libpq,
the signature check and the decryption. PostgreSQL's own work is another process and is not counted. Two runs of
the same code agree within a few tenths of a percent.

    .venv/bin/python bench/notify_instructions.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test

PostgreSQL only; valgrind must be installed (Debian's valgrind). About 3 minutes with the defaults: valgrind runs
the process some 50 times slower. The script builds the schema bench_ninstr_<pid> (the shop and its orders, placed
through the app) and bench_ninstr_<pid>_run (the copy each measured run consumes), and drops both at the end.

This is a script that prints figures, not a test: pytest never collects it (testpaths = tests).
"""
import argparse
import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import types

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)
sys.path.insert(0, HERE)

from bench_common import create_schema, drop_schema, with_search_path  # noqa: E402

NOTIFY_PATH = "/pay/notify/sandbox"


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("SHOP_BENCH_DATABASE_URL"),
                        help="a PostgreSQL URL (default SHOP_BENCH_DATABASE_URL)")
    parser.add_argument("--small", type=int, default=100, help="notifications in the first run (default 100)")
    parser.add_argument("--large", type=int, default=300, help="notifications in the second run (default 300)")
    parser.add_argument("--warm", type=int, default=20,
                        help="notifications sent first in each run and not counted apart (default 20)")
    parser.add_argument("--keep-profiles", metavar="DIR",
                        help="copy callgrind's output of both runs to DIR, for callgrind_annotate (by C function)")
    parser.add_argument("--child", metavar="JSON", help=argparse.SUPPRESS)  # the measured process
    args = parser.parse_args(argv)
    if not args.child and not (args.database_url or "").startswith("postgresql"):
        parser.error("--database-url takes a PostgreSQL URL (postgresql+psycopg://...)")
    if not 0 < args.small < args.large or args.warm < 1:
        parser.error("need 0 < --small < --large and --warm >= 1")
    return args


def build(app, schema, orders):
    """The notify bench's shop (3-level rules, 4 chains, 300 buyers, one product) with `orders` unpaid orders."""
    import notify_bench

    from shop.extensions import db

    create_schema(app, db, schema)
    shop = notify_bench.build_shop(app, db, types.SimpleNamespace(chains=4, buyers=300, orders=orders))
    with app.app_context():
        from shop.payments.gateways import get_gateway
        get_gateway("sandbox").keys  # the sandbox's keys, made now in the instance folder the runs share
    return shop["orders"]


def first_paid(orders):
    """Which orders are their buyer's first (in the order they are paid here)."""
    seen, first = set(), []
    for order in orders:
        first.append(order["buyer"] not in seen)
        seen.add(order["buyer"])
    return first


def measured_run(spec_path):
    """The process valgrind counts: the app from wsgi.py takes spec["count"] notifications (after the warm-up)."""
    spec = json.load(open(spec_path))
    os.environ.update(SHOP_DATABASE_URL=spec["app_url"], SHOP_INSTANCE_PATH=spec["instance"],
                      SHOP_SECRET_KEY="bench-secret", SHOP_RATELIMIT_ENABLED="0", SHOP_PAYMENT_GATEWAY="sandbox")
    import notify_bench
    from werkzeug.test import EnvironBuilder

    import wsgi

    notes = notify_bench.build_notifications(wsgi.app, spec["orders"], label=None)  # as many in every run
    failed = 0
    for headers, body in notes[:spec["warm"] + spec["count"]]:
        environ = EnvironBuilder(path=NOTIFY_PATH, method="POST", headers=headers, data=body,
                                 environ_base={"REMOTE_ADDR": "127.0.0.1"}).get_environ()
        status = []
        answer = wsgi.app(environ, lambda code, response_headers, exc_info=None: status.append(code))
        b"".join(answer)
        getattr(answer, "close", lambda: None)()
        failed += not status[0].startswith("204")
    print(json.dumps({"failed": failed}))


def instructions(log_text):
    found = re.search(r"Collected : (\d+)", log_text) or re.search(r"I\s+refs:\s+([\d,]+)", log_text)
    if not found:
        raise RuntimeError("no instruction count in valgrind's output:\n" + log_text[-2000:])
    return int(found.group(1).replace(",", ""))


def count(spec, n, tmpdir):
    """Instructions of one measured run of `n` notifications (valgrind's total for the whole process)."""
    spec_path = os.path.join(tmpdir, f"spec-{n}.json")
    json.dump(dict(spec, count=n), open(spec_path, "w"))
    cmd = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={os.path.join(tmpdir, f'callgrind.{n}')}",
           sys.executable, os.path.abspath(__file__), "--child", spec_path]
    started = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    outcome = json.loads(done.stdout.strip().splitlines()[-1]) if done.returncode == 0 and done.stdout.strip() \
        else None
    if outcome is None:
        raise RuntimeError(f"the measured run of {n} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    if outcome["failed"]:
        raise RuntimeError(f"{outcome['failed']} of {spec['warm'] + n} notifications were not answered 204")
    total = instructions(done.stderr)
    print(f"  {n:>5} notifications: {total:,} instructions ({time.perf_counter() - started:.0f} s under valgrind)",
          flush=True)
    return total


@contextlib.contextmanager
def bench_schemas(database_url, prefix, total_orders):
    """The notify bench's shop with `total_orders` unpaid orders in schema <prefix>_<pid>, the schema <prefix>_<pid>_run
    that each measured run consumes, and a temporary folder holding the instance (the sandbox's keys). Yields
    (spec, tmpdir, refresh): spec is what a measured child process needs but its count, refresh() copies the shop
    into the run schema again. Both schemas and the folder are dropped at the end, also on errors."""
    import notify_bench
    from sqlalchemy import create_engine

    from shop.extensions import db

    schema = f"{prefix}_{os.getpid()}"
    run_schema = f"{schema}_run"
    tmpdir = tempfile.mkdtemp(prefix=f"{prefix.replace('_', '-')}-")
    instance = os.path.join(tmpdir, "instance")
    os.environ["SHOP_INSTANCE_PATH"] = instance
    app, run_app = notify_bench.make_app(database_url, schema), notify_bench.make_app(database_url, run_schema)
    admin = create_engine(database_url)

    def refresh():
        notify_bench.copy_schema(admin, db, schema, run_schema)
        notify_bench.analyze(run_app, db)

    try:
        print(f"building {schema} ({total_orders} orders placed through the app) ...", flush=True)
        orders = build(app, schema, total_orders)
        create_schema(run_app, db, run_schema)
        yield {"app_url": with_search_path(database_url, run_schema), "instance": instance, "orders": orders}, \
            tmpdir, refresh
    finally:
        for each, name in ((app, schema), (run_app, run_schema)):
            drop_schema(each, db, name)
        admin.dispose()
        shutil.rmtree(tmpdir, ignore_errors=True)


def main(argv=None):
    args = parse_args(argv)
    if args.child:
        return measured_run(args.child)
    if not shutil.which("valgrind"):
        sys.exit("valgrind is not installed (apt-get install valgrind)")
    with bench_schemas(args.database_url, "bench_ninstr", args.warm + args.large) as (spec, tmpdir, refresh):
        spec["warm"] = args.warm
        totals = {}
        for n in (args.small, args.large):
            refresh()
            totals[n] = count(spec, n, tmpdir)
        if args.keep_profiles:
            os.makedirs(args.keep_profiles, exist_ok=True)
            for n in totals:
                shutil.copy(os.path.join(tmpdir, f"callgrind.{n}"), args.keep_profiles)
            print(f"callgrind's output is in {args.keep_profiles}: callgrind_annotate --inclusive=yes "
                  f"{os.path.join(args.keep_profiles, f'callgrind.{args.large}')}")
        per = (totals[args.large] - totals[args.small]) / (args.large - args.small)
        counted = first_paid(spec["orders"])[args.warm + args.small:args.warm + args.large]
        print(f"\ninstructions per notification: {per:,.0f}  (({totals[args.large]:,} - {totals[args.small]:,}) / "
              f"{args.large - args.small}; the app's process only, PostgreSQL not counted)")
        print(f"the difference is {sum(counted)} buyers' first paid orders (23 statements each) and "
              f"{len(counted) - sum(counted)} repeat orders (17)")
        return 0

if __name__ == "__main__":
    sys.exit(main())
