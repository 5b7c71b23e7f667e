"""A GET never writes: every page without URL arguments, opened by a merchant who is also a distributor with a
team, an order and a commission, sends only reads to the database. (Following an invite link is one GET that
may bind a member; WeChat's authorization callback is the other, listed in WRITES_BY_DESIGN: docs/architecture.md.)"""
import re
from urllib.parse import urlsplit

import pytest

from shop import create_app
from shop.sql import count_statements
from tests.conftest import login_staff

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|CREATE|DROP|ALTER)\b", re.IGNORECASE)
#: Not pages: files.
SKIPPED = ("static", "main.media")
#: GETs that never ask the database (the session's CSRF token for a first submit): they send nothing at all.
NO_DATABASE = ("main.csrf_token",)
#: GETs that write by design: endpoint -> the one write each may make, and only after its own check. They stay in
#: the table of pages below, where (opened without arguments) they must write nothing.
WRITES_BY_DESIGN = {
    # 公众号网页授权 returns the member with a GET (WeChat's design, not ours): the callback binds the member's
    # openid, only with the single-use state held in that member's own session.
    "wechat_auth.callback": ["UPDATE users"],
}

#: The GETs that write on purpose (docs/architecture.md), each with its own test of exactly what it writes. Following
#: an invite link (/i/<code>, or ?ref=<code> on any page) binds a logged-in member (tests/distribution/
#: test_binding.py) and counts one visit for the invite funnel: one upsert into visit_counters and nothing else
#: (tests/growth/test_funnel.py::test_a_visit_is_one_upsert_and_nothing_else). They need a code in the URL, so
#: the pages below never include them; the test after them keeps it so.
WRITING_GETS = ("distribution.invite",)


def get_pages():
    """Endpoints and paths of every GET route that takes no URL argument."""
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "RATELIMIT_ENABLED": False})
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
    assert status < 500 and writes == []
    assert len(statements) == 0 if endpoint in NO_DATABASE else len(statements) > 0


def writes_of(statements):
    """'UPDATE users', 'INSERT INTO orders', ... for each write sent."""
    return [" ".join(s.split()[:3 if s.lstrip().upper().startswith(("INSERT", "DELETE")) else 2])
            for s in statements.statements if WRITE.match(s)]


def test_the_wechat_callback_writes_only_the_members_openid(app, client, db, make_user, login, monkeypatch):
    monkeypatch.setitem(app.config, "SHOP_PAYMENT_GATEWAY", "sandbox")
    login(make_user(wechat_openid=None))
    to_sandbox_authorize = client.get("/wechat/auth?next=/me").headers["Location"]
    callback = urlsplit(client.get(to_sandbox_authorize).headers["Location"])
    db.session.rollback()
    with count_statements() as statements:
        assert client.get(f"{callback.path}?{callback.query}").status_code == 302
    assert writes_of(statements) == WRITES_BY_DESIGN["wechat_auth.callback"]
    with count_statements() as statements:  # the same callback again: its state is spent, nothing is written
        assert client.get(f"{callback.path}?{callback.query}").status_code == 400
    assert writes_of(statements) == []


def test_the_writing_gets_are_not_pages_opened_here():
    assert not [endpoint for endpoint, _path in get_pages() if endpoint in WRITING_GETS]
