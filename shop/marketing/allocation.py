"""Splitting a discount over order lines: pure, integers only, exact to the fen.

The cumulative floor split gives line i the share floor(D·Cᵢ/W) − floor(D·Cᵢ₋₁/W), where Cᵢ is the sum of the
first i weights and W their total. The shares always add up to D exactly, each is proportional to its weight
within one fen, and while D ≤ W no share exceeds its own weight, so no line's paid amount goes below zero.
"""


class AllocationError(ValueError):
    """A discount that cannot be split: negative, or larger than what it is split over."""


def allocate(total_fen, weights):
    """Shares of total_fen in proportion to weights (ints ≥ 0), in their order; sum(shares) == total_fen."""
    weights = [int(w) for w in weights]
    whole = sum(weights)
    if total_fen < 0 or any(w < 0 for w in weights):
        raise AllocationError("a discount and its weights are never negative")
    if total_fen > whole:
        raise AllocationError(f"a discount of {total_fen} cannot be split over {whole}")
    shares, running, before = [], 0, 0
    for weight in weights:
        running += weight
        upto = total_fen * running // whole if whole else 0
        shares.append(upto - before)
        before = upto
    return shares
