"""The merchant's withdrawal use cases: the queue with each distributor's balances, one withdrawal, approving
(alone or in bulk), paying by hand and rejecting. The rules themselves are in wallet.withdrawals."""
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ...clock import day_start
from ...database import require_outermost, transaction
from ...errors import ServiceError, found
from ...extensions import db
from ...pagination import paginate
from ...payments.gateways.base import GatewayError
from ...staff.models import Staff
from ...wallet import withdrawals
from ...wallet.models import W_FAILED, W_REQUESTED, Account, LedgerEntry, Withdrawal
from ..sorting import Sorting

#: Rows in one Excel export at most (the newest first).
EXPORT_LIMIT = 10_000
#: The queue's sortable columns (newest first unless asked).
SORTING = Sorting({"created": Withdrawal.created_at, "amount": Withdrawal.amount_fen, "status": Withdrawal.status},
                  default="created", tiebreak=Withdrawal.id)


def _filtered(filters, sort):
    stmt = select(Withdrawal)
    if filters.status:
        stmt = stmt.where(Withdrawal.status == filters.status)
    if filters.method:
        stmt = stmt.where(Withdrawal.method == filters.method)
    if filters.start:
        stmt = stmt.where(Withdrawal.created_at >= day_start(filters.start))
    if filters.end:
        stmt = stmt.where(Withdrawal.created_at < day_start(filters.end + timedelta(days=1)))
    return stmt.options(joinedload(Withdrawal.user)).order_by(*sort.order_by())


def accounts_of(withdrawals_):
    """{user_id: Account} of these withdrawals' distributors, in one statement. Reads only."""
    ids = {w.user_id for w in withdrawals_}
    return {a.user_id: a for a in db.session.scalars(select(Account).where(Account.user_id.in_(ids)))} if ids else {}


def queue(filters, page=1, sort=SORTING.standard):
    """(page of withdrawals in the chosen order (newest first by default) with their members, {user_id: Account}): a fixed number of statements
    whatever the page holds. Reads only."""
    rows = paginate(_filtered(filters, sort), page)
    return rows, accounts_of(rows.items)


def export_rows(filters, sort=SORTING.standard):
    """(withdrawals, {user_id: Account}) of every filtered row in the list's order, up to EXPORT_LIMIT. Reads
    only."""
    rows = db.session.scalars(_filtered(filters, sort).limit(EXPORT_LIMIT)).all()
    return rows, accounts_of(rows)


def status_counts():
    """{status: count} over every withdrawal. Reads only."""
    return dict(db.session.execute(select(Withdrawal.status, func.count()).group_by(Withdrawal.status)).all())


def waiting_count():
    """How many withdrawal requests wait for the merchant (the menu badge). Reads only."""
    return db.session.scalar(select(func.count(Withdrawal.id)).where(Withdrawal.status == W_REQUESTED))


def get_withdrawal(withdrawal_id):
    """A withdrawal with its member; or 404."""
    return found(db.session.scalar(select(Withdrawal).where(Withdrawal.id == withdrawal_id)
                                   .options(joinedload(Withdrawal.user))), _("提现申请不存在"))


def withdrawal_detail(withdrawal):
    """What the merchant sees beside one withdrawal: the balances, who decided, and its ledger entries. Reads
    only."""
    entries = db.session.scalars(select(LedgerEntry).where(LedgerEntry.ref_type == "withdrawal",
                                                           LedgerEntry.ref_id == withdrawal.id)
                                 .order_by(LedgerEntry.id)).all()
    return {"account": accounts_of([withdrawal]).get(withdrawal.user_id), "entries": entries,
            "decider": db.session.get(Staff, withdrawal.decided_by) if withdrawal.decided_by else None}


def approve_withdrawal(withdrawal_id, actor):
    """Approve one withdrawal: WeChat change is sent through 商家转账 at once, Alipay and bank wait to be paid by
    hand. Owns its transactions (refused inside another). A transfer the gateway did not take is a ServiceError
    saying the approval stands (reconcile-transfers asks again under the same number); one it refused outright is a
    ServiceError saying the money went back."""
    require_outermost()
    if get_withdrawal(withdrawal_id).method != "wechat":
        with transaction():
            return withdrawals.approve(withdrawal_id, actor)
    try:
        withdrawal = withdrawals.approve(withdrawal_id, actor)
    except GatewayError as err:
        raise ServiceError(_("已审核通过，但微信转账请求未成功：%(m)s", m=err.message), status=502)
    if withdrawal.status == W_FAILED:
        raise ServiceError(_("微信拒绝了这笔转账：%(m)s；提现已标记为打款失败，金额已退回可提现余额",
                             m=withdrawal.fail_reason), status=502)
    return withdrawal


def approve_many(withdrawal_ids, actor):
    """Approve each selected withdrawal in its own transaction; (approved, [(withdrawal number, why refused)])."""
    numbers = dict(db.session.execute(select(Withdrawal.id, Withdrawal.withdrawal_no)
                                      .where(Withdrawal.id.in_(withdrawal_ids))).all()) if withdrawal_ids else {}
    approved, refused = [], []
    for withdrawal_id in withdrawal_ids:
        try:
            approved.append(approve_withdrawal(withdrawal_id, actor))
        except ServiceError as err:
            refused.append((numbers.get(withdrawal_id, f"#{withdrawal_id}"), err.message))
    return approved, refused


def mark_paid(withdrawal, actor, reference):
    """An Alipay or bank withdrawal paid by hand, with its reference; commits."""
    with transaction():
        return withdrawals.mark_paid(withdrawal.id, actor, reference)


def reject(withdrawal, actor, reason):
    """Reject with the reason the distributor reads; the amount goes back to available; commits."""
    with transaction():
        return withdrawals.reject(withdrawal.id, actor, reason)
