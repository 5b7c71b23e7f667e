"""The only way points move: post() changes a balance with one guarded UPDATE and appends the entry."""
from flask_babel import gettext as _
from sqlalchemy import BigInteger, bindparam, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..clock import utcnow
from ..errors import ServiceError
from ..extensions import db
from ..statements import adopt, loaded, rowcount, scalar
from .models import PointsAccount, PointsEntry

# Built once (bound parameters only): every first paid order of an invitee rewards its referrer through these.
_accounts, _entries = PointsAccount.__table__, PointsEntry.__table__
_user, _delta = bindparam("member", type_=_accounts.c.user_id.type), bindparam("delta", type_=BigInteger)
_NEW_ACCOUNT = {dialect: make(_accounts).values(user_id=_user, balance=0).on_conflict_do_nothing()
                for dialect, make in (("postgresql", pg_insert), ("sqlite", sqlite_insert))}
_LOCK = select(_accounts.c.balance).where(_accounts.c.user_id == _user).with_for_update()
_HAS_ACCOUNT = select(_accounts.c.user_id).where(_accounts.c.user_id == _user)
_POST = (update(_accounts).where(_accounts.c.user_id == _user, _accounts.c.balance + _delta >= 0)
         .values(balance=_accounts.c.balance + _delta).returning(_accounts.c.balance))
_INSERT_ENTRY = insert(_entries).returning(_entries.c.id)
_HAS_ENTRY = select(_entries.c.id).where(_entries.c.once_key == bindparam("once_key")).limit(1)


class InsufficientPoints(ServiceError):
    def __init__(self, message=None):
        super().__init__(message or _("积分不足"), status=409)


def ensure_account(user_id):
    """Create the member's points account with a zero balance unless it exists. Joins the caller's transaction."""
    rowcount(_NEW_ACCOUNT[db.engine.dialect.name], {"member": user_id})


def lock_account(user_id):
    """Lock the member's points row for the rest of the caller's transaction (serializes their one-time rewards
    and take-backs); returns its balance."""
    ensure_account(user_id)
    return scalar(_LOCK, {"member": user_id})


def balance_of(user_id):
    """The member's points balance (0 without an account). Reads only."""
    return db.session.scalar(select(PointsAccount.balance).where(PointsAccount.user_id == user_id)) or 0


def post(user_id, kind, delta, *, ref_type, ref_id, order_id=None, actor_id=None, memo="", memo_args=None,
         once_key=None, basis_fen=None, unrecovered=0, now=None):
    """Add the signed delta to the member's balance and append the entry, atomically; joins the caller's
    transaction. The UPDATE carries its own guard (the balance never goes below zero) and its row is checked, so
    concurrent spends can never overdraw; InsufficientPoints otherwise. Returns the entry.

    `memo`: staff's own words, or with `memo_args` (a dict, {} when it has no placeholder) the message id of the
    mall's own memo (`memos.N_`), translated when read."""
    change = {"member": user_id, "delta": delta}
    balance = scalar(_POST, change)
    if balance is None and scalar(_HAS_ACCOUNT, change) is None:
        ensure_account(user_id)  # the member's first entry: create the account, then apply the change
        balance = scalar(_POST, change)
    if balance is None:
        raise InsufficientPoints()
    values = dict(user_id=user_id, kind=kind, delta=delta, balance_after=balance, ref_type=ref_type, ref_id=ref_id,
                  order_id=order_id, actor_id=actor_id, memo=(memo or "")[:200], memo_args=memo_args, once_key=once_key,
                  basis_fen=basis_fen, unrecovered=unrecovered, created_at=now or utcnow())
    # Inserted by one prebuilt INSERT (the unit of work's flush costs more), then handed to the session as the
    # persistent entry it is.
    return adopt(loaded(PointsEntry, dict(values, id=scalar(_INSERT_ENTRY, values))))


def has_entry(once_key):
    """Whether the one-time entry `once_key` exists. Reads only."""
    return scalar(_HAS_ENTRY, {"once_key": once_key}) is not None
