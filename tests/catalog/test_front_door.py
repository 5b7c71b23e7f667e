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
    {"Accept-Encoding": "*"},
    {"Accept-Encoding": "identity;q=0"},
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


@pytest.fixture
def behind_nginx(app, instance_dir):
    """Another host's app (create_app with HOST_NAME and one proxy hop), on the test database; Flask-Limiter's
    process-wide instance goes back to the test app afterwards (as tests/ops/conftest.py `host` does)."""
    from shop import create_app
    from shop.extensions import limiter
    from tests.conftest import make_test_config

    yield create_app(make_test_config(instance_dir, HOST_NAME="app-2", PROXY_HOPS=1))
    limiter.init_app(app)


def test_behind_nginx_both_paths_agree(behind_nginx, catalog, caplog):
    """X-Served-By and the shopper's address through ProxyFix (which wraps the door): the same on both paths."""
    other = behind_nginx
    sent = {"Accept-Encoding": "gzip", "X-Forwarded-For": "1.2.3.4, 203.0.113.9"}
    warm(other, "/")
    caplog.set_level(logging.INFO, logger="shop.access")
    at_the_door = other.test_client(use_cookies=False).get("/", headers=sent, environ_base={"REMOTE_ADDR": "127.0.0.1"})
    other.extensions["shop_front_door"].enabled = False
    from_flask = other.test_client(use_cookies=False).get("/", headers=sent, environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert at_the_door.headers["X-Served-By"] == from_flask.headers["X-Served-By"] == "app-2"
    assert normalized(at_the_door, sent) == normalized(from_flask, sent)
    assert [r.ip for r in caplog.records if r.name == "shop.access"] == ["203.0.113.9", "203.0.113.9"]


def test_in_production_both_paths_send_hsts(app, catalog, front, monkeypatch):
    monkeypatch.setitem(app.config, "ENV_NAME", "production")
    warm(app, "/")
    at_the_door = fetch(app, "/")
    front.enabled = False
    from_flask = fetch(app, "/")
    assert at_the_door.headers["Strict-Transport-Security"] == from_flask.headers["Strict-Transport-Security"]
    assert normalized(at_the_door, {}) == normalized(from_flask, {})


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


def test_pages_are_stored_as_older_releases_read_them(app, catalog):
    """During a rolling deploy old and new hosts share Redis: an entry is still "<stored at>\\n<page>"."""
    from shop.caching.store import get_store

    warm(app, "/")
    store = get_store(app)
    with store.lock:
        entries = list(store.local.values())
    assert entries and all(float(entry.split(b"\n", 1)[0]) > 0 for entry in entries)


def test_other_urls_cost_no_cache_lookup(app, catalog, front, flask_runs, monkeypatch):
    """A static file, /healthz, an unknown path, a member's page: sent to Flask before the door reads the generation
    or the store (with Redis, two round trips each)."""
    looked = []
    real = front.cached
    monkeypatch.setattr(front, "cached", lambda request: looked.append(request.path) or real(request))
    for path in ("/static/css/shop.css", "/healthz", "/no-such-page", "/center"):
        fetch(app, path)
    fetch(app, "/")
    assert looked == ["/"] and len(flask_runs) == 5


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


def test_it_needs_no_app_context(app, catalog, front, flask_runs):
    """Gunicorn's threads call the app with no context of any kind: the door's answer made there is Flask's."""
    sent = {"Accept-Encoding": "br", "X-Request-ID": "5e1f0c3a9b2d4e6f8a7b6c5d4e3f2a1b"}
    warm(app, "/")
    flask_runs.clear()
    answers = []
    worker = threading.Thread(target=lambda: answers.append(Client(app, use_cookies=False).get("/", headers=sent)))
    worker.start()
    worker.join()
    assert flask_runs == [] and answers[0].status_code == 200 and answers[0].headers["X-Page-Cache"] == "hit"
    front.enabled = False
    assert normalized(answers[0], sent) == normalized(fetch(app, "/", sent), sent)


def test_a_first_visit_gets_no_session_from_the_door(app, catalog, flask_runs):
    warm(app, "/")
    resp = fetch(app, "/")
    cookies = resp.headers.getlist("Set-Cookie")
    assert len(cookies) == 1 and cookies[0].startswith("shop_did=")
    assert 'name="csrf_token" type="hidden" value=""' in resp.get_data(as_text=True) or \
        "csrf_token" not in resp.get_data(as_text=True)


def test_a_cookie_named_like_the_session_goes_to_flask_and_another_stays_at_the_door(app, catalog, flask_runs):
    """The door tells a member's browser from the raw Cookie header before parsing it (front.py `maybe_member`): a
    name that only contains the session's goes to Flask, which answers the shared page all the same."""
    warm(app, "/")
    flask_runs.clear()
    looks_like = fetch(app, "/", {"Cookie": "xsession=1; shop_did=" + "ab12" * 8})
    assert flask_runs == [1] and looks_like.status_code == 200 and looks_like.headers["X-Page-Cache"] == "hit"
    other = fetch(app, "/", {"Cookie": "other=1; shop_did=" + "ab12" * 8})
    assert flask_runs == [1] and other.status_code == 200 and other.get_data() == looks_like.get_data()
