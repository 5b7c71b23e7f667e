"""A dividend's life: frozen at payment, settled by the commissions' rule, reversed before settlement and clawed
back as a debt after it, in proportion and exact to the fen."""
from sqlalchemy import select

from shop.distribution.settlement import settle_due_commissions
from shop.wallet.audit import run_audit
from shop.wallet.models import LedgerEntry

from .conftest import balances, dividends_of


def kinds(db, user_id):
    return [e.kind for e in db.session.scalars(select(LedgerEntry).where(LedgerEntry.user_id == user_id)
                                               .order_by(LedgerEntry.id))]


def test_settles_with_the_commissions_once_the_window_has_passed(db, shop, paid_order, complete, appoint):
    agent = appoint("city", "浙江省", "杭州市", rate_bp=100)
    order = paid_order(quantity=3)
    complete(order, days_ago=30)
    count, amount = settle_due_commissions()
    assert (count, amount) == (3, 3000 + 1500 + 300)  # two commissions and one dividend
    assert dividends_of(db, order) == {"city": (agent.user_id, 300, "settled")}
    assert balances(db, agent.user_id) == (0, 300)
    assert settle_due_commissions() == (0, 0)
    assert kinds(db, agent.user_id) == ["agent_dividend_frozen", "agent_dividend_settled"]
    assert run_audit().clean


def test_not_settled_before_completion_plus_freeze_days(db, shop, paid_order, complete, appoint):
    agent = appoint("city", "浙江省", "杭州市", rate_bp=100)
    complete(paid_order(), days_ago=1)
    settle_due_commissions()
    assert balances(db, agent.user_id) == (100, 0)


def test_a_refund_before_settlement_reverses_in_proportion(db, shop, paid_order, appoint, refund):
    province = appoint("province", "浙江省", rate_bp=333)
    order = paid_order(quantity=3)  # 30000 × 3.33% = 999
    refund(order, quantity=1)
    assert dividends_of(db, order) == {"province": (province.user_id, 666, "frozen")}
    refund(order)
    assert dividends_of(db, order) == {"province": (province.user_id, 0, "reversed")}
    assert balances(db, province.user_id) == (0, 0)
    assert kinds(db, province.user_id) == ["agent_dividend_frozen"] + ["agent_dividend_reversed"] * 2
    assert run_audit().clean


def test_a_refund_after_settlement_claws_back_as_a_debt(db, shop, paid_order, complete, appoint, refund):
    city = appoint("city", "浙江省", "杭州市", rate_bp=100)
    order = paid_order(quantity=2)
    complete(order, days_ago=30)
    settle_due_commissions()
    assert balances(db, city.user_id) == (0, 200)
    order2 = paid_order()  # frozen 100, not settled
    assert balances(db, city.user_id) == (100, 200)
    from shop.orders.models import Order
    db.session.expire_all()
    refund(db.session.get(Order, order.id))
    assert dividends_of(db, order) == {"city": (city.user_id, 0, "clawed_back")}
    assert balances(db, city.user_id) == (100, 0)
    report = run_audit()
    assert report.clean, report.problems
    assert dividends_of(db, order2)["city"][2] == "frozen"


def test_a_clawback_after_a_withdrawal_leaves_a_debt(db, shop, paid_order, complete, appoint, refund):
    from shop.orders.models import Order
    from shop.wallet import withdrawals
    city = appoint("city", "浙江省", "杭州市", rate_bp=3000)
    order = paid_order(quantity=5)  # 50000 × 30% = 15000, inside the cap (50% − 15% of commissions)
    complete(order, days_ago=30)
    settle_due_commissions()
    withdrawals.request_withdrawal(city.user_id, 15000, "alipay", {"account": "a@example.com", "name": "张三"})
    db.session.commit()
    db.session.expire_all()
    refund(db.session.get(Order, order.id), quantity=1)
    assert balances(db, city.user_id) == (0, -3000)
    assert dividends_of(db, order) == {"city": (city.user_id, 12000, "settled")}
    report = run_audit()
    assert report.clean, report.problems
