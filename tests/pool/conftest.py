"""The pool test shop: the commission shop (A invites B, B invites the buyer C) plus D, all three distributors of
the top grade 金牌; E a distributor of no grade. Orders are completed now, so the period is this month."""
from dataclasses import dataclass
from datetime import timedelta

import pytest

from shop.clock import to_china, utcnow
from shop.pool import rules, services


@dataclass
class PoolShop:
    a: object
    b: object
    d: object
    e: object
    buyer: object
    gold: object
    period: object

    @property
    def pay_time(self):
        """Just after the period's after-sale window (its end + the 7 freeze days)."""
        return self.period.ends_at + timedelta(days=8)


@pytest.fixture
def gold(db):
    from shop.distribution.models import Grade

    grade = Grade(name="金牌", rank=2)
    db.session.add(grade)
    db.session.commit()
    return grade


@pytest.fixture
def pool_shop(db, shop, gold, make_distributor, settings):
    """Rate 10%, monthly, the 金牌 grade, an equal split, refunds claw back."""
    from shop.distribution.models import Distributor

    d, e = make_distributor(nickname="小D"), make_distributor(nickname="小E")
    for user in (shop.a, shop.b, d.user):
        db.session.get(Distributor, user.id).grade_id = gold.id
    db.session.get(Distributor, e.user_id).grade_id = None  # a new distributor gets the lowest grade: not E
    db.session.commit()
    settings(pool_rate_bp=1000, pool_period="month", pool_grade_ids=[gold.id], pool_split="equal",
             pool_refund_policy="clawback")
    period = rules.parse_period(rules.period_label("month", to_china(utcnow()).date()))
    return PoolShop(shop.a, shop.b, d.user, e.user, shop.buyer, gold, period)


@pytest.fixture
def sales(pool_shop, paid_order, complete, make_product):
    """C buys ¥100 (B's sale) and B buys ¥33.33 (A's sale), both completed now: base 13333 fen."""
    def make():
        cheap = make_product("小物", skus=[(3333, 10, ["蓝", "S"])])
        orders = [paid_order(), paid_order(buyer=pool_shop.b, product=cheap)]
        for order in orders:
            complete(order)
        return orders

    return make


def payable_month():
    """The latest closed month whose after-sale window has passed by now (what finance can pay today)."""
    period = rules.last_closed("month", utcnow())
    while utcnow() < services.payable_from(period):
        period = rules.last_closed("month", period.starts_at)
    return period
