"""A GET never writes: every page without URL arguments, opened by a merchant who is also a distributor with a
team, an order and a commission, sends only reads to the database. (Following an invite link is the one GET
that may bind a member: docs/architecture.md.)"""
import re

import pytest

from shop import create_app
from shop.sql import count_statements
from tests.conftest import login_staff

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|CREATE|DROP|ALTER)\b", re.IGNORECASE)
#: Not pages: files.
SKIPPED = ("static", "main.media")


def get_pages():
    """Endpoints and paths of every GET route that takes no URL argument."""
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    return sorted((rule.endpoint, rule.rule) for rule in app.url_map.iter_rules()
                  if "GET" in rule.methods and not rule.arguments and rule.endpoint not in SKIPPED)


@pytest.fixture
def busy_member(db, client, login, paid_order, shop, make_staff):
    """The shop's distributor A logged in, and in the same browser the merchant (a staff owner); B and the buyer
    below A, one paid order."""
    paid_order()
    login(shop.a)
    login_staff(client, make_staff())
    return shop.a


@pytest.mark.parametrize("endpoint,path", get_pages())
def test_a_get_page_sends_no_write(client, db, busy_member, endpoint, path):
    db.session.rollback()
    with count_statements() as statements:
        status = client.get(path).status_code
    writes = [s.split("\n")[0] for s in statements.statements if WRITE.match(s)]
    assert status < 500 and len(statements) > 0 and writes == []
