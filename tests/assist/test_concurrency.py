"""The last helps of a campaign arriving at once (PostgreSQL, real threads): never more helps than needed, and one
reward coupon."""
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, insert, select

from shop.accounts.models import User
from shop.assist.models import AssistCampaign, AssistHelp
from shop.assist.services import record_help
from shop.coupons.models import Coupon
from shop.database import transaction
from tests.conftest import IS_PG, cheap_hash

pytestmark = [pytest.mark.pg, pytest.mark.skipif(not IS_PG, reason="concurrency tests need PostgreSQL "
                                                                     "(set SHOP_TEST_DATABASE_URL)")]


def test_ten_helpers_at_once_for_two_missing_helps(app, db, campaign):
    db.session.execute(insert(User), [{"phone": f"1570000{i:04d}", "password_hash": cheap_hash("x"), "nickname": ""}
                                      for i in range(10)])
    db.session.commit()
    helper_ids = db.session.scalars(select(User.id).where(User.phone.like("1570000%"))).all()
    campaign_id = campaign.id
    db.session.remove()
    start = threading.Barrier(10, timeout=60)

    def help_once(helper_id):
        with app.app_context():
            start.wait()
            try:
                with transaction():
                    return record_help(campaign_id, helper_id)
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=10) as pool:
        results = list(pool.map(help_once, helper_ids))
    assert results.count("counted") == 2 and results.count("closed") == 8
    done = db.session.get(AssistCampaign, campaign_id)
    assert (done.helps, done.status) == (2, "succeeded")
    assert db.session.scalar(select(func.count()).select_from(AssistHelp)) == 2
    assert db.session.scalar(select(func.count()).select_from(Coupon).where(Coupon.source == "assist")) == 1
