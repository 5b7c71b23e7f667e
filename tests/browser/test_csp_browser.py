"""The Content-Security-Policy in Chromium: a representative set of pages (storefront, cart, checkout, 我的, the
distributor center and its sections, the admin dashboard with its charts, an admin list and an admin form) is
opened under the real headers, and not one console error or warning and not one `securitypolicyviolation` event
may happen. Screenshots: test-artifacts/screenshots/csp-*.png."""
import re

import pytest

from tests.browser.test_aftersales_browser import log_in, log_in_staff

#: Collects the page's CSP violations; Playwright runs it before any script of the page, outside its policy.
LISTEN = """window.__csp = [];
document.addEventListener("securitypolicyviolation", e =>
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + (e.sample || "")));"""


class Watched:
    """A tab whose console errors and warnings and CSP violations are kept, page by page."""

    def __init__(self, tab, screenshot, prefix):
        self.tab, self.screenshot, self.prefix, self.problems = tab, screenshot, prefix, []
        tab.add_init_script(LISTEN)
        tab.on("console", lambda msg: msg.type in ("error", "warning") and self.problems.append(
            f"{tab.url}: console {msg.type}: {msg.text}"))
        tab.on("pageerror", lambda exc: self.problems.append(f"{tab.url}: {exc}"))

    def visit(self, path, shot=None):
        resp = self.tab.goto(path)
        assert resp.status == 200, (path, resp.status)
        assert "script-src 'self'" in resp.headers["content-security-policy"]
        self.tab.wait_for_load_state("load")
        self.tab.wait_for_timeout(150)  # a deferred script's work, and a late violation report
        self.problems += [f"{path}: {v}" for v in self.tab.evaluate("window.__csp")]
        if shot:
            self.screenshot(self.tab, f"csp-{self.prefix}-{shot}")


@pytest.fixture
def store(db, shop, paid_order, make_address, make_distributor):
    """The commission shop with one paid order (B earned from it); B is the signed-in shopper, with an address and
    the product in the cart."""
    from shop.assist.models import AssistProduct
    from shop.assist.services import start
    from shop.cart.services import add_to_cart
    from shop.distribution.models import Commission

    order = paid_order()
    make_address(shop.b)
    add_to_cart(shop.b, shop.sku_id, 1)
    db.session.add(AssistProduct(product_id=shop.product.id, helps_needed=2, hours=24, enabled=True))
    db.session.commit()
    campaign = start(shop.b, shop.product.id)
    commission = db.session.query(Commission).filter_by(beneficiary_id=shop.b.id).first()
    return {"product": shop.product.id, "order": order.order_no, "commission": commission.id, "phone": shop.b.phone,
            "campaign": campaign.id}


def width_of(tab, selector):
    """The widest match's rendered width in CSS pixels."""
    return max(tab.locator(selector).evaluate_all("els => els.map(e => e.getBoundingClientRect().width)"))


SHOP_PAGES = [("/", "home"), ("/p/{product}", "product"), ("/category", None), ("/search?q=好物", None),
              ("/cart", "cart"), ("/checkout", "checkout"), ("/me", "me"), ("/me/addresses", None),
              ("/orders", None), ("/coupons", None), ("/flash", None),
              ("/assist/{campaign}", "assist")]
CENTER_PAGES = [("/center", "center"), ("/center/commissions", None), ("/center/commissions/{commission}", None),
                ("/center/orders", None), ("/center/orders/{order}", None), ("/center/team", "team"),
                ("/center/invite", "invite"), ("/center/withdraw", None), ("/center/ranking", None),
                ("/center/funnel", "funnel"), ("/center/materials", None)]


def test_shop_and_center_pages_pass_the_policy(page, store, screenshot):
    watched = Watched(page, screenshot, "phone")
    log_in(page, store["phone"], "/me")
    for path, shot in SHOP_PAGES + CENTER_PAGES:
        watched.visit(path.format(**store), shot)
    page.goto("/assist/{campaign}".format(**store))  # the countdown is static/js/assist.js's
    page.wait_for_function("/^\\d+:\\d\\d:\\d\\d$/.test(document.getElementById('assist-countdown').textContent)")
    page.goto("/center/funnel")
    assert width_of(page, ".funnel-bar i") == width_of(page, ".funnel-bar")  # the top stage fills its bar
    page.goto("/")
    page.goto("/p/{product}".format(**store))
    page.locator("a.back[data-back]").click()  # the back link, a script now (javascript: URLs are refused)
    page.wait_for_url(re.compile(r"/$"))
    assert watched.problems == []


def test_admin_pages_pass_the_policy_and_the_charts_draw(desk, store, make_staff, screenshot, db):
    from shop.reports.rollups import build_rollups

    build_rollups()
    db.session.commit()
    owner = make_staff(display_name="店长")
    watched = Watched(desk, screenshot, "admin")
    log_in_staff(desk, owner.login, "/admin/")
    watched.visit("/admin/?period=7d", "dashboard")
    assert desk.locator("svg.chart").count() >= 1 and desk.locator("svg.chart rect, svg.chart path").count() > 0
    assert width_of(desk, ".rank-bar") > 0  # widths.css sizes the bars the CSP no longer lets style= size
    for path, shot in [("/admin/orders", "orders"), ("/admin/products/{product}/edit", "product-form"),
                       ("/admin/settings", None), ("/admin/members", None), ("/admin/distribution/rules", None),
                       ("/admin/staff/new", None), ("/admin/withdrawals", None)]:
        watched.visit(path.format(**store), shot)
    assert watched.problems == []


def test_the_watch_sees_a_violation(page, store, screenshot):
    """The listener works: an inline style added by hand is refused by the policy and reported."""
    watched = Watched(page, screenshot, "self-check")
    watched.visit("/")
    page.evaluate("""document.body.insertAdjacentHTML("beforeend", '<div style="color: red">x</div>')""")
    page.wait_for_timeout(200)
    assert any("style-src" in v for v in page.evaluate("window.__csp"))
