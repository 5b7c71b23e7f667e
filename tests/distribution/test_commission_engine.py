"""The pure commission engine, table by table as DOMAIN.md ("Money", "Commission rules") states the rules."""
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from shop.distribution.commission import (
    MAX_LEVELS,
    Beneficiary,
    Line,
    Override,
    RuleError,
    Rules,
    Upline,
    chain,
    compute_shares,
    format_fen,
    validate_rules,
)

A, B, C, D = 1, 2, 3, 4  # user ids, in invitation order: A invites B, B invites C, C invites D


def dist(user_id, grade_id=None, active=True):
    return Beneficiary(user_id=user_id, grade_id=grade_id, active=active)


def upline(*ancestors, buyer=None):
    return Upline(buyer=buyer, ancestors=tuple(ancestors))


def line(paid_fen=10000, quantity=1, unit_price_fen=None, product_id=1, line_id=1):
    unit = unit_price_fen if unit_price_fen is not None else paid_fen  # list price only matters to validation
    return Line(line_id=line_id, product_id=product_id, quantity=quantity, unit_price_fen=unit, paid_fen=paid_fen)


def rules(*rates_bp, levels=None, **kw):
    return Rules(version=kw.pop("version", 1), levels=levels or len(rates_bp), rates_bp=rates_bp, **kw)


def paid(shares):
    """{level: (beneficiary, amount)} for a one-line order."""
    return {s.level: (s.beneficiary_id, s.amount_fen) for s in shares}


# --- the worked example -------------------------------------------------------------------------

WORKED = rules(1000, 500)  # level 1 = 10%, level 2 = 5%


@pytest.mark.parametrize("who_buys, buyers_upline, expected", [
    ("B", upline(dist(A)), {1: (A, 1000)}),                 # A invites B; B buys -> A earns ¥10
    ("C", upline(dist(B), dist(A)), {1: (B, 1000), 2: (A, 500)}),  # B invites C; C buys -> B ¥10, A ¥5
])
def test_worked_example_from_the_rulebook(who_buys, buyers_upline, expected):
    assert paid(compute_shares([line(10000)], buyers_upline, WORKED)) == expected


# --- amounts ------------------------------------------------------------------------------------

@pytest.mark.parametrize("paid_fen, rate_bp, amount", [
    (999, 333, 33),          # 33.2667 -> floor; the merchant keeps the remainder
    (10000, 1000, 1000),
    (12345, 1234, 1523),     # 1523.373
    (1, 9999, None),         # rounds to 0 -> no share at all
    (0, 1000, None),         # fully discounted line earns nothing
    (10**9 + 7, 1, 100000),  # big amounts stay exact: no float anywhere
])
def test_percent_is_floor_of_paid_times_rate(paid_fen, rate_bp, amount):
    shares = compute_shares([line(paid_fen)], upline(dist(A)), rules(rate_bp, cap_bp=10000))
    assert paid(shares) == ({1: (A, amount)} if amount else {})
    assert all(type(s.amount_fen) is int for s in shares)


def test_base_is_what_was_paid_not_the_list_price():
    discounted = line(paid_fen=8000, quantity=1, unit_price_fen=10000)  # ¥100 item, ¥20 coupon
    [share] = compute_shares([discounted], upline(dist(A)), rules(1000))
    assert (share.amount_fen, share.base_fen) == (800, 8000)


@pytest.mark.parametrize("quantity, per_unit, amount", [(1, 500, 500), (2, 500, 1000), (7, 123, 861)])
def test_fixed_amount_is_per_unit_times_quantity(quantity, per_unit, amount):
    r = rules(1000, product_overrides={1: {1: Override("fixed", per_unit)}})
    [share] = compute_shares([line(10000 * quantity, quantity)], upline(dist(A)), r)
    assert (share.amount_fen, share.fixed_fen, share.rate_bp, share.source) == (amount, per_unit, None, "product")


# --- precedence: product override > grade > global, level by level ---------------------------------

PRECEDENCE = rules(
    1000, 500, 200,
    grade_rates_bp={7: (1500, None, 300)},
    product_overrides={42: {1: Override("fixed", 800), 3: Override("percent", 100)}},
)


@pytest.mark.parametrize("product_id, grade_id, level, source, rate_bp, fixed_fen, amount", [
    (1, None, 1, "global", 1000, None, 1000),
    (1, None, 2, "global", 500, None, 500),
    (1, None, 3, "global", 200, None, 200),
    (1, 7, 1, "grade", 1500, None, 1500),
    (1, 7, 2, "global", 500, None, 500),     # the grade leaves level 2 unset (None): global rate
    (1, 7, 3, "grade", 300, None, 300),
    (1, 99, 1, "global", 1000, None, 1000),  # a grade without its own rates: global
    (42, 7, 1, "product", None, 800, 800),   # product fixed beats the grade
    (42, 7, 2, "global", 500, None, 500),    # no override at level 2, grade None there: global
    (42, 7, 3, "product", 100, None, 100),   # product percent beats the grade
    (42, None, 3, "product", 100, None, 100),
])
def test_rate_precedence_per_level(product_id, grade_id, level, source, rate_bp, fixed_fen, amount):
    everyone = upline(dist(A, grade_id), dist(B, grade_id), dist(C, grade_id))
    shares = compute_shares([line(10000, product_id=product_id)], everyone, PRECEDENCE)
    [share] = [s for s in shares if s.level == level]
    assert (share.source, share.rate_bp, share.fixed_fen, share.amount_fen) == (source, rate_bp, fixed_fen, amount)


def test_grade_is_the_beneficiarys_own_at_each_level():
    mixed = upline(dist(A, grade_id=7), dist(B, grade_id=None), dist(C, grade_id=7))
    assert paid(compute_shares([line(10000)], mixed, PRECEDENCE)) == {1: (A, 1500), 2: (B, 500), 3: (C, 300)}


# --- who sits at each level -----------------------------------------------------------------------

@pytest.mark.parametrize("self_purchase, buyer, expected", [
    (False, dist(D), {1: (C, 1000), 2: (B, 500)}),                  # off: the buyer earns nothing
    (True, dist(D), {1: (D, 1000), 2: (C, 500)}),                   # on: buyer is level 1, everyone moves down
    (True, None, {1: (C, 1000), 2: (B, 500)}),                      # on, but the buyer is no distributor
    (True, dist(D, active=False), {1: (C, 1000), 2: (B, 500)}),     # on, but the buyer's rights are disabled
])
def test_self_purchase(self_purchase, buyer, expected):
    r = rules(1000, 500, self_purchase=self_purchase)
    assert paid(compute_shares([line(10000)], upline(dist(C), dist(B), dist(A), buyer=buyer), r)) == expected


@pytest.mark.parametrize("ancestors, expected", [
    ((dist(C), dist(B, active=False), dist(A)), {1: (C, 1000), 3: (A, 200)}),  # inactive middle: no shift up
    ((None, dist(B), dist(A)), {2: (B, 500), 3: (A, 200)}),                     # nobody at level 1
    ((dist(C),), {1: (C, 1000)}),                                               # a short chain
    ((), {}),                                                                   # no referrer at all
    ((dist(C, active=False), None, None), {}),
])
def test_missing_or_inactive_levels_earn_nothing_and_nobody_moves_up(ancestors, expected):
    assert paid(compute_shares([line(10000)], upline(*ancestors), rules(1000, 500, 200))) == expected


def test_chain_is_padded_to_the_configured_levels():
    r = rules(1000, 500, 200)
    assert chain(upline(dist(C)), r) == [dist(C), None, None]
    assert chain(upline(dist(C), buyer=dist(D)), rules(1000, 500, 200, self_purchase=True)) == [dist(D), dist(C), None]


def test_one_level_ignores_everyone_further_up():
    r = rules(1000, 500, 200, levels=1)  # extra rates are ignored
    assert chain(upline(dist(C), dist(B), dist(A)), r) == [dist(C)]
    assert paid(compute_shares([line(10000)], upline(dist(C), dist(B), dist(A)), r)) == {1: (C, 1000)}


def test_self_purchase_with_one_level_pays_only_the_buyer():
    r = rules(1000, levels=1, self_purchase=True)
    assert paid(compute_shares([line(10000)], upline(dist(C), buyer=dist(D)), r)) == {1: (D, 1000)}


# --- the three-level cap --------------------------------------------------------------------------

def test_more_than_three_levels_is_refused_as_pyramid_selling():
    too_deep = rules(100, 100, 100, 100)
    assert MAX_LEVELS == 3
    with pytest.raises(RuleError, match="传销") as refused:
        validate_rules(too_deep)
    assert "最多3级" in refused.value.message and "禁止传销条例" in refused.value.message
    # even rules that never went through validation cannot pay a fourth level
    with pytest.raises(RuleError, match="传销"):
        compute_shares([line()], upline(dist(A), dist(B), dist(C), dist(D)), too_deep)
    with pytest.raises(RuleError, match="传销"):
        chain(upline(dist(A)), too_deep)


def test_an_override_for_a_fourth_level_is_refused():
    with pytest.raises(RuleError, match="传销"):
        validate_rules(rules(1000, product_overrides={5: {4: Override("percent", 100)}}))


# --- the per-line cap clamp -----------------------------------------------------------------------

def test_fixed_amounts_are_clamped_to_the_cap_after_a_discount():
    # ¥100 list price, fixed ¥30 + ¥10 per unit is within 50% of ¥100; a coupon leaves ¥40 paid for 2 units
    r = rules(0, 0, product_overrides={1: {1: Override("fixed", 3000), 2: Override("fixed", 1000)}})
    validate_rules(r, {1: 10000})
    shares = compute_shares([line(paid_fen=4000, quantity=2, unit_price_fen=10000)], upline(dist(A), dist(B)), r)
    assert paid(shares) == {1: (A, 2000)}  # cap = ¥20; level 1 (¥60) is clamped, level 2 gets nothing
    assert shares[0].clamped and shares[0].full_amount_fen == 6000


def test_the_clamp_fills_levels_in_order():
    r = rules(0, 0, product_overrides={1: {1: Override("fixed", 1500), 2: Override("fixed", 1500)}})
    shares = compute_shares([line(paid_fen=5000)], upline(dist(A), dist(B)), r)
    assert paid(shares) == {1: (A, 1500), 2: (B, 1000)}  # cap ¥25: level 2 gets what is left


def test_the_clamp_never_exceeds_what_was_paid_even_with_a_cap_of_100_percent():
    r = rules(0, cap_bp=10000, product_overrides={1: {1: Override("fixed", 5000)}})
    assert paid(compute_shares([line(paid_fen=300)], upline(dist(A)), r)) == {1: (A, 300)}


def test_a_zero_cap_pays_nothing():
    assert compute_shares([line()], upline(dist(A)), rules(1000, cap_bp=0)) == []


# --- several lines --------------------------------------------------------------------------------

def test_shares_per_line_and_level_in_order_with_the_rule_version():
    lines = [line(2000, line_id=9), line(10000, line_id=3, product_id=42)]
    r = Rules(version=17, levels=2, rates_bp=(1000, 500),
              product_overrides={42: {2: Override("fixed", 300)}})
    shares = compute_shares(lines, upline(dist(B), dist(A)), r)
    assert [(s.line_id, s.level, s.beneficiary_id, s.amount_fen) for s in shares] == [
        (3, 1, B, 1000), (3, 2, A, 300), (9, 1, B, 200), (9, 2, A, 100)]
    assert {s.rule_version for s in shares} == {17}
    assert [s.base_fen for s in shares] == [10000, 10000, 2000, 2000]


@pytest.mark.parametrize("bad", [
    line(quantity=0), line(paid_fen=-1), Line(1, 1, 1, 100, 99.5),
])
def test_malformed_lines_are_refused(bad):
    with pytest.raises(ValueError):
        compute_shares([bad], upline(dist(A)), rules(1000))


def test_a_line_id_twice_is_refused():
    with pytest.raises(ValueError):
        compute_shares([line(line_id=1), line(line_id=1)], upline(dist(A)), rules(1000))


# --- validate_rules -------------------------------------------------------------------------------

@pytest.mark.parametrize("bad_rules, prices, message", [
    (rules(100, levels=4), {}, "传销"),
    (Rules(version=1, levels=0, rates_bp=()), {}, "至少1级"),
    (rules(3000, 2500), {}, "合计最高可达 55.00%"),                             # 30% + 25% > 50%
    (rules(3000, 2000, grade_rates_bp={2: (None, 2500)}), {}, "各等级"),      # a grade pushes the worst case over
    (rules(2000, 2000, grade_rates_bp={1: (3500,), 2: (None, 1000)}), {}, "55.00%"),  # worst of each level adds up
    (rules(6000, levels=1), {}, "超过封顶"),
    (rules(-1), {}, "0% 到 100%"),
    (rules(10001, cap_bp=10000), {}, "一级全局佣金比例"),
    (rules(1000, 10001, levels=1), {}, "二级全局佣金比例"),               # unused rates must still be sane
    (rules(1000, cap_bp=10001), {}, "封顶"),
    (rules(1000, cap_bp=-5), {}, "封顶"),
    (rules(1000, grade_rates_bp={3: (-10,)}), {}, "等级 #3 的一级"),
    (Rules(version=1, levels=2, rates_bp=(1000,)), {}, "缺少二级"),
    (rules(10.5), {}, "整数"),
    (rules(1000, product_overrides={7: {1: Override("percent", 6000)}}), {}, "商品 #7"),
    (rules(1000, 1000, product_overrides={7: {2: Override("percent", 4500)}}), {}, "商品 #7 的各级佣金比例合计"),
    (rules(1000, product_overrides={7: {1: Override("percent", -1)}}), {}, "商品 #7 的一级佣金比例"),
    (rules(1000, product_overrides={7: {1: Override("fixed", -100)}}), {}, "不能为负数"),
    (rules(1000, product_overrides={7: {1: Override("fixed", 10001)}}), {7: 10000}, "超过该商品最低售价 ¥100.00"),
    (rules(1000, 1000, product_overrides={7: {1: Override("fixed", 4500)}}), {7: 10000}, "商品 #7 每件佣金合计"),
    (rules(0, 0, cap_bp=10000, product_overrides={7: {1: Override("fixed", 6000), 2: Override("fixed", 5000)}}),
     {7: 10000}, "¥110.00"),
    (rules(1000, product_overrides={7: {1: Override("bonus", 1)}}), {}, "佣金方式无效"),
])
def test_validate_rules_refuses(bad_rules, prices, message):
    with pytest.raises(RuleError) as refused:
        validate_rules(bad_rules, prices)
    assert message in refused.value.message
    assert str(refused.value) == refused.value.message


@pytest.mark.parametrize("good_rules, prices", [
    (WORKED, {}),
    (rules(1000, 500, 200), {}),
    (rules(2500, 2500), {}),                                              # exactly at the cap
    (rules(10000, levels=1, cap_bp=10000), {}),
    (rules(0, levels=1, cap_bp=0), {}),
    (rules(1000, 500, 9999, levels=2), {}),                               # the unused third level is not counted
    (PRECEDENCE, {42: 10000}),
    (rules(2000, 2000, grade_rates_bp={1: (3000, None), 2: (None, 1000)}), {}),  # 30% + 20% = 50%
    (rules(1000, 1000, product_overrides={7: {1: Override("fixed", 3000)}}), {7: 10000}),  # ¥30 + 10% of ¥100
    (rules(1000, 1000, product_overrides={7: {1: Override("fixed", 4000)}}), {7: 10000}),  # ¥40 + ¥10 = cap
    (rules(1000, product_overrides={7: {1: Override("fixed", 99999)}}), {}),   # price unknown: clamped at payment
    (rules(1000, product_overrides={7: {3: Override("percent", 9000)}}), {}),  # level 3 is not in use
])
def test_validate_rules_accepts(good_rules, prices):
    assert validate_rules(good_rules, prices) is None


# --- money text ---------------------------------------------------------------------------------

@pytest.mark.parametrize("fen, text", [(0, "¥0.00"), (5, "¥0.05"), (1234, "¥12.34"), (-250, "-¥2.50")])
def test_format_fen(fen, text):
    assert format_fen(fen) == text


# --- properties -----------------------------------------------------------------------------------

beneficiaries = st.none() | st.builds(Beneficiary, user_id=st.integers(1, 10**6),
                                      grade_id=st.none() | st.integers(1, 3), active=st.booleans())
uplines = st.builds(Upline, buyer=beneficiaries, ancestors=st.tuples() | st.lists(beneficiaries, max_size=4).map(tuple))


@st.composite
def order_lines(draw):
    lines = []
    for line_id in draw(st.lists(st.integers(1, 10**6), min_size=1, max_size=5, unique=True)):
        quantity, price = draw(st.integers(1, 50)), draw(st.integers(1, 10**7))
        lines.append(Line(line_id=line_id, product_id=draw(st.integers(1, 3)), quantity=quantity,
                          unit_price_fen=price, paid_fen=draw(st.integers(0, quantity * price))))
    return lines


def rules_strategy(max_bp, max_fixed):
    rate = st.integers(0, max_bp)
    override = st.builds(Override, mode=st.just("percent"), value=rate) | st.builds(
        Override, mode=st.just("fixed"), value=st.integers(0, max_fixed))
    return st.builds(
        Rules, version=st.integers(1, 100), levels=st.integers(1, MAX_LEVELS),
        rates_bp=st.tuples(rate, rate, rate), self_purchase=st.booleans(),
        cap_bp=st.sampled_from([0, 5000, 10000]) | st.integers(0, 10000),
        grade_rates_bp=st.dictionaries(st.integers(1, 3), st.tuples(*[st.none() | rate] * 3), max_size=3),
        product_overrides=st.dictionaries(st.integers(1, 3), st.dictionaries(st.integers(1, 3), override), max_size=3),
    )


def lowest_prices(lines):
    prices = {}
    for ln in lines:
        prices[ln.product_id] = min(prices.get(ln.product_id, ln.unit_price_fen), ln.unit_price_fen)
    return prices


def assert_shares_are_sound(lines, up, r, shares):
    seats = chain(up, r)
    assert [(s.line_id, s.level) for s in shares] == sorted({(s.line_id, s.level) for s in shares})  # unique, ordered
    by_line = {ln.line_id: ln for ln in lines}
    for s in shares:
        assert type(s.amount_fen) is int and s.amount_fen > 0
        assert s.rule_version == r.version and s.base_fen == by_line[s.line_id].paid_fen
        seat = seats[s.level - 1]
        assert seat is not None and seat.active and seat.user_id == s.beneficiary_id
        assert s.amount_fen <= s.full_amount_fen
    for ln in lines:
        amounts = [s.amount_fen for s in shares if s.line_id == ln.line_id]
        limit = min(ln.paid_fen * r.cap_bp // 10000, ln.paid_fen)
        assert sum(amounts) <= limit
        if sum(amounts) < limit:  # the clamp bit only if the cap was reached
            assert all(s.amount_fen == s.full_amount_fen for s in shares if s.line_id == ln.line_id)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=order_lines(), up=uplines, r=rules_strategy(max_bp=2500, max_fixed=5_000_000))
def test_property_shares_of_valid_rules_are_sound(lines, up, r):
    try:
        validate_rules(r, lowest_prices(lines))
    except RuleError:
        assume(False)
    assert_shares_are_sound(lines, up, r, compute_shares(lines, up, r))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=order_lines(), up=uplines, r=rules_strategy(max_bp=10000, max_fixed=10**8))
def test_property_the_clamp_holds_even_for_rules_that_never_passed_validation(lines, up, r):
    assert_shares_are_sound(lines, up, r, compute_shares(lines, up, r))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=order_lines(), up=uplines, r=rules_strategy(max_bp=2500, max_fixed=5_000_000))
def test_property_engine_is_deterministic_and_ignores_line_order(lines, up, r):
    assert compute_shares(lines, up, r) == compute_shares(list(reversed(lines)), up, r)
