"""A seeded random simulation with agents: orders into four regions (three with agents at some levels, one
without), refunds of some units or all before and after settlement, an agent ended and replaced midway. At the end
the audit is clean and every agent's balances are exactly their dividends'."""
import random
from datetime import timedelta

from sqlalchemy import func, select

from shop.agents import services as agents
from shop.agents.models import AgentDividend
from shop.clock import utcnow
from shop.distribution.models import FROZEN, SETTLED
from shop.distribution.settlement import settle_due_commissions
from shop.orders import services as orders
from shop.orders.models import Order
from shop.payments import refunds
from shop.wallet.audit import run_audit
from shop.wallet.models import Account

REGIONS = [("浙江省", "杭州市", "西湖区"), ("浙江省", "杭州市", "滨江区"), ("浙江省", "宁波市", "海曙区"),
           ("上海市", "上海市", "浦东新区"), ("江苏省", "南京市", "玄武区")]
ORDERS = 40


def appoint_all(make_user, rnd):
    spec = [("province", "浙江省", "", ""), ("city", "浙江省", "杭州市", ""), ("district", "浙江省", "杭州市", "滨江区"),
            ("city", "上海市", "上海市", "")]
    return [agents.appoint(make_user(phone=f"1370000{i:04d}").phone, *region, rnd.randint(1, 1500))
            for i, region in enumerate(spec)]


def test_audit_clean_over_a_random_life_with_agents(db, shop, place, pay, make_user, make_address, make_staff):
    rnd = random.Random(13)
    staff = make_staff(role="finance")
    appointed = appoint_all(make_user, rnd)
    buyers = []
    for i, region in enumerate(REGIONS):
        buyer = make_user(phone=f"1380000{i:04d}")
        make_address(buyer, province=region[0], city=region[1], district=region[2], phone=buyer.phone,
                     is_default=True)
        buyers.append(buyer)
    paid = []
    for n in range(ORDERS):
        if n == ORDERS // 2:  # the Shanghai agent is replaced midway
            agents.end_appointment(appointed[3].id, "换人")
            agents.appoint(make_user(phone="13799999999").phone, "city", "上海市", "上海市", "", 700)
        order = pay(place(quantity=rnd.randint(1, 3), buyer=rnd.choice(buyers)))
        paid.append(order.id)
        _random_after_sale(db, rnd, order, staff)
    for order_id in rnd.sample(paid, 8):  # refunds of settled orders: clawbacks
        order = db.session.get(Order, order_id)
        if order.status == "completed" and order.refunded_fen < order.pay_total_fen:
            refunds.merchant_refund(order, "质量问题", staff, None)
            db.session.commit()
    report = run_audit()
    assert report.clean, report.problems[:5]
    _agents_hold_exactly_their_dividends(db)
    statuses = set(db.session.scalars(select(AgentDividend.status)))
    assert {FROZEN, SETTLED} <= statuses and len(statuses) >= 3, statuses


def _random_after_sale(db, rnd, order, staff):
    roll = rnd.random()
    if roll < 0.2:
        refunds.merchant_refund(order, "缺货", staff, {order.lines[0].id: 1} if order.lines[0].quantity > 1 else None)
    if roll > 0.4:
        db.session.refresh(order)
        if order.status == "paid":
            orders.ship_order(order, "顺丰", "SF1")
            orders.confirm_receipt(order, now=utcnow() - timedelta(days=30))
            db.session.commit()
            settle_due_commissions()
    db.session.commit()


def _agents_hold_exactly_their_dividends(db):
    nets = dict(db.session.execute(select(AgentDividend.beneficiary_id, func.sum(AgentDividend.amount_fen
                                                                                 - AgentDividend.reversed_fen
                                                                                 - AgentDividend.clawed_back_fen))
                                   .group_by(AgentDividend.beneficiary_id)).all())
    assert nets
    for user_id, net in nets.items():
        acc = db.session.get(Account, user_id)
        assert acc.frozen_fen + acc.available_fen == net
