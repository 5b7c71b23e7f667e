"""A visitor with no session yet (a first visit from a share link) is served a cached page without minting a
session: no cookie, empty CSRF token fields. The first submit asks /csrf-token (static/js/shop.js); without
JavaScript the refused post starts the session, and the page carries the visitor's own token from then on."""
import re

import pytest
from itsdangerous import URLSafeTimedSerializer

TOKEN = re.compile(r'id="sku-form"[^>]*>\s*<input type="hidden" name="csrf_token" value="([^"]*)"')


@pytest.fixture
def product(clothes, app, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    return clothes(stock=5)[2]


def cached_page(app, product):
    """A new visitor's answer for the product page, after another visitor's request put it in the cache."""
    app.test_client().get(f"/p/{product.id}")
    client = app.test_client()
    resp = client.get(f"/p/{product.id}")
    assert (resp.status_code, resp.headers["X-Page-Cache"]) == (200, "hit")
    return client, resp


def guest_cart(client):
    with client.session_transaction() as session:
        return session.get("cart", {})


def add(client, product, token=None):
    data = {"sku_id": product.skus[0].id, "quantity": "2"}
    return client.post("/cart/add", data=data | ({"csrf_token": token} if token is not None else {}))


def test_a_first_visit_from_the_cache_starts_no_session(app, product):
    client, resp = cached_page(app, product)
    cookies = resp.headers.getlist("Set-Cookie")
    assert not [c for c in cookies if c.startswith(app.config["SESSION_COOKIE_NAME"] + "=")], cookies
    page = resp.get_data(as_text=True)
    assert TOKEN.search(page).group(1) == "" and "\x00" not in page


def test_the_first_submit_fetches_the_token_and_the_post_goes_through(app, product):
    client, _ = cached_page(app, product)
    answer = client.get("/csrf-token")
    assert answer.headers["Cache-Control"] == "no-store"
    with client.session_transaction() as session:
        raw = session["csrf_token"]
    assert URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").loads(answer.json["token"]) == raw
    assert add(client, product, answer.json["token"]).status_code == 302
    assert guest_cart(client) == {str(product.skus[0].id): [2, True]}


def test_without_javascript_the_refused_post_starts_the_session_for_the_retry(app, product):
    client, _ = cached_page(app, product)
    refused = add(client, product, "")
    assert refused.status_code == 400 and "页面已过期，请刷新后重试" in refused.get_data(as_text=True)
    assert guest_cart(client) == {}
    again = client.get(f"/p/{product.id}")
    token = TOKEN.search(again.get_data(as_text=True)).group(1)
    assert again.headers["X-Page-Cache"] == "hit" and token
    assert add(client, product, token).status_code == 302
    assert guest_cart(client) == {str(product.skus[0].id): [2, True]}


def test_a_visitor_with_a_session_gets_their_own_token_from_the_cache(app, product):
    client, _ = cached_page(app, product)
    client.get("/csrf-token")
    with client.session_transaction() as session:
        raw = session["csrf_token"]
    page = client.get(f"/p/{product.id}").get_data(as_text=True)
    token = TOKEN.search(page).group(1)
    assert URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").loads(token) == raw


def test_another_visitors_token_is_refused(app, product):
    first, _ = cached_page(app, product)
    stranger, _ = cached_page(app, product)
    token = first.get("/csrf-token").json["token"]
    stranger.get("/csrf-token")
    assert add(stranger, product, token).status_code == 400
    assert guest_cart(stranger) == {}
