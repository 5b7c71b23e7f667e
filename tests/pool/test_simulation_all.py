"""A seeded random life with stores, regional agents and the pool together: orders delivered into regions with and
without agents or picked up in stores (redeemed by their clerks), partial and full refunds before completion, the
month's orders completed and settled, the pool paid by sales, then refunds after the payout (commissions, agent
dividends and pool shares all clawed back). The audit is clean after each stage, and a second payout pays nothing."""
import random
from datetime import timedelta

from sqlalchemy import func, select

from shop.agents import services as agents
from shop.agents.models import AgentDividend
from shop.distribution.settlement import settle_due_commissions
from shop.orders import services as orders
from shop.orders.models import Order
from shop.payments import refunds
from shop.pool import services as pool
from shop.pool.models import PoolAdjustment, PoolShare
from shop.stores.redemption import redeem
from shop.wallet.audit import run_audit
from tests.pool import conftest as pool_fixtures
from tests.pool.conftest import payable_month
from tests.stores import conftest as store_fixtures
from tests.stores.conftest import PEOPLES_SQUARE, WEST_LAKE, pickup

gold, pool_shop = pool_fixtures.gold, pool_fixtures.pool_shop
make_store, make_clerk = store_fixtures.make_store, store_fixtures.make_clerk
ORDERS = 36
REGIONS = [("上海市", "上海市", "浦东新区"), ("浙江省", "杭州市", "滨江区"), ("江苏省", "南京市", "玄武区")]


def clean():
    report = run_audit()
    assert report.clean, report.problems[:5]


def test_audit_clean_over_a_random_life_with_stores_agents_and_the_pool(db, shop, pool_shop, settings, pay,
                                                                        make_user, make_address, make_staff,
                                                                        make_store, make_clerk):
    rnd, staff, month = random.Random(2026), make_staff(role="finance"), payable_month()
    settings(pool_split="sales")
    stores = [make_store("人民广场店", at=PEOPLES_SQUARE),
              make_store("西湖店", at=WEST_LAKE, city="杭州市", province="浙江省", district="西湖区")]
    clerks = {store.id: make_clerk(store, phone=f"1360000{i:04d}") for i, store in enumerate(stores)}
    agents.appoint(make_user(phone="13700000001").phone, "city", "上海市", "上海市", "", 150)
    agents.appoint(make_user(phone="13700000002").phone, "province", "浙江省", "", "", 200)
    addresses = [make_address(shop.buyer, province=p, city=c, district=d, phone=shop.buyer.phone).id
                 for p, c, d in REGIONS]  # the shop's buyer C (B's invitee) has one address per region
    completed_at = month.starts_at + timedelta(days=1)
    for _ in range(ORDERS):
        _random_order(db, shop, rnd, pay, stores, clerks, addresses, staff, completed_at)
    settle_due_commissions()
    clean()
    assert db.session.scalar(select(func.count(Order.id)).where(Order.redeemed_at.is_not(None))) >= 3
    assert db.session.scalar(select(func.count(func.distinct(AgentDividend.beneficiary_id)))) == 2

    paid = pool.pay_dividends(month.label)
    shares = db.session.scalars(select(PoolShare).where(PoolShare.period_id == paid.id)).all()
    assert shares and sum(s.amount_fen for s in shares) + paid.remainder_fen == paid.pool_fen
    assert pool.pay_dividends(month.label) is None  # once per period
    clean()

    done = db.session.scalars(select(Order).where(Order.status == "completed", Order.refunded_fen == 0)).all()
    for order in rnd.sample(done, min(5, len(done))):  # refunds after the payout: everything clawed back
        refunds.merchant_refund(order, "质量问题", staff, None)
        db.session.commit()
    clean()
    assert db.session.scalar(select(func.count(PoolAdjustment.id))) >= 1
    assert db.session.scalar(select(func.count(AgentDividend.id)).where(AgentDividend.clawed_back_fen > 0)) >= 1


def _random_order(db, shop, rnd, pay, stores, clerks, addresses, staff, completed_at):
    """C's order, picked up in a store or delivered to one of C's regions, then refunded, left paid or completed."""
    store = rnd.choice(stores + [None, None])
    lines = [(shop.sku_id, rnd.randint(1, 3))]
    order = pay(orders.place_order(shop.buyer, lines, shop.address.id, choice=pickup(store)) if store
                else orders.place_order(shop.buyer, lines, rnd.choice(addresses)))
    roll = rnd.random()
    if roll < 0.2:  # a refund before completion: one unit, or everything
        line = order.lines[0]
        refunds.merchant_refund(order, "缺货", staff, {line.id: 1} if line.quantity > 1 else None)
        db.session.commit()
        return
    if roll < 0.3:
        return  # stays paid, waiting
    if store is not None:
        redeem(clerks[store.id], order.pickup_code, now=completed_at)
    else:
        orders.ship_order(order, "顺丰", "SF1")
        orders.confirm_receipt(order, now=completed_at)
    db.session.commit()
