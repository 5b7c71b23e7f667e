"""The load client: threads of virtual shoppers, distributors and staff on loopback, each with its own cookie
session (requests), CSRF tokens read from the pages they came from, as a browser would. Every request is recorded
by kind: status, latency, and the start of any body that is not what a working mall answers."""
import math
import random
import re
import threading
import time
from collections import defaultdict

import requests

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
QTY = re.compile(r'name="(qty_\d+)"[^>]*max="(\d+)"')
ORDER_NO = re.compile(r"/orders/([A-Za-z0-9]+)$")
PAGE_OK, MOVED, NOTIFIED = (200,), (302, 303), (204,)
#: Native (a desktop browser) shows the QR code page; H5 and JSAPI redirect.
PAY_OPENED = (200, 302, 303)
#: The scarce SKU's checkout page may refuse with its message (400: out of stock for the quantity asked).
REFUSABLE = (200, 400)


def visible_text(body, limit=400):
    """What a reader sees of a bad answer: an HTML page without its head and tags, or the body as it is."""
    if "<html" in body[:200].lower():
        body = re.sub(r"(?s)<head>.*?</head>|<script.*?</script>|<[^>]+>", " ", body)
    return " ".join(body.split())[:limit]


def pct(values, q):
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)] if ordered else float("nan")


class Recorder:
    """Thread-safe samples per kind of request: (start, seconds, status, ok); bad answers kept with their body."""

    def __init__(self):
        self.lock = threading.Lock()
        self.samples = defaultdict(list)
        self.bad = []
        self.outcomes = defaultdict(int)

    def add(self, kind, start, seconds, status, ok, body=""):
        with self.lock:
            self.samples[kind].append((start, seconds, status, ok))
            if not ok:
                self.bad.append((kind, start, status, visible_text(body)))

    def count(self, outcome):
        with self.lock:
            self.outcomes[outcome] += 1

    def table(self):
        """[(kind, requests, errors, p50 ms, p90 ms, p99 ms)] sorted by kind."""
        rows = []
        for kind, samples in sorted(self.samples.items()):
            lat = [s[1] * 1000 for s in samples]
            rows.append((kind, len(samples), sum(1 for s in samples if not s[3]), pct(lat, .5), pct(lat, .9),
                         pct(lat, .99)))
        return rows

    def totals(self):
        every = [s for samples in self.samples.values() for s in samples]
        return len(every), sum(1 for s in every if not s[3])


class Client:
    """One browser: a cookie session and the recorder. `http` is the session to send with: requests' own by
    default, or a locust HttpSession (bench/loadkit/swarm.py), whose statistics then group the requests by kind."""

    def __init__(self, base, recorder, timeout=30, http=None):
        self.base, self.rec, self.timeout = base, recorder, timeout
        self.http = http or requests.Session()
        self.named = http is not None
        self.token = None

    def call(self, kind, method, path, expect=PAGE_OK, **kw):
        start = time.monotonic()
        try:
            resp = self._send_named(kind, expect, method, path, **kw) if self.named else self._send(method, path, **kw)
        except requests.RequestException as exc:
            self.rec.add(kind, start, time.monotonic() - start, None, False, f"{type(exc).__name__}: {exc}")
            return None
        ok = resp.status_code in expect
        self.rec.add(kind, start, time.monotonic() - start, resp.status_code, ok, "" if ok else resp.text)
        found = CSRF.search(resp.text) if resp.status_code == 200 else None
        if found:
            self.token = found.group(1)
        return resp if ok else None

    def _send(self, method, path, **kw):
        """A GET on a kept-alive connection that the server closed as it was reused is sent again once, as browsers
        do (counted in the outcomes, never hidden); a POST is never sent twice."""
        try:
            return self.http.request(method, self.base + path, allow_redirects=False, timeout=self.timeout, **kw)
        except requests.ConnectionError as exc:
            if method != "GET" or "Connection aborted" not in str(exc):
                raise
            self.rec.count("GET sent again after a kept-alive connection was reset")
            return self.http.request(method, self.base + path, allow_redirects=False, timeout=self.timeout, **kw)

    def _send_named(self, kind, expect, method, path, **kw):
        """Through locust: reported under `kind`, a success when the status is one this request expects (a 400
        refusal of the scarce SKU is the mall working); a connection error is raised as requests raises it."""
        with self.http.request(method, self.base + path, name=kind, catch_response=True, allow_redirects=False,
                               timeout=self.timeout, **kw) as resp:
            error = getattr(resp, "error", None)
            if error is not None:
                resp.failure(error)
            elif resp.status_code in expect:
                resp.success()
            else:
                resp.failure(f"HTTP {resp.status_code}")
        if error is not None:
            raise error if isinstance(error, requests.RequestException) else requests.ConnectionError(error)
        return resp

    def post(self, kind, path, data=None, expect=MOVED):
        return self.call(kind, "POST", path, expect, data={**(data or {}), "csrf_token": self.token or ""})

    def log_in(self, phone, password, path="/login", field="phone"):
        self.call("login", "GET", path)
        return self.post("login", path, {field: phone, "password": password}) is not None


class Gateway:
    """The payment provider: marks an opened payment paid in the sandbox (in-process, on the same database) and
    delivers its signed notification once, twice in a row, or three times at once."""

    def __init__(self, app, base, recorder, connect=None):
        self.app, self.base, self.rec = app, base, recorder
        self.connect = connect or (lambda: Client(base, recorder))  # a new browser: one per delivery

    def pay(self, order_no):
        """The shopper pays in the sandbox: its signed notification, or None when the sandbox's store (the same
        database) is away, as during the PostgreSQL restart fault: the payment did not go through, the order stays
        unpaid (counted as "pay-unavailable"), and the shopper goes on."""
        from sqlalchemy.exc import OperationalError

        from shop.payments.gateways import get_gateway, sandbox

        with self.app.app_context():
            try:
                notice = get_gateway("sandbox").pay(order_no)
            except OperationalError:
                self.rec.count("pay-unavailable")
                return None
            return sandbox.build_notification(order_no, notice.transaction_id, notice.amount_fen)

    def send(self, note, kind="notify", attempts=8):
        """Deliver until answered 204, as WeChat retries any other answer (each attempt recorded; retries as
        "notify-retry")."""
        headers, body = note
        client = self.connect()
        for attempt in range(attempts):
            if client.call(kind if attempt == 0 else "notify-retry", "POST", "/pay/notify/sandbox", NOTIFIED,
                           data=body, headers={**headers, "Content-Type": "application/json"}) is not None:
                return
            time.sleep(1)

    def deliver(self, note, rng):
        """Once (60%), then again (25%), or three at once (15%): each must be applied exactly once."""
        roll = rng.random()
        if roll < 0.6:
            self.send(note)
        elif roll < 0.85:
            self.send(note)
            self.send(note, "notify-dup")
        else:
            threads = [threading.Thread(target=self.send, args=(note, "notify-concurrent")) for _ in range(3)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()


def order_no_of(resp):
    found = ORDER_NO.search(resp.headers.get("Location", "")) if resp is not None else None
    return found.group(1) if found else None


class Shopper:
    """Browses, orders (the cart or 立即购买), pays, and sometimes asks for a refund that the owner approves."""

    def __init__(self, connect, gateway, seeded, who, password, rng):
        self.c, self.admin, self.gateway, self.s = connect(), connect(), gateway, seeded
        self.user_id, self.phone, self.address_id = who
        self.password, self.rng, self.paid = password, rng, []

    def start(self):
        self.c.log_in(self.phone, self.password)
        self.admin.log_in(self.s.staff["owner"], self.password, "/admin/login", "login")

    def browse(self):
        product_id = self.rng.choice(self.s.products)[0]
        self.c.call("home", "GET", "/")
        self.c.call("category", "GET", f"/category?cid={self.rng.choice(self.s.category_ids)}")
        self.c.call("product", "GET", f"/p/{product_id}")
        self.c.call("search", "GET", "/search?q=压测")

    def order(self):
        product_id, sku_id, _price = self.rng.choice(self.s.products)
        quantity = self.rng.randint(1, 3)
        if self.c.call("product", "GET", f"/p/{product_id}") is None:
            return
        if sku_id == self.s.scarce_sku or self.rng.random() < 0.5:  # 立即购买: never leaves a scarce SKU in the cart
            query = f"sku_id={sku_id}&quantity={quantity}"
            page = self.c.call("checkout", "GET", f"/checkout?{query}",
                               REFUSABLE if sku_id == self.s.scarce_sku else PAGE_OK)
            if page is None or page.status_code != 200:  # sold out: the mall says so on the page
                self.c.rec.count("refused")
                return
            placed = self.c.post("place", "/checkout", {"address_id": self.address_id, "sku_id": sku_id,
                                                                 "quantity": quantity})
        else:
            self.c.post("cart-add", "/cart/add", {"sku_id": sku_id, "quantity": quantity})
            self.c.call("checkout", "GET", "/checkout")
            placed = self.c.post("place", "/checkout", {"address_id": self.address_id})
        order_no = order_no_of(placed)
        self.c.rec.count("placed" if order_no else "refused")
        if order_no and self.c.post("pay-open", f"/pay/{order_no}", expect=PAY_OPENED) is not None:
            note = self.gateway.pay(order_no)
            if note is not None:
                self.gateway.deliver(note, self.rng)
                self.paid.append(order_no)

    def refund(self):
        if not self.paid:
            return
        order_no = self.paid.pop(self.rng.randrange(len(self.paid)))
        page = self.c.call("refund-ask", "GET", f"/orders/{order_no}/refund")
        if page is None:
            return
        quantities = {name: left for name, left in QTY.findall(page.text)}
        if self.c.post("refund-ask", f"/orders/{order_no}/refund", {**quantities, "reason": "压测退款"}) is None:
            return
        refund_no = self.gateway_refund_no(order_no)
        if refund_no and self.admin.call("refund-approve", "GET", f"/admin/refunds/{refund_no}") is not None:
            self.admin.post("refund-approve", f"/admin/refunds/{refund_no}/approve", {"restock": "y"})

    def gateway_refund_no(self, order_no):
        """The refund's number as the merchant sees it, read from the database; None while the database is away (a
        fault test restarting it): this refund then waits unapproved, like any call that failed."""
        from sqlalchemy import select
        from sqlalchemy.exc import DBAPIError

        from shop.extensions import db
        from shop.orders.models import Order
        from shop.payments.models import Refund

        with self.gateway.app.app_context():
            try:
                return db.session.scalar(select(Refund.refund_no).join(Order, Order.id == Refund.order_id)
                                         .where(Order.order_no == order_no).order_by(Refund.id.desc()).limit(1))
            except DBAPIError:
                db.session.rollback()
                return None

    def step(self):
        roll = self.rng.random()
        if roll < 0.45:
            self.browse()
        elif roll < 0.88:
            self.order()
        else:
            self.refund()


class Distributor:
    """Asks to withdraw ¥1 to Alipay; finance approves it and records the transfer made by hand."""

    def __init__(self, connect, app, seeded, who, password, rng):
        self.c, self.finance, self.app, self.s = connect(), connect(), app, seeded
        self.user_id, self.phone = who
        self.password, self.rng = password, rng

    def start(self):
        self.c.log_in(self.phone, self.password)
        self.finance.log_in(self.s.staff["finance"], self.password, "/admin/login", "login")

    def step(self):
        self.c.call("center", "GET", "/center")
        if self.c.call("withdraw-ask", "GET", "/center/withdraw") is None:
            return
        if self.c.post("withdraw-ask", "/center/withdraw", {"amount": "1.00", "method": "alipay",
                                                            "alipay_account": f"{self.phone}@alipay",
                                                            "alipay_name": "压测"}) is None:
            return
        withdrawal_id = self.latest_withdrawal()
        if withdrawal_id and self.finance.call("withdraw-approve", "GET",
                                               f"/admin/withdrawals/{withdrawal_id}") is not None:
            if self.finance.post("withdraw-approve", f"/admin/withdrawals/{withdrawal_id}/approve") is not None:
                self.finance.post("withdraw-paid", f"/admin/withdrawals/{withdrawal_id}/paid",
                                  {"reference": f"ALI{withdrawal_id:010d}"})
        time.sleep(self.rng.uniform(0.2, 0.6))

    def latest_withdrawal(self):
        from sqlalchemy import select

        from shop.extensions import db
        from shop.wallet.models import Withdrawal

        with self.app.app_context():
            return db.session.scalar(select(Withdrawal.id).where(Withdrawal.user_id == self.user_id)
                                     .order_by(Withdrawal.id.desc()).limit(1))


def run_load(app, base, seeded, password, seconds, shoppers=8, distributors=2, seed=1, stop=None):
    """Run the mix for `seconds` (or until `stop` is set) in shoppers + distributors threads; the Recorder."""
    rec = Recorder()
    gateway = Gateway(app, base, rec)
    actors = [shopper(i, lambda: Client(base, rec), gateway, seeded, password, seed) for i in range(shoppers)]
    actors += [distributor(i, lambda: Client(base, rec), app, seeded, password, seed) for i in range(distributors)]
    stop = stop or threading.Event()
    deadline = time.monotonic() + seconds

    def loop(actor):
        actor.start()
        while time.monotonic() < deadline and not stop.is_set():
            actor.step()

    threads = [threading.Thread(target=loop, args=(a,), daemon=True) for a in actors]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 120)
    return rec


def shopper(i, connect, gateway, seeded, password, seed=1):
    """The i-th shopper of a run: its seeded member and its own random sequence (the same in every generator)."""
    return Shopper(connect, gateway, seeded, seeded.shoppers[i % len(seeded.shoppers)], password,
                   random.Random(seed * 1000 + i))


def distributor(i, connect, app, seeded, password, seed=1):
    return Distributor(connect, app, seeded, seeded.distributors[i % len(seeded.distributors)], password,
                       random.Random(seed * 2000 + i))
