"""A GET never writes: every page without URL arguments, opened by a merchant who is also a distributor with a
team, an order and a commission, sends only reads to the database. (Following an invite link is the one GET
that may bind a member: docs/architecture.md.)"""
import re

import pytest

from shop import create_app
from shop.sql import count_statements

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|CREATE|DROP|ALTER)\b", re.IGNORECASE)
#: Not pages: files.
SKIPPED = ("static", "main.media")
#: The GETs that write on purpose (docs/architecture.md), each with its own test of exactly what it writes. Following
#: an invite link (/i/<code>, or ?ref=<code> on any page) binds a logged-in member (tests/distribution/
#: test_binding.py) and counts one visit for the invite funnel: one upsert into visit_counters and nothing else
#: (tests/growth/test_funnel.py::test_a_visit_is_one_upsert_and_nothing_else). They need a code in the URL, so
#: the pages below never include them; the test after them keeps it so.
WRITING_GETS = ("distribution.invite",)


def get_pages():
    """Endpoints and paths of every GET route that takes no URL argument."""
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    return sorted((rule.endpoint, rule.rule) for rule in app.url_map.iter_rules()
                  if "GET" in rule.methods and not rule.arguments and rule.endpoint not in SKIPPED)


@pytest.fixture
def busy_member(db, login, paid_order, shop):
    """The shop's distributor A, also the merchant, logged in; B and the buyer below A, one paid order."""
    paid_order()
    shop.a.is_admin = True
    db.session.commit()
    login(shop.a)
    return shop.a


@pytest.mark.parametrize("endpoint,path", get_pages())
def test_a_get_page_sends_no_write(client, db, busy_member, endpoint, path):
    db.session.rollback()
    with count_statements() as statements:
        status = client.get(path).status_code
    writes = [s.split("\n")[0] for s in statements.statements if WRITE.match(s)]
    assert status < 500 and len(statements) > 0 and writes == []


def test_the_writing_gets_are_not_pages_opened_here():
    assert not [endpoint for endpoint, _path in get_pages() if endpoint in WRITING_GETS]
