"""The dividend rule, pure (no Flask, no database): which agent gets how much of each line.

- Base: the line's paid amount after its discount shares, excluding shipping: the commission base.
- Only commissionable lines: when the merchant excludes an activity's lines from commission (a thin-margin group
  buy or flash sale), it is because the margin cannot pay a share of the sale; a dividend is such a share, paid
  from the same margin and counted in the same cap, so it follows the commission's decision.
- Each agent: floor(base × rate_bp / 10000), the merchant keeps remainders.
- The cap guard counts commissions and dividends together: per line, headroom = min(floor(base × cap_bp / 10000),
  base) − the line's commissions. Commissions are never cut (the chain's rules are the merchant's promise to the
  distributors and already passed the guard); the agents are served from the largest region down (province, city,
  district), each taking min(its amount, headroom left), so a clamp falls on the smallest region first. A
  dividend clamped to 0 is not created."""
from dataclasses import dataclass

BP = 10_000
LEVEL_ORDER = ("province", "city", "district")


@dataclass(frozen=True)
class RegionAgent:
    agent_id: int
    user_id: int
    level: str
    rate_bp: int


@dataclass(frozen=True)
class Dividend:
    line_id: int
    agent_id: int
    user_id: int
    level: str
    base_fen: int
    rate_bp: int
    amount_fen: int


def line_dividends(line_id, base_fen, commission_fen, cap_bp, agents):
    """The dividends of one line with `commission_fen` of commissions already on it."""
    headroom = min(base_fen * max(cap_bp, 0) // BP, base_fen) - commission_fen
    found = []
    for agent in sorted(agents, key=lambda a: LEVEL_ORDER.index(a.level)):
        amount = min(base_fen * agent.rate_bp // BP, max(headroom, 0))
        if amount > 0:
            found.append(Dividend(line_id, agent.agent_id, agent.user_id, agent.level, base_fen, agent.rate_bp,
                                  amount))
            headroom -= amount
    return found


def order_dividends(lines, commissions, cap_bp, agents):
    """Every line's dividends: `lines` are (line_id, base_fen), `commissions` {line_id: commission fen}."""
    return [d for line_id, base in lines
            for d in line_dividends(line_id, base, commissions.get(line_id, 0), cap_bp, agents)]
