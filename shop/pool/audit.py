"""The pool's part of `flask shop audit` (wallet.audit.run_audit): every period adds up, and the ledger matches the
share rows. Sets report.figures["pool net"] (what the pool holds in accounts) and ["pool debtors"]."""
from collections import defaultdict

from sqlalchemy import func, select

from ..extensions import db
from ..wallet.models import LedgerEntry
from . import rules
from .models import CLAWBACK_KIND, REF_TYPE, SHARE_KIND, PoolAdjustment, PoolOrder, PoolPeriod, PoolShare


def check_pool(report):
    """Periods: shares + remainder == pool == floor(base x rate), base == its orders; each share's entries ==
    its amount and clawbacks; each period's clawback adjustments == its shares' clawbacks."""
    shares = defaultdict(list)
    for share in db.session.scalars(select(PoolShare)):
        shares[share.period_id].append(share)
    bases = dict(db.session.execute(select(PoolOrder.period_id, func.sum(PoolOrder.base_fen))
                                    .group_by(PoolOrder.period_id)).all())
    clawed = dict(db.session.execute(select(PoolAdjustment.period_id, func.sum(PoolAdjustment.amount_fen))
                                     .where(PoolAdjustment.policy == "clawback").group_by(PoolAdjustment.period_id)).all())
    periods = db.session.scalars(select(PoolPeriod)).all()
    for period in periods:
        _period_adds_up(report, period, shares[period.id], int(bases.get(period.id) or 0),
                        int(clawed.get(period.id) or 0))
    report.figures["pool periods"] = len(periods)
    _shares_match_ledger(report, [s for rows in shares.values() for s in rows])


def _period_adds_up(report, period, shares, orders_base, clawed):
    paid = sum(s.amount_fen for s in shares)
    if paid != period.shares_fen or paid + period.remainder_fen != period.pool_fen:
        report.problem(f"pool {period.period}: shares {paid} + remainder {period.remainder_fen} != pool "
                       f"{period.pool_fen} (recorded shares {period.shares_fen})")
    if period.pool_fen != rules.pool_of(period.base_fen, period.rate_bp) or orders_base != period.base_fen:
        report.problem(f"pool {period.period}: pool {period.pool_fen} != base {period.base_fen} x "
                       f"{period.rate_bp} bp, or its orders' base {orders_base} differs")
    if clawed != sum(s.clawed_back_fen for s in shares):
        report.problem(f"pool {period.period}: clawback adjustments {clawed} != shares clawed back")


def _shares_match_ledger(report, shares):
    sums = defaultdict(lambda: [0, 0, 0])
    slot = {SHARE_KIND: 0, CLAWBACK_KIND: 1}
    for e in db.session.execute(select(LedgerEntry.ref_id, LedgerEntry.kind, LedgerEntry.user_id,
                                       LedgerEntry.d_available, LedgerEntry.d_frozen, LedgerEntry.d_withdrawing,
                                       LedgerEntry.d_withdrawn).where(LedgerEntry.ref_type == REF_TYPE)):
        row = sums[(e.ref_id, e.user_id)]
        if e.kind in slot:
            row[slot[e.kind]] += e.d_available
        # another kind on a share, or a share's entry outside the available bucket: counted as "other"
        row[2] += (e.kind not in slot) + bool(e.d_frozen or e.d_withdrawing or e.d_withdrawn)
    net = 0
    for s in shares:
        got = sums.pop((s.id, s.user_id), [0, 0, 0])
        if got != [s.amount_fen, -s.clawed_back_fen, 0]:
            report.problem(f"pool share {s.id} (user {s.user_id}, {s.amount_fen} less {s.clawed_back_fen} clawed "
                           f"back): ledger share {got[0]}, clawback {got[1]}, other {got[2]}")
        net += s.net_fen
    for ref_id, user_id in sums:
        report.problem(f"pool ledger entries of user {user_id} refer to share {ref_id}, which is not theirs or gone")
    report.figures["pool net"] = net
    report.figures["pool debtors"] = {s.user_id for s in shares if s.clawed_back_fen}
