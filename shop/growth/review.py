"""Staff decide a fraud flag: clear it (a held commission then settles as usual) or void it (the commission is
reversed on the ledger through the refund's own reversal path, earnings.take_back, so the audit stays clean).
Joins the caller's transaction (the admin's)."""
from flask_babel import gettext as _
from sqlalchemy import select, update

from ..clock import utcnow
from ..distribution.earnings import take_back
from ..distribution.models import Commission
from ..errors import NotFound, ServiceError
from ..extensions import db
from ..wallet import memos
from .models import CLEARED, HELD, VOIDED, FraudFlag


def _close(flag_id, status, actor, reason):
    """The guarded move held -> cleared / voided (one statement, its row count checked)."""
    moved = db.session.execute(update(FraudFlag).where(FraudFlag.id == flag_id, FraudFlag.status == HELD).values(
        status=status, decided_at=utcnow(), decided_by_id=getattr(actor, "id", None),
        decided_by_name=(getattr(actor, "display_name", "") or "")[:40], decision_reason=reason[:200]))
    if moved.rowcount != 1:
        raise ServiceError(_("该标记已处理"))
    return db.session.get(FraudFlag, flag_id, populate_existing=True)


def _flag(flag_id, reason):
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("请填写处理原因"))
    flag = db.session.get(FraudFlag, flag_id)
    if flag is None:
        raise NotFound()
    return flag, reason


def clear(flag_id, actor, reason):
    """Release a held flag with a reason: the commission settles when it is due, the binding stands."""
    flag, reason = _flag(flag_id, reason)
    return _close(flag.id, CLEARED, actor, reason)


def void(flag_id, actor, reason):
    """Void a held commission with a reason: whatever it is still worth is reversed from the frozen balance."""
    flag, reason = _flag(flag_id, reason)
    if flag.kind != "commission":
        raise ServiceError(_("只有佣金可以作废；绑定请放行或在分销商页面调整上级"))
    flag = _close(flag.id, VOIDED, actor, reason)
    commission = db.session.execute(select(Commission).where(Commission.id == flag.commission_id).with_for_update()
                                    .execution_options(populate_existing=True)).scalar_one()
    take_back(commission, 0, None, memo=memos.FRAUD_VOID.write(flag_id=flag.id, reason=reason)[:200])
    return flag
