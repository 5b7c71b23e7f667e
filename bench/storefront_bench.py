#!/usr/bin/env python
"""Benchmark of the storefront pages through gunicorn, next to a floor of the same byte size.

Builds a demo-like shop in a PostgreSQL schema of its own (the demo catalog, marketing and accounts, then
more products up to --products, sharing the demo's images), then for each page (home, product, category,
search), anonymous and signed in (the cookies a browser keeps after a real login through /login: the session
and the device id):

  mall   gunicorn -w W wsgi:app on that schema;
  floor  gunicorn -w W with the same settings on a bare Flask app that renders a Jinja template of exactly
         the byte size of the mall's page (the mall's own HTML, taken just before), with no database;

each measured with wrk (-t 2 -c 16 -d N) in the same run. It prints mall req/s | floor req/s | ratio and the
SQL statements one page sends (shop.sql.count_statements, in-process on the same schema; a page served from
the page cache sends none, so the first request and the next one are both shown).

    .venv/bin/python bench/storefront_bench.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test \\
        [--seconds 10] [--products 200] [--workers 2] [--runs 1] [--json PATH]

Needs wrk (Debian: apt-get install -y wrk). The schema bench_front_<pid> is dropped at the end (--keep leaves it).
This is a script that prints figures, not a test: pytest never collects it (testpaths = tests).
"""
import argparse
import http.client
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from urllib.parse import quote

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from bench_common import bench_app, create_schema, free_port, with_search_path  # noqa: E402
from sqlalchemy import create_engine, select, text  # noqa: E402

SHOPPER = ("13900000001", "demo123")
FLOOR_APP = '''"""The floor: a bare Flask app rendering Jinja templates of the mall's page sizes, no database."""
import os
from flask import Flask, render_template

app = Flask(__name__, template_folder=os.path.join(os.path.dirname(os.path.abspath(__file__)), "pages"))
PAGES = {name[:-5] for name in os.listdir(app.template_folder)}


@app.get("/floor/<name>")
def page(name):
    return render_template(name + ".html", title="floor") if name in PAGES else ("", 404)
'''


# ---------------------------------------------------------------------------------------------
# The shop
# ---------------------------------------------------------------------------------------------

def make_app(url, schema):
    return bench_app(url, schema)


def build_shop(app, db, products):
    """The demo data, then more products (same categories and images) up to `products`."""
    import logging

    from shop.catalog.models import Category, Product
    from shop.catalog.services import save_product
    from shop.database import transaction
    from shop.demo import seed_demo

    logging.getLogger("alembic").disabled = True
    with app.app_context():
        seed_demo(echo=lambda *_: None)
        demo = db.session.scalars(select(Product).order_by(Product.id)).all()
        children = db.session.scalars(select(Category.id).where(Category.parent_id.is_not(None))).all()
        with transaction():
            for n in range(len(demo), products):
                model = demo[n % len(demo)]
                save_product({
                    "title": f"{model.title} {n}号", "subtitle": model.subtitle, "category_id": children[n % len(children)],
                    "spec_names": model.spec_names, "description": model.description_html, "sort": n % 7,
                    "is_featured": n % 25 == 0, "image_paths": [i.path for i in model.images],
                    "skus": [{"spec_values": s.spec_values, "price_fen": s.price_fen + n,
                              "original_price_fen": s.original_price_fen, "stock": s.stock} for s in model.skus]})
        featured = db.session.scalar(select(Product.id).where(Product.is_featured.is_(True)).order_by(Product.id))
        top = db.session.scalar(select(Category.id).where(Category.parent_id.is_(None)).order_by(Category.id))
        count = db.session.scalar(select(db.func.count(Product.id)))
        db.engine.dispose()
    return {"home": "/", "product": f"/p/{featured}", "category": f"/category?cid={top}",
            "search": "/search?q=" + quote("T恤")}, count


def statements_per_page(app, pages, signed_in):
    """SQL statements of the first and of the next request of each page (in-process, same schema; signed in
    through the login form)."""
    from shop.sql import count_statements

    counts = {}
    with app.test_client() as client:
        if signed_in:
            assert client.post("/login", data={"phone": SHOPPER[0], "password": SHOPPER[1]}).status_code == 302
        for name, path in pages.items():
            seen = []
            for _ in range(2):
                with count_statements() as c:
                    client.get(path)
                seen.append(len(c))
            counts[name] = seen
    if "shop_cache_store" in app.extensions:
        app.extensions["shop_cache_store"].clear()
    return counts


# ---------------------------------------------------------------------------------------------
# HTTP: gunicorn, login, pages, wrk
# ---------------------------------------------------------------------------------------------

def start_gunicorn(workers, module, env, log_path, pythonpath=None):
    port = free_port()
    # The gunicorn beside the Python running this script (a worktree may borrow another checkout's venv).
    cmd = [os.path.join(os.path.dirname(sys.executable), "gunicorn"), "-w", str(workers), "-b", f"127.0.0.1:{port}"]
    cmd += ["--pythonpath", pythonpath] if pythonpath else []
    log = open(log_path, "wb")
    proc = subprocess.Popen(cmd + [module], cwd=env.get("BENCH_APP_ROOT", ROOT), env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    log.close()
    return proc, port


def stop(proc):
    if proc is not None and proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def request(port, path, cookie=None, method="GET", body=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    sent = dict(headers or {})
    if cookie:
        sent["Cookie"] = cookie
    conn.request(method, path, body=body, headers=sent)
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    return resp, data


def wait_up(proc, port, path, log_path, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {proc.returncode}; see {log_path}")
        try:
            if request(port, path)[0].status == 200:
                time.sleep(1.0)  # let every worker finish loading
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn not answering after {timeout} s; see {log_path}")


def set_cookies(resp):
    """{name: value} of the cookies the answer sets."""
    return dict(value.split(";", 1)[0].split("=", 1) for header, value in resp.getheaders()
                if header.lower() == "set-cookie")


def cookie_header(jar):
    return "; ".join(f"{name}={value}" for name, value in jar.items())


def log_in(port, form_page):
    """A real login through /login, then one page with a form (`form_page`): the Cookie header of a browser that
    keeps every cookie the mall set (the session, the device id)."""
    from urllib.parse import urlencode

    resp, body = request(port, "/login")
    jar = set_cookies(resp)
    token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', body) or \
        re.search(rb'name="csrf_token" value="([^"]+)"', body)
    form = urlencode({"csrf_token": token.group(1).decode(), "phone": SHOPPER[0], "password": SHOPPER[1]})
    resp, _ = request(port, "/login", cookie_header(jar), "POST", form,
                      {"Content-Type": "application/x-www-form-urlencoded"})
    signed = set_cookies(resp)
    if resp.status != 302 or "session" not in signed:
        raise RuntimeError(f"login failed: {resp.status}")
    jar.update(signed)
    # The login renews the CSRF secret (shop/csrf_token.py): a browser's next page with a form starts a new one and
    # keeps the cookie that carries it. wrk never stores a cookie, so take that one page's cookie as a browser would.
    resp, _ = request(port, form_page, cookie_header(jar))
    jar.update(set_cookies(resp))
    return cookie_header(jar)


def wrk(port, path, seconds, cookie=None):
    cmd = ["wrk", "-t", "2", "-c", "16", "-d", f"{seconds}s", "--latency"]
    if cookie:
        cmd += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(cmd + [f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rate, int(bad.group(1)) if bad else 0


def write_floor(tmpdir, pages_html):
    """The floor app and one template per page: the mall's HTML in a raw block, so it renders to the same bytes."""
    os.makedirs(os.path.join(tmpdir, "floor", "pages"), exist_ok=True)
    with open(os.path.join(tmpdir, "floor", "floor_app.py"), "w") as handle:
        handle.write(FLOOR_APP)
    for name, html in pages_html.items():
        with open(os.path.join(tmpdir, "floor", "pages", name + ".html"), "wb") as handle:
            handle.write(b"{% raw %}" + html + b"{% endraw %}")
    return os.path.join(tmpdir, "floor")


# ---------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------

def measure(args, env, tmpdir, pages):
    """One run: each page of the mall (anonymous and signed in), then at once its floor: the two gunicorns run side by
    side, and each pair is measured back to back, so a change in the machine's speed (another tenant, a throttled
    core) reaches both figures of a ratio alike."""
    mall, port = start_gunicorn(args.workers, "wsgi:app", env, os.path.join(tmpdir, "mall.log"))
    floor = None
    try:
        wait_up(mall, port, "/", os.path.join(tmpdir, "mall.log"))
        cookie = log_in(port, pages["product"])
        html, rows = {}, {}
        for who, jar in (("anonymous", None), ("signed-in", cookie)):
            for name, path in pages.items():
                resp, body = request(port, path, jar)
                if resp.status != 200:
                    raise RuntimeError(f"{path} answered {resp.status}")
                html[f"{name}-{who}"] = body
                rows[(name, who)] = {"path": path, "jar": jar, "bytes": len(body)}
        folder = write_floor(tmpdir, html)
        floor, fport = start_gunicorn(args.workers, "floor_app:app", env, os.path.join(tmpdir, "floor.log"), folder)
        wait_up(floor, fport, "/floor/home-anonymous", os.path.join(tmpdir, "floor.log"))
        for (name, who), row in rows.items():
            resp, body = request(fport, f"/floor/{name}-{who}")
            assert len(body) == row["bytes"], (name, who, len(body), row["bytes"])
            row["mall"] = wrk(port, row.pop("path"), args.seconds, row.pop("jar"))
            row["floor"] = wrk(fport, f"/floor/{name}-{who}", args.seconds)
        return rows
    finally:
        stop(mall)
        stop(floor)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True, help="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--seconds", type=int, default=10, help="wrk -d for each page (default 10)")
    parser.add_argument("--products", type=int, default=200, help="products in the shop (default 200)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn -w (default 2)")
    parser.add_argument("--runs", type=int, default=1, help="runs; the table shows each figure's median (default 1)")
    parser.add_argument("--redis-url", help="SHOP_REDIS_URL for the mall (default: none, in-process caches)")
    parser.add_argument("--json", help="also write the figures as JSON to this path")
    parser.add_argument("--keep", action="store_true", help="keep the schema afterwards")
    parser.add_argument("--quick", action="store_true", help="a smoke run: 3 s per page, 60 products")
    parser.add_argument("--app-root", default=ROOT,
                        help="the checkout whose shop is measured (default: this one; another one gives 'before' "
                             "figures with the same script)")
    args = parser.parse_args(argv)
    if args.quick:
        args.seconds, args.products = 3, 60
    sys.path.insert(0, os.path.abspath(args.app_root))
    if shutil.which("wrk") is None:
        parser.error("wrk is not installed (Debian: apt-get install -y wrk)")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    schema = f"bench_front_{os.getpid()}"
    tmpdir = tempfile.mkdtemp(prefix="bench-front-")
    os.environ["SHOP_INSTANCE_PATH"] = tmpdir  # the demo images: the same folder for gunicorn and us
    env = dict(os.environ, SHOP_DATABASE_URL=with_search_path(args.database_url, schema), SHOP_INSTANCE_PATH=tmpdir,
               SHOP_SECRET_KEY="bench-secret", SHOP_RATELIMIT_ENABLED="0", BENCH_APP_ROOT=os.path.abspath(args.app_root))
    env.pop("SHOP_REDIS_URL", None)
    if args.redis_url:
        env["SHOP_REDIS_URL"] = args.redis_url
    admin = create_engine(args.database_url)
    try:
        from shop.extensions import db

        app = make_app(args.database_url, schema)
        print(f"building schema {schema} and the shop ...", flush=True)
        create_schema(app, db, schema)
        pages, count = build_shop(app, db, args.products)
        print(f"  {count} products; pages: {pages}", flush=True)
        runs = []
        for run in range(args.runs):
            print(f"run {run + 1}/{args.runs}: wrk -t 2 -c 16 -d {args.seconds}s per page, gunicorn -w {args.workers}",
                  flush=True)
            rows = measure(args, env, tmpdir, pages)
            runs.append(rows)
        # Outside any app context: each request pushes its own (its own g, its own signed-in user).
        counts = {"signed-in": statements_per_page(app, pages, True),
                  "anonymous": statements_per_page(app, pages, False)}
        report(runs, counts, args)
    finally:
        if not args.keep:
            with admin.begin() as conn:
                conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        admin.dispose()
        shutil.rmtree(tmpdir, ignore_errors=True)


def report(runs, counts, args):
    out = []
    print(f"\n{'page':10s} {'who':10s} {'bytes':>7s} {'mall req/s':>11s} {'floor req/s':>12s} {'ratio':>7s} "
          f"{'SQL 1st/next':>13s}")
    for key in runs[0]:
        name, who = key
        mall = statistics.median(r[key]["mall"][0] for r in runs)
        floor = statistics.median(r[key]["floor"][0] for r in runs)
        # Each run's ratio comes from a pair measured back to back; the table shows their median.
        ratio = statistics.median(r[key]["mall"][0] / r[key]["floor"][0] for r in runs if r[key]["floor"][0]) \
            if any(r[key]["floor"][0] for r in runs) else None
        bad = sum(r[key]["mall"][1] for r in runs)
        first, nxt = counts[who][name]
        print(f"{name:10s} {who:10s} {runs[0][key]['bytes']:7,d} {mall:11,.0f} {floor:12,.0f} {ratio:6.2f}x "
              f"{first:>6d}/{nxt:<6d}" + (f"  ({bad} non-2xx)" if bad else ""))
        out.append({"name": f"{name} ({who})", "value": round(mall, 1), "unit": "req/s", "floor": round(floor, 1),
                    "ratio": round(ratio, 3) if ratio else None,
                    "note": f"{first}/{nxt} SQL statements (first/next request), {runs[0][key]['bytes']} bytes"})
    if args.json:
        with open(args.json, "w") as handle:
            json.dump({"bench": "storefront", "rows": out}, handle, indent=2, ensure_ascii=False)


if __name__ == "__main__":
    main()
