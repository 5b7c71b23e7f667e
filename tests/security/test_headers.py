"""Security headers on every response: framing, sniffing, referrer, the CSP, HSTS in production only, and
no-store on the pages that show one person's data."""
import re

import pytest

from shop.security.headers import is_private

PAGES = ["/", "/login", "/cart", "/category", "/search?q=x", "/no-such-page", "/static/css/shop.css", "/healthz",
         "/me", "/center", "/admin/login"]


@pytest.mark.parametrize("path", PAGES)
def test_every_response_carries_the_headers(client, path):
    resp = client.get(path)
    assert resp.headers["X-Frame-Options"] == "DENY"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    csp = dict(part.strip().split(" ", 1) for part in resp.headers["Content-Security-Policy"].split(";"))
    assert csp["default-src"] == "'self'" and csp["frame-ancestors"] == "'none'"
    assert csp["script-src"] == "'self'" and csp["style-src"] == "'self'" and csp["object-src"] == "'none'"
    assert "'self' data:" in csp["img-src"] and "unsafe" not in resp.headers["Content-Security-Policy"]


def test_a_posted_refusal_and_a_notification_answer_carry_them_too(client):
    assert client.post("/pay/notify/sandbox", data=b"{}").headers["X-Frame-Options"] == "DENY"
    assert client.post("/login", data={"phone": "1", "password": "x"}).headers["X-Content-Type-Options"] == "nosniff"


def test_hsts_only_in_production(app, client, monkeypatch):
    assert "Strict-Transport-Security" not in client.get("/").headers
    monkeypatch.setitem(app.config, "ENV_NAME", "production")
    assert client.get("/").headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


@pytest.mark.parametrize("path, private", [
    ("/me", True), ("/me/addresses", True), ("/center", True), ("/center/team", True), ("/admin", True),
    ("/admin/orders/1", True), ("/", False), ("/media/x.png", False), ("/cart", False), ("/centers", False),
    ("/administrator", False), ("/p/1", False),
])
def test_which_paths_are_private(path, private):
    assert is_private(path) is private


def test_private_pages_are_never_stored(client, make_user, login, make_staff):
    from tests.conftest import login_staff

    login(make_user())
    for path in ("/me", "/me/addresses", "/center", "/admin/login"):
        assert client.get(path).headers["Cache-Control"] == "no-store", path
    login_staff(client, make_staff())
    assert client.get("/admin/").headers["Cache-Control"] == "no-store"
    assert "no-store" not in client.get("/").headers.get("Cache-Control", "")


def nonced_page(app):
    """A page with two nonced tags, rendered in a request of its own, and its headers."""
    from flask import make_response, render_template_string

    from shop.security.headers import add_security_headers

    with app.app_context(), app.test_request_context("/"):  # its own `g`, as a real request has
        page = '<script nonce="{{ csp_nonce() }}">1</script><style nonce="{{ csp_nonce() }}"></style>'
        resp = add_security_headers(make_response(render_template_string(page)))
        return set(re.findall(r'nonce="([^"]+)"', resp.get_data(as_text=True))), resp.headers


def test_a_nonce_is_added_only_when_a_page_asks_for_one(app, client):
    nonces, headers = nonced_page(app)
    assert len(nonces) == 1 and len(next(iter(nonces))) >= 16
    nonce = nonces.pop()
    assert f"script-src 'self' 'nonce-{nonce}';" in headers["Content-Security-Policy"]
    again, _ = nonced_page(app)
    assert again != {nonce}
    assert "nonce-" not in client.get("/").headers["Content-Security-Policy"]


def test_the_image_sources_are_a_setting(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "CSP_IMG_SOURCES", "https://img.example.com")
    assert "img-src 'self' data: https://img.example.com;" in client.get("/").headers["Content-Security-Policy"]


def test_no_template_holds_an_inline_script_style_or_handler():
    """What the CSP refuses: inline <script> without src (JSON data blocks are fine), style= attributes, on*=
    handlers and javascript: URLs."""
    import glob

    wrong = []
    for path in glob.glob("templates/**/*.html", recursive=True):
        html = open(path, encoding="utf-8").read()
        for tag in re.findall(r"<script\b[^>]*>", html):
            if "src=" not in tag and "application/json" not in tag and "csp_nonce()" not in tag:
                wrong.append((path, tag))
        wrong += [(path, m) for m in re.findall(r"""\s(?:style|on[a-z]+)=["']|javascript:""", html)]
    assert wrong == []


def test_a_header_the_view_set_is_kept(app):
    from flask import make_response

    from shop.security.headers import add_security_headers

    with app.test_request_context("/center/x"):
        resp = make_response("x")
        resp.headers["Cache-Control"], resp.headers["X-Frame-Options"] = "private, max-age=300", "SAMEORIGIN"
        headers = add_security_headers(resp).headers
    assert headers.getlist("Cache-Control") == ["private, max-age=300"]
    assert headers.getlist("X-Frame-Options") == ["SAMEORIGIN"]
    assert headers.getlist("X-Content-Type-Options") == ["nosniff"]
