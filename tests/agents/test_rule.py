"""The pure dividend rule and the cap guard that counts commissions and dividends together."""
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as s

from shop.agents.rule import RegionAgent, line_dividends

P, C, D = (RegionAgent(1, 11, "province", 0), RegionAgent(2, 12, "city", 0), RegionAgent(3, 13, "district", 0))


def agents(**rates):
    base = {"province": P, "city": C, "district": D}
    return [RegionAgent(base[k].agent_id, base[k].user_id, k, v) for k, v in rates.items()]


@pytest.mark.parametrize("base, commission, cap_bp, rates, expected", [
    (10000, 1500, 5000, dict(province=200, city=100), {"province": 200, "city": 100}),
    # floor per agent: the merchant keeps the remainders
    (999, 0, 5000, dict(province=333, city=333), {"province": 33, "city": 33}),
    # the cap: 50% − 15% leaves 35%; the province takes its 30%, the city is clamped to 5%, the district to 0
    (10000, 1500, 5000, dict(province=3000, city=2000, district=500), {"province": 3000, "city": 500}),
    # commissions already at the cap: no dividend at all
    (10000, 5000, 5000, dict(province=100), {}),
    # the cap is never above the paid amount
    (10000, 0, 20000, dict(province=10000, city=100), {"province": 10000}),
    (0, 0, 5000, dict(province=100), {}),
])
def test_line_dividends(base, commission, cap_bp, rates, expected):
    got = line_dividends(7, base, commission, cap_bp, agents(**rates))
    assert {d.level: d.amount_fen for d in got} == expected


def test_served_from_the_largest_region_down_whatever_the_order_given():
    got = line_dividends(7, 10000, 4000, 5000, agents(district=800, city=800, province=800))
    assert [(d.level, d.amount_fen) for d in got] == [("province", 800), ("city", 200)]


@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(base=s.integers(0, 10**9), commission_bp=s.integers(0, 5000), cap_bp=s.integers(0, 10000),
       rates=s.tuples(*[s.integers(0, 10000)] * 3))
def test_commissions_and_dividends_never_pass_the_cap(base, commission_bp, cap_bp, rates):
    commission = base * min(commission_bp, cap_bp) // 10000
    got = line_dividends(1, base, commission, cap_bp, agents(province=rates[0], city=rates[1], district=rates[2]))
    assert commission + sum(d.amount_fen for d in got) <= min(base * cap_bp // 10000, base)
    assert all(0 < d.amount_fen <= base * d.rate_bp // 10000 for d in got)


def test_the_cap_clamps_dividends_on_a_real_order(db, shop, paid_order, appoint):
    from shop.wallet.audit import run_audit

    from .conftest import dividends_of
    province = appoint("province", "浙江省", rate_bp=3000)
    city = appoint("city", "浙江省", "杭州市", rate_bp=2000)
    order = paid_order()  # ¥100; commissions 10% + 5%; the cap 50%
    assert dividends_of(db, order) == {"province": (province.user_id, 3000, "frozen"),
                                       "city": (city.user_id, 500, "frozen")}
    assert run_audit().clean
