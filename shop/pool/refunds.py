"""A refund of an order in a paid period's base (pool_orders), exactly once per refund (pool_adjustments.refund_id
is unique), inside the refund's transaction (the refund_succeeded event).

clawback: the shares are recomputed from the pool as it now is (the base less every goods refund under clawback)
with the weights they were paid by (rules.clawbacks: a plain floor, so no share grows and the sum is exact); each
share gives back the difference as a debt on the available balance, like a commission clawback (the balance may go
below zero; later earnings repay it, withdrawals wait). absorb: the merchant bears it; the adjustment records the
pool the refund stood for and nobody's balance moves. The merchant's setting at the refund decides."""
from sqlalchemy import select

from ..extensions import db
from ..settings import get_setting
from ..wallet import ledger, memos
from . import rules
from .models import CLAWBACK_KIND, REF_TYPE, PoolAdjustment, PoolOrder, PoolPeriod, PoolShare
from .services import weights_of


def refund_reached_pool(order, refund):
    """Record (and, under clawback, take back) what a succeeded refund takes from its order's paid period;
    returns the PoolAdjustment or None (the order is in no paid period, or the refund returned no goods).
    Joins the caller's transaction (the refund's)."""
    period_id = db.session.scalar(select(PoolOrder.period_id).where(PoolOrder.order_id == order.id))
    goods = sum(line.amount_fen for line in refund.lines)
    if period_id is None or goods <= 0:
        return None
    period = db.session.execute(select(PoolPeriod).where(PoolPeriod.id == period_id).with_for_update()
                                .execution_options(populate_existing=True)).scalar_one()
    policy = get_setting("pool_refund_policy")
    standing = period.base_fen - period.clawback_base_fen - period.absorbed_base_fen
    amount = rules.pool_of(standing, period.rate_bp) - rules.pool_of(standing - goods, period.rate_bp)
    if policy == "clawback":
        period.clawback_base_fen += goods
        amount = _claw_back(period, refund)
    else:
        period.absorbed_base_fen += goods
    adjustment = PoolAdjustment(period_id=period.id, refund_id=refund.id, order_id=order.id, policy=policy,
                                base_fen=goods, amount_fen=amount)
    db.session.add(adjustment)
    db.session.flush()
    return adjustment


def _claw_back(period, refund):
    shares = db.session.scalars(select(PoolShare).where(PoolShare.period_id == period.id).order_by(PoolShare.id)
                                .with_for_update().execution_options(populate_existing=True)).all()
    weights = weights_of(period.split, {s.id: s.basis_fen for s in shares})
    pool_now = rules.pool_of(period.base_fen - period.clawback_base_fen, period.rate_bp)
    taken = rules.clawbacks({s.id: s.amount_fen for s in shares}, weights, pool_now,
                            {s.id: s.clawed_back_fen for s in shares})
    ledger.lock_accounts([s.user_id for s in shares if taken[s.id] > 0])  # one order for every transaction
    for share in shares:
        if taken[share.id] > 0:
            share.clawed_back_fen += taken[share.id]
            ledger.post(share.user_id, CLAWBACK_KIND, available=-taken[share.id], ref_type=REF_TYPE, ref_id=share.id,
                        order_id=refund.order_id, memo=memos.POOL_REFUND.write(period=period.period, refund_id=refund.id), allow_debt=True)
    return sum(taken.values())
