"""Report fixtures: paid orders, members and refunds placed on chosen China-time days."""
from datetime import timedelta

import pytest
from sqlalchemy import update

from shop.clock import day_start, to_china, utcnow


def moment(days_ago=0, hour=12):
    """Naive UTC of `hour` o'clock China time, `days_ago` China days before today."""
    day = to_china(utcnow()).date() - timedelta(days=days_ago)
    return day_start(day) + timedelta(hours=hour)


@pytest.fixture
def sale(db, place, pay):
    """sale(days_ago=0, quantity=1, buyer=None, hour=12, product=None) -> an Order paid for real (its commissions created), then
    moved with its commissions to that China day and hour."""
    from shop.distribution.models import Commission
    from shop.orders.models import Order

    def do(days_ago=0, quantity=1, buyer=None, hour=12, product=None):
        order = pay(place(quantity=quantity, buyer=buyer, product=product))
        when = moment(days_ago, hour)
        db.session.execute(update(Order).where(Order.id == order.id).values(paid_at=when))
        db.session.execute(update(Commission).where(Commission.order_id == order.id).values(created_at=when))
        db.session.commit()
        db.session.expire_all()
        return db.session.get(Order, order.id)

    return do


@pytest.fixture
def joined(db):
    """joined(user, days_ago): the member (and their distributor row, if any) registered on that China day."""
    from shop.accounts.models import User
    from shop.distribution.models import Distributor

    def do(user, days_ago, hour=9):
        when = moment(days_ago, hour)
        db.session.execute(update(User).where(User.id == user.id).values(created_at=when))
        db.session.execute(update(Distributor).where(Distributor.user_id == user.id).values(joined_at=when))
        db.session.commit()

    return do


@pytest.fixture
def refund(db, make_staff):
    """refund(order, quantity=None) -> the merchant's refund of `quantity` units of the first line (all when None),
    succeeded today through the sandbox."""
    from shop.payments import refunds

    actor = []

    def do(order, quantity=None):
        actor or actor.append(make_staff(role="finance"))
        quantities = {order.lines[0].id: quantity} if quantity else None
        done = refunds.merchant_refund(order, "缺货", actor[0], quantities)
        assert done.status == "succeeded"
        return done

    return do
