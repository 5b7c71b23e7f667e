"""A first-time visitor on a product page served from the cache (no session, empty token fields): the first
submit fetches the token and goes through, with the button that was pressed (加入购物车, and 立即购买 with its own
formaction). Screenshots: test-artifacts/screenshots/first-visit-*.png."""
import re

import pytest


@pytest.fixture
def cached_product(app, make_product, live_server):
    """The product page's URL, put in the cache by another visitor (no browser)."""
    product = make_product("纯棉T恤", skus=[(5900, 5, ["白", "M"])])
    path = f"/p/{product.id}"
    assert app.test_client().get(path).status_code == 200
    return path


def open_cached(new_phone, path, screenshot, shot):
    tab = new_phone()
    resp = tab.goto(path)
    assert resp.headers.get("x-page-cache") == "hit"
    assert tab.locator("#sku-form input[name=csrf_token]").input_value() == ""
    assert not [c for c in tab.context.cookies() if c["name"] == "session"]
    screenshot(tab, shot)
    return tab


def test_add_to_cart_on_a_first_visit(new_phone, cached_product, screenshot):
    tab = open_cached(new_phone, cached_product, screenshot, "first-visit-product")
    tab.locator(".sku-chip", has_text="白 / M").click()
    tab.get_by_role("button", name="加入购物车").click()
    tab.wait_for_url(re.compile(r"/cart$"))
    assert "已加入购物车" in tab.content() and "纯棉T恤" in tab.content()
    screenshot(tab, "first-visit-cart")


def test_buy_now_keeps_its_own_action_on_a_first_visit(new_phone, cached_product, screenshot):
    tab = open_cached(new_phone, cached_product, screenshot, "first-visit-product-buy")
    tab.locator(".sku-chip", has_text="白 / M").click()
    tab.get_by_role("button", name="立即购买").click()
    tab.wait_for_url(re.compile(r"/(checkout|login)"))
    assert "/cart" not in tab.url and "页面已过期" not in tab.content()


def test_a_first_visit_answered_at_the_front_door_renders(app, new_phone, cached_product, screenshot):
    """The page comes from the page cache's front door (Flask never sees its request: only the static files' go
    through Flask), compressed as the browser asked, and renders with no console error or CSP violation."""
    from flask import request, request_started

    seen = []

    def note(sender, **extra):
        seen.append(request.path)

    request_started.connect(note, app)
    try:
        tab = new_phone()
        resp = tab.goto(cached_product)
        tab.wait_for_load_state("networkidle")
    finally:
        request_started.disconnect(note, app)
    assert resp.status == 200 and resp.headers.get("x-page-cache") == "hit"
    assert resp.headers.get("content-encoding") in ("br", "gzip")
    assert cached_product not in seen and any(path.startswith("/static/") for path in seen)
    assert tab.locator("h1, .product-title").first.is_visible()
    screenshot(tab, "front-door-product")
