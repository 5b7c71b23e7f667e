"""One openid per member under concurrency, on PostgreSQL with real threads."""
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from shop.accounts import services
from shop.accounts.models import User
from shop.errors import ServiceError
from shop.extensions import db as _db
from tests.conftest import IS_PG

pytestmark = pytest.mark.skipif(not IS_PG, reason="concurrency tests need PostgreSQL (set SHOP_TEST_DATABASE_URL)")


def bind_at_once(app, pairs):
    """Bind each (user id, openid) from its own thread and session, all at the same moment; the outcomes."""
    start = threading.Barrier(len(pairs), timeout=60)

    def bind(pair):
        user_id, openid = pair
        with app.app_context():
            user = _db.session.get(User, user_id)
            start.wait()
            try:
                return services.bind_wechat_openid(user, openid)
            except ServiceError as err:
                return err.status
            finally:
                _db.session.remove()

    with ThreadPoolExecutor(max_workers=len(pairs)) as pool:
        return list(pool.map(bind, pairs))


def test_ten_members_racing_for_one_openid_bind_one(app, db, make_user):
    ids = [make_user(wechat_openid=None).id for _ in range(10)]
    db.session.remove()
    outcomes = bind_at_once(app, [(user_id, "oContested") for user_id in ids])
    assert sorted(outcomes, key=str) == sorted([True] + [409] * 9, key=str)
    assert len(db.session.scalars(select(User.id).where(User.wechat_openid == "oContested")).all()) == 1


def test_one_member_racing_two_openids_binds_one(app, db, make_user):
    user_id = make_user(wechat_openid=None).id
    db.session.remove()
    outcomes = bind_at_once(app, [(user_id, "oTabOne"), (user_id, "oTabTwo")])
    assert sorted(outcomes, key=str) == sorted([True, 409], key=str)
    assert db.session.get(User, user_id).wechat_openid in ("oTabOne", "oTabTwo")
