"""Browser fixtures: the real app served from a thread with CSRF on, and Chromium at phone size.

Without Chromium or Playwright the browser tests skip, except in CI (CI=true), where they must run.
"""
import os
import threading

import pytest
from werkzeug.serving import make_server

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SCREENSHOTS = os.path.join(ROOT, "test-artifacts", "screenshots")
VIEWPORT = {"width": 375, "height": 812}


def in_ci():
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def unavailable(reason):
    """Skip on a developer machine; in CI a missing browser is a failure, never a silent skip."""
    if in_ci():
        pytest.fail(f"{reason}; CI is set, so the browser tests must run", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    """One Chromium for the session."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("playwright is not installed (pip install -r requirements-dev.txt)")
    if not os.path.exists(CHROMIUM):
        unavailable(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def live_server(app, db):
    """The test app served on a free port from a thread, with CSRF protection switched on."""
    csrf_before = app.config["WTF_CSRF_ENABLED"]
    app.config["WTF_CSRF_ENABLED"] = True
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        app.config["WTF_CSRF_ENABLED"] = csrf_before


def phone_context(browser, base_url, **options):
    """A phone-sized browser context (own cookies, like its own phone) whose relative URLs go to base_url."""
    context = browser.new_context(viewport=VIEWPORT, device_scale_factor=2, is_mobile=True, has_touch=True,
                                  locale="zh-CN", base_url=base_url, **options)
    context.set_default_timeout(15_000)
    return context


@pytest.fixture
def page(browser, live_server):
    """A fresh phone-sized browser tab (own cookies) whose relative URLs go to the live server."""
    context = phone_context(browser, live_server)
    tab = context.new_page()
    errors = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    yield tab
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture
def new_phone(browser, live_server):
    """new_phone(**context_options) -> a tab in a fresh phone-sized context of its own (another person's
    phone: no shared cookies), e.g. new_phone(permissions=["clipboard-read", "clipboard-write"]).
    JavaScript errors on any of them fail the test."""
    contexts, errors = [], []

    def open_phone(**options):
        context = phone_context(browser, live_server, **options)
        contexts.append(context)
        tab = context.new_page()
        tab.on("pageerror", lambda exc: errors.append(f"{tab.url}: {exc}"))
        return tab

    yield open_phone
    for context in contexts:
        context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture
def screenshot():
    """screenshot(page, "01-home") saves test-artifacts/screenshots/01-home.png: what the phone screen shows."""
    os.makedirs(SCREENSHOTS, exist_ok=True)

    def shoot(tab, name):
        path = os.path.join(SCREENSHOTS, f"{name}.png")
        tab.screenshot(path=path)
        return path

    return shoot
