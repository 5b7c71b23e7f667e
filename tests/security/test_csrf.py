"""CSRF on every state-changing route, read from the URL map: a POST (PUT, PATCH, DELETE) without a token answers
400, signed in or not. The only exempt routes are listed below with their reason; a new exempt route fails here."""
import pytest

from .conftest import WRITE_METHODS, routes

#: endpoint -> why it takes no CSRF token. Anything else that accepts a write without a token fails the test.
CSRF_EXEMPT = {
    "payments.notify": "WeChat Pay's servers post signed payment notifications: no session or form to carry a "
                       "token; the signature, the order and the amount are checked instead",
    "payments.refund_notify": "the same for refund notifications: signed by the gateway, no browser involved",
}


@pytest.fixture
def csrf_on(app, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)


def answers(app, client):
    return [(rule.endpoint, url, client.open(url, method=method, data={"x": "1"}))
            for method, rule, url in routes(app, methods=WRITE_METHODS)]


def check(found):
    refused = [url for endpoint, url, resp in found if endpoint not in CSRF_EXEMPT
               and not (resp.status_code == 400 and "页面已过期" in resp.get_data(as_text=True))]
    assert refused == []
    for endpoint, url, resp in found:
        if endpoint in CSRF_EXEMPT:  # they answer the gateway's way: FAIL, never "done"
            assert resp.status_code >= 400 and resp.get_json()["code"] == "FAIL", url


def test_the_route_map_has_writes(app):
    assert len(routes(app, methods=WRITE_METHODS)) > 60


def test_no_token_is_refused_for_a_stranger(app, client, csrf_on):
    check(answers(app, client))


def test_no_token_is_refused_when_signed_in(app, client, make_user, login, make_staff, monkeypatch):
    from tests.conftest import login_staff

    login(make_user())
    login_staff(client, make_staff())
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    check(answers(app, client))


def test_the_exempt_list_is_exactly_what_the_app_exempts(app):
    from shop.extensions import csrf

    exempt = {rule.endpoint for rule in app.url_map.iter_rules()
              if rule.endpoint != "static" and _view_name(app, rule.endpoint) in csrf._exempt_views}
    assert exempt == set(CSRF_EXEMPT)


def _view_name(app, endpoint):
    view = app.view_functions[endpoint]
    return f"{view.__module__}.{view.__name__}"


def test_a_token_from_the_page_is_accepted(app, client, make_user, csrf_on):
    """The refusal is the token's: the same form with the page's token goes through."""
    import re

    user = make_user()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get("/login").get_data(as_text=True))[1]
    resp = client.post("/login", data={"phone": user.phone, "password": "secret123", "csrf_token": token})
    assert resp.status_code == 302
