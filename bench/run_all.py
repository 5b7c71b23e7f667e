#!/usr/bin/env python
"""Every benchmark of the project in one table: runs each bench/ script as a subprocess with --json, several
times, and prints the median of each figure with its floor and ratio, also written as JSON.

    .venv/bin/python bench/run_all.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test
    .venv/bin/python bench/run_all.py --quick --only notify,tree      # a smoke run with small sizes
    .venv/bin/python bench/run_all.py --runs 5 --out /tmp/bench.json

Each figure is the median of --runs (3) runs; a ratio is taken within each run (the app and its floor measured
side by side) and then its median, never a median divided by another median. A script that is missing, fails or
writes no JSON gets one clear line in the table and in the JSON ("failures"), and the others still run.
The PostgreSQL benches need --database-url (default SHOP_BENCH_DATABASE_URL, then SHOP_TEST_DATABASE_URL); each
works in schemas of its own, which it drops.

This is a script that prints figures, not a test: pytest never collects it (testpaths = tests).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DEFAULT_OUT = os.path.join(ROOT, "test-artifacts", "bench-results.json")


class Bench:
    """One bench script run: its name in the table, its script, its arguments (full and --quick), and whether it
    needs PostgreSQL (else it gets the URL when there is one, and a temporary SQLite file otherwise)."""

    def __init__(self, name, script, full=(), quick=(), postgresql=True):
        self.name, self.script, self.full, self.quick, self.postgresql = name, script, full, quick, postgresql

    def command(self, args, json_path):
        sizes = self.quick if args.quick else self.full
        url = ["--database-url", args.database_url] if args.database_url else []
        return [sys.executable, os.path.join(HERE, self.script), *url, *sizes, "--json", json_path]


BENCHES = [
    Bench("storefront", "storefront_bench.py", quick=("--quick",)),
    Bench("notify", "notify_bench.py", ("--orders", "2000", "--rounds", "5"), ("--orders", "150", "--buyers", "60")),
    Bench("flash_sale", "flash_sale.py", (), ("--buyers", "300", "--stock", "150", "--threads", "8")),
    Bench("tree_10", "tree_bench.py", ("--members", "10"), ("--members", "10", "--runs", "5"), postgresql=False),
    Bench("tree_100k", "tree_bench.py", ("--members", "100000"), ("--members", "3000", "--runs", "5"),
          postgresql=False),
    Bench("dashboard", "dashboard_bench.py", ("--orders", "1000000"),
          ("--orders", "3000", "--days", "30", "--range-days", "30", "--runs", "2")),
    Bench("preview", "preview_bench.py", ("--orders", "100000"), ("--orders", "2000", "--runs", "2"),
          postgresql=False),
]


def run_once(bench, args, logs):
    """(rows, None) of one run, or (None, why it gave nothing)."""
    if not os.path.exists(os.path.join(HERE, bench.script)):
        return None, f"bench/{bench.script} does not exist (yet)"
    if bench.postgresql and not args.database_url:
        return None, "needs PostgreSQL: pass --database-url (or set SHOP_BENCH_DATABASE_URL)"
    with tempfile.TemporaryDirectory(prefix="bench-json-") as tmp:
        json_path = os.path.join(tmp, "out.json")
        log_path = os.path.join(logs, f"{bench.name}-{int(time.time() * 1000)}.log")
        with open(log_path, "wb") as log:
            try:
                rc = subprocess.run(bench.command(args, json_path), cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                                    timeout=args.timeout).returncode
            except subprocess.TimeoutExpired:
                return None, f"timed out after {args.timeout:.0f} s (log {log_path})"
        if not os.path.exists(json_path):
            return None, f"exit code {rc}, no JSON written (log {log_path})"
        with open(json_path, encoding="utf-8") as handle:
            rows = json.load(handle)["rows"]
    if rc:
        for row in rows:
            row["note"] = (row.get("note") or "") + f"; exit code {rc} (log {log_path})"
    return rows, None


def median_or_none(values):
    values = [v for v in values if v is not None]
    return round(statistics.median(values), 3) if values else None


def combine(bench, runs):
    """One row per measurement: the median value, floor and ratio over the runs, in the order the bench wrote."""
    names = list(dict.fromkeys(row["name"] for rows in runs for row in rows))
    out = []
    for name in names:
        same = [row for rows in runs for row in rows if row["name"] == name]
        out.append({"bench": bench.name, "name": name, "value": median_or_none([r["value"] for r in same]),
                    "unit": same[-1]["unit"], "floor": median_or_none([r.get("floor") for r in same]),
                    "ratio": median_or_none([r.get("ratio") for r in same]), "note": same[-1].get("note") or "",
                    "runs": len(same)})
    return out


def number(value):
    if value is None:
        return "-"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.3f}" if abs(value) < 10 else f"{value:,.1f}"
    return f"{int(value):,}"


def print_table(rows, failures):
    header = f"{'bench':11} {'measurement':52} {'value':>12} {'unit':11} {'floor':>10} {'ratio':>7}  runs"
    print("\n" + header + "\n" + "-" * len(header))
    for r in rows:
        print(f"{r['bench']:11} {r['name'][:52]:52} {number(r['value']):>12} {r['unit'][:11]:11} "
              f"{number(r['floor']):>10} {number(r['ratio']):>7}  {r['runs']}")
    for f in failures:
        print(f"{f['bench']:11} NOT MEASURED: {f['reason']}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("SHOP_BENCH_DATABASE_URL")
                        or os.environ.get("SHOP_TEST_DATABASE_URL"), help="PostgreSQL for the benches that need it")
    parser.add_argument("--runs", type=int, default=3, help="runs of each bench; figures are medians (default 3)")
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run of every bench")
    parser.add_argument("--only", help="comma-separated bench names (" + ", ".join(b.name for b in BENCHES) + ")")
    parser.add_argument("--out", default=DEFAULT_OUT, help="the JSON report (default test-artifacts/bench-results.json)")
    parser.add_argument("--timeout", type=float, default=4 * 3600, help="seconds one bench run may take")
    args = parser.parse_args(argv)
    wanted = set(args.only.split(",")) if args.only else None
    unknown = (wanted or set()) - {b.name for b in BENCHES}
    if unknown or args.runs < 1:
        parser.error(f"unknown bench {sorted(unknown)}" if unknown else "--runs must be at least 1")
    logs = os.path.join(os.path.dirname(os.path.abspath(args.out)), "bench-logs")
    os.makedirs(logs, exist_ok=True)
    started = time.perf_counter()
    rows, failures = [], []
    for bench in BENCHES:
        if wanted and bench.name not in wanted:
            continue
        runs = []
        for k in range(args.runs):
            t0 = time.perf_counter()
            got, why = run_once(bench, args, logs)
            print(f"{bench.name} run {k + 1}/{args.runs}: "
                  f"{f'{len(got)} figures' if got is not None else 'FAILED: ' + why} ({time.perf_counter() - t0:.0f} s)",
                  flush=True)
            if got is None:
                failures.append({"bench": bench.name, "reason": why})
                break  # a bench that cannot run once will not run the next time either
            runs.append(got)
        if runs:
            rows += combine(bench, runs)
    print_table(rows, failures)
    report = {"started": datetime.now(timezone.utc).isoformat(timespec="seconds"), "runs": args.runs,
              "quick": args.quick, "cpus": os.cpu_count(), "load_average": os.getloadavg(),
              "seconds": round(time.perf_counter() - started, 1), "rows": rows, "failures": failures}
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as handle:
        json.dump(report, handle, ensure_ascii=False, indent=1)
    print(f"\nwritten: {args.out} (logs in {logs}); {report['seconds']:.0f} s")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
