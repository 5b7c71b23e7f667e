"""Member reads for the merchant: the list (search and filters, each row with its distributor, figures and
referrer in the same statement) and one member's page. Reads only (binding moves are
distribution.binding.admin_move, from the distribution area)."""
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm import aliased, joinedload

from ...accounts.models import Address, User
from ...clock import day_start
from ...distribution.models import BindingLog, Distributor, ReferralNode
from ...errors import found
from ...extensions import db
from ...orders import status as st
from ...orders.models import Order
from ...pagination import PER_PAGE, Window
from ...staff.models import Staff
from ...wallet.models import Account
from ..orders.queries import MAX_ID
from ..sorting import Sorting
from .forms import NO, YES

#: Orders shown on a member's page (the rest are one click away on the order list).
RECENT_ORDERS = 10
Referrer = aliased(User, name="referrer")
#: The list's sortable columns (newest member first unless asked); a member without a tree node counts as 0.
SORTING = Sorting({"joined": User.created_at, "name": User.nickname,
                   "spent": func.coalesce(ReferralNode.own_paid_fen, 0),
                   "team": func.coalesce(ReferralNode.direct_count + ReferralNode.level2_count
                                         + ReferralNode.level3_count, 0)},
                  default="joined", tiebreak=User.id)


def _listed():
    """Each member with their distributor row, tree figures and referrer (outer joins: any may be missing)."""
    return (select(User, Distributor, ReferralNode, Referrer)
            .outerjoin(Distributor, Distributor.user_id == User.id)
            .outerjoin(ReferralNode, ReferralNode.user_id == User.id)
            .outerjoin(Referrer, Referrer.id == ReferralNode.referrer_id))


def _conditions(f):
    if f.q:
        yield or_(User.phone.contains(f.q, autoescape=True), User.nickname.contains(f.q, autoescape=True),
                  Distributor.invite_code == f.q.upper())
    if f.start:
        yield User.created_at >= day_start(f.start)
    if f.end:
        yield User.created_at < day_start(f.end + timedelta(days=1))
    if f.spent_over:  # everyone paid at least nothing; more needs a tree row (ix_referral_nodes_own_paid)
        yield ReferralNode.own_paid_fen >= f.spent_over
    if f.distributor == YES:
        yield Distributor.user_id.is_not(None)
    if f.distributor == NO:
        yield Distributor.user_id.is_(None)


def member_page(filters, page=1, per_page=PER_PAGE, sort=SORTING.standard):
    """A counted page of members in the chosen order (newest first by default), as (User, Distributor|None, ReferralNode|None, referrer|None)
    rows: two statements whatever the page holds."""
    stmt = _listed()
    for condition in _conditions(filters):
        stmt = stmt.where(condition)
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = db.session.execute(stmt.order_by(*sort.order_by()).limit(per_page).offset((page - 1) * per_page)).all()
    return Window(rows, page, per_page, total=total)


def get_member(user_id):
    """A member by id; or 404 (an id beyond the column's range included)."""
    return found(db.session.get(User, user_id) if user_id <= MAX_ID else None, _("会员不存在"))


def member_detail(user):
    """Everything on a member's page: distributor, tree node and referrer, balances, order figures and the
    latest orders, addresses and binding history."""
    row = db.session.execute(_listed().where(User.id == user.id)).one()
    return {"distributor": row[1], "node": row[2], "referrer": row[3],
            "account": db.session.get(Account, user.id), "orders": recent_orders(user),
            "order_figures": order_figures(user), "addresses": addresses(user), "bindings": binding_history(user)}


def recent_orders(user):
    """The member's latest orders with their lines."""
    return db.session.scalars(select(Order).where(Order.user_id == user.id).options(joinedload(Order.referrer))
                              .order_by(Order.id.desc()).limit(RECENT_ORDERS)).all()


def order_figures(user):
    """{"orders": every order placed, "paid": orders paid, "paid_fen": what they paid, net of
    refunds}."""
    paid = Order.status.in_((st.PAID, st.SHIPPED, st.COMPLETED, st.REFUNDED))
    count, paid_count, paid_fen = db.session.execute(
        select(func.count(), func.count().filter(paid),
               func.coalesce(func.sum(Order.pay_total_fen - Order.refunded_fen).filter(paid), 0))
        .where(Order.user_id == user.id)).one()
    return {"orders": count, "paid": paid_count, "paid_fen": paid_fen}


def addresses(user):
    """The member's addresses, the default first."""
    return db.session.scalars(select(Address).where(Address.user_id == user.id)
                              .order_by(Address.is_default.desc(), Address.id.desc())).all()


def binding_history(user):
    """Every binding and rebinding of the member, newest first, as (BindingLog, old referrer, new referrer,
    staff member) with the people loaded in the same statement."""
    old, new, actor = aliased(User), aliased(User), aliased(Staff)
    return db.session.execute(
        select(BindingLog, old, new, actor).where(BindingLog.user_id == user.id)
        .outerjoin(old, old.id == BindingLog.old_referrer_id).outerjoin(new, new.id == BindingLog.new_referrer_id)
        .outerjoin(actor, actor.id == BindingLog.actor_id).order_by(BindingLog.id.desc())).all()
