"""What a shopper sees of the password rules: a common password refused, the lock-out's message; and the address
book's pick link, which only ever goes back to a page of this site."""
import pytest

from shop.accounts import signin
from shop.errors import ServiceError
from shop.extensions import limiter

PHONE = "13812345678"


def test_a_common_password_is_refused_at_registration(page, screenshot):
    page.goto("/register")
    page.get_by_label("手机号").fill(PHONE)
    page.get_by_label("密码", exact=True).fill("123456")
    page.get_by_label("确认密码").fill("123456")
    page.get_by_role("button", name="注册").click()
    page.get_by_text("这个密码太常见").wait_for()
    screenshot(page, "security-01-common-password")


def test_the_lock_out_says_how_long_and_points_to_the_sms_code(app, page, make_user, screenshot):
    make_user(phone=PHONE, password="right-pass-42")
    was_enabled, limiter.enabled = limiter.enabled, True
    try:
        for n in range(10):
            with app.test_request_context(), pytest.raises(ServiceError):
                signin.log_in(PHONE, f"guess-{n}")
        page.goto("/login")
        page.locator("#pw").get_by_label("手机号").fill(PHONE)
        page.locator("#pw").get_by_label("密码").fill("right-pass-42")
        page.locator("#pw").get_by_role("button", name="登录").click()
        page.get_by_text("密码错误次数过多").wait_for()
        screenshot(page, "security-02-lock-out")
    finally:
        with app.test_request_context():
            signin.lockout.lift(PHONE)
        limiter.enabled = was_enabled


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
