"""Where a signed-out visitor is sent to log in, and back afterwards: the page for a GET; for a form posted while
signed out, the page it was posted from (the form's `next`, else the Referer on this site, else home), never the
form's own address (it only takes a POST) and never another site."""
from urllib.parse import parse_qs, urlsplit

import pytest


def back_to(resp):
    assert resp.status_code == 302
    location = urlsplit(resp.headers["Location"])
    assert location.path == "/login"
    return parse_qs(location.query)["next"][0]


@pytest.fixture
def template_id(db):
    from shop.coupons.models import CouponTemplate

    template = CouponTemplate(name="立减券", kind="fixed", amount_fen=1000, threshold_fen=0, scope="all",
                              scope_ids=[], validity="days", valid_days=7, total=100, per_member=1, obtain="claim",
                              enabled=True)
    db.session.add(template)
    db.session.commit()
    return template.id


def test_a_get_comes_back_to_its_page(client):
    assert back_to(client.get("/me/addresses?pick=1")) == "/me/addresses?pick=1"
    assert back_to(client.get("/me")) == "/me"


def test_a_form_posted_signed_out_comes_back_to_its_page(client, template_id):
    assert back_to(client.post(f"/coupons/{template_id}/claim", data={"next": "/p/7"})) == "/p/7"
    from_referrer = client.post(f"/coupons/{template_id}/claim", headers={"Referer": "http://localhost/p/8?x=1"})
    assert back_to(from_referrer) == "/p/8?x=1"


@pytest.mark.parametrize("sent", [{"data": {"next": "//evil.example/x"}},
                                  {"headers": {"Referer": "https://evil.example/p/1"}},
                                  {"data": {"next": "/%09/evil.example"}}])
def test_another_site_is_never_where_it_comes_back(client, template_id, sent):
    assert back_to(client.post(f"/coupons/{template_id}/claim", **sent)) == "/"


def test_after_logging_in_the_member_is_on_that_page(client, make_user, template_id):
    user = make_user()
    back = back_to(client.post(f"/coupons/{template_id}/claim", data={"next": "/p/7"}))
    resp = client.post(f"/login?next={back}", data={"phone": user.phone, "password": "secret123"})
    assert resp.status_code == 302 and resp.headers["Location"] == "/p/7"
