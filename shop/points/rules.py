"""The points arithmetic: pure, integers only, no Flask and no database.

Spending: `rate` points buy ¥1 (100 fen), so one fen costs rate/100 points. Only whole fen are deducted, so the
points used are a multiple of the smallest step that buys whole fen (at rate 150: 3 points for 2 fen).
Refunds: the share of an order's points due back after refunding `part` of `whole` fen is the cumulative floor
split, so several partial refunds add up to exactly all of them when everything is refunded.
Expiry: spending consumes the oldest lots first (FIFO), so what expires at a cutoff is what was earned before it
minus everything taken out since the start; see expiry_due.
"""
from math import gcd


def earned_for(paid_goods_fen, points_per_yuan):
    """Points for an order: points_per_yuan for each whole yuan of the paid goods amount."""
    return max(0, paid_goods_fen) // 100 * points_per_yuan


def step(rate):
    """(points, fen) of the smallest whole-fen deduction at `rate` points per yuan."""
    common = gcd(rate, 100)
    return rate // common, 100 // common


def deduction(points, rate):
    """(points used, fen deducted) for up to `points` points: rounded down to whole fen."""
    points_step, fen_step = step(rate)
    steps = max(0, points) // points_step
    return steps * points_step, steps * fen_step


def usable(balance, goods_fen, share_bp, rate):
    """(points, fen): the most points one order may use, by the balance and by the share of its goods."""
    fen = min(goods_fen * share_bp // 10000, balance * 100 // rate)
    return deduction(fen * rate // 100, rate)


def share_due(total, part, whole):
    """The cumulative share of `total` due once `part` of `whole` is refunded (all of it when part >= whole)."""
    if whole <= 0 or part >= whole:
        return total
    return total * max(0, part) // whole


def revoke_due(earned, basis_fen, remaining_fen):
    """Points earned on `basis_fen` that are due back once only `remaining_fen` of it is still paid."""
    if basis_fen <= 0:
        return earned
    return earned - earned * min(max(0, remaining_fen), basis_fen) // basis_fen


def streak_bonus(streak, every, bonus):
    """The streak bonus on the day a streak reaches a multiple of `every` days (none when every is 0)."""
    return bonus if every and streak and streak % every == 0 else 0


def expiry_due(earned_before_cutoff, taken_out):
    """Points that expire: earned before the cutoff and not yet consumed by what was taken out since the start
    (spent net of returns, taken back, adjusted down, already expired), the oldest consumed first."""
    return max(0, earned_before_cutoff - taken_out)
