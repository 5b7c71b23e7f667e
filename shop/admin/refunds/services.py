"""After-sale reads for the merchant: the refund queue, the count waiting for an answer, one refund with its
order, lines and payment. Reads only (the decisions are payments.refunds approve_refund / reject_refund)."""
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from ...clock import day_start
from ...errors import found
from ...extensions import db
from ...orders.models import Order
from ...pagination import paginate
from ...payments.models import REFUND_STATUSES, REQUESTED, Payment, Refund
from ...staff.models import Staff
from ..sorting import Sorting


def waiting_count():
    """Refunds the shopper asked for that wait for the merchant (the menu badge)."""
    return db.session.scalar(select(func.count()).select_from(Refund).where(Refund.status == REQUESTED))


def status_counts():
    """{status: count} over every refund, for the queue's tabs."""
    return dict(db.session.execute(select(Refund.status, func.count()).group_by(Refund.status)).all())


#: The queue's sortable columns (newest first unless asked).
SORTING = Sorting({"created": Refund.created_at, "amount": Refund.amount_fen, "kind": Refund.kind,
                   "status": Refund.status}, default="created", tiebreak=Refund.id)


def refund_queue(status=None, start=None, end=None, q=None, page=1, sort=SORTING.standard):
    """Refunds in the chosen order (newest first by default), by status, creation date (China days, both included) and order or refund number;
    each with its order and shopper loaded in the same statement."""
    stmt = select(Refund).join(Order, Order.id == Refund.order_id).options(
        joinedload(Refund.order).joinedload(Order.user))
    if status in REFUND_STATUSES:
        stmt = stmt.where(Refund.status == status)
    if start:
        stmt = stmt.where(Refund.created_at >= day_start(start))
    if end:
        stmt = stmt.where(Refund.created_at < day_start(end + timedelta(days=1)))
    if q:
        stmt = stmt.where(or_(Order.order_no.contains(q, autoescape=True),
                              Refund.refund_no.contains(q, autoescape=True)))
    return paginate(stmt.order_by(*sort.order_by()), page)


def get_refund(refund_no):
    """One refund by number with its lines, order (and lines) and shopper; or 404."""
    return found(db.session.scalar(select(Refund).where(Refund.refund_no == str(refund_no)[:32]).options(
        selectinload(Refund.lines), joinedload(Refund.order).selectinload(Order.lines),
        joinedload(Refund.order).joinedload(Order.user))), _("退款申请不存在"))


def refund_payment(refund):
    """The payment a refund goes back to, or None."""
    return db.session.get(Payment, refund.payment_id) if refund.payment_id else None


def decided_by(refund):
    """The staff member who approved or rejected the refund, or None."""
    return db.session.get(Staff, refund.decided_by) if refund.decided_by else None


def refund_lines(refund):
    """[(order line, refund line)] of a refund loaded by get_refund, in the order's line order."""
    asked = {rl.order_line_id: rl for rl in refund.lines}
    return [(line, asked[line.id]) for line in refund.order.lines if line.id in asked]
