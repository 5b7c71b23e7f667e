"""Several hosts for real (issue 12): two gunicorn hosts in network namespaces of their own, one PostgreSQL and one
Redis, nginx in front (tests/hosts/cluster.py). Sessions, rate limits and the cron commands hold across the hosts,
and nginx fails over when a host is killed. Skipped with the reason when not root, or without `ip netns` or nginx.
Marked `hosts`; takes about a minute."""
import threading
import time

import psycopg
import pytest
import requests

from tests.hosts.cluster import HOSTS, csrf_token, run

pytestmark = pytest.mark.hosts

#: Server-side session revocation (issue 12 §3) is helper `sec`'s part: a session version per member.

#: The per-phone login limit of shop/accounts/views.py login(): "10 per minute".
LOGIN_LIMIT_PER_PHONE = 10


#: What must be the same in a restored database.
RESTORE_CHECKS = (
    "select version_num from alembic_version",
    "select count(*), sum(pay_total_fen) from orders",
    "select count(*), sum(amount_fen) from commissions where status = 'settled'",
    "select count(*), sum(d_available) from ledger_entries",
    "select sum(stock) from skus",
    "select last_value from orders_id_seq",
)


def sql(cluster, query, *args, url=None):
    """One row (or its only value) from the test's own PostgreSQL."""
    with psycopg.connect((url or cluster.database_url).replace("+psycopg", "")) as conn:
        row = conn.execute(query, args).fetchone()
        return row[0] if len(row) == 1 else tuple(row)


def logged_in(cluster):
    """A browser session logged in as the member through nginx."""
    browser = requests.Session()
    token = csrf_token(browser.get(cluster.url + "/login", timeout=10).text)
    resp = browser.post(cluster.url + "/login", timeout=10, allow_redirects=False, data={
        "phone": cluster.seed["member"], "password": cluster.seed["password"], "csrf_token": token})
    assert resp.status_code == 302, resp.text[:500]
    return browser


def test_a_session_holds_on_both_hosts(cluster):
    browser = logged_in(cluster)
    answers = [browser.get(cluster.url + "/me", timeout=10, allow_redirects=False) for _ in range(12)]
    assert [r.status_code for r in answers] == [200] * 12, "a host did not know the session"
    assert all("多机会员" in r.text for r in answers)
    assert {r.headers.get("X-Served-By") for r in answers} == set(HOSTS)


def test_a_session_logged_out_through_one_host_is_refused_by_both(cluster):
    browser = logged_in(cluster)
    copied = dict(browser.cookies)  # what a thief copied before the member logged out
    shared = [browser.get(cluster.url + "/", timeout=10).headers.get("X-Member-Page-Cache") for _ in range(4)]
    assert "hit" in shared  # the members' home page is in the shared cache
    token = csrf_token(browser.get(cluster.url + "/me", timeout=10).text)
    assert browser.post(cluster.url + "/logout", data={"csrf_token": token}, timeout=10,
                        allow_redirects=False).status_code == 302
    replays = [requests.get(cluster.url + "/me", cookies=copied, timeout=10, allow_redirects=False) for _ in range(6)]
    assert {r.headers.get("X-Served-By") for r in replays} == set(HOSTS)
    assert [r.status_code for r in replays] == [302] * 6
    # A page every member shares checks the session too, on each host, whichever host cached it.
    homes = [requests.get(cluster.url + "/", cookies=copied, timeout=10) for _ in range(6)]
    assert {r.headers.get("X-Served-By") for r in homes} == set(HOSTS)
    assert [(r.status_code, r.headers.get("X-Member-Page-Cache")) for r in homes] == [(200, None)] * 6


def test_health_and_request_ids_through_nginx(cluster):
    """nginx's X-Request-ID reaches the host, which logs it in its JSON access line with the shopper's address
    (ProxyFix, one hop), not nginx's."""
    resp = requests.get(cluster.url + "/healthz", timeout=10, headers={"X-Forwarded-For": "203.0.113.9"})
    assert resp.status_code == 200 and resp.json() == {"database": "ok", "redis": "ok"}
    request_id, host = resp.headers["X-Request-ID"], resp.headers["X-Served-By"]
    assert len(request_id) == 32  # nginx's $request_id, not one the app made up
    lines = [line for line in cluster.log_lines(host) if line.get("request_id") == request_id]
    assert [(line["path"], line["ip"]) for line in lines] == [("/healthz", "127.0.0.1")]


def test_the_login_limit_is_shared_by_the_hosts(cluster):
    """Each host counts in the one Redis: the limit trips after its count, not after hosts × workers × count."""
    browser = requests.Session()
    token = csrf_token(browser.get(cluster.url + "/login", timeout=10).text)
    codes, served = [], set()
    for attempt in range(LOGIN_LIMIT_PER_PHONE + 1):
        resp = browser.post(cluster.url + "/login", timeout=10, allow_redirects=False, data={
            "phone": "13900000002", "password": f"wrong-{attempt}", "csrf_token": token},
            headers={"X-Forwarded-For": f"198.51.100.{attempt}"})  # forged: nginx replaces it
        codes.append(resp.status_code)
        served.add(resp.headers.get("X-Served-By"))
    assert served == set(HOSTS)
    assert codes == [200] * LOGIN_LIMIT_PER_PHONE + [429]


def test_settlement_on_every_host_at_once_settles_each_commission_once(cluster):
    facts = cluster.seed
    outputs = cluster.flask_everywhere("shop", "settle")
    assert all(code == 0 for code, _ in outputs.values()), outputs
    print("\nsettle:", {name: out.strip().splitlines()[-1] for name, (_, out) in outputs.items()})
    assert sql(cluster, "select count(*) from commissions where status = 'settled'") == facts["paid_orders"]
    assert sql(cluster, "select count(*) from ledger_entries where kind = 'commission_settled'") == facts["paid_orders"]
    assert sql(cluster, "select available_fen from accounts where user_id = %s", facts["distributor_user_id"]) == \
        facts["paid_orders"] * facts["price_fen"] // 10


def test_order_expiry_on_every_host_at_once_releases_stock_once(cluster):
    facts = cluster.seed
    outputs = cluster.flask_everywhere("shop", "expire-orders", "--minutes", "0")
    assert all(code == 0 for code, _ in outputs.values()), outputs
    print("\nexpire-orders:", {name: out.strip().splitlines()[-1] for name, (_, out) in outputs.items()})
    assert sql(cluster, "select count(*) from orders where status = 'cancelled'") == facts["unpaid_orders"]
    assert sql(cluster, "select stock from skus where id = %s", facts["sku_id"]) == facts["stock"] - facts["paid_orders"]


def test_visits_flushed_on_every_host_at_once_count_once(cluster):
    visitor, visits = requests.Session(), 30
    served = {visitor.get(f"{cluster.url}/i/{cluster.seed['invite_code']}?src=poster", timeout=10,
                          allow_redirects=False).headers.get("X-Served-By") for _ in range(visits)}
    assert served == set(HOSTS)
    outputs = cluster.flask_everywhere("shop", "flush-visits")
    assert all(code == 0 for code, _ in outputs.values()), outputs
    print("\nflush-visits:", {name: out.strip().splitlines()[-1] for name, (_, out) in outputs.items()})
    assert sql(cluster, "select coalesce(sum(visits), 0) from visit_counters where source = 'poster'") == visits


def test_the_audit_is_clean_afterwards(cluster):
    outputs = cluster.flask_everywhere("shop", "audit")
    print("\naudit:", {name: out.strip().splitlines()[-1] for name, (_, out) in outputs.items()})
    assert all(code == 0 for code, _ in outputs.values()), outputs
    assert any("audit clean" in out for _, out in outputs.values())


def test_a_dump_restores_into_a_new_database(cluster):
    """docs/deploy.md's backup and restore, as written: pg_dump -Fc, pg_restore into a new empty database."""
    dump, restored = f"{cluster.tmp}/shop.dump", cluster.database_url.rsplit("/", 1)[0] + "/restored"
    run(f"{cluster.pg_bin}/pg_dump", *cluster.pg_args, "-Fc", "-Z", "6", "-f", dump, "postgres")
    run(f"{cluster.pg_bin}/createdb", *cluster.pg_args, "restored")
    run(f"{cluster.pg_bin}/pg_restore", *cluster.pg_args, "-d", "restored", "--no-owner", "--exit-on-error",
        "-j", "2", dump)
    for query in RESTORE_CHECKS:
        assert sql(cluster, query, url=restored) == sql(cluster, query), query


class Traffic(threading.Thread):
    """Requests through nginx without a pause, recording (start, end, status or error, host) of each; `expected`
    is the status every one should get."""

    def __init__(self, url, expected, method="GET", body=None):
        super().__init__(daemon=True)
        self.url, self.expected, self.method, self.body = url, expected, method, body
        self.results, self.running = [], True

    def run(self):
        client = requests.Session()
        while self.running:
            started = time.monotonic()
            try:
                resp = client.request(self.method, self.url, data=self.body, timeout=10)
                self.results.append((started, time.monotonic(), resp.status_code, resp.headers.get("X-Served-By")))
            except requests.RequestException as err:
                self.results.append((started, time.monotonic(), type(err).__name__, None))

    def errors(self, killed_at):
        """(start, end) relative to the kill, and what came back, of each request that did not get `expected`."""
        return [(round(start - killed_at, 3), round(end - killed_at, 3), what) for start, end, what, _ in self.results
                if what != self.expected]


GRACE = 0.1  # seconds after host a's last process is gone for nginx to read the close of its kept-alive connections


def test_nginx_fails_over_when_a_host_is_killed(cluster):
    """Two clients GET a page and one POSTs (an unsigned notification, refused with 400 by whichever host gets it)
    while host a is killed: nginx sends everything after the kill to host b."""
    threads = [Traffic(cluster.url + "/login", 200) for _ in range(2)]
    threads.append(Traffic(cluster.url + "/pay/notify/sandbox", 400, "POST", b"{}"))
    for thread in threads:
        thread.start()
    time.sleep(2)
    killed_at = time.monotonic()
    cluster.kill_host("a")
    dying = time.monotonic() - killed_at  # until every process of host a is gone, its sockets half-open
    time.sleep(4)
    for thread in threads:
        thread.running = False
        thread.join(15)
    results = [r for thread in threads for r in thread.results]
    errors = {thread.method + str(n): thread.errors(killed_at) for n, thread in enumerate(threads)}
    after = [r for r in results if r[0] > killed_at + 0.5]
    print(f"\nfailover: {len(results)} requests, errors (start, end from the kill, error) by client {errors}, "
          f"{len(after)} answered after the kill, by {sorted({str(r[3]) for r in after})}")
    assert {r[3] for r in results if r[1] < killed_at and r[3] is not None} == set(HOSTS)
    # A request host a was answering when it died cannot be retried (a POST never is once sent; a GET not once
    # nginx has begun answering). Nor can a POST that nginx wrote on a kept-alive connection to host a whose close
    # it had not yet read: the kernel tears the sockets down just after the processes are gone (seen: a POST sent
    # 13 ms after the kill, 4 ms after the last process). So only a request begun while host a was dying, or in the
    # GRACE after, may fail, at most one per client; everything later is answered by host b.
    for client_errors in errors.values():
        assert len(client_errors) <= 1 and all(start < dying + GRACE and end > 0 for start, end, _ in client_errors), \
            (errors, dying)
    assert after and {r[3] for r in after} == {"b"}
