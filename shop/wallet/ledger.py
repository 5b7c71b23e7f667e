"""The only way money moves: post() changes an account with one guarded UPDATE and appends the entry."""
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..clock import utcnow
from ..errors import ServiceError
from ..extensions import db
from .models import Account, LedgerEntry


class InsufficientBalance(ServiceError):
    def __init__(self, message=None):
        super().__init__(message or _("余额不足"), status=409)


def ensure_account(user_id):
    """Create the member's account with empty buckets unless it exists. Joins the caller's transaction."""
    insert = pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    db.session.execute(insert(Account).values(user_id=user_id, frozen_fen=0, available_fen=0, withdrawing_fen=0,
                                              withdrawn_fen=0).on_conflict_do_nothing())


def lock_account(user_id):
    """Lock the account row for the rest of the caller's transaction (serializes one distributor's requests)."""
    ensure_account(user_id)
    return db.session.execute(select(Account).where(Account.user_id == user_id).with_for_update()
                              .execution_options(populate_existing=True)).scalar_one()


def post(user_id, kind, *, ref_type, ref_id, frozen=0, available=0, withdrawing=0, withdrawn=0, order_id=None,
         actor_id=None, memo="", allow_debt=False):
    """Apply signed deltas to one account and append the ledger entry, atomically; joins the caller's transaction.

    The UPDATE carries its own guard (no bucket may go negative; available only with allow_debt,
    used by clawbacks) and its affected-row count is checked, so concurrent posts can never
    overdraw an account. Returns the entry.
    """
    guard = [Account.user_id == user_id, Account.frozen_fen + frozen >= 0,
             Account.withdrawing_fen + withdrawing >= 0, Account.withdrawn_fen + withdrawn >= 0]
    if not allow_debt and available < 0:
        guard.append(Account.available_fen + available >= 0)
    stmt = (update(Account).where(*guard).values(
        frozen_fen=Account.frozen_fen + frozen, available_fen=Account.available_fen + available,
        withdrawing_fen=Account.withdrawing_fen + withdrawing, withdrawn_fen=Account.withdrawn_fen + withdrawn)
        .returning(Account.frozen_fen, Account.available_fen, Account.withdrawing_fen, Account.withdrawn_fen)
        .execution_options(synchronize_session=False))
    row = db.session.execute(stmt).first()
    if row is None and db.session.get(Account, user_id) is None:
        ensure_account(user_id)  # the first entry of this account: create it, then apply the change
        row = db.session.execute(stmt).first()
    if row is None:
        raise InsufficientBalance()
    entry = LedgerEntry(user_id=user_id, kind=kind, d_frozen=frozen, d_available=available,
                        d_withdrawing=withdrawing, d_withdrawn=withdrawn, frozen_after=row[0],
                        available_after=row[1], withdrawing_after=row[2], withdrawn_after=row[3],
                        ref_type=ref_type, ref_id=ref_id, order_id=order_id, actor_id=actor_id, memo=memo[:200],
                        created_at=utcnow())
    db.session.add(entry)
    db.session.flush()
    return entry


