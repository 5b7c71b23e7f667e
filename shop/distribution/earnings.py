"""Commissions of an order: created frozen inside the payment transaction, reversed or clawed back
in proportion when lines are refunded, settled when the after-sale window has passed."""
from collections import defaultdict, namedtuple

from sqlalchemy import insert, select, update

from ..clock import utcnow
from ..extensions import db
from ..growth.fraud import flag_commissions
from ..statements import run_many
from ..wallet import ledger, memos
from . import commission as engine
from .models import CLAWED_BACK, FROZEN, REVERSED, SETTLED, Commission, ReferralNode
from .rules import current_version, load_rules, upline_from_snapshot

#: What the fraud check needs of a commission just inserted (a row, not a loaded object).
NewCommission = namedtuple("NewCommission", "id beneficiary_id created_at")

_COMMISSIONS = Commission.__table__
# Core: one INSERT built once, sent as one multi-row statement (shop/statements.py run_many).
_INSERT_COMMISSIONS = insert(_COMMISSIONS).returning(_COMMISSIONS.c.id, _COMMISSIONS.c.order_line_id,
                                                     _COMMISSIONS.c.level, _COMMISSIONS.c.beneficiary_id)


def order_rules(order):
    """The rule version the order was placed under. Reads only."""
    return load_rules(order.rule_version_id or current_version().id)


def expected_shares(order):
    """What the engine says the order pays, from its stored upline and rule version; lines of an activity the
    merchant excluded from commission pay none. Reads only."""
    lines = [engine.Line(line_id=ln.id, product_id=ln.product_id or 0, quantity=ln.quantity,
                         unit_price_fen=ln.unit_price_fen, paid_fen=ln.paid_amount_fen)
             for ln in order.lines if ln.commissionable]
    return engine.compute_shares(lines, upline_from_snapshot(order.upline), order_rules(order))


def create_commissions(order):
    """Insert the order's commissions frozen and credit each beneficiary's frozen balance; returns
    {beneficiary_id: amount}, which the caller adds to the beneficiaries' figures (binding.record_paid_order's
    `earned`, in the same UPDATE as the buyer's and the uplines') and checks grades for.
    Joins the caller's transaction (the payment's).

    A fixed number of statements whatever the shares: one INSERT of the commissions (their ids returned), the
    ledger's one guarded UPDATE and one INSERT (ledger.post_many)."""
    shares = expected_shares(order)
    if not shares:
        return {}
    now = utcnow()
    rows = [dict(order_id=order.id, order_line_id=s.line_id, level=s.level, beneficiary_id=s.beneficiary_id,
                 buyer_id=order.user_id, amount_fen=s.amount_fen, reversed_fen=0, clawed_back_fen=0, status=FROZEN,
                 base_fen=s.base_fen, rate_bp=s.rate_bp, fixed_fen=s.fixed_fen, quantity=s.quantity,
                 source=s.source, rule_version_id=s.rule_version, created_at=now) for s in shares]
    ids = {(line, level, who): id_ for id_, line, level, who in run_many(_INSERT_COMMISSIONS, rows)}
    created = [NewCommission(ids[(s.line_id, s.level, s.beneficiary_id)], s.beneficiary_id, now) for s in shares]
    ledger.post_many([ledger.Posting(s.beneficiary_id, "commission_frozen", "commission", c.id,
                                     frozen=s.amount_fen, order_id=order.id, memo=memos.COMMISSION.write(order_no=order.order_no, level=s.level))
                      for s, c in zip(shares, created)], now)
    flag_commissions(order, created)  # held from settlement when the buyer looks like the beneficiary
    totals = defaultdict(int)
    for share in shares:
        totals[share.beneficiary_id] += share.amount_fen
    return dict(totals)


def take_back(commission, target_net_fen, refund_id, memo=None):
    """Reduce a commission to target_net_fen: from frozen before settlement, as a debt on the
    available balance after it (a clawback may take the balance below zero). `memo` names the cause on the
    ledger (default: the refund). Joins the caller's transaction (the refund's, or a fraud void's)."""
    memo = memo or memos.REFUND.write(refund_id=refund_id)
    delta = commission.net_fen - target_net_fen
    if delta <= 0:
        return 0
    node_update = {}
    if commission.status == FROZEN:
        commission.reversed_fen += delta
        if commission.net_fen == 0:
            commission.status = REVERSED
        ledger.post(commission.beneficiary_id, "commission_reversed", frozen=-delta, ref_type="commission",
                    ref_id=commission.id, order_id=commission.order_id, memo=memo)
        node_update = {"commission_frozen_fen": ReferralNode.commission_frozen_fen - delta,
                       "commission_reversed_fen": ReferralNode.commission_reversed_fen + delta}
    elif commission.status == SETTLED:
        commission.clawed_back_fen += delta
        if commission.net_fen == 0:
            commission.status = CLAWED_BACK
        ledger.post(commission.beneficiary_id, "commission_clawback", available=-delta, ref_type="commission",
                    ref_id=commission.id, order_id=commission.order_id, memo=memo, allow_debt=True)
        node_update = {"commission_settled_fen": ReferralNode.commission_settled_fen - delta,
                       "commission_reversed_fen": ReferralNode.commission_reversed_fen + delta}
    else:
        return 0
    db.session.execute(update(ReferralNode).where(ReferralNode.user_id == commission.beneficiary_id)
                       .values(**node_update))
    db.session.flush()
    return delta


def adjust_for_refunded_quantities(order_line, refunded_quantity, refund_id):
    """Keep each commission of the line at floor(amount x remaining / quantity): exact to the fen,
    and everything taken back once the whole line is refunded. Joins the caller's transaction (the refund's)."""
    remaining = order_line.quantity - refunded_quantity
    taken = 0
    for commission in db.session.scalars(select(Commission).where(Commission.order_line_id == order_line.id)
                                         .order_by(Commission.level).with_for_update()
                                         .execution_options(populate_existing=True)):
        taken += take_back(commission, commission.amount_fen * remaining // order_line.quantity, refund_id)
    return taken


def settle(commission_id, now=None):
    """Frozen -> available for one commission, exactly once; returns the amount moved. The row is locked first,
    so a refund that reduced it meanwhile is seen: its current net moves, never the one read before.
    Joins the caller's transaction (the settlement command's)."""
    commission = db.session.execute(select(Commission).where(Commission.id == commission_id).with_for_update()
                                    .execution_options(populate_existing=True)).scalar_one_or_none()
    if commission is None or commission.status != FROZEN:
        return 0
    commission.status, commission.settled_at = SETTLED, now or utcnow()
    amount = commission.net_fen
    if amount:
        ledger.post(commission.beneficiary_id, "commission_settled", frozen=-amount, available=amount,
                    ref_type="commission", ref_id=commission.id, order_id=commission.order_id)
        db.session.execute(update(ReferralNode).where(ReferralNode.user_id == commission.beneficiary_id).values(
            commission_frozen_fen=ReferralNode.commission_frozen_fen - amount,
            commission_settled_fen=ReferralNode.commission_settled_fen + amount))
    db.session.flush()
    return amount
