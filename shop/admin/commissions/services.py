"""The merchant's commission and ledger use cases: the commission search with its totals, one distributor's
ledger with the balances after each entry, and manual adjustments (the rule is wallet.adjustments)."""
from datetime import timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import aliased

from ...accounts.models import User
from ...clock import day_start
from ...database import transaction
from ...distribution.models import Commission, Distributor
from ...extensions import db
from ...orders.models import Order
from ...pagination import PER_PAGE, Window
from ...staff.models import Staff
from ...wallet import adjustments
from ...wallet.models import Account, LedgerEntry
from ..sorting import Sorting

Beneficiary, Buyer = aliased(User, name="beneficiary"), aliased(User, name="buyer")
#: The search's sortable columns (newest first unless asked).
SORTING = Sorting({"created": Commission.created_at, "base": Commission.base_fen, "amount": Commission.amount_fen,
                   "net": Commission.net_fen, "level": Commission.level, "status": Commission.status},
                  default="created", tiebreak=Commission.id)


def _beneficiaries(text):
    """Members whose phone, invite code or nickname is this text (a subquery of ids)."""
    return (select(User.id).outerjoin(Distributor, Distributor.user_id == User.id)
            .where(or_(User.phone == text, Distributor.invite_code == text.upper(),
                       User.nickname.contains(text, autoescape=True))))


def _where(filters):
    """The search's conditions on Commission (and Order for the order number)."""
    conditions = []
    if filters.distributor:
        conditions.append(Commission.beneficiary_id.in_(_beneficiaries(filters.distributor)))
    if filters.order:
        conditions.append(Order.order_no == filters.order)
    if filters.status:
        conditions.append(Commission.status == filters.status)
    if filters.level:
        conditions.append(Commission.level == filters.level)
    if filters.start:
        conditions.append(Commission.created_at >= day_start(filters.start))
    if filters.end:
        conditions.append(Commission.created_at < day_start(filters.end + timedelta(days=1)))
    return conditions


def totals(filters):
    """{count, amount, reversed, clawed_back, net} over every filtered commission, in one aggregate statement."""
    row = db.session.execute(
        select(func.count(Commission.id), *(func.coalesce(func.sum(column), 0) for column in (
            Commission.amount_fen, Commission.reversed_fen, Commission.clawed_back_fen, Commission.net_fen)))
        .join(Order, Order.id == Commission.order_id).where(*_where(filters))).one()
    return dict(zip(("count", "amount", "reversed", "clawed_back", "net"), map(int, row)))


def search(filters, page=1, sort=SORTING.standard):
    """(page of (Commission, order_no, beneficiary, buyer) in the chosen order (newest first by default), totals): three statements whatever the
    page holds. Reads only."""
    sums = totals(filters)
    rows = db.session.execute(
        select(Commission, Order.order_no, Beneficiary, Buyer).join(Order, Order.id == Commission.order_id)
        .join(Beneficiary, Beneficiary.id == Commission.beneficiary_id).join(Buyer, Buyer.id == Commission.buyer_id)
        .where(*_where(filters)).order_by(*sort.order_by())
        .limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    return Window(rows, page, PER_PAGE, sums["count"]), sums


def ledger(user_id, page=1):
    """(page of (LedgerEntry, order_no or None, actor or None) newest first, Account or None): the entries with the
    balances after each one. Reads only."""
    actor = aliased(Staff, name="actor")
    count = db.session.scalar(select(func.count(LedgerEntry.id)).where(LedgerEntry.user_id == user_id))
    rows = db.session.execute(
        select(LedgerEntry, Order.order_no, actor).outerjoin(Order, Order.id == LedgerEntry.order_id)
        .outerjoin(actor, actor.id == LedgerEntry.actor_id).where(LedgerEntry.user_id == user_id)
        .order_by(LedgerEntry.id.desc()).limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    return Window(rows, page, PER_PAGE, count), db.session.get(Account, user_id)


def adjust(distributor, amount_fen, reason, actor):
    """人工调整佣金 on a distributor's available balance, with the required reason; a minus adjustment never goes
    below zero (wallet.adjustments); commits."""
    with transaction():
        adjustment = adjustments.adjust(distributor.user_id, amount_fen, reason, actor.id if actor else None)
    return adjustment
