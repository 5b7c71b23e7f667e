"""Load and faults on a mall of its own (PostgreSQL cluster, redis-server, gunicorn -w 2 on loopback): money stays
exact under a bounded load, a worker killed inside the payment transaction, a PostgreSQL restart, Redis stopped,
and a notification arriving while settlement runs."""
import os
import re
import signal
import subprocess
import threading
import time

from load_helpers import (
    FAULT_CONFIG,
    connect,
    notification,
    order_money,
    place,
    retry_until_acknowledged,
    scalar,
    send,
    wait_for,
)

from bench.loadkit import checks, client, seed, swarm
from bench.loadkit.stack import ROOT, VENV_BIN, RedisServer

LEVELS = 3  # every seeded shopper sits under a chain of three distributors
#: Where Flask-Limiter re-raises a storage error after another thread switched it to memory (flask_limiter).


def assert_clean(mall):
    verdict = checks.verify(mall.app)
    assert verdict.clean, "\n".join(verdict.lines())
    return verdict


def test_bounded_load_keeps_money_exact(mall, stack):
    """The load generator is locust (bench/loadkit/locust_users.py, a process of its own), as bench/load.py runs it."""
    server = mall.gunicorn(redis_url=stack.redis.url)
    rec, locust_rows = swarm.run_swarm(server.env, server.base, mall.seeded, seconds=20, shoppers=4, distributors=1)
    swarm.print_locust_table(locust_rows)
    total, errors = rec.totals()
    # Locust's statistics and the actors' own record saw the same requests.
    assert sum(row["requests"] for row in locust_rows) == total
    assert sum(row["failures"] for row in locust_rows) == errors
    verdict = assert_clean(mall)
    assert total > 50 and rec.outcomes["placed"] > 0, (total, dict(rec.outcomes))
    assert verdict.figures["paid orders"] > 0 and verdict.figures["withdrawals paid"] > 0, verdict.figures
    # Every answer is one a working mall gives. (A notification answered FAIL 503 once in about a dozen runs: a
    # deadlock between a payment and a refund of one chain, fixed by locking accounts in ascending user id.)
    print(f"\n{total} requests, {errors} answers not ok")
    assert errors == 0, rec.bad[:5]


def test_worker_killed_inside_the_notification_transaction(mall, tmp_path):
    """SIGKILL while the commissions are written but not committed; the gateway retries: paid once, commissions
    once. The pause is the payment_applied signal, connected by tests/load/fault_gunicorn.py."""
    server = mall.gunicorn(config=FAULT_CONFIG, SHOP_FAULT_DIR=str(tmp_path))
    order_no, amount = place(mall)
    note = notification(mall, order_no, amount, "4200" + "7" * 24)
    (tmp_path / "pause").touch()
    first = {}
    sender = threading.Thread(target=lambda: first.update(answer=send(server, note)))
    sender.start()
    assert wait_for((tmp_path / "paused").exists, 30), server.log_text()[-2000:]
    pid, paused_order = (tmp_path / "paused").read_text().split()
    assert paused_order == order_no and int(pid) in server.worker_pids()
    # Inside the transaction: the commissions are flushed but nobody else sees them.
    assert order_money(mall, order_no) == ("pending", 0, 0, 0)
    assert scalar(mall, "SELECT count(*) FROM pg_stat_activity WHERE state = 'idle in transaction'") >= 1
    os.kill(int(pid), signal.SIGKILL)
    sender.join(30)
    assert first["answer"][0] is None, first  # the gateway saw the connection drop: it will retry
    assert retry_until_acknowledged(server, note)[0] == 204
    assert send(server, note)[0] == 204  # and a late duplicate changes nothing
    assert order_money(mall, order_no) == ("paid", 1, LEVELS, LEVELS)
    assert_clean(mall)


def _bad_answers(rec):
    """Answers that are not a clean failure: anything but a 503 with a message, or a stack trace anywhere."""
    bad = []
    for kind, _start, status, body in rec.bad:
        # A 4xx is the mall refusing with its message (a withdrawal still open after an approval the outage cut
        # short): clean. A 5xx other than 503, no answer, or a stack trace is not.
        if (status is None or status >= 500) and status != 503 or "Traceback" in body or not body.strip():
            bad.append((kind, status, body[:160]))
    return bad


def test_postgres_restart_during_load(mall, stack):
    server = mall.gunicorn(redis_url=stack.redis.url)
    stop, restarted = threading.Event(), {}

    def restart_midway():
        time.sleep(5)
        stack.pg.restart()
        restarted["at"] = time.monotonic()

    restarter = threading.Thread(target=restart_midway)
    restarter.start()
    rec = client.run_load(mall.app, server.base, mall.seeded, seed.PASSWORD, seconds=18, shoppers=4,
                          distributors=1, stop=stop)
    restarter.join()
    after = [s for samples in rec.samples.values() for s in samples if s[0] >= restarted["at"]]
    recovered = [s[0] - restarted["at"] for s in after if s[3]]
    assert recovered and min(recovered) < 10, "no request succeeded within 10 s of the restart"
    assert_clean(mall)  # money first: whatever the answers, nothing was paid twice or lost
    bad = _bad_answers(rec)
    exceptions = sorted({e[1] for e in re.findall(r"(\w+\.)*(\w*(?:Error|Exception))", server.log_text())})[:6]
    assert not bad, (f"{len(bad)} answers during `pg_ctl restart -m fast` were not a clean 503: "
                     f"{sorted({(kind, status) for kind, status, _body in bad})}; exceptions logged: {exceptions}\n"
                     f"{_first_traceback(server.log_text())}")


def _first_traceback(log):
    """The first stack trace the server logged (with the ones chained to it), to say where a 500 came from."""
    start = log.find("Traceback")
    if start < 0:
        return "(no traceback logged)"
    lines = log[start:].splitlines()
    end = next((n for n, line in enumerate(lines) if line.startswith("{")), len(lines))  # the next JSON log line
    return "\n".join(lines[:end][:120])


def _guess_passwords(server, phone, tries=25):
    """Wrong passwords for one phone; the statuses. 10 a minute per phone: with two workers counting in memory at
    most 20 pass, so a 429 must come."""
    guesses = client.Client(server.base, client.Recorder())
    statuses = []
    for _ in range(tries):
        guesses.call("guess", "GET", "/login")
        resp = guesses.http.post(server.base + "/login", data={"phone": phone, "password": "wrong-guess",
                                                               "csrf_token": guesses.token}, allow_redirects=False)
        statuses.append(resp.status_code)
    return statuses


def test_redis_stopped_the_mall_keeps_selling(mall, stack):
    redis = RedisServer(stack.root).start()
    try:
        server = mall.gunicorn(redis_url=redis.url, SHOP_RATELIMIT_ENABLED="1")
    finally:
        redis.stop()
    rec = client.run_load(mall.app, server.base, mall.seeded, seed.PASSWORD, seconds=8, shoppers=2,
                          distributors=0)
    statuses = _guess_passwords(server, mall.seeded.shoppers[-1][1])
    logged = re.search(r"(?i)in-memory|in memory|fallback|storage unreachable", server.log_text())
    problems = [p for p, bad in (
        (f"orders placed {dict(rec.outcomes)}, bad answers {rec.bad[:3]}", not rec.outcomes["placed"] or rec.bad),
        (f"no 429 among the guesses: {statuses}", 429 not in statuses),
        ("the fallback to in-memory rate limits is not logged", not logged)) if bad]
    assert_clean(mall)  # money first
    assert not problems, (problems, re.findall(r"(?m)^\w*(?:Error|Exception)\b.*$", server.log_text())[-5:])


def _paid_and_completed(mall, order_no, amount):
    from datetime import timedelta

    from shop.clock import utcnow
    from shop.extensions import db
    from shop.orders import services as orders
    from shop.orders.models import Order

    with mall.app.app_context():
        headers, body = notification(mall, order_no, amount, "4200" + "1" * 24)
        response = mall.app.test_client().post("/pay/notify/sandbox", data=body, headers=headers)
        assert response.status_code == 204, response.get_data(as_text=True)
        order = db.session.scalar(db.select(Order).where(Order.order_no == order_no))
        orders.ship_order(order, "顺丰", "SF1")
        orders.confirm_receipt(order, now=utcnow() - timedelta(days=60))
        db.session.remove()


def _waiting_on_locks(mall):
    return scalar(mall, "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = %s",
                  mall.database)


def test_notification_while_settlement_runs(mall):
    """A row lock on the first distributor's account holds settlement and a new payment at the same point; both
    go on when it is released and both end correct."""
    server = mall.gunicorn()
    settled_no, settled_amount = place(mall)
    _paid_and_completed(mall, settled_no, settled_amount)
    new_no, new_amount = place(mall)
    bottom = mall.seeded.chains[0][2]
    env = mall.stack.env(mall.database)
    with connect(mall) as lock:
        lock.execute("SELECT 1 FROM accounts WHERE user_id = %s FOR UPDATE", (bottom,))
        settle = subprocess.Popen([os.path.join(VENV_BIN, "flask"), "--app", "wsgi", "shop", "settle"], cwd=ROOT,
                                  env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        assert wait_for(lambda: _waiting_on_locks(mall) >= 1, 60), "settlement never reached the account lock"
        answer = {}
        sender = threading.Thread(target=lambda: answer.update(
            note=send(server, notification(mall, new_no, new_amount, "4200" + "2" * 24))))
        sender.start()
        assert wait_for(lambda: _waiting_on_locks(mall) >= 2, 30), "the notification never reached the lock"
        lock.rollback()
    output = settle.communicate(timeout=120)[0]
    sender.join(60)
    assert settle.returncode == 0 and f"settled {LEVELS} commission(s)" in output, output
    assert answer["note"][0] == 204, answer
    with connect(mall) as conn:
        statuses = dict(conn.execute("SELECT o.order_no, string_agg(DISTINCT c.status, ',') FROM commissions c "
                                     "JOIN orders o ON o.id = c.order_id GROUP BY o.order_no").fetchall())
    assert statuses == {settled_no: "settled", new_no: "frozen"}
    assert order_money(mall, new_no) == ("paid", 1, LEVELS, LEVELS)
    assert_clean(mall)
