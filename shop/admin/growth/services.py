"""The merchant's growth use cases: the invite funnel of every distributor, and the fraud flags to decide."""
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ...accounts.models import User
from ...database import transaction
from ...errors import found
from ...extensions import db
from ...growth import funnel, review
from ...growth.models import HELD, FraudFlag
from ...pagination import paginate

#: Distributors listed on the funnel page (the best by the chosen column).
FUNNEL_ROWS = 50


def funnel_page(days, sort="visits"):
    """(everyone's Funnel, [(User, Funnel)] of the FUNNEL_ROWS best by `sort`, distributors with activity)."""
    by_distributor = funnel.funnels(days)
    best = sorted(by_distributor.items(), key=lambda item: (-getattr(item[1], sort), item[0]))[:FUNNEL_ROWS]
    ids = [d for d, _f in best]
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))} if ids else {}
    rows = [(users[d], f) for d, f in best if d in users]
    return funnel.total(by_distributor), rows, len(by_distributor)


def flags(status=HELD, kind="commission", page=1):
    """Fraud flags of a status and kind, oldest held first (worked through in order), decided ones newest first."""
    stmt = (select(FraudFlag).where(FraudFlag.status == status, FraudFlag.kind == kind)
            .options(joinedload(FraudFlag.user), joinedload(FraudFlag.referrer), joinedload(FraudFlag.commission)))
    stmt = stmt.order_by(FraudFlag.id if status == HELD else FraudFlag.id.desc())
    return paginate(stmt, page)


def held_count():
    """Commissions held by a fraud flag, waiting for staff (the menu badge)."""
    return db.session.scalar(select(func.count(FraudFlag.id)).where(FraudFlag.status == HELD,
                                                                     FraudFlag.kind == "commission"))


def get_flag(flag_id):
    """A fraud flag; or 404."""
    return found(db.session.get(FraudFlag, flag_id))


def decide(flag, actor, reason, void=False):
    """Clear or void a held flag with a reason (a void reverses the commission on the ledger); commits."""
    with transaction():
        return (review.void if void else review.clear)(flag.id, actor, reason)
