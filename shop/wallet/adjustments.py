"""Manual commission adjustments (人工调整佣金): staff add to or take from a distributor's available balance with a
reason. Each is one Adjustment row and its one ledger entry of kind "adjustment".

A minus adjustment never takes the available balance below zero. The rulebook knows one debt, a clawback after
settlement (money already earned and perhaps withdrawn, refunded to the shopper); the audit holds every negative
balance to it, and a debt blocks withdrawals. Staff correcting a balance take only what is there."""
from flask_babel import gettext as _
from sqlalchemy import select

from ..clock import utcnow
from ..errors import ServiceError
from ..extensions import db
from ..money import format_fen
from . import ledger
from .models import ADJUSTMENT, Account, Adjustment

#: One adjustment moves at most ¥1,000,000 either way (a typo with extra zeros is refused, not posted).
MAX_ADJUSTMENT_FEN = 100_000_000


def adjustment_error(amount_fen, reason):
    """Why these values can't be an adjustment (None when they can). No database access."""
    if not (reason or "").strip():
        return _("请填写调整原因")
    if not isinstance(amount_fen, int) or isinstance(amount_fen, bool) or amount_fen == 0:
        return _("调整金额须为不等于 0 的金额")
    if abs(amount_fen) > MAX_ADJUSTMENT_FEN:
        return _("单次调整不能超过 %(max)s", max=format_fen(MAX_ADJUSTMENT_FEN))
    return None


def adjust(user_id, amount_fen, reason, actor_id=None):
    """Add (amount > 0) or take (amount < 0) money on the member's available balance, with the required reason;
    returns the Adjustment. A minus adjustment larger than the available balance is refused (409).
    Joins the caller's transaction."""
    error = adjustment_error(amount_fen, reason)
    if error:
        raise ServiceError(error)
    reason = reason.strip()[:200]
    adjustment = Adjustment(user_id=user_id, amount_fen=amount_fen, reason=reason, actor_id=actor_id,
                            created_at=utcnow())
    db.session.add(adjustment)
    db.session.flush()
    try:
        ledger.post(user_id, ADJUSTMENT, available=amount_fen, ref_type="adjustment", ref_id=adjustment.id,
                    actor_id=actor_id, memo=reason)
    except ledger.InsufficientBalance:
        available = db.session.scalar(select(Account.available_fen).where(Account.user_id == user_id)) or 0
        raise ServiceError(_("可提现余额只有 %(available)s，不能扣减 %(amount)s：人工扣减不能让余额小于 0",
                             available=format_fen(available), amount=format_fen(-amount_fen)), status=409)
    return adjustment
