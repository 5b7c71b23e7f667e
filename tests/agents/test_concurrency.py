"""Exactly once under concurrency, on PostgreSQL: notifications and appointments."""
import pytest
from sqlalchemy import func, select

from shop.agents import services
from shop.agents.models import Agent, AgentDividend
from shop.wallet.audit import run_audit
from tests.conftest import IS_PG, run_at_once

from .conftest import balances

pytestmark = [pytest.mark.pg, pytest.mark.skipif(not IS_PG, reason="concurrency tests need PostgreSQL "
                                                                     "(set SHOP_TEST_DATABASE_URL)")]


def test_concurrent_notifications_create_the_dividends_once(app, db, shop, place, notify, appoint):
    province = appoint("province", "浙江省", rate_bp=200).user_id
    city = appoint("city", "浙江省", "杭州市", rate_bp=100).user_id
    order = place(quantity=2)
    order_no, total = order.order_no, order.pay_total_fen
    codes = run_at_once(app, db, 6, lambda i: notify(order_no, total,
                                                     transaction_id="4200000000009999").status_code)
    assert set(codes) <= {204, 503} and 204 in codes, codes
    assert db.session.scalar(select(func.count()).select_from(AgentDividend)) == 2
    assert balances(db, province) == (400, 0)
    assert balances(db, city) == (200, 0)
    assert run_audit().clean


def test_concurrent_appointments_for_one_region_leave_one_agent(app, db, make_user):
    phones = [make_user(phone=f"1350000100{i}").phone for i in range(5)]
    results = run_at_once(app, db, 5, lambda i: services.appoint(phones[i], "city", "浙江省", "杭州市", "", 100).id)
    assert sum(isinstance(r, int) for r in results) == 1, results
    assert db.session.scalar(select(func.count()).select_from(Agent).where(Agent.status == "active")) == 1
