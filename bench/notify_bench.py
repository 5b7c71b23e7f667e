#!/usr/bin/env python
"""Benchmark of payment notifications with 3-level commission, through gunicorn, next to a psycopg floor.

Builds a shop with 3-level rules (10% / 5% / 2%), a few chains of 3 distributors with a few hundred
buyers under them and one product, places N unpaid orders through the app, then:

  A  starts gunicorn on wsgi:app and POSTs one signed, AES-GCM encrypted sandbox notification per
     order to /pay/notify/sandbox from C concurrent connections: notifications per second, p50/p95;
  B  on a fresh copy of the same data, replays the exact SQL statements one notification sends
     (captured in-process through the same endpoint) with plain psycopg, one transaction per order,
     with the same concurrency and every order's own values: the floor the app could reach if
     HTTP, gunicorn, signature checks, decryption and the ORM cost nothing.

    .venv/bin/python bench/notify_bench.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test \\
        [--orders 2000] [--workers 2] [--threads 4] [--concurrency 8]

PostgreSQL only. The script creates its own schemas bench_notify_<pid> (run A, also used by the
gunicorn app through SHOP_DATABASE_URL ...?options=-csearch_path%3D<schema>) and
bench_notify_<pid>_floor (run B), builds both with the migrations and drops both at the end, also
on errors; nothing else in the database is touched.

This is a script that prints figures, not a test: pytest never collects it (testpaths = tests).
"""
import argparse
import http.client
import itertools
import json
import logging
import math
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter
from datetime import datetime, timezone

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from bench_common import bench_app, create_schema, free_port, with_search_path  # noqa: E402
from bench_json import write_json  # noqa: E402
from sqlalchemy import create_engine, event, func, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

RATES_BP = (1000, 500, 200)  # 10% / 5% / 2%
PRICE_FEN = 10_000  # ¥100
NOTIFY_PATH = "/pay/notify/sandbox"
SHOP_DIR = os.path.join(ROOT, "shop") + os.sep
#: Set when the script is leaving (error, Ctrl-C, SIGTERM): the client and floor threads stop sending.
STOP = threading.Event()
#: The two statement sequences of a notification: a buyer's first paid order (invite reward, pending binding)
#: and any later one.
FIRST, REPEAT = "first paid order", "repeat order"


# ---------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------

class Progress:
    """Prints a line every `step` percent of a long step (thread-safe)."""

    def __init__(self, label, total, step=10):
        self.label, self.total, self.step = label, total, step
        self.done, self.next_mark, self.start = 0, step, time.perf_counter()
        self.lock = threading.Lock()

    def add(self, count=1, extra=""):
        if self.label is None:
            return
        with self.lock:
            self.done += count
            while self.total and self.done * 100 >= self.next_mark * self.total and self.next_mark <= 100:
                elapsed = time.perf_counter() - self.start
                print(f"  {self.label} {self.next_mark:3d}%  {self.done:>6,} / {self.total:,}  {elapsed:6.1f} s"
                      f"{'  ' + extra() if callable(extra) else extra}", flush=True)
                self.next_mark += self.step


def pct(values, q):
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)] if ordered else float("nan")


def psycopg_conninfo(url):
    """A libpq URL for plain psycopg from the SQLAlchemy URL (postgresql+psycopg:// -> postgresql://)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


class CpuMeter:
    """CPU seconds (Linux /proc) of this process, of some other processes and of the whole machine."""

    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100

    @classmethod
    def _times(cls, pid):
        """(its own CPU seconds: utime + stime, its waited-for children's: cutime + cstime), or None when gone."""
        try:
            with open(f"/proc/{pid}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / cls.tick, (int(fields[13]) + int(fields[14])) / cls.tick
        except (OSError, IndexError, ValueError):
            return None

    @classmethod
    def process(cls, pid):
        times = cls._times(pid)
        return times[0] if times else 0.0

    @staticmethod
    def children(pid):
        kids = []
        try:
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children") as handle:
                    kids += [int(x) for x in handle.read().split()]
        except OSError:
            pass
        return kids

    @classmethod
    def machine(cls):
        try:
            with open("/proc/stat") as handle:
                values = [int(x) for x in handle.readline().split()[1:9]]
            return sum(values) / cls.tick, (values[3] + values[4]) / cls.tick  # total, idle + iowait
        except (OSError, ValueError):
            return 0.0, 0.0

    @classmethod
    def postgres(cls):
        """({pid: CPU seconds} of every local PostgreSQL process, what the backends that have exited used: the
        postmaster's children's count, since it waits for each one). ({}, 0.0) when none runs here."""
        found, reaped = {}, 0.0
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                with open(f"/proc/{pid}/comm") as handle:
                    if handle.read().strip() != "postgres":
                        continue
            except OSError:
                continue
            times = cls._times(pid)
            if times:
                found[int(pid)] = times[0]
                reaped += times[1]  # only the postmaster has any
        return found, reaped

    @staticmethod
    def postgres_used(before, after):
        """PostgreSQL's CPU seconds between two postgres() readings: a backend started meanwhile counts from 0, one
        that exited meanwhile through the postmaster's count (less what it had used before)."""
        (was, reaped_before), (now, reaped_after) = before, after
        live = sum(cpu - was.get(pid, 0.0) for pid, cpu in now.items())
        gone = sum(cpu for pid, cpu in was.items() if pid not in now)
        return live + reaped_after - reaped_before - gone

    def __init__(self, pids=()):
        self.pids = list(pids)
        self.start = self._read()

    def _read(self):
        times = os.times()
        total, idle = self.machine()
        return {"self": times.user + times.system, "others": sum(self.process(p) for p in self.pids),
                "total": total, "idle": idle, "postgres": self.postgres()}

    def stop(self):
        """CPU seconds since the start: this process, the others given, PostgreSQL's processes (a backend started
        meanwhile counts from 0), the rest (system, other processes) and the machine's busy share."""
        end = self._read()
        postgres = self.postgres_used(self.start["postgres"], end.pop("postgres"))
        d = {k: end[k] - self.start[k] for k in end}
        busy = d["total"] - d["idle"]
        return {"self": d["self"], "others": d["others"], "busy": busy, "postgres": postgres,
                "rest": max(0.0, busy - d["self"] - d["others"]), "busy_pct": 100 * busy / d["total"] if d["total"]
                else float("nan")}


def background_load(seconds=1.0):
    """How busy the machine is before a run (other processes skew every figure here): percent."""
    meter = CpuMeter()
    time.sleep(seconds)
    return meter.stop()["busy_pct"]


def short_sql(sql, width=118):
    one = " ".join(sql.split())
    return one if len(one) <= width else one[:width - 3] + "..."


def sql_label(sql):
    """'SELECT distributors', 'UPDATE accounts RETURNING', 'INSERT accounts ON CONFLICT' ..."""
    one = " ".join(sql.split())
    words = one.split()
    verb = words[0].upper()
    upper = one.upper()
    if verb == "SELECT":
        frm = upper.find(" FROM ")
        table = one[frm + 6:].split()[0] if frm >= 0 else "?"
        label = f"SELECT {table}" + (" FOR UPDATE" if upper.endswith("FOR UPDATE") else "")
    elif verb == "INSERT":
        label = f"INSERT {words[2]}" + (" ON CONFLICT DO NOTHING" if "ON CONFLICT" in upper else "")
    elif verb == "UPDATE":
        label = f"UPDATE {words[1]}"
    else:
        label = verb
    return label + (" RETURNING" if " RETURNING " in upper else "")


# ---------------------------------------------------------------------------------------------
# App, schemas and data
# ---------------------------------------------------------------------------------------------

def make_app(url, schema):
    return bench_app(url, schema, engine={"pool_size": 10}, TESTING=True, SHOP_PAYMENT_GATEWAY="sandbox")


def analyze(app, db):
    """What autovacuum would soon do: statistics for every table of the schema (not the whole database)."""
    with app.app_context():
        tables = ", ".join(t.name for t in db.metadata.sorted_tables)
        raw = db.engine.raw_connection()
        try:
            raw.driver_connection.autocommit = True
            cur = raw.cursor()
            cur.execute(f"VACUUM (ANALYZE) {tables}")
            cur.close()
            raw.driver_connection.autocommit = False
        finally:
            raw.close()
        db.engine.dispose()


def build_shop(app, db, args):
    """Rules, chains, buyers with addresses, one product, N unpaid orders placed through place_order."""
    from shop.accounts.models import User
    from shop.accounts.services import save_address
    from shop.catalog.services import save_product
    from shop.distribution import binding, rules, services
    from shop.orders.services import place_order
    from shop.settings import set_setting
    from shop.wallet.ledger import ensure_account

    t0 = time.perf_counter()
    with app.app_context():
        rules.update_global_rules(levels=3, rate1_bp=RATES_BP[0], rate2_bp=RATES_BP[1], rate3_bp=RATES_BP[2])
        # Every first paid order rewards its referrer with points (no daily cap reached), in both runs alike.
        set_setting("invite_points_daily_cap", 100_000_000)
        db.session.commit()
        phones = itertools.count(13_100_000_000)
        chains = []
        for c in range(args.chains):
            users = [User(phone=str(next(phones)), nickname=f"chain{c}-L{3 - k}") for k in range(3)]
            db.session.add_all(users)
            db.session.commit()
            ids = [u.id for u in users]  # top (pays level 3) .. bottom (level 1)
            for uid in ids:
                services.become_distributor(uid, "admin")
                # Every distributor holds a wallet account, as after a first commission: the floor's templates
                # are captured on a few chains' orders and would not create the other chains' accounts.
                ensure_account(uid)
            binding.bind_referrer(ids[1], ids[0], "link")
            binding.bind_referrer(ids[2], ids[1], "link")
            db.session.commit()
            chains.append(ids)
        progress = Progress("buyers", args.buyers, step=25)
        buyers = []  # (user_id, address_id, chain index)
        for b in range(args.buyers):
            c = b % args.chains
            user = User(phone=str(next(phones)), nickname=f"buyer{b}")
            db.session.add(user)
            db.session.commit()
            outcome = binding.bind_referrer(user.id, chains[c][2], "link")
            assert outcome == binding.BOUND, outcome
            address = save_address(user, {"recipient": f"买家{b}", "phone": "13900001111", "province": "浙江省",
                                          "city": "杭州市", "district": "西湖区", "detail": f"文三路 {b} 号"})
            db.session.commit()
            buyers.append((user.id, address.id, c))
            progress.add()
        product = save_product({"title": "分销好物", "spec_names": ["颜色"], "category_id": None,
                                "skus": [{"price_fen": PRICE_FEN, "stock": 3 * args.orders + 1000,
                                          "spec_values": ["红"], "original_price_fen": PRICE_FEN}]})
        db.session.commit()
        sku_id, product_id = product.skus[0].id, product.id
        setup_s = time.perf_counter() - t0

        print(f"placing {args.orders:,} orders through shop.orders.services.place_order ...", flush=True)
        t1 = time.perf_counter()
        progress = Progress("orders", args.orders)
        orders = []  # dicts: id, order_no, pay_total_fen, buyer index, quantity
        for i in range(args.orders):
            b = i % args.buyers
            quantity = 1 + i % 3
            db.session.remove()
            buyer = db.session.get(User, buyers[b][0])
            order = place_order(buyer, [(sku_id, quantity)], buyers[b][1])
            orders.append({"id": order.id, "order_no": order.order_no, "pay_total_fen": order.pay_total_fen,
                           "buyer": b, "quantity": quantity})
            progress.add()
        db.session.remove()
        place_s = time.perf_counter() - t1
    return {"chains": chains, "buyers": buyers, "sku_id": sku_id, "product_id": product_id, "orders": orders,
            "setup_s": setup_s, "place_s": place_s}


def copy_schema(engine, db, src, dst):
    """Copy every row of src into dst (built by the migrations) and carry the sequences over."""
    tables = db.metadata.sorted_tables
    with engine.begin() as conn:
        conn.execute(text("TRUNCATE " + ", ".join(f"{dst}.{t.name}" for t in tables) + " CASCADE"))
        for t in tables:
            cols = ", ".join(f'"{c.name}"' for c in t.columns)
            conn.execute(text(f"INSERT INTO {dst}.{t.name} ({cols}) SELECT {cols} FROM {src}.{t.name}"))
        for name, last in conn.execute(text("SELECT sequencename, last_value FROM pg_sequences "
                                            "WHERE schemaname = :s"), {"s": src}).all():
            if last is not None:
                conn.execute(text("SELECT setval(:q, :v, true)"), {"q": f'{dst}."{name}"', "v": last})


# ---------------------------------------------------------------------------------------------
# Notifications
# ---------------------------------------------------------------------------------------------

def transaction_id(i):
    return f"4200{i:024d}"


def build_notifications(app, orders, label="notifications"):
    """[(headers, body)] of one TRANSACTION.SUCCESS per order, signed and encrypted with the sandbox keys."""
    from shop.payments.gateways import sandbox

    progress = Progress(label, len(orders))
    notes = []
    with app.app_context():
        for i, o in enumerate(orders):
            notes.append(sandbox.build_notification(o["order_no"], o.get("txn") or transaction_id(i),
                                                    o["pay_total_fen"]))
            progress.add()
    return notes


def decrypt(app, body):
    """The resource a notification carries (what the app stores as payments.raw)."""
    from shop.payments.gateways import crypto, get_gateway

    with app.app_context():
        key = get_gateway("sandbox").keys.apiv3_key
    return json.loads(crypto.decrypt_resource(key, json.loads(body)["resource"]))


# ---------------------------------------------------------------------------------------------
# Run A: gunicorn
# ---------------------------------------------------------------------------------------------

def start_gunicorn(args, app_url, tmpdir, log_path):
    port = free_port()
    env = dict(os.environ, SHOP_DATABASE_URL=app_url, SHOP_INSTANCE_PATH=tmpdir, SHOP_SECRET_KEY="bench-secret",
               SHOP_RATELIMIT_ENABLED="0", SHOP_PAYMENT_GATEWAY="sandbox")
    gunicorn = os.path.join(ROOT, ".venv", "bin", "gunicorn")
    if not os.path.exists(gunicorn):  # a worktree without its own .venv: the one beside this interpreter
        gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    cmd = [gunicorn, "-w", str(args.workers), "--threads", str(args.threads),
           "-b", f"127.0.0.1:{port}", "wsgi:app"]
    log = open(log_path, "wb")
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    log.close()
    print(f"started: {' '.join(cmd[0:1]).replace(ROOT + os.sep, '')} {' '.join(cmd[1:])}  (pid {proc.pid}, "
          f"log {log_path})", flush=True)
    return proc, port


def log_tail(path, lines=30):
    try:
        with open(path, "rb") as handle:
            return "\n".join(handle.read().decode(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def wait_healthy(proc, port, log_path, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {proc.returncode}:\n{log_tail(log_path)}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            resp = conn.getresponse()
            body = resp.read()
            conn.close()
            if resp.status == 200:
                return json.loads(body)
        except (OSError, http.client.HTTPException):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn not healthy after {timeout} s:\n{log_tail(log_path)}")


def wait_workers_ready(proc, expected, timeout=60):
    """/healthz answered by one worker says little about the others: wait until all `expected` workers
    exist and have stopped using CPU (app loaded), so their start-up is not counted in the run."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        workers = CpuMeter.children(proc.pid)
        if len(workers) >= expected:
            meter = CpuMeter(workers)
            time.sleep(0.5)
            if meter.stop()["others"] < 0.02:
                return workers
        else:
            time.sleep(0.2)
    return CpuMeter.children(proc.pid)


def stop_gunicorn(proc):
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def post_all(port, notes, concurrency, time_limit):
    """POST every notification once from `concurrency` keep-alive connections; per-request status and latency."""
    n = len(notes)
    status = [None] * n
    latency = [None] * n
    errors = []
    counter = itertools.count()
    lock = threading.Lock()
    retries = [0]
    progress = Progress("notify", n)
    start = time.perf_counter()
    deadline = start + time_limit

    def rate():
        return f"{progress.done / (time.perf_counter() - start):7.1f} /s"

    def connect():
        return http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def worker():
        conn = connect()
        try:
            while True:
                with lock:
                    i = next(counter)
                if i >= n or time.perf_counter() > deadline or STOP.is_set():
                    return
                headers, body = notes[i]
                for attempt in range(2):  # a dropped keep-alive connection: reconnect and send again
                    try:
                        t0 = time.perf_counter()
                        conn.request("POST", NOTIFY_PATH, body=body, headers=headers)
                        resp = conn.getresponse()
                        data = resp.read()
                        latency[i] = time.perf_counter() - t0
                        status[i] = resp.status
                        if resp.status != 204:
                            with lock:
                                errors.append(f"order #{i}: HTTP {resp.status} {data[:200]!r}")
                        break
                    except (OSError, http.client.HTTPException) as exc:
                        conn.close()
                        conn = connect()
                        with lock:
                            retries[0] += 1
                        if attempt:
                            with lock:
                                errors.append(f"order #{i}: {type(exc).__name__}: {exc}")
                progress.add(extra=rate)
        finally:
            conn.close()

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(time_limit + 120)
    elapsed = time.perf_counter() - start
    return {"status": status, "latency": [x for x in latency if x is not None], "elapsed": elapsed,
            "errors": errors, "retries": retries[0]}


def slices(n, rounds):
    """`rounds` contiguous slices of range(n), as equal as they come (in order: a buyer's first order first)."""
    bounds = [n * r // rounds for r in range(rounds + 1)]
    return [slice(bounds[r], bounds[r + 1]) for r in range(rounds) if bounds[r] < bounds[r + 1]]


def joined(runs):
    """One run's result from several rounds' (post_all or replay): lists concatenated, times and counts added."""
    out = {}
    for key in runs[0]:
        values = [run[key] for run in runs]
        out[key] = [x for v in values for x in v] if isinstance(values[0], list) else sum(values)
    return out


def summed(cpus):
    """CpuMeter.stop() figures of several rounds: seconds added, the busy share weighted by time."""
    out = {key: sum(cpu[key] for cpu in cpus) for key in cpus[0] if key != "busy_pct"}
    total = sum(cpu["busy"] / max(cpu["busy_pct"], 1e-9) * 100 for cpu in cpus)
    out["busy_pct"] = 100 * out["busy"] / total if total else float("nan")
    return out


# ---------------------------------------------------------------------------------------------
# Checks (both runs)
# ---------------------------------------------------------------------------------------------

def verify(app, db, order_ids, expected_per_order):
    """Every bench order paid, its commissions, and the app's own audit (shop.wallet.audit.run_audit)."""
    from shop.distribution.models import Commission
    from shop.orders import status as st
    from shop.orders.models import Order
    from shop.payments.models import Payment
    from shop.wallet.audit import run_audit

    with app.app_context():
        ids = list(order_ids)
        statuses = Counter()
        commissions = {}
        payments = 0
        for k in range(0, len(ids), 1000):
            chunk = ids[k:k + 1000]
            statuses.update(dict(db.session.execute(select(Order.status, func.count()).where(Order.id.in_(chunk))
                                                    .group_by(Order.status)).all()))
            commissions.update(dict(db.session.execute(
                select(Commission.order_id, func.count()).where(Commission.order_id.in_(chunk))
                .group_by(Commission.order_id)).all()))
            payments += db.session.scalar(select(func.count()).select_from(Payment).where(Payment.order_id.in_(chunk)))
        wrong = [i for i in ids if commissions.get(i, 0) != expected_per_order[i]]
        t0 = time.perf_counter()
        report = run_audit()
        audit_s = time.perf_counter() - t0
        db.session.remove()
    return {"paid": statuses.get(st.PAID, 0), "statuses": dict(statuses), "payments": payments,
            "commissions": sum(commissions.values()), "wrong_commissions": wrong, "audit": report,
            "audit_s": audit_s, "ok": statuses.get(st.PAID, 0) == len(ids) and payments == len(ids) and not wrong
            and report.clean}


def describe_check(check, n):
    audit = "audit clean" if check["audit"].clean else \
        f"AUDIT FOUND {len(check['audit'].problems)} PROBLEM(S): {check['audit'].problems[:3]}"
    wrong = f", {len(check['wrong_commissions'])} orders with the wrong number of commissions" \
        if check["wrong_commissions"] else ""
    return (f"{check['paid']:,}/{n:,} paid, {check['payments']:,} payments, {check['commissions']:,} commissions "
            f"({check['commissions'] / max(1, n):.2f} per order){wrong}; {audit} ({check['audit_s']:.1f} s)")


# ---------------------------------------------------------------------------------------------
# Run B: capture one notification's statements, derive a template, replay it with psycopg
# ---------------------------------------------------------------------------------------------

class Recorder:
    """Every statement (SQL, DBAPI parameters, rows returned, rowcount, calling app function) while armed."""

    def __init__(self, engine):
        self.armed, self.items = False, []
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, conn, cursor, statement, parameters, context, executemany):
        if not self.armed:
            return
        if executemany and not isinstance(parameters, dict):
            # (SQLAlchemy's insertmanyvalues sends one multi-row INSERT with one dict of parameters: that is one
            # statement, replayed as such.)
            raise RuntimeError("executemany in the notification path: the floor template does not handle it")
        frames = [f for f in traceback.extract_stack()[:-1]
                  if f.filename.startswith(SHOP_DIR) and not f.filename.endswith(os.sep + "sql.py")]
        origin = " < ".join(f"{os.path.splitext(os.path.relpath(f.filename, SHOP_DIR))[0].replace(os.sep, '.')}"
                            f".{f.name}" for f in reversed(frames[-3:]))
        self.items.append({"sql": statement, "params": dict(parameters or {}), "rows": None, "rowcount": None,
                           "origin": origin})

    def _after(self, conn, cursor, statement, parameters, context, executemany):
        if not self.armed:
            return
        item = self.items[-1]
        if cursor.description is not None:
            item["cols"] = [column.name for column in cursor.description]
            item["rows"] = cursor.fetchall()
            if item["rows"]:
                cursor.scroll(0, mode="absolute")  # psycopg's client-side cursor: SQLAlchemy reads them again
        item["rowcount"] = cursor.rowcount


def order_context(order, txn, raw):
    """Everything a notification for `order` can put into its statements, by name."""
    from shop.distribution.earnings import expected_shares
    from shop.wallet.memos import COMMISSION

    ctx = {"order.id": order.id, "order.order_no": order.order_no, "txn": txn, "order.user_id": order.user_id,
           "order.pay_total_fen": order.pay_total_fen, "order.items_total_fen": order.items_total_fen,
           "order.rule_version_id": order.rule_version_id, "raw": raw,
           "goods_paid_fen": sum(ln.paid_amount_fen for ln in order.lines)}
    for k, line in enumerate(order.lines):
        ctx.update({f"line{k}.id": line.id, f"line{k}.product_id": line.product_id, f"line{k}.sku_id": line.sku_id,
                    f"line{k}.quantity": line.quantity, f"line{k}.paid_amount_fen": line.paid_amount_fen})
    for k, s in enumerate(expected_shares(order)):
        ctx.update({f"share{k}.beneficiary_id": s.beneficiary_id, f"share{k}.amount_fen": s.amount_fen,
                    f"share{k}.base_fen": s.base_fen, f"share{k}.line_id": s.line_id,
                    f"share{k}.memo": COMMISSION.write(order_no=order.order_no, level=s.level)})
    return ctx


def capture(app, db, shop, args):
    """Apply warm-up and measured notifications in-process through the endpoint on the floor schema.

    Warm-ups first, so the captured commissions land on accounts that already hold money (a balance
    after the update then differs from the amount added, which keeps the template unambiguous).
    Captured: buyers of different chains with quantities 1, 2, 3, 2 (their first paid order), so
    per-order values differ between the captures.
    """
    from shop.accounts.models import User
    from shop.orders.models import Order
    from shop.orders.services import place_order

    buyers, k = shop["buyers"], args.chains
    # (buyer index, quantity): warm-ups of 5 units, so no balance after an update equals an amount added
    # Every capture is a buyer's first paid order (a first order also binds a pending referral, one
    # more statement), each in a chain already warmed up (accounts exist, as for all later traffic).
    # Then the same for a repeat order (the warm-up buyers' second paid order): no invite reward, no binding.
    # Chains 0 and 2 get a second warm-up invitee, so the referrers' points balances differ between the captures
    # (a balance after an update is then never mistaken for a constant).
    warm = min(k, 4)
    picks = ([(k + i, 5, None) for i in range(warm)] + [(2 * k + i, 5, None) for i in range(0, warm, 2)]
             + [(i, q, FIRST) for i, q in zip(range(warm), (1, 2, 3, 2))]
             + [(k + i, q, REPEAT) for i, q in zip(range(warm), (1, 2, 3, 2))])
    logging.getLogger("shop.payments").disabled = False  # alembic's fileConfig turned it off: show failures
    with app.app_context():
        recorder = Recorder(db.engine)
        client = app.test_client()
        captures, contexts = {FIRST: [], REPEAT: []}, {FIRST: [], REPEAT: []}
        for n, (b, quantity, kind) in enumerate(picks):
            armed = kind is not None
            db.session.remove()
            user_id, address_id, _chain = buyers[b % len(buyers)]
            order = place_order(db.session.get(User, user_id), [(shop["sku_id"], quantity)], address_id)
            txn = f"4299{n:024d}"
            headers, body = build_notifications(app, [{"order_no": order.order_no, "txn": txn,
                                                       "pay_total_fen": order.pay_total_fen}], label=None)[0]
            raw = decrypt(app, body)
            db.session.remove()
            ctx = order_context(db.session.get(Order, order.id), txn, raw)
            db.session.remove()
            recorder.items, recorder.armed = [], armed
            try:
                resp = client.post(NOTIFY_PATH, data=body, headers=headers)
            finally:
                recorder.armed = False
            if resp.status_code != 204:
                raise RuntimeError(f"in-process notification answered {resp.status_code}: {resp.get_data()[:300]!r}")
            if armed:
                captures[kind].append(recorder.items)
                contexts[kind].append(ctx)
        db.session.remove()
    return captures, contexts, {buyers[b % len(buyers)][0] for b, _q, _k in picks}


def _norm(value):
    from psycopg.types.json import Json

    return value.obj if isinstance(value, Json) else value


def _same(a, b):
    a, b = _norm(a), _norm(b)
    return type(a) is type(b) and a == b


def _formatted(values, contexts):
    """(key, prefix, suffix) when every captured string is prefix + str(that order's value) + suffix (a once
    key such as invite:<buyer id>); else None."""
    if not all(isinstance(v, str) for v in values):
        return None
    for key, first in contexts[0].items():
        if isinstance(first, (dict, list)) or str(first) not in values[0]:
            continue
        prefix, _, suffix = values[0].partition(str(first))
        if all(v == f"{prefix}{ctx.get(key)}{suffix}" for ctx, v in zip(contexts, values)):
            return key, prefix, suffix
    return None


def _result_ref(captures, contexts, i, values):
    """Where statement i's parameter comes from in the rows an earlier statement returned: (j, r, c) for row r,
    column c of a one-row result; (j, (key column, context key), c) for the row of a many-row result whose key
    column holds that order's value (UPDATE ... RETURNING gives its rows in no fixed order)."""
    first = captures[0]
    for j in range(i - 1, -1, -1):
        rows = first[j]["rows"] or ()
        if len(rows) == 1:
            for c in range(len(rows[0])):
                if all(cap[j]["rows"] and _same(cap[j]["rows"][0][c], v) for cap, v in zip(captures, values)):
                    return j, 0, c
            continue
        width = len(rows[0]) if rows else 0
        for c in range(width):
            for key_col in range(width):
                for key in contexts[0]:
                    if key_col != c and all(
                            [_same(row[c], v) for row in cap[j]["rows"] or () if _same(row[key_col], ctx.get(key))]
                            == [True] for cap, ctx, v in zip(captures, contexts, values)):  # exactly one row
                        return j, (key_col, key), c
    return None


def _derive(name, values, captures, contexts, i, kinds, sources):
    """The spec of one parameter of statement i from its value in every capture (see derive_template)."""
    from psycopg.types.json import Json

    first, value = captures[0], values[0]
    wrap = ("json", value.dumps) if isinstance(value, Json) else None
    if all(isinstance(v, datetime) for v in values):
        kinds["time (now)"] += 1
        return "now", value.tzinfo is not None, None
    if all(_same(v, values[0]) for v in values):
        kinds["constant"] += 1
        return "const", value, None
    keys = [key for key in contexts[0] if all(_same(ctx.get(key), v) for ctx, v in zip(contexts, values))]
    if keys:
        kinds["per-order value"] += 1
        sources[keys[0]] += 1
        return "ctx", keys[0], wrap
    formed = _formatted(values, contexts)
    if formed:
        kinds["per-order value in a string"] += 1
        sources[f"{formed[1]}{{{formed[0]}}}{formed[2]}"] += 1
        return "fmt", formed, wrap
    ref = _result_ref(captures, contexts, i, values)
    if ref is None:
        raise RuntimeError(f"statement #{i + 1} parameter {name!r}: values {values!r} match nothing "
                           f"({short_sql(first[i]['sql'], 80)})")
    kinds["from an earlier statement's result"] += 1
    j, pick, c = ref
    where = f" (row {pick})" if isinstance(pick, int) and pick else (
        f" (the row whose {first[j]['cols'][pick[0]]} = {pick[1]})" if not isinstance(pick, int) else "")
    sources[f"{name} <- #{j + 1} {sql_label(first[j]['sql'])} {first[j]['cols'][c]}{where}"] += 1
    return "result", ref, wrap


def derive_template(captures, contexts):
    """A parameterized statement list: every parameter is a constant, a per-order value (by name from the
    order's context), a value returned by an earlier statement of the same transaction, or the time."""

    first = captures[0]
    for cap in captures[1:]:
        if len(cap) != len(first) or any(a["sql"] != b["sql"] for a, b in zip(cap, first)):
            diff = next((i for i, (a, b) in enumerate(zip(cap, first)) if a["sql"] != b["sql"]),
                        min(len(cap), len(first)))
            raise RuntimeError(f"the notifications sent different statements ({len(first)} vs {len(cap)}; first "
                               f"difference at #{diff + 1}): the floor needs one statement sequence")
    template, kinds, sources = [], Counter(), Counter()
    for i, stmt in enumerate(first):
        spec = {}
        for name, value in stmt["params"].items():
            values = [cap[i]["params"][name] for cap in captures]
            if all(isinstance(v, list) for v in values) and len({len(v) for v in values}) == 1 and not all(
                    v == values[0] for v in values):
                # An array parameter (`= ANY(%(ids)s)`, shop/statements.py): each element derived on its own.
                spec[name] = ("list", [_derive(f"{name}[{k}]", [v[k] for v in values], captures, contexts, i,
                                               kinds, sources) for k in range(len(value))], None)
                continue
            spec[name] = _derive(name, values, captures, contexts, i, kinds, sources)
        # Rows changed, checked on replay for UPDATE and plain INSERT (an INSERT ... ON CONFLICT DO NOTHING
        # changes 0 or 1 row depending on what exists already, a SELECT's count is its rows).
        counts = {cap[i]["rowcount"] for cap in captures}
        checked = stmt["sql"].lstrip().upper().startswith(("UPDATE", "INSERT")) and "ON CONFLICT" not in stmt["sql"]
        template.append({"sql": stmt["sql"], "spec": spec, "fetch": stmt["rows"] is not None,
                         "rowcount": counts.pop() if checked and len(counts) == 1 else None})
    return template, kinds, sources


def replay(conninfo, schema, templates, contexts, concurrency, time_limit):
    """Run its kind's template for every order context, one transaction per order, one connection per thread."""
    import psycopg
    from psycopg import errors as pgerrors
    from psycopg.types.json import Json

    n = len(contexts)
    latency = [None] * n
    errors, retries = [], [0]
    counter = itertools.count()
    lock = threading.Lock()
    progress = Progress("floor", n)
    compiled_by_kind = {kind: [(t["sql"], list(t["spec"].items()), t["fetch"], t["rowcount"]) for t in template]
                        for kind, template in templates.items()}
    connections = [psycopg.connect(conninfo, options=f"-csearch_path={schema}") for _ in range(concurrency)]
    start = time.perf_counter()
    deadline = start + time_limit

    def rate():
        return f"{progress.done / (time.perf_counter() - start):7.1f} /s"

    def value_of(kind, a, ctx, results, now):
        if kind == "const":
            return a
        if kind == "ctx":
            return ctx[a]
        if kind == "result" and isinstance(a[1], int):
            return results[a[0]][a[1]][a[2]]
        if kind == "result":  # the row whose key column holds this order's value
            key_col, key = a[1]
            return next(row[a[2]] for row in results[a[0]] if row[key_col] == ctx[key])
        if kind == "fmt":
            return f"{a[1]}{ctx[a[0]]}{a[2]}"
        # now: utcnow() as the app stores it (naive UTC), or aware if it was; one value per statement
        now.append(now[0] if now else datetime.now(timezone.utc).replace(tzinfo=None))
        return now[0].replace(tzinfo=timezone.utc) if a else now[0]

    def one(conn, ctx):
        compiled = compiled_by_kind[ctx["kind"]]
        results = [None] * len(compiled)
        with conn.cursor() as cur:
            for j, (sql, spec, fetch, rowcount) in enumerate(compiled):
                now, params = [], {}
                for name, (kind, a, wrap) in spec:
                    if kind == "list":
                        params[name] = [value_of(k, b, ctx, results, now) for k, b, _wrap in a]
                        continue
                    value = value_of(kind, a, ctx, results, now)
                    params[name] = Json(value, dumps=wrap[1]) if wrap else value
                cur.execute(sql, params)
                if fetch:
                    results[j] = cur.fetchall()
                if rowcount is not None and cur.rowcount != rowcount:
                    raise RuntimeError(f"statement #{j + 1} changed {cur.rowcount} rows, not {rowcount}: "
                                       f"{short_sql(sql, 80)}")
        conn.commit()

    def worker(conn):
        while True:
            with lock:
                i = next(counter)
            if i >= n or time.perf_counter() > deadline or STOP.is_set():
                return
            t0 = time.perf_counter()
            for attempt in range(5):
                try:
                    one(conn, contexts[i])
                    latency[i] = time.perf_counter() - t0
                    break
                except (pgerrors.DeadlockDetected, pgerrors.SerializationFailure):
                    conn.rollback()
                    with lock:
                        retries[0] += 1
                except Exception as exc:  # noqa: BLE001 - reported, counted as a failure
                    conn.rollback()
                    with lock:
                        errors.append(f"order #{i}: {type(exc).__name__}: {exc}")
                    break
            progress.add(extra=rate)

    threads = [threading.Thread(target=worker, args=(c,), daemon=True) for c in connections]
    for t in threads:
        t.start()
    for t in threads:
        t.join(time_limit + 120)
    elapsed = time.perf_counter() - start
    for c in connections:
        c.close()
    return {"latency": [x for x in latency if x is not None], "elapsed": elapsed, "errors": errors,
            "retries": retries[0], "done": sum(x is not None for x in latency)}


def floor_contexts(app, db, orders, notes, paid_buyers):
    """Every bench order's context on the floor schema (its lines, its shares, its notification's resource) and
    its kind: a first paid order unless its buyer paid one before (in the captures or earlier in the list)."""
    from sqlalchemy.orm import selectinload

    from shop.orders.models import Order

    progress = Progress("contexts", len(orders))
    out = []
    with app.app_context():
        key_body = [(o, body) for o, (_headers, body) in zip(orders, notes)]
        for k in range(0, len(key_body), 500):
            chunk = key_body[k:k + 500]
            loaded = {o.id: o for o in db.session.scalars(select(Order).where(
                Order.id.in_([o["id"] for o, _ in chunk])).options(selectinload(Order.lines)))}
            for o, body in chunk:
                raw = decrypt(app, body)
                ctx = order_context(loaded[o["id"]], raw["transaction_id"], raw)
                ctx["kind"] = REPEAT if ctx["order.user_id"] in paid_buyers else FIRST
                paid_buyers.add(ctx["order.user_id"])
                out.append(ctx)
                progress.add()
            db.session.remove()
    return out


# ---------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------

def print_statements(statements, kind):
    print(f"\nstatements one notification of a {kind} sends ({len(statements)}, captured in-process through "
          f"{NOTIFY_PATH}; plus BEGIN and COMMIT):")
    for k, st in enumerate(statements, 1):
        print(f"  {k:2d}. {sql_label(st['sql']):44s} {st['origin']}")
    print("\n  by kind:")
    for label, count in sorted(Counter(sql_label(s["sql"]) for s in statements).items(), key=lambda kv: (-kv[1], kv[0])):
        print(f"    {count:3d}  {label}")
    by_fn = Counter(s["origin"].split(" < ")[0] for s in statements)
    print("  by app function (innermost):")
    for fn, count in sorted(by_fn.items(), key=lambda kv: (-kv[1], kv[0])):
        print(f"    {count:3d}  {fn}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True,
                        help="a PostgreSQL URL, e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--orders", type=int, default=2000, help="orders, one notification each (default 2000)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn -w (default 2)")
    parser.add_argument("--threads", type=int, default=4, help="gunicorn --threads (default 4)")
    parser.add_argument("--concurrency", type=int, default=8,
                        help="concurrent client connections in run A and psycopg connections in run B (default 8)")
    parser.add_argument("--chains", type=int, default=4, help="chains of 3 distributors (default 4)")
    parser.add_argument("--buyers", type=int, default=300, help="buyers, spread over the chains (default 300)")
    parser.add_argument("--time-limit", type=float, default=300,
                        help="seconds each measured run may take at most (default 300; the sandbox's "
                             "signatures expire after 300 s anyway)")
    parser.add_argument("--rounds", type=int, default=1,
                        help="run A and B alternately on this many slices of the orders (default 1: all of A, then "
                             "all of B); a machine whose speed drifts then weighs on both sides alike")
    parser.add_argument("--keep", action="store_true", help="keep both schemas afterwards (prints their names)")
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON (bench/run_all.py reads it)")
    args = parser.parse_args(argv)
    if not args.database_url.startswith("postgresql"):
        parser.error("--database-url takes a PostgreSQL URL (postgresql+psycopg://...)")
    if args.orders < 1 or args.chains < 1 or args.buyers < 3 * args.chains + 4 or args.concurrency < 1 or not (
            1 <= args.rounds <= args.orders):
        parser.error("need --orders >= 1, --chains >= 1, --buyers >= 3 x chains + 4, --concurrency >= 1, "
                     "1 <= --rounds <= --orders")

    # SIGTERM: leave through the finally blocks (stop gunicorn, drop the schemas).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    schema = f"bench_notify_{os.getpid()}"
    floor_schema = f"{schema}_floor"
    tmpdir = tempfile.mkdtemp(prefix="bench-notify-")
    os.environ["SHOP_INSTANCE_PATH"] = tmpdir  # the sandbox keys: the same folder for gunicorn and us
    url = args.database_url
    app_url = with_search_path(url, schema)
    started = time.perf_counter()
    admin = create_engine(url)
    proc = None
    apps = []
    try:
        from shop.extensions import db

        # The URL gunicorn gets: does SQLAlchemy + psycopg honour ?options=-csearch_path%3D...?
        probe = create_engine(app_url)
        with probe.connect() as conn:
            seen = conn.execute(text("SHOW search_path")).scalar()
            server = conn.execute(text("SHOW server_version")).scalar()
        probe.dispose()
        if seen != schema:
            raise RuntimeError(f"SHOP_DATABASE_URL {app_url} gives search_path {seen!r}, not {schema!r}")

        app = make_app(url, schema)
        floor_app = make_app(url, floor_schema)
        apps += [app, floor_app]
        print(f"building schemas {schema} and {floor_schema} with the migrations ...", flush=True)
        create_schema(app, db, schema)
        create_schema(floor_app, db, floor_schema)
        print(f"setup: 3-level rules {'/'.join(f'{r / 100:g}%' for r in RATES_BP)}, {args.chains} chains of 3 "
              f"distributors, {args.buyers} buyers, 1 product at ¥{PRICE_FEN / 100:g} ...", flush=True)
        shop = build_shop(app, db, args)
        orders = shop["orders"]
        order_ids = [o["id"] for o in orders]
        expected = {o["id"]: 3 for o in orders}  # every buyer has a full chain of 3 distributors above
        print(f"  users and tree {shop['setup_s']:.1f} s, orders {shop['place_s']:.1f} s "
              f"({len(orders) / shop['place_s']:.0f} orders/s)", flush=True)
        copy_schema(admin, db, schema, floor_schema)
        analyze(app, db)
        analyze(floor_app, db)
        print(f"copied the data to {floor_schema} (for run B); VACUUM (ANALYZE) both", flush=True)
        with app.app_context():
            from shop.payments.gateways import get_gateway
            get_gateway("sandbox").keys  # generated now in the shared instance folder, read by gunicorn

        # ---- runs A and B, in --rounds alternating slices of the orders ----------------------------
        log_path = os.path.join(tmpdir, "gunicorn.log")
        proc, port = start_gunicorn(args, app_url, tmpdir, log_path)
        health = wait_healthy(proc, port, log_path)
        workers = wait_workers_ready(proc, args.workers)
        print(f"  /healthz: {health}; {len(workers)} workers up and idle", flush=True)
        notes = build_notifications(app, orders)
        print(f"\nrun B's templates: the statements of a notification, captured on {floor_schema}", flush=True)
        captures, contexts, paid_buyers = capture(floor_app, db, shop, args)
        templates, n_statements, all_sources = {}, {}, Counter()
        for kind in (FIRST, REPEAT):
            templates[kind], kinds, sources = derive_template(captures[kind], contexts[kind])
            n_statements[kind] = len(templates[kind])
            all_sources.update(sources)
            n_params = sum(len(t["spec"]) for t in templates[kind])
            print(f"  {kind}: captured {len(templates[kind])} statements per notification (4 notifications, "
                  f"identical SQL); {n_params} parameters: " + ", ".join(f"{v} {k}" for k, v in kinds.items()),
                  flush=True)
        ctxs = floor_contexts(floor_app, db, orders, notes, paid_buyers)
        mix = Counter(c["kind"] for c in ctxs)
        runs_a, runs_b, cpus_a, cpus_b, round_ratios = [], [], [], [], []
        idle_a = idle_b = background_load()
        print(f"  machine busy before the runs: {max(0, idle_a):.0f}%", flush=True)
        for r, part in enumerate(slices(len(orders), args.rounds)):
            label = f" (round {r + 1}/{args.rounds}: orders {part.start + 1}-{part.stop})" if args.rounds > 1 else ""
            print(f"\nrun A{label}: gunicorn -w {args.workers} --threads {args.threads}, {args.concurrency} client "
                  f"connections", flush=True)
            meter = CpuMeter([proc.pid] + workers)
            runs_a.append(post_all(port, notes[part], args.concurrency, args.time_limit))
            cpus_a.append(meter.stop())
            print(f"run B{label}: the same statements with plain psycopg on {floor_schema}", flush=True)
            meter = CpuMeter()
            runs_b.append(replay(psycopg_conninfo(url), floor_schema, templates, ctxs[part], args.concurrency,
                                 args.time_limit))
            cpus_b.append(meter.stop())
            round_ratios.append(runs_b[-1]["elapsed"] / runs_a[-1]["elapsed"] * sum(
                s == 204 for s in runs_a[-1]["status"]) / max(1, runs_b[-1]["done"]))
        stop_gunicorn(proc)
        run_a, run_b, cpu_a, cpu_b = joined(runs_a), joined(runs_b), summed(cpus_a), summed(cpus_b)
        codes = Counter(run_a["status"])
        print(f"\n  answers: {dict(codes)}; {run_a['retries']} resent after a dropped connection", flush=True)
        for line in run_a["errors"][:5]:
            print(f"  ERROR {line}")
        if run_a["errors"]:
            print("  gunicorn log (tail):\n" + log_tail(log_path, 15))
        for line in run_b["errors"][:5]:
            print(f"  ERROR {line}")
        print("  checking run A (orders, commissions, audit) ...", flush=True)
        check_a = verify(app, db, order_ids, expected)
        print("  checking run B (orders, commissions, audit) ...", flush=True)
        check_b = verify(floor_app, db, order_ids, expected)

        # ---- report --------------------------------------------------------------------------------
        n = len(orders)
        ok_a = codes.get(204, 0)
        rate_a = ok_a / run_a["elapsed"]
        rate_b = run_b["done"] / run_b["elapsed"]  # orders committed (failures have no latency)
        for kind in (FIRST, REPEAT):
            print_statements(captures[kind][0], kind)
        ordered = sorted(all_sources.items(), key=lambda kv: (" <- " in kv[0], -kv[1], kv[0]))
        print("\ntemplate: per-order values used: " + ", ".join(f"{k} x{v}" for k, v in ordered if " <- " not in k))
        print("          from the rows of earlier statements: " + "; ".join(
            f"{k}" + (f" x{v}" if v > 1 else "") for k, v in ordered if " <- " in k))
        print()
        print(f"database: PostgreSQL {server}   cores: {os.cpu_count()}   orders: {n:,} (quantity 1-3, one line "
              f"each)   chains: {args.chains} x 3 distributors   buyers: {args.buyers}")
        print(f"A: gunicorn -w {args.workers} --threads {args.threads} (gthread), {args.concurrency} keep-alive "
              f"client connections (http.client, loopback), psycopg prepare_threshold default (5)")
        print(f"B: plain psycopg, {args.concurrency} connections (one per thread), one transaction per order, "
              f"{n_statements[FIRST]} statements for {mix[FIRST]} first paid orders, {n_statements[REPEAT]} for "
              f"{mix[REPEAT]} repeat orders, psycopg prepare_threshold default (5)")
        header = f"{'run':34s} {'ok':>6s} {'elapsed s':>10s} {'notif/s':>9s} {'p50 ms':>8s} {'p95 ms':>8s}"
        print(header)
        print("-" * len(header))
        for label, ok, elapsed, lat in (
                ("A app (HTTP + gunicorn + Flask)", ok_a, run_a["elapsed"], run_a["latency"]),
                ("B floor (psycopg, same SQL)", run_b["done"], run_b["elapsed"],
                 run_b["latency"])):
            print(f"{label:34s} {ok:>6,} {elapsed:>10.2f} {ok / elapsed:>9.1f} {pct(lat, .5) * 1000:>8.1f} "
                  f"{pct(lat, .95) * 1000:>8.1f}")
        print()
        print(f"statements per notification: {n_statements[FIRST]} for a first paid order, {n_statements[REPEAT]} "
              f"for a repeat order (+ BEGIN/COMMIT)")
        print(f"ratio app/floor: throughput x{rate_a / max(rate_b, 1e-9):.2f} (the app reaches {100 * rate_a / max(rate_b, 1e-9):.0f}% "
              f"of the floor), p50 latency x{pct(run_a['latency'], .5) / pct(run_b['latency'], .5):.1f}")
        if args.rounds > 1:
            print("ratio by round (A and B alternating, each on the same slice of orders): "
                  + ", ".join(f"x{x:.2f}" for x in round_ratios) + f"; median x{statistics.median(round_ratios):.2f}")
        per = 1000 / max(1, n)
        if max(idle_a, idle_b) > 10:
            print(f"WARNING: the machine was {idle_a:.0f}% / {idle_b:.0f}% busy just before run A / B: other "
                  f"processes share the cores and PostgreSQL, so the figures are low and the ratio less reliable")
        print(f"CPU during A: gunicorn ({len(workers)} workers + master) {cpu_a['others']:.1f} s = "
              f"{cpu_a['others'] * per:.1f} ms per notification, this script (HTTP client) {cpu_a['self'] * per:.1f} ms, "
              f"PostgreSQL {cpu_a['postgres'] * per:.1f} ms, the rest (system, others) "
              f"{max(0.0, cpu_a['rest'] - cpu_a['postgres']) * per:.1f} ms; machine busy {cpu_a['busy_pct']:.0f}% "
              f"of {os.cpu_count()} cores")
        print(f"CPU during B: this script (psycopg floor) {cpu_b['self'] * per:.1f} ms per order, PostgreSQL "
              f"{cpu_b['postgres'] * per:.1f} ms, the rest (system, others) {max(0.0, cpu_b['rest'] - cpu_b['postgres']) * per:.1f} ms; "
              f"machine busy {cpu_b['busy_pct']:.0f}%")
        print(f"check A: {describe_check(check_a, n)}")
        print(f"check B: {describe_check(check_b, n)}" + (f"; {run_b['retries']} deadlock retries"
                                                          if run_b["retries"] else ""))
        failed = ok_a != n or not check_a["ok"] or run_b["errors"] or run_b["done"] != n or not check_b["ok"]
        if failed:
            print("FAILED: see the errors and checks above")
        if args.json:
            note = f"{n} orders, gunicorn -w {args.workers} --threads {args.threads}, {args.concurrency} connections" \
                + ("; FAILED checks" if failed else "; audit clean")
            write_json(args.json, "notify", [
                {"name": "notifications/s (app vs psycopg replay)", "value": round(rate_a, 1), "unit": "notif/s",
                 "floor": round(rate_b, 1), "ratio": round(rate_a / max(rate_b, 1e-9), 3), "note": note},
                {"name": "p50 latency", "value": round(pct(run_a["latency"], .5) * 1000, 1), "unit": "ms",
                 "floor": round(pct(run_b["latency"], .5) * 1000, 1), "ratio": None, "note": ""},
                {"name": "statements per notification (first paid order)", "value": n_statements[FIRST],
                 "unit": "statements", "floor": None, "ratio": None, "note": "+ BEGIN/COMMIT"},
                {"name": "statements per notification (repeat order)", "value": n_statements[REPEAT],
                 "unit": "statements", "floor": None, "ratio": None, "note": "+ BEGIN/COMMIT"},
                {"name": "gunicorn CPU per notification", "value": round(cpu_a["others"] * per, 2), "unit": "ms",
                 "floor": round(cpu_b["self"] * per, 2), "ratio": None, "note": "floor: the psycopg client's CPU"},
                {"name": "PostgreSQL CPU per notification", "value": round(cpu_a["postgres"] * per, 2), "unit": "ms",
                 "floor": round(cpu_b["postgres"] * per, 2), "ratio": None,
                 "note": "every local postgres process, exited backends included"}])
        return 1 if failed else 0
    finally:
        STOP.set()
        stop_gunicorn(proc)
        for each in apps:  # no pooled connection of ours left in the schemas
            from shop.extensions import db as _db
            with each.app_context():
                _db.session.remove()
                _db.engine.dispose()
        if args.keep:
            print(f"kept: schemas {schema} and {floor_schema} in {url}")
        else:
            try:
                with admin.begin() as conn:
                    conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
                    conn.execute(text(f"DROP SCHEMA IF EXISTS {floor_schema} CASCADE"))
            except Exception as exc:  # noqa: BLE001
                print(f"could not drop schemas {schema}, {floor_schema}: {exc}")
        admin.dispose()
        shutil.rmtree(tmpdir, ignore_errors=True)
        print(f"total run time {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    sys.exit(main())
