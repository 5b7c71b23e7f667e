"""Dividends by region: created at payment beside commissions, by the order's region snapshot."""
import pytest

from shop.wallet.audit import run_audit

from .conftest import balances, dividends_of


def test_a_province_and_a_city_agent_share_one_order(db, shop, paid_order, appoint):
    province = appoint("province", "浙江省", rate_bp=200)
    city = appoint("city", "浙江省", "杭州市", rate_bp=100)
    order = paid_order(quantity=2)  # ¥200 of goods into 浙江省杭州市西湖区
    assert (order.ship_province, order.ship_city, order.ship_district) == ("浙江省", "杭州市", "西湖区")
    assert dividends_of(db, order) == {"province": (province.user_id, 400, "frozen"),
                                       "city": (city.user_id, 200, "frozen")}
    assert balances(db, province.user_id) == (400, 0)
    assert balances(db, shop.b.id) == (2000, 0)  # the commission is untouched
    assert run_audit().clean


@pytest.mark.parametrize("region", [("province", "上海市", "", ""), ("city", "浙江省", "宁波市", ""),
                                    ("district", "浙江省", "杭州市", "滨江区")])
def test_an_order_outside_every_agents_region_pays_no_dividend(db, shop, paid_order, appoint, region):
    agent = appoint(*region, rate_bp=500)
    order = paid_order()
    assert dividends_of(db, order) == {}
    assert balances(db, agent.user_id) == (0, 0)


def test_a_region_without_an_agent_at_a_level_pays_only_the_levels_it_has(db, shop, paid_order, appoint):
    district = appoint("district", "浙江省", "杭州市", "西湖区", rate_bp=150)
    order = paid_order()
    assert dividends_of(db, order) == {"district": (district.user_id, 150, "frozen")}


def test_no_agent_anywhere_pays_nothing(db, shop, paid_order):
    assert dividends_of(db, paid_order()) == {}
    assert run_audit().clean


def test_an_ended_agent_earns_nothing_on_later_orders_and_keeps_earlier_ones(db, shop, paid_order, appoint):
    from shop.agents.services import end_appointment
    agent = appoint("city", "浙江省", "杭州市", rate_bp=100)
    first = paid_order()
    end_appointment(agent.id, "合同到期")
    assert dividends_of(db, paid_order()) == {}
    assert dividends_of(db, first) == {"city": (agent.user_id, 100, "frozen")}


def test_a_changed_rate_applies_to_orders_paid_afterwards(db, shop, paid_order, appoint):
    from shop.agents.services import change_rate
    agent = appoint("city", "浙江省", "杭州市", rate_bp=100)
    first = paid_order()
    change_rate(agent.id, 300)
    assert dividends_of(db, first)["city"][1] == 100
    assert dividends_of(db, paid_order())["city"][1] == 300


def test_a_duplicate_notification_creates_the_dividends_once(db, shop, place, notify, appoint):
    agent = appoint("province", "浙江省", rate_bp=100)
    order = place()
    for _ in range(3):
        assert notify(order.order_no, order.pay_total_fen, transaction_id="4200000000000777").status_code == 204
    assert dividends_of(db, order) == {"province": (agent.user_id, 100, "frozen")}
    assert balances(db, agent.user_id) == (100, 0)


def test_lines_excluded_from_commission_pay_no_dividend(db, shop, place, pay, appoint):
    from shop.orders.models import OrderLine
    appoint("province", "浙江省", rate_bp=100)
    order = place()
    db.session.get(OrderLine, order.lines[0].id).commissionable = False
    db.session.commit()
    assert dividends_of(db, pay(order)) == {}


def test_a_pickup_order_pays_the_agent_of_the_stores_region(db, shop, pickup_order, make_store, appoint):
    shanghai = appoint("city", "上海市", "上海市", rate_bp=100)
    hangzhou = appoint("city", "浙江省", "杭州市", rate_bp=100)  # the buyer's own address is in 杭州, not the store
    order = pickup_order(make_store("人民广场店", province="上海市", city="上海市", district="黄浦区"))
    assert (order.ship_province, order.ship_city, order.ship_district) == ("上海市", "上海市", "黄浦区")
    assert dividends_of(db, order) == {"city": (shanghai.user_id, 100, "frozen")}
    assert balances(db, hangzhou.user_id) == (0, 0)
