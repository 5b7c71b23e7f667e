"""What a shopper sees of the password rules: a common password refused, the lock-out's message; and the address
book's pick link, which only ever goes back to a page of this site."""
import pytest

from shop import create_app
from shop.accounts import signin
from shop.errors import ServiceError
from shop.extensions import limiter
from tests.browser.journey import serving
from tests.conftest import make_test_config

PHONE = "13812345678"


def test_a_common_password_is_refused_at_registration(page, screenshot):
    page.goto("/register")
    page.get_by_label("手机号").fill(PHONE)
    page.get_by_label("密码", exact=True).fill("123456")
    page.get_by_label("确认密码").fill("123456")
    page.get_by_role("button", name="注册").click()
    page.get_by_text("这个密码太常见").wait_for()
    screenshot(page, "security-01-common-password")


@pytest.fixture
def limited_app(instance_dir):
    """Another app on the same database with rate limits on (the shared test app has them off)."""
    was_enabled = limiter.enabled
    app = create_app(make_test_config(instance_dir, RATELIMIT_ENABLED=True))
    limiter.reset()
    yield app
    limiter.reset()
    limiter.enabled = was_enabled  # the limiter instance is shared by every app in this process


def test_the_lock_out_says_how_long_and_points_to_the_sms_code(browser, limited_app, make_user, screenshot):
    make_user(phone=PHONE, password="right-pass-42")
    for n in range(10):
        with limited_app.test_request_context(), pytest.raises(ServiceError):
            signin.log_in(PHONE, f"guess-{n}")
    with serving(limited_app) as base_url:
        context = browser.new_context(viewport={"width": 375, "height": 812}, locale="zh-CN", base_url=base_url)
        page = context.new_page()
        page.goto("/login")
        page.locator("#pw").get_by_label("手机号").fill(PHONE)
        page.locator("#pw").get_by_label("密码").fill("right-pass-42")
        page.locator("#pw").get_by_role("button", name="登录").click()
        page.get_by_text("密码错误次数过多").wait_for()
        screenshot(page, "security-02-lock-out")
        context.close()


def test_the_address_pick_link_goes_back_to_checkout_only(page, make_user, make_address, screenshot):
    user = make_user(phone=PHONE)
    address = make_address(user)
    page.goto("/login")
    page.locator("#pw").get_by_label("手机号").fill(PHONE)
    page.locator("#pw").get_by_label("密码").fill("secret123")
    page.locator("#pw").get_by_role("button", name="登录").click()
    page.wait_for_url("**/")
    page.goto("/me/addresses?pick=1&next=/checkout%3Fsku_id%3D1")
    assert page.locator("a.address-main").get_attribute("href") == f"/checkout?sku_id=1&address={address.id}"
    screenshot(page, "security-03-address-pick")
    page.goto("/me/addresses?pick=1&next=/%09/evil.example")
    assert page.locator("a.address-main").count() == 0
    assert page.locator("a.back").get_attribute("href") == "/me"
