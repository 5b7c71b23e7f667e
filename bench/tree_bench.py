#!/usr/bin/env python
"""Benchmark of the referral tree (closure table) on a large, realistic team.

Builds N members (default 100,000) with bulk inserts into a throw-away database whose schema comes
from the migrations, then times the app's real query paths (tree.ancestors, services.team_counts,
services.team_page) for a leaf, a middle node and the root, plus a few plain queries for comparison.

    .venv/bin/python bench/tree_bench.py [--members 100000] [--database-url URL]

Without --database-url the data goes to a fresh SQLite file in a temporary directory. With a
PostgreSQL URL (postgresql+psycopg://postgres@127.0.0.1:5432/test) the script creates its own schema
bench_tree_<pid>, points search_path at it and drops it at the end; nothing else is touched.

This is a script that prints figures, not a test: pytest never collects it (testpaths = tests).
"""
import argparse
import math
import os
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

import bench_json  # noqa: E402
from bench_common import bench_app, create_schema, drop_schema  # noqa: E402
from sqlalchemy import event  # noqa: E402

# ---------------------------------------------------------------------------------------------
# The tree's shape (pure Python, seeded, reproducible)
# ---------------------------------------------------------------------------------------------

ROOT_ID = 1
ROOT_CHILDREN = 50
MAX_DEPTH = 10
MIDDLE_TEAM_TARGET = 3000


def draw_children(rng):
    """How many members one member brings in: most bring none or a few, a few bring dozens."""
    r = rng.random()
    if r < 0.35:
        return 0
    if r < 0.97:
        return 1 + int(-math.log(1.0 - rng.random()) * 2.0)  # 1 + exponential, mean about 3
    return rng.randint(10, 40)  # the occasional busy recruiter


def build_shape(n, seed, max_depth=MAX_DEPTH):
    """parent[id] and depth[id] for ids 1..n, id 1 the root, ids handed out breadth first.

    Every child has a larger id than its parent, which the counter pass below relies on. If the
    depth limit stops the growth before n members (only for very large n), the limit is raised.
    """
    rng = random.Random(seed)
    parent = [0] * (n + 1)
    depth = [0] * (n + 1)
    next_id, i = 2, 1
    while next_id <= n:
        if i >= next_id:  # every node processed: let the deepest level grow one more level
            max_depth += 1
            i = next((v for v in range(1, next_id) if depth[v] == max_depth - 1), next_id)
            continue
        k = ROOT_CHILDREN if i == ROOT_ID else draw_children(rng)
        if depth[i] >= max_depth:
            k = 0
        for _ in range(min(k, n + 1 - next_id)):
            parent[next_id], depth[next_id] = i, depth[i] + 1
            next_id += 1
        i += 1
    parent[ROOT_ID] = None
    return parent, depth


def figures(parent, n):
    """Counters (direct, level 2, level 3) and whole-team sizes, children before parents."""
    direct, level2, level3 = [0] * (n + 1), [0] * (n + 1), [0] * (n + 1)
    team = [0] * (n + 1)  # members below, every depth
    for v in range(n, 1, -1):
        p = parent[v]
        direct[p] += 1
        level2[p] += direct[v]
        level3[p] += level2[v]
        team[p] += team[v] + 1
    return direct, level2, level3, team


# ---------------------------------------------------------------------------------------------
# Bulk loading through the DBAPI connection (COPY on PostgreSQL, executemany on SQLite)
# ---------------------------------------------------------------------------------------------

class Progress:
    """Prints a line every 10% of the rows of the whole build."""

    def __init__(self, total):
        self.total, self.done, self.next_mark, self.start = total, 0, 10, time.perf_counter()

    def add(self, rows, label):
        self.done += rows
        while self.total and self.done * 100 >= self.next_mark * self.total and self.next_mark <= 100:
            print(f"  build {self.next_mark:3d}%  {self.done:>10,} / {self.total:,} rows  "
                  f"({label})  {time.perf_counter() - self.start:6.1f} s", flush=True)
            self.next_mark += 10


def column_defaults(table, given):
    """Scalar Python-side defaults of the columns we do not fill ourselves (e.g. counters = 0)."""
    out = {}
    for column in table.columns:
        if column.name in given or column.default is None or not column.default.is_scalar:
            continue
        out[column.name] = column.default.arg
    return out


def bulk_load(raw, dialect, table, columns, rows, progress, label, chunk=20_000):
    """Insert an iterable of tuples into table(columns) in one transaction."""
    cur = raw.cursor()
    names = ", ".join(columns)
    if dialect == "postgresql":
        with cur.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            pending = 0
            for row in rows:
                copy.write_row(row)
                pending += 1
                if pending == chunk:
                    progress.add(pending, label)
                    pending = 0
            progress.add(pending, label)
    else:
        sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))})"
        batch = []
        for row in rows:
            batch.append(row)
            if len(batch) == chunk:
                cur.executemany(sql, batch)
                progress.add(len(batch), label)
                batch = []
        if batch:
            cur.executemany(sql, batch)
            progress.add(len(batch), label)
    cur.close()
    raw.commit()


def build_tree(db, n, seed):
    from shop.accounts.models import User
    from shop.distribution.models import ReferralNode

    t0 = time.perf_counter()
    parent, depth = build_shape(n, seed)
    direct, level2, level3, team = figures(parent, n)
    path_rows = sum(depth[1:]) + n  # one row per ancestor plus the depth-0 self row
    shape_s = time.perf_counter() - t0
    print(f"shape: {n:,} members, depth 0..{max(depth[1:])}, {path_rows:,} closure rows "
          f"(computed in {shape_s:.1f} s)", flush=True)

    dialect = db.engine.dialect.name
    pg = dialect == "postgresql"
    base = datetime(2024, 1, 1)

    def stamp(v):  # created/bound in id order, one minute apart
        value = base + timedelta(minutes=v)
        return value if pg else value.strftime("%Y-%m-%d %H:%M:%S.%f")

    def boolean(value):
        return value if pg else int(value)

    # users
    user_cols = ["id", "phone", "nickname", "created_at"]
    user_extra = column_defaults(User.__table__, set(user_cols) | {"id"})
    user_extra.pop("password_hash", None)
    extra_names = list(user_extra)
    extra_values = tuple(boolean(v) if isinstance(v, bool) else v for v in user_extra.values())

    def user_rows():
        for v in range(1, n + 1):
            yield (v, str(13_000_000_000 + v), f"member{v}", stamp(v)) + extra_values

    # referral_nodes
    node_cols = ["user_id", "referrer_id", "bound_at", "bind_source", "direct_count", "level2_count",
                 "level3_count"]
    node_extra = column_defaults(ReferralNode.__table__, set(node_cols))
    node_extra_names = list(node_extra)
    node_extra_values = tuple(node_extra.values())

    def node_rows():
        for v in range(1, n + 1):
            bound = None if parent[v] is None else stamp(v)
            source = None if parent[v] is None else "link"
            yield (v, parent[v], bound, source, direct[v], level2[v], level3[v]) + node_extra_values

    # referral_paths: (ancestor, descendant, depth), the self row first
    def path_rows_iter():
        for v in range(1, n + 1):
            a, d = v, 0
            while a is not None:
                yield (a, v, d)
                a, d = parent[a], d + 1

    progress = Progress(2 * n + path_rows)
    raw = db.engine.raw_connection()
    try:
        t1 = time.perf_counter()
        bulk_load(raw, dialect, "users", user_cols + extra_names, user_rows(), progress, "users")
        bulk_load(raw, dialect, "referral_nodes", node_cols + node_extra_names, node_rows(), progress,
                  "referral_nodes")
        bulk_load(raw, dialect, "referral_paths", ["ancestor_id", "descendant_id", "depth"], path_rows_iter(),
                  progress, "referral_paths")
        load_s = time.perf_counter() - t1
        t2 = time.perf_counter()
        if pg:
            raw.driver_connection.autocommit = True  # VACUUM cannot run inside a transaction
            cur = raw.cursor()
            cur.execute("SELECT setval(pg_get_serial_sequence('users', 'id'), %s)", (n,))
            # What autovacuum would soon do on its own: statistics and the visibility map.
            cur.execute("VACUUM ANALYZE users, referral_nodes, referral_paths")
            cur.close()
            raw.driver_connection.autocommit = False
        # SQLite: no ANALYZE, as the app never runs it (its plans here are the same either way).
        post_s = time.perf_counter() - t2
    finally:
        raw.close()
    return {"parent": parent, "depth": depth, "team": team, "direct": direct, "level2": level2,
            "level3": level3, "path_rows": path_rows, "shape_s": shape_s, "load_s": load_s,
            "post_s": post_s, "total_s": time.perf_counter() - t0}


def pick_nodes(tree, n):
    team, depth = tree["team"], tree["depth"]
    # The leaf: the last member, at the bottom of the deepest level.
    leaf = max(range(1, n + 1), key=lambda v: (depth[v], team[v] == 0, v))
    # The middle node: a team closest to a few thousand (not the root), preferably with full
    # first pages at levels 1 and 2 (20 members each) so its pages compare with the root's.
    full = [v for v in range(2, n + 1) if tree["direct"][v] >= 20 and tree["level2"][v] >= 20]
    candidates = full or range(2, n + 1)
    middle = min(candidates, key=lambda v: (abs(team[v] - MIDDLE_TEAM_TARGET), v))
    return {"leaf": leaf, "middle": middle, "root": ROOT_ID}


# ---------------------------------------------------------------------------------------------
# Timing
# ---------------------------------------------------------------------------------------------

def p95(values):
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


class LastStatements:
    """Remembers (statement, parameters) of the calls made while armed, for --explain."""

    def __init__(self, engine):
        self.armed, self.items = False, []
        event.listen(engine, "before_cursor_execute", self._on)

    def _on(self, conn, cursor, statement, parameters, context, executemany):
        if self.armed:
            self.items.append((statement, parameters))


def measure(db, fn, runs, warmup):
    """Median/p95 ms over `runs` calls after `warmup` calls, and the SQL statements one call sent.

    Each operation starts on a new connection, so no operation inherits another's prepared
    statements or cached plans. Before every call the session forgets its objects (as a new
    request would start), so session.get() really asks the database; within one operation the
    connection and its transaction stay open.
    """
    from shop.sql import count_statements

    db.session.remove()
    db.engine.dispose()
    for _ in range(warmup):
        db.session.expunge_all()
        fn()
    times, counts = [], set()
    for _ in range(runs):
        db.session.expunge_all()
        with count_statements() as counted:
            start = time.perf_counter()
            fn()
            elapsed = time.perf_counter() - start
        times.append(elapsed * 1000)
        counts.add(len(counted))
    sql = str(counts.pop()) if len(counts) == 1 else f"{min(counts)}-{max(counts)}"
    return statistics.median(times), p95(times), sql


def explain(db, recorder, fn, label):
    """Print the plan of every statement the call sends (EXPLAIN ANALYZE on PostgreSQL)."""
    db.session.expunge_all()
    recorder.items, recorder.armed = [], True
    try:
        fn()
    finally:
        recorder.armed = False
    pg = db.engine.dialect.name == "postgresql"
    for statement, params in recorder.items:
        prefix = "EXPLAIN (ANALYZE, BUFFERS) " if pg else "EXPLAIN QUERY PLAN "
        rows = db.session.connection().exec_driver_sql(prefix + statement, params).all()
        print(f"\n--- plan: {label}\n{' '.join(statement.split())}\n  params: {params}")
        for row in rows:
            print("  " + str(row[0] if pg else row[-1]))


def run_benchmarks(app, db, tree, nodes, args):
    from sqlalchemy import func, select

    from shop.distribution import services
    from shop.distribution import tree as tree_mod
    from shop.distribution.models import ReferralNode, ReferralPath

    team = tree["team"]
    root = nodes["root"]

    def closure_count(node, lo, hi):
        return lambda: db.session.scalar(
            select(func.count()).select_from(ReferralPath)
            .where(ReferralPath.ancestor_id == node, ReferralPath.depth.between(lo, hi)))

    def recursive_count(node):
        down = (select(ReferralNode.user_id).where(ReferralNode.referrer_id == node)
                .cte("team", recursive=True))
        down = down.union_all(select(ReferralNode.user_id)
                              .where(ReferralNode.referrer_id == down.c.user_id))
        return lambda: db.session.scalar(select(func.count()).select_from(down))

    operations = []
    for label in ("leaf", "middle", "root"):
        x = nodes[label]
        operations += [
            ("tree.ancestors(x)", label, lambda x=x: tree_mod.ancestors(x)),
            ("services.team_counts(x)", label, lambda x=x: services.team_counts(x)),
            ("services.team_page(x, 1, page=1, per_page=20)", label,
             lambda x=x: services.team_page(x, 1, page=1, per_page=20)),
            ("services.team_page(x, 2, page=1)", label, lambda x=x: services.team_page(x, 2, page=1)),
        ]
    comparison = [
        ("closure COUNT(*) level 1", "root", closure_count(root, 1, 1)),
        ("closure COUNT(*) level 2", "root", closure_count(root, 2, 2)),
        ("closure COUNT(*) whole team (depth >= 1)", "root", closure_count(root, 1, 10 ** 6)),
        ("WITH RECURSIVE count over referrer_id", "middle", recursive_count(nodes["middle"])),
        ("WITH RECURSIVE count over referrer_id", "root", recursive_count(root)),
    ]

    results = []
    with app.app_context():
        # Sanity: the bulk-built counters agree with the closure table, and the recursive CTE
        # agrees with the closure table's team size.
        for label, x in nodes.items():
            counts = services.team_counts(x)
            recount = tree_mod.recount(x)
            assert [counts[1], counts[2], counts[3]] == [recount["direct_count"], recount["level2_count"],
                                                           recount["level3_count"]], (label, counts, recount)
        assert recursive_count(root)() == team[root] == closure_count(root, 1, 10 ** 6)()
        print("check: counters of leaf/middle/root match tree.recount(); recursive CTE = closure count\n",
              flush=True)

        # One untimed pass over everything first, so the first operation timed does not pay for
        # the process warming up (imports, compiled-statement cache, page cache).
        for _name, _label, fn in operations + comparison:
            db.session.expunge_all()
            fn()
        total = len(operations) + len(comparison)
        for k, (name, label, fn) in enumerate(operations + comparison, 1):
            median, high, sql = measure(db, fn, args.runs, args.warmup)
            group = "comparison" if k > len(operations) else "app"
            results.append((group, name, label, team[nodes[label]], median, high, sql))
            print(f"  timed {k:2d}/{total}: {name} [{label}]  {median:.3f} ms", flush=True)
        db.session.rollback()

    def print_plans():
        with app.app_context():
            recorder = LastStatements(db.engine)
            for name, label, fn in operations + comparison:
                if label == "root" or args.explain == "all":
                    explain(db, recorder, fn, f"{name} [{label}]")
            db.session.rollback()

    return results, print_plans


# ---------------------------------------------------------------------------------------------
# App and database set-up
# ---------------------------------------------------------------------------------------------

def make_app(url, schema, tmpdir, prepare_threshold=None):
    os.environ["SHOP_INSTANCE_PATH"] = tmpdir
    engine = {"pool_pre_ping": True, "connect_args": {"prepare_threshold": prepare_threshold}} if schema else \
        {"pool_pre_ping": True}
    return bench_app(url, schema, engine=engine, TESTING=True)


def print_report(results, tree, nodes, n, args, dialect, server):
    team, depth = tree["team"], tree["depth"]
    print()
    print(f"database: {dialect} {server}   members: {n:,}   seed: {args.seed}   "
          f"runs: {args.runs} (+{args.warmup} warm-up) per operation, each operation on a new connection")
    if dialect == "postgresql":
        mode = ("off: every call planned with its own parameters" if args.prepare_threshold is None else
                f"psycopg prepares a statement after {args.prepare_threshold} uses on a connection")
        print(f"prepared statements: {mode} (--prepare-threshold)")
    levels = {}
    for v in range(1, n + 1):
        levels[depth[v]] = levels.get(depth[v], 0) + 1
    print("members by depth: " + ", ".join(f"{d}:{c:,}" for d, c in sorted(levels.items())))
    print(f"rows: users {n:,}, referral_nodes {n:,}, referral_paths {tree['path_rows']:,} "
          f"({tree['path_rows'] / n:.2f} per member)")
    print(f"build: {tree['total_s']:.1f} s total (shape {tree['shape_s']:.1f} s, bulk insert "
          f"{tree['load_s']:.1f} s, {'VACUUM ANALYZE' if dialect == 'postgresql' else 'no ANALYZE'} "
          f"{tree['post_s']:.1f} s)")
    for label in ("leaf", "middle", "root"):
        v = nodes[label]
        print(f"  {label:6s} id {v:>7}: depth {depth[v]}, direct {tree['direct'][v]:,}, level 2 "
              f"{tree['level2'][v]:,}, level 3 {tree['level3'][v]:,}, whole team {team[v]:,}")
    print()
    header = f"{'operation':50s} {'node':6s} {'team':>8s} {'median ms':>10s} {'p95 ms':>9s} {'SQL':>4s}"
    print(header)
    print("-" * len(header))
    group = None
    for g, name, label, size, median, high, sql in results:
        if g != group:
            if g == "comparison":
                print("-- for comparison (not app paths) " + "-" * (len(header) - 34))
            group = g
        print(f"{name:50s} {label:6s} {size:>8,} {median:>10.3f} {high:>9.3f} {sql:>4s}")
    print()

    def med(name, label):
        return next(r[4] for r in results if r[1] == name and r[2] == label)

    def ratio(name, a, b):
        return med(name, a) / med(name, b)

    page1, page2 = "services.team_page(x, 1, page=1, per_page=20)", "services.team_page(x, 2, page=1)"
    counts = "services.team_counts(x)"
    vs_leaf = [ratio(page1, "root", "leaf"), ratio(page2, "root", "leaf"), ratio(counts, "root", "leaf")]
    vs_middle = [ratio(page1, "root", "middle"), ratio(page2, "root", "middle"), ratio(counts, "root", "middle")]
    cte = med("WITH RECURSIVE count over referrer_id", "root") / med(counts, "root")
    growth = team[nodes["root"]] / max(1, team[nodes["middle"]])
    names = ["team_page level 1", "team_page level 2", "team_counts"]
    # Judged on root vs middle: both return full pages, so only the team size differs (a leaf's
    # pages are empty and skip loading 20 rows of objects).
    growing = [f"{name} (x{ratio_:.1f})" for name, ratio_ in zip(names, vs_middle) if ratio_ >= 2]
    verdict = ("all stay flat as the team grows" if not growing else
               "NOT flat: " + ", ".join(growing) + " grow with the team (see --explain)")
    print(f"conclusion: median root ({team[nodes['root']]:,} members) / leaf (0, empty pages): team_page "
          f"level 1 x{vs_leaf[0]:.2f}, level 2 x{vs_leaf[1]:.2f}, team_counts x{vs_leaf[2]:.2f}; root / middle "
          f"({growth:.0f}x the team, both full pages): x{vs_middle[0]:.2f}, x{vs_middle[1]:.2f}, "
          f"x{vs_middle[2]:.2f}; the app's team queries: {verdict}; a recursive team count of the root "
          f"takes x{cte:,.0f} the time of team_counts(root).")


def json_rows(results, members, dialect):
    """The root's team page and counts (median ms), next to a closure-table count of the same level as floor."""
    med = {(r[1], r[2]): (r[4], r[6]) for r in results}
    floor1 = med[("closure COUNT(*) level 1", "root")][0]
    floor2 = med[("closure COUNT(*) level 2", "root")][0]
    out = []
    for name, key, floor in (("team page level 1", "services.team_page(x, 1, page=1, per_page=20)", floor1),
                             ("team page level 2", "services.team_page(x, 2, page=1)", floor2),
                             ("team counts", "services.team_counts(x)", None)):
        value, sql = med[(key, "root")]
        out.append(bench_json.row(f"{name}, root of {members:,} members", round(value, 3), "ms",
                       round(floor, 3) if floor else None,
                       note=f"{dialect}; {sql} SQL" + ("; floor: closure COUNT(*) of that level" if floor else "")))
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=100_000, help="members in the tree (default 100000)")
    parser.add_argument("--database-url", help="a PostgreSQL URL; default: a fresh SQLite file in a temp dir")
    parser.add_argument("--seed", type=int, default=1, help="random seed of the tree's shape (default 1)")
    parser.add_argument("--runs", type=int, default=20, help="timed runs per operation (default 20)")
    parser.add_argument("--warmup", type=int, default=2, help="untimed runs first (default 2)")
    parser.add_argument("--explain", nargs="?", const="root", choices=["root", "all"],
                        help="print the query plans (EXPLAIN ANALYZE on PostgreSQL) of the root's "
                             "operations, or of all of them with --explain all")
    parser.add_argument("--prepare-threshold", type=lambda v: None if v.lower() == "none" else int(v),
                        default=None, metavar="N|none",
                        help="PostgreSQL: psycopg's prepare_threshold (default none: every call is planned "
                             "with its own parameters, like a fresh connection or PgBouncer; psycopg's own "
                             "default, which the app uses, is 5: server-side prepared after 5 uses, after "
                             "which PostgreSQL may switch to a generic plan)")
    parser.add_argument("--keep", action="store_true",
                        help="keep the SQLite file / PostgreSQL schema afterwards (prints where)")
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON (bench/run_all.py reads it)")
    args = parser.parse_args(argv)
    if args.members < 2:
        parser.error("--members must be at least 2")
    if args.database_url and not args.database_url.startswith("postgresql"):
        parser.error("--database-url takes a PostgreSQL URL; leave it out for a temporary SQLite file")

    from shop.extensions import db

    tmpdir = tempfile.mkdtemp(prefix="bench-tree-")
    schema = f"bench_tree_{os.getpid()}" if args.database_url else None
    url = args.database_url or "sqlite:///" + os.path.join(tmpdir, "bench.db")
    started = time.perf_counter()
    app = None
    try:
        app = make_app(url, schema, tmpdir, args.prepare_threshold)
        print(f"building schema with the migrations ({'schema ' + schema if schema else url}) ...", flush=True)
        create_schema(app, db, schema)
        with app.app_context():
            dialect = db.engine.dialect.name
            server = ".".join(str(p) for p in db.engine.dialect.server_version_info or ()) \
                if dialect == "postgresql" else sqlite3.sqlite_version
            tree = build_tree(db, args.members, args.seed)
            db.engine.dispose()
        nodes = pick_nodes(tree, args.members)
        print(f"nodes: leaf {nodes['leaf']}, middle {nodes['middle']}, root {nodes['root']}; timing ...",
              flush=True)
        results, print_plans = run_benchmarks(app, db, tree, nodes, args)
        print_report(results, tree, nodes, args.members, args, dialect, server)
        if args.json:
            bench_json.write_json(args.json, "tree", json_rows(results, args.members, dialect))
        if args.explain:
            print_plans()
    finally:
        if args.keep and app is not None:
            print(f"kept: {'schema ' + schema + ' in ' + url if schema else url}")
        elif schema and app is not None:
            drop_schema(app, db, schema)
        if not (args.keep and not schema):  # only a kept SQLite file needs its directory
            shutil.rmtree(tmpdir, ignore_errors=True)
        print(f"total run time {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
