"""The page cache's front door (shop/caching/front.py): an anonymous GET for a cached page is answered before Flask
builds a request, with the answer Flask's own path gives, header by header; anything it must not answer goes on to
Flask."""
import gzip
import logging
import re
import threading

import brotli
import pytest
from flask import request_started
from werkzeug.test import Client

from shop.ops.metrics import REQUESTS

PAGES = ["/", "/category?cid={top}", "/search?q=T恤", "/p/{product}", "/p/{product}?lang=en"]
DEVICE = re.compile(r"shop_did=[0-9a-f]{32}; Expires=[^;]+; Max-Age=63072000; HttpOnly; Path=/; SameSite=Lax\Z")
#: Requests a first visit (or a returning one without a session) may send.
VARIANTS = [
    {},
    {"Accept-Encoding": "gzip, deflate, br"},
    {"Accept-Encoding": "gzip"},
    {"Accept-Encoding": "br;q=0, gzip;q=0.5"},
    {"Accept-Encoding": "identity"},
    {"Cookie": "shop_did=" + "ab12" * 8},
    {"Cookie": "shop_did=not-a-device-id; other=1"},
    {"X-Request-ID": "5e1f0c3a9b2d4e6f8a7b6c5d4e3f2a1b"},
    {"X-Request-ID": "no good\tid"},
]


@pytest.fixture
def catalog(clothes):
    top, _, product = clothes(stock=3)
    return {"top": top.id, "product": product.id}


@pytest.fixture
def front(app):
    door = app.extensions["shop_front_door"]
    yield door
    door.enabled = True


@pytest.fixture
def flask_runs(app):
    """How many requests reached Flask (its request_started signal)."""
    seen = []

    def count(sender, **extra):
        seen.append(1)

    request_started.connect(count, app)
    yield seen
    request_started.disconnect(count, app)


def fetch(app, path, headers=None, method="GET"):
    """One request through the whole WSGI stack, in an app context of its own (as in production: the test's own
    context would lend every request its `g`), with no cookie but those in `headers`."""
    return app.test_client(use_cookies=False).open(path, method=method, headers=headers or {})


def warm(app, path):
    assert fetch(app, path).status_code == 200  # rendered and stored by Flask
    assert fetch(app, path).headers["X-Page-Cache"] == "hit"


def normalized(resp, sent):
    """The answer's headers and decoded body, with what differs on every request made comparable: a new device id,
    a new request id (unless a good one was sent), the Date."""
    headers = []
    for name, value in resp.headers.items():
        if name == "Set-Cookie" and DEVICE.match(value):
            value = "shop_did=<new>"
        elif name == "X-Request-ID" and value != sent.get("X-Request-ID"):
            assert re.fullmatch(r"[0-9a-f]{32}", value)
            value = "<new>"
        elif name == "Date":
            value = "<now>"
        elif name == "Content-Length":
            assert int(value) == len(resp.data)
            continue
        headers.append((name, value))
    body = resp.data
    encoding = resp.headers.get("Content-Encoding")
    body = gzip.decompress(body) if encoding == "gzip" else brotli.decompress(body) if encoding == "br" else body
    return sorted(headers), body


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("sent", VARIANTS, ids=lambda v: ",".join(f"{k}={v[k][:12]}" for k in v) or "bare")
def test_the_front_door_answers_as_flask_does(app, catalog, front, flask_runs, path, sent):
    path = path.format(**catalog)
    warm(app, path)
    flask_runs.clear()
    at_the_door = fetch(app, path, sent)
    assert flask_runs == [], "the front door should have answered"
    front.enabled = False
    from_flask = fetch(app, path, sent)
    assert flask_runs == [1]
    assert at_the_door.status_code == from_flask.status_code == 200
    assert normalized(at_the_door, sent) == normalized(from_flask, sent)
    assert at_the_door.headers["X-Page-Cache"] == "hit"
    assert ("Set-Cookie" in at_the_door.headers) == ("shop_did" not in sent.get("Cookie", ""))


def test_a_page_is_compressed_once_for_every_visitor(app, catalog, front, flask_runs):
    front.packed.clear()
    warm(app, "/")
    first, second = (fetch(app, "/", {"Accept-Encoding": "gzip"}) for _ in range(2))
    assert flask_runs == [1]  # (the warm-up's miss)
    assert first.data == second.data and first.headers["Content-Encoding"] == "gzip"
    assert len(front.packed) == 1
    assert fetch(app, "/", {"Accept-Encoding": "br"}).headers["Content-Encoding"] == "br"
    assert len(front.packed) == 2


def test_it_names_the_host_behind_nginx(app, catalog, front, flask_runs, monkeypatch):
    monkeypatch.setitem(app.config, "HOST_NAME", "app-2")
    warm(app, "/")
    flask_runs.clear()
    resp = fetch(app, "/")
    assert flask_runs == [] and resp.headers["X-Served-By"] == "app-2"


@pytest.mark.parametrize("sent", [
    {"Cookie": "session=anything"},
    {"Cookie": "remember_token=1|abc"},
    {"If-None-Match": '"x"'},
    {"If-Modified-Since": "Mon, 30 Nov 2026 00:00:00 GMT"},
    {"Range": "bytes=0-10"},
], ids=["session", "remember-me", "if-none-match", "if-modified-since", "range"])
def test_what_may_be_someones_goes_to_flask(app, catalog, flask_runs, sent):
    warm(app, "/")
    flask_runs.clear()
    fetch(app, "/", sent)
    assert flask_runs == [1]


def test_a_share_link_goes_to_flask_and_counts_its_visit(app, catalog, flask_runs, make_distributor, db):
    from shop.growth.models import VisitCounter

    sharer = make_distributor()
    path = f"/p/{catalog['product']}?ref={sharer.user.share_code}"
    warm(app, f"/p/{catalog['product']}")
    flask_runs.clear()
    for _ in range(2):
        assert fetch(app, path).status_code == 200
    assert flask_runs == [1, 1]
    assert db.session.query(VisitCounter).count() >= 1


def test_head_and_post_go_to_flask(app, catalog, flask_runs):
    warm(app, "/")
    flask_runs.clear()
    fetch(app, "/", method="HEAD")
    fetch(app, "/", method="POST")
    assert flask_runs == [1, 1]


def test_a_miss_is_rendered_by_flask_then_answered_at_the_door(app, catalog, flask_runs):
    path = f"/p/{catalog['product']}"
    assert fetch(app, path).headers["X-Page-Cache"] == "miss"
    assert flask_runs == [1]
    assert fetch(app, path).headers["X-Page-Cache"] == "hit"
    assert flask_runs == [1]


def test_a_change_is_shown_at_once(app, catalog, flask_runs, db):
    from shop.catalog.models import Product

    path = f"/p/{catalog['product']}"
    warm(app, path)
    product = db.session.get(Product, catalog["product"])
    product.title = "亚麻衬衫"
    db.session.commit()
    flask_runs.clear()
    resp = fetch(app, path)
    assert flask_runs == [1] and resp.headers["X-Page-Cache"] == "miss"
    assert "亚麻衬衫" in resp.get_data(as_text=True)


def test_an_unknown_time_boundary_goes_to_flask(app, catalog, flask_runs):
    from shop.caching import boundaries

    warm(app, "/")
    boundaries.forget(app)  # a new worker: the next moment is not known yet, and only a query can tell
    flask_runs.clear()
    assert fetch(app, "/").headers["X-Page-Cache"] == "hit"
    assert flask_runs == [1]
    fetch(app, "/")
    assert flask_runs == [1]


def test_a_page_stored_by_an_older_release_goes_to_flask(app, catalog, flask_runs):
    """During a rolling deploy the cache may hold pages stored without their endpoint: Flask serves those."""
    from shop.caching.store import get_store

    warm(app, "/")
    store = get_store(app)
    with store.lock:
        for key in list(store.local):
            stamp, body = store.local[key].split(b"\n", 1)
            store.local[key] = stamp.split(b" ")[0] + b"\n" + body
    flask_runs.clear()
    resp = fetch(app, "/")
    assert flask_runs == [1] and resp.headers["X-Page-Cache"] == "hit"


def test_a_hit_at_the_door_is_logged_and_counted(app, catalog, flask_runs, caplog):
    from shop.ops.metrics import series

    warm(app, "/")
    before = series("main.home", "GET", 200)[0]._value.get()
    caplog.set_level(logging.INFO, logger="shop.access")
    flask_runs.clear()
    resp = fetch(app, "/", {"X-Request-ID": "feedfacecafebeef0123"})
    assert flask_runs == []
    [line] = [r for r in caplog.records if r.name == "shop.access"]
    assert (line.method, line.path, line.status, line.request_id) == ("GET", "/", 200, "feedfacecafebeef0123")
    assert line.user_id is None and isinstance(line.ms, float)
    assert resp.headers["X-Request-ID"] == "feedfacecafebeef0123"
    assert series("main.home", "GET", 200)[0]._value.get() == before + 1
    assert REQUESTS is not None


def test_it_needs_no_app_context(app, catalog, flask_runs):
    """Gunicorn's threads call the app with no context of any kind."""
    warm(app, "/")
    flask_runs.clear()
    answers = []
    worker = threading.Thread(target=lambda: answers.append(Client(app, use_cookies=False).get("/")))
    worker.start()
    worker.join()
    assert flask_runs == [] and answers[0].status_code == 200 and answers[0].headers["X-Page-Cache"] == "hit"


def test_a_first_visit_gets_no_session_from_the_door(app, catalog, flask_runs):
    warm(app, "/")
    resp = fetch(app, "/")
    cookies = resp.headers.getlist("Set-Cookie")
    assert len(cookies) == 1 and cookies[0].startswith("shop_did=")
    assert 'name="csrf_token" type="hidden" value=""' in resp.get_data(as_text=True) or \
        "csrf_token" not in resp.get_data(as_text=True)
