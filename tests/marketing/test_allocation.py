"""The discount split (marketing/allocation.py) as a table and as properties: exact to the fen, never more than a
line has, and what a refund of every unit returns is exactly what was paid."""
import pytest
from hypothesis import given
from hypothesis import strategies as hs

from shop.distribution import commission as engine
from shop.marketing.allocation import AllocationError, allocate


@pytest.mark.parametrize("total, weights, shares", [
    (1000, [30000, 10000], [750, 250]),
    (1, [1, 1, 1], [0, 0, 1]),           # the cumulative floor: the fen goes where the running sum crosses it
    (2, [1, 1, 1], [0, 1, 1]),
    (100, [1, 0, 99], [1, 0, 99]),       # a zero line takes nothing, and the discount may use up every fen
    (0, [500, 700], [0, 0]),
    (333, [100, 100, 100, 100], [83, 83, 83, 84]),
    (0, [], []),
])
def test_allocation_table(total, weights, shares):
    assert allocate(total, weights) == shares


@pytest.mark.parametrize("total, weights", [(-1, [10]), (11, [10]), (1, []), (5, [10, -3])])
def test_allocation_refuses_what_cannot_be_split(total, weights):
    with pytest.raises(AllocationError):
        allocate(total, weights)


lines = hs.lists(hs.tuples(hs.integers(1, 5_000_00), hs.integers(1, 20)), min_size=1, max_size=6)


@given(lines, hs.data())
def test_allocations_sum_exactly_and_no_base_goes_below_zero(spec, data):
    totals = [price * qty for price, qty in spec]
    discount = data.draw(hs.integers(0, sum(totals)))
    shares = allocate(discount, totals)
    assert sum(shares) == discount
    assert all(0 <= share <= total for share, total in zip(shares, totals))
    # proportional within one fen
    assert all(abs(share * sum(totals) - discount * total) < sum(totals) for share, total in zip(shares, totals))


def refund_unit_by_unit(paid, quantity):
    """What refunds of one unit at a time return (payments/refunds.py line_refund_amount's split)."""
    return [paid * (done + 1) // quantity - paid * done // quantity for done in range(quantity)]


@given(lines, hs.data())
def test_refunding_every_unit_returns_exactly_what_was_paid(spec, data):
    totals = [price * qty for price, qty in spec]
    coupon = data.draw(hs.integers(0, sum(totals)))
    after_coupon = [t - s for t, s in zip(totals, allocate(coupon, totals))]
    points = data.draw(hs.integers(0, sum(after_coupon)))
    paid = [t - s for t, s in zip(after_coupon, allocate(points, after_coupon))]
    assert sum(paid) == sum(totals) - coupon - points
    for line_paid, (_price, qty) in zip(paid, spec):
        parts = refund_unit_by_unit(line_paid, qty)
        assert sum(parts) == line_paid and min(parts) >= 0


@given(lines, hs.data(), hs.integers(0, 10000), hs.integers(0, 10000), hs.integers(0, 10000))
def test_commission_never_exceeds_the_cap_of_the_reduced_base(spec, data, rate1, rate2, cap):
    totals = [price * qty for price, qty in spec]
    discount = data.draw(hs.integers(0, sum(totals)))
    paid = [t - s for t, s in zip(totals, allocate(discount, totals))]
    rules = engine.Rules(version=1, levels=2, rates_bp=(rate1, rate2), cap_bp=cap)
    upline = engine.Upline(buyer=engine.Beneficiary(9, None, False), ancestors=(engine.Beneficiary(1, None, True),
                                                  engine.Beneficiary(2, None, True)))
    order_lines = [engine.Line(line_id=i, product_id=1, quantity=qty, unit_price_fen=price, paid_fen=p)
                   for i, ((price, qty), p) in enumerate(zip(spec, paid), start=1)]
    shares = engine.compute_shares(order_lines, upline, rules)
    for line in order_lines:
        earned = sum(s.amount_fen for s in shares if s.line_id == line.line_id)
        assert earned <= line.paid_fen * cap // 10000
