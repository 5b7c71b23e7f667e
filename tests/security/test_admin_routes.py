"""Admin roles hold on every /admin route of the URL map: each role is allowed or refused as
shop/admin/permissions.py says, a shopper (a distributor, even one with the old is_admin flag) opens none, and a
route whose area has no row of its own in the table fails here (it would fall to the owner-only default unseen)."""
import pytest

from shop.admin.permissions import PERMISSIONS, key_of, may
from tests.admin.test_roles import EXPECTED, ROLE_LETTERS, outcome
from tests.conftest import login_staff

from .conftest import routes

PUBLIC = {"admin.login", "admin.logout"}


def admin_routes(app):
    """Every rule under /admin, by its URL (not its endpoint's name), but the login and logout."""
    return [(m, rule, url) for m, rule, url in routes(app) if rule.rule.startswith("/admin")
            and rule.endpoint not in PUBLIC]


def test_every_admin_route_has_a_row_of_its_own(app):
    missing = set()
    for _, rule, _ in admin_routes(app):
        endpoint_key, area = key_of(rule.endpoint)
        assert rule.endpoint.startswith("admin."), rule.rule
        if endpoint_key not in PERMISSIONS and area not in PERMISSIONS:
            missing.add(rule.endpoint)
        if endpoint_key not in EXPECTED and area not in EXPECTED:
            missing.add(rule.endpoint)
    assert missing == set()


@pytest.mark.parametrize("role", sorted(ROLE_LETTERS.values()))
def test_each_role_is_allowed_or_refused_as_the_table_says(app, client, make_staff, role):
    login_staff(client, make_staff(role=role))
    wrong = []
    for method, rule, url in admin_routes(app):
        want = "allowed" if may(role, rule.endpoint, method) else "forbidden"
        got = outcome(client.open(url, method=method, data={}))
        if got != want:
            wrong.append((method, url, got))
    assert wrong == []


def test_a_shopper_never_opens_the_admin(app, client, make_distributor, login):
    login(make_distributor(is_admin=True).user)
    wrong = [(m, url) for m, _, url in admin_routes(app) if outcome(client.open(url, method=m, data={})) != "login"]
    assert len(admin_routes(app)) > 50 and wrong == []
