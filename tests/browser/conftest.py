"""Browser fixtures: the real app served from a thread with CSRF on, and Chromium at phone size; the hooks that
run a journey's steps in order (tests/browser/journey.py).

Without Chromium or Playwright the browser tests skip, except in CI (CI=true), where they must run.
"""
import os

import pytest

from tests.browser.journey import JourneySteps, Phones, assert_no_javascript_errors, serving, steps_of

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SCREENSHOTS = os.path.join(ROOT, "test-artifacts", "screenshots")


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
    with serving(app) as base_url:
        yield base_url


@pytest.fixture
def new_phone(browser, live_server):
    """new_phone(**context_options) -> a tab in a fresh phone-sized context of its own (another person's
    phone: no shared cookies), e.g. new_phone(permissions=["clipboard-read", "clipboard-write"]).
    JavaScript errors on any of them fail the test."""
    phones = Phones(browser, live_server)
    yield phones.open
    phones.close()
    assert_no_javascript_errors(phones.errors)


@pytest.fixture
def page(new_phone):
    """A fresh phone-sized browser tab (own cookies) whose relative URLs go to the live server."""
    return new_phone()


@pytest.fixture
def desk(browser, live_server):
    """A desktop tab at 1280×800 of its own (the merchant admin's size)."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN", base_url=live_server)
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def screenshot():
    """screenshot(page, "01-home") saves test-artifacts/screenshots/01-home.png: what the phone screen shows."""
    os.makedirs(SCREENSHOTS, exist_ok=True)

    def shoot(tab, name):
        path = os.path.join(SCREENSHOTS, f"{name}.png")
        tab.screenshot(path=path)
        return path

    return shoot


# --- journeys: steps run in order; after a failed, skipped or missing step the later ones skip ---------------

PASSED = pytest.StashKey[set]()
STOPPED = pytest.StashKey[str]()


def is_step(item):
    return isinstance(getattr(item, "cls", None), type) and issubclass(item.cls, JourneySteps)


def pytest_runtest_setup(item):
    """A step runs only when every step written before it has passed."""
    if not is_step(item):
        return
    journey = item.parent.stash
    if STOPPED in journey:
        pytest.skip(f"the journey stopped: its step {journey[STOPPED]}")
    steps = steps_of(item.cls)
    missing = [step for step in steps[:steps.index(item.originalname)] if step not in journey.get(PASSED, set())]
    if missing:
        pytest.skip(f"this step needs the steps before it, which did not run: {', '.join(missing)} "
                    f"(run the whole {item.cls.__name__})")


def pytest_runtest_makereport(item, call):
    """Remember which steps passed, and the first that did not (in its setup, call or teardown)."""
    if not is_step(item):
        return
    journey = item.parent.stash
    if call.excinfo is None:
        if call.when == "call":
            journey.setdefault(PASSED, set()).add(item.originalname)
        return
    journey.get(PASSED, set()).discard(item.originalname)
    outcome = "was skipped" if call.excinfo.errisinstance(pytest.skip.Exception) else "failed"
    journey.setdefault(STOPPED, f"{item.name} {outcome}")
