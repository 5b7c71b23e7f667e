"""Open redirects: every `next=` goes through shop/urls.py safe_next_url, which keeps the browser on this site.
A table of known bypasses, against the helper and end to end (the Location header of each view taking `next`)."""
from urllib.parse import urlsplit

import pytest

from shop.urls import safe_next_url
from tests.conftest import login_staff

BYPASSES = [
    "//evil.example", "///evil.example", "/\\evil.example", "\\\\evil.example", "\\/evil.example",
    "/\t/evil.example", "/%09/evil.example", "/%09%09/evil.example", "/\n/evil.example", "/%0a/evil.example",
    "/\r\n/evil.example", "/%0d%0aSet-Cookie:%20x=1", "/%2F%2Fevil.example", "/%2f/evil.example",
    "%2F%2Fevil.example", "/%5Cevil.example", "/%5C%5Cevil.example", "/%255C%255Cevil.example",
    "/%252F%252Fevil.example", "/%25252F%25252Fevil.example", "/%2525252F%2525252Fevil.example",
    "https://evil.example", "http:/evil.example", "HTTPS://evil.example/", "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>", " /me", "\t/me", "\n/me", "evil.example", "me",
    "/%00", "/\x00evil", "/\x7fevil", "/ /evil.example\n", "",
]
LOCAL = ["/", "/me", "/cart?x=1", "/search?q=%E4%B8%AD%E6%96%87", "/p/1?ref=abc#top", "/search?q=a%26b"]


@pytest.mark.parametrize("target", BYPASSES)
def test_the_helper_refuses_a_bypass(target):
    assert safe_next_url(target, "/home") == "/home"


@pytest.mark.parametrize("target", LOCAL)
def test_the_helper_keeps_a_local_path_as_given(target):
    assert safe_next_url(target, "/home") == target


@pytest.mark.parametrize("target, allowed", [("/admin", True), ("/admin/products?shelf=on", True),
                                             ("/administrator", False), ("/me", False), ("//admin", False)])
def test_the_admin_prefix_keeps_to_the_admin(target, allowed):
    assert (safe_next_url(target, "/admin/", prefix="/admin") == target) is allowed


def local(resp):
    """The answer's Location is a path on this site."""
    assert resp.status_code in (302, 303), resp.status_code
    location = resp.headers["Location"]
    parts = urlsplit(location)
    assert location.startswith("/") and not location.startswith(("//", "/\\")), location
    assert not parts.netloc and not parts.scheme and "\\" not in location and "evil" not in location, location
    return location


@pytest.mark.parametrize("target", BYPASSES)
def test_login_never_sends_the_member_off_site(client, make_user, target):
    user = make_user()
    resp = client.post("/login", query_string={"next": target}, data={"phone": user.phone, "password": "secret123"})
    assert local(resp) == "/"


@pytest.mark.parametrize("target", BYPASSES)
def test_the_language_switch_never_sends_off_site(client, target):
    assert local(client.get("/lang/en", query_string={"next": target})) == "/"


@pytest.mark.parametrize("target", BYPASSES)
def test_the_admin_login_never_sends_off_site(client, make_staff, target):
    staff = make_staff()
    resp = client.post("/admin/login", data={"login": staff.login, "password": "secret123", "next": target})
    assert local(resp) == "/admin/"


@pytest.mark.parametrize("target", ["//evil.example", "/%09/evil.example", "/\n/evil.example", "/%5Cevil"])
def test_the_shelf_toggle_never_sends_off_site(client, make_staff, make_product, target):
    login_staff(client, make_staff())
    product = make_product()
    resp = client.post(f"/admin/products/{product.id}/shelf", data={"on_shelf": "0", "next": target})
    assert local(resp) == "/admin/products"


@pytest.mark.parametrize("target", ["//evil.example", "/%09/evil.example", "/\n/evil.example", "/%5Cevil"])
def test_address_editing_never_sends_off_site(client, login, make_user, make_address, target):
    user = make_user()
    address = make_address(user)
    login(user)
    data = {"recipient": "李四", "phone": "13900001111", "province": "浙江省", "city": "杭州市", "district": "西湖区",
            "detail": "文二路 2 号"}
    resp = client.post(f"/me/addresses/{address.id}/edit", query_string={"next": target}, data=data)
    assert local(resp) == "/me/addresses"
    assert local(client.post(f"/me/addresses/{address.id}/default", data={"next": target})) == "/me/addresses"


@pytest.mark.parametrize("target", ["//evil.example", "/%09/evil.example", "/\\evil.example", "https://evil.example"])
def test_the_address_pick_link_stays_on_site(client, login, make_user, make_address, target):
    user = make_user()
    make_address(user)
    login(user)
    html = client.get("/me/addresses", query_string={"pick": "1", "next": target}).get_data(as_text=True)
    assert 'class="address-main" href' not in html and 'class="back" href="/me"' in html


def test_the_address_pick_link_goes_back_to_checkout(client, login, make_user, make_address):
    user = make_user()
    address = make_address(user)
    login(user)
    html = client.get("/me/addresses", query_string={"pick": "1", "next": "/checkout?sku=3"}).get_data(as_text=True)
    assert f'href="/checkout?sku=3&amp;address={address.id}"' in html


@pytest.mark.parametrize("path", ["/login", "/register", "/lang/en", "/admin/login", "/me/addresses", "/wechat/auth"])
def test_a_newline_in_next_never_answers_500(client, login, make_user, path):
    login(make_user())
    for target in ("/\n/evil.example", "/%0d%0a", "\r\n", "/x\x00"):
        assert client.get(path, query_string={"next": target}).status_code < 500
