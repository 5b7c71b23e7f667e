"""The merchant's payment alerts: the list (newest first) and marking one handled with a note."""
from flask_babel import gettext as _
from sqlalchemy import func, select, update

from ...clock import utcnow
from ...database import transaction
from ...errors import ServiceError, found
from ...extensions import db
from ...pagination import paginate
from ...payments.models import PaymentAlert
from ...staff.models import Staff
from ..sorting import Sorting

#: The list's sortable columns (newest first unless asked); an alert without an amount counts as 0.
SORTING = Sorting({"created": PaymentAlert.created_at, "kind": PaymentAlert.kind,
                   "amount": func.coalesce(PaymentAlert.amount_fen, 0)}, default="created", tiebreak=PaymentAlert.id)


def alerts(kind=None, state="open", page=1, sort=SORTING.standard):
    """(page of alerts in the chosen order (newest first by default), {staff id: Staff} of who handled them): by
    kind, unhandled / handled / all, in a fixed number of statements. Reads only."""
    stmt = select(PaymentAlert).order_by(*sort.order_by())
    if kind:
        stmt = stmt.where(PaymentAlert.kind == kind)
    if state == "open":
        stmt = stmt.where(PaymentAlert.resolved_at.is_(None))
    elif state == "handled":
        stmt = stmt.where(PaymentAlert.resolved_at.is_not(None))
    rows = paginate(stmt, page)
    ids = {a.resolved_by for a in rows.items if a.resolved_by}
    users = {s.id: s for s in db.session.scalars(select(Staff).where(Staff.id.in_(ids)))} if ids else {}
    return rows, users


def unhandled_count():
    """How many alerts nobody has handled yet (the menu badge). Reads only."""
    return db.session.scalar(select(func.count(PaymentAlert.id)).where(PaymentAlert.resolved_at.is_(None)))


def get_alert(alert_id):
    """An alert; or 404."""
    return found(db.session.get(PaymentAlert, alert_id), _("告警不存在"))


def mark_handled(alert_id, actor, note):
    """Record that staff handled the alert, when, and what they did (required); an alert is handled once. Commits."""
    note = (note or "").strip()
    if not note:
        raise ServiceError(_("请填写处理说明"))
    with transaction():
        changed = db.session.execute(
            update(PaymentAlert).where(PaymentAlert.id == alert_id, PaymentAlert.resolved_at.is_(None))
            .values(resolved_at=utcnow(), resolved_by=actor.id, note=note[:300])
            .execution_options(synchronize_session=False)).rowcount
        if changed != 1:
            get_alert(alert_id)
            raise ServiceError(_("该告警已处理"), status=409)
    return db.session.get(PaymentAlert, alert_id, populate_existing=True)
