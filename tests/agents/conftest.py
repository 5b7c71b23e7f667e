import pytest

from tests.stores.conftest import make_store, pickup_order  # noqa: F401  (a pickup order's region is its store's)


@pytest.fixture
def appoint(db, make_user):
    """appoint(level, province, city="", district="", rate_bp=100, user=None) -> an active Agent (committed); a new
    member unless `user` is given."""
    from shop.agents import services

    phones = iter(range(10_000))

    def do(level, province, city="", district="", rate_bp=100, user=None):
        user = user or make_user(phone=f"1360000{next(phones):04d}")
        return services.appoint(user.phone, level, province, city, district, rate_bp)

    return do


@pytest.fixture
def refund(db, make_staff):
    """refund(order, quantity=None) -> the merchant's refund of `quantity` units of the first line (all when None)."""
    from shop.payments import refunds

    actor = []

    def do(order, quantity=None):
        actor or actor.append(make_staff(role="finance"))
        quantities = {order.lines[0].id: quantity} if quantity else None
        done = refunds.merchant_refund(order, "缺货", actor[0], quantities)
        assert done.status == "succeeded"
        return done

    return do


def dividends_of(db, order):
    """{level: (agent user id, amount, status)} of the order's dividends."""
    from sqlalchemy import select

    from shop.agents.models import AgentDividend
    db.session.expire_all()
    rows = db.session.scalars(select(AgentDividend).where(AgentDividend.order_id == order.id))
    return {d.level: (d.beneficiary_id, d.net_fen, d.status) for d in rows}


def balances(db, user_id):
    """(frozen, available) of the member's account."""
    from shop.wallet.models import Account
    db.session.expire_all()
    acc = db.session.get(Account, user_id)
    return (acc.frozen_fen, acc.available_fen) if acc else (0, 0)
