"""The points arithmetic (shop/points/rules.py) as tables: earning, whole-fen deductions, the usable maximum,
cumulative shares over partial refunds, take-backs, streak bonuses and FIFO expiry."""
import pytest

from shop.points import rules


@pytest.mark.parametrize("paid_fen,per_yuan,points", [
    (0, 1, 0), (99, 1, 0), (100, 1, 1), (19999, 1, 199), (20000, 3, 600), (5050, 0, 0), (-100, 1, 0),
])
def test_points_are_earned_per_whole_yuan(paid_fen, per_yuan, points):
    assert rules.earned_for(paid_fen, per_yuan) == points


@pytest.mark.parametrize("rate,step", [(100, (1, 1)), (150, (3, 2)), (1000, (10, 1)), (50, (1, 2)), (7, (7, 100))])
def test_the_smallest_whole_fen_step(rate, step):
    assert rules.step(rate) == step


@pytest.mark.parametrize("points,rate,used,fen", [
    (500, 100, 500, 500), (1000, 150, 999, 666), (1, 150, 0, 0), (25, 1000, 20, 2), (3, 50, 3, 6), (0, 100, 0, 0),
])
def test_deductions_are_whole_fen_and_points_match_them_exactly(points, rate, used, fen):
    assert rules.deduction(points, rate) == (used, fen)
    assert used * 100 == fen * rate


@pytest.mark.parametrize("balance,goods,share_bp,rate,most", [
    (10000, 10000, 5000, 100, (5000, 5000)),   # the share limits
    (1200, 10000, 5000, 100, (1200, 1200)),    # the balance limits
    (1000, 10000, 5000, 150, (999, 666)),      # rounded down to whole fen
    (10000, 9999, 5000, 100, (4999, 4999)),    # half of 99.99 is 49.99 (floor)
    (10000, 10000, 0, 100, (0, 0)),            # spending switched off
    (0, 10000, 5000, 100, (0, 0)),
])
def test_the_most_an_order_may_use(balance, goods, share_bp, rate, most):
    assert rules.usable(balance, goods, share_bp, rate) == most


@pytest.mark.parametrize("total,refunds,whole", [(10001, [9999, 20000], 29999), (7, [1, 1, 1], 3), (500, [333, 667], 1000)])
def test_partial_refunds_return_exactly_everything_in_the_end(total, refunds, whole):
    returned, refunded = 0, 0
    for part in refunds:
        refunded += part
        returned += rules.share_due(total, refunded, whole) - returned
    assert returned == total


@pytest.mark.parametrize("earned,basis,remaining,due", [
    (199, 19999, 19999, 0), (199, 19999, 13332, 67), (199, 19999, 0, 199), (50, 0, 0, 50), (10, 1000, 2000, 0),
])
def test_earned_points_are_taken_back_in_proportion(earned, basis, remaining, due):
    assert rules.revoke_due(earned, basis, remaining) == due


@pytest.mark.parametrize("streak,every,bonus,got", [(7, 7, 20, 20), (6, 7, 20, 0), (14, 7, 20, 20), (3, 0, 20, 0),
                                                    (1, 1, 5, 5)])
def test_the_streak_bonus(streak, every, bonus, got):
    assert rules.streak_bonus(streak, every, bonus) == got


@pytest.mark.parametrize("earned_before,taken_out,due", [(100, 30, 70), (100, 130, 0), (100, 100, 0), (0, 0, 0)])
def test_expiry_consumes_the_oldest_first(earned_before, taken_out, due):
    assert rules.expiry_due(earned_before, taken_out) == due
