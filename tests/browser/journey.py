"""A journey told in named steps, and what browser tests share: phones, the live server, page helpers.

A journey is a test class deriving from `JourneySteps`. Its test methods are the steps, run in the order
they are written; they share one live server, the phones opened on the way and one database (emptied after
the last step), through the class-scoped `journey` fixture. So a failure names its step, and the steps after
a failed (or deselected) one are skipped, saying which step they waited for (see tests/browser/conftest.py).
"""
import re
import threading
from contextlib import contextmanager

import pytest
from werkzeug.serving import make_server

from shop.extensions import db as _db
from tests.conftest import empty_tables
from tests.payments.user_agents import ANDROID_CHROME

VIEWPORT = {"width": 375, "height": 812}
#: A phone's browser (not WeChat's): /pay answers it with H5, which the sandbox serves as its cashier page.
#: Pass user_agent=user_agents.WECHAT_ANDROID to open() for a journey inside WeChat (JSAPI, 网页授权 first).
PHONE = ANDROID_CHROME


@contextmanager
def serving(app):
    """The app served on a free port from a thread, with CSRF protection switched on; yields its base URL."""
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


class Phones:
    """Phone-sized browser tabs whose relative URLs go to base_url. Each is a browser context of its own
    (another person's phone: no shared cookies); JavaScript errors on any of them are kept in `errors`."""

    def __init__(self, browser, base_url):
        self.browser, self.base_url = browser, base_url
        self.contexts, self.errors = [], []

    def open(self, **options):
        """A new phone, e.g. open(permissions=["clipboard-read", "clipboard-write"])."""
        options.setdefault("user_agent", PHONE)
        context = self.browser.new_context(viewport=VIEWPORT, device_scale_factor=2, is_mobile=True, has_touch=True,
                                           locale="zh-CN", base_url=self.base_url, **options)
        context.set_default_timeout(15_000)
        self.contexts.append(context)
        tab = context.new_page()
        tab.on("pageerror", lambda exc: self.errors.append(f"{tab.url}: {exc}"))
        return tab

    def close(self):
        for context in self.contexts:
            context.close()
        self.contexts.clear()


def assert_no_javascript_errors(errors):
    assert not errors, f"JavaScript errors on the page: {errors}"


class Journey(Phones):
    """What the steps of one journey share: the live server, the phones opened on the way (`open`), and what
    the steps learnt (ids, links, order numbers), kept as attributes by the step that learnt them."""


class JourneySteps:
    """Base of a journey class: its test methods are steps run in order on one shared `journey`."""

    @pytest.fixture(scope="class")
    def journey(self, app, browser):
        with serving(app) as base_url:
            journey = Journey(browser, base_url)
            try:
                yield journey
            finally:
                journey.close()
        empty_tables(app)

    @pytest.fixture
    def db(self, app, journey):
        """Each step runs in an app context of its own, but keeps what the steps before it stored: the tables
        are emptied once, after the last step (by `journey`)."""
        with app.app_context():
            yield _db
            _db.session.remove()

    @pytest.fixture(autouse=True)
    def no_javascript_errors(self, journey):
        """A JavaScript error on any phone fails the step during which it happened."""
        seen = len(journey.errors)
        yield
        assert_no_javascript_errors(journey.errors[seen:])


def steps_of(cls):
    """The step names of a journey class, in the order they are written."""
    return [name for name in vars(cls) if name.startswith("test")]


# --- page helpers ------------------------------------------------------------------------------------------

def expect_text(page, text, scope=None):
    """The text is on screen (visible, not just somewhere in the HTML), within the `scope` selector if given."""
    (page.locator(scope) if scope else page).get_by_text(text, exact=False).first.wait_for(state="visible")


def arrive(page, path):
    """Wait until the browser is at path (a regex over path and query string)."""
    page.wait_for_url(re.compile(r"^https?://[^/]+" + path + "$"))


def sums(page, scope):
    """The <dl class="sums"> of a page section as {label: text}, white space collapsed."""
    dl = page.locator(scope).locator("dl.sums").first
    labels = [t.strip() for t in dl.locator("dt").all_inner_texts()]
    values = [" ".join(t.split()) for t in dl.locator("dd").all_inner_texts()]
    return dict(zip(labels, values))


def fill_address(page, recipient, phone, detail):
    """Fill the address form with an address in 浙江省 杭州市 西湖区."""
    page.get_by_label("收货人").fill(recipient)
    page.get_by_label("手机号").fill(phone)
    page.get_by_label("省", exact=True).fill("浙江省")
    page.get_by_label("市", exact=True).fill("杭州市")
    page.get_by_label("区/县").fill("西湖区")
    page.get_by_label("详细地址").fill(detail)
