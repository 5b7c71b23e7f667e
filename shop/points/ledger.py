"""The only way points move: post() changes a balance with one guarded UPDATE and appends the entry."""
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..clock import utcnow
from ..errors import ServiceError
from ..extensions import db
from .models import PointsAccount, PointsEntry


class InsufficientPoints(ServiceError):
    def __init__(self, message=None):
        super().__init__(message or _("积分不足"), status=409)


def ensure_account(user_id):
    """Create the member's points account with a zero balance unless it exists. Joins the caller's transaction."""
    insert = pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    db.session.execute(insert(PointsAccount).values(user_id=user_id, balance=0).on_conflict_do_nothing())


def lock_account(user_id):
    """Lock the member's points row for the rest of the caller's transaction (serializes their one-time rewards
    and take-backs); returns the account."""
    ensure_account(user_id)
    return db.session.execute(select(PointsAccount).where(PointsAccount.user_id == user_id).with_for_update()
                              .execution_options(populate_existing=True)).scalar_one()


def balance_of(user_id):
    """The member's points balance (0 without an account). Reads only."""
    return db.session.scalar(select(PointsAccount.balance).where(PointsAccount.user_id == user_id)) or 0


def post(user_id, kind, delta, *, ref_type, ref_id, order_id=None, actor_id=None, memo="", once_key=None,
         basis_fen=None, unrecovered=0, now=None):
    """Add the signed delta to the member's balance and append the entry, atomically; joins the caller's
    transaction. The UPDATE carries its own guard (the balance never goes below zero) and its row is checked, so
    concurrent spends can never overdraw; InsufficientPoints otherwise. Returns the entry."""
    stmt = (update(PointsAccount).where(PointsAccount.user_id == user_id, PointsAccount.balance + delta >= 0)
            .values(balance=PointsAccount.balance + delta).returning(PointsAccount.balance)
            .execution_options(synchronize_session=False))
    row = db.session.execute(stmt).first()
    if row is None and db.session.get(PointsAccount, user_id) is None:
        ensure_account(user_id)  # the member's first entry: create the account, then apply the change
        row = db.session.execute(stmt).first()
    if row is None:
        raise InsufficientPoints()
    entry = PointsEntry(user_id=user_id, kind=kind, delta=delta, balance_after=row[0], ref_type=ref_type,
                        ref_id=ref_id, order_id=order_id, actor_id=actor_id, memo=(memo or "")[:200],
                        once_key=once_key, basis_fen=basis_fen, unrecovered=unrecovered, created_at=now or utcnow())
    db.session.add(entry)
    db.session.flush()
    return entry


def has_entry(once_key):
    """Whether the one-time entry `once_key` exists. Reads only."""
    return db.session.scalar(select(PointsEntry.id).where(PointsEntry.once_key == once_key)) is not None
