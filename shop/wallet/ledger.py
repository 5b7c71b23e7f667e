"""The only way money moves: post() changes an account with one guarded UPDATE and appends the entry;
post_many() does the same for several entries at once (the payment path's commissions)."""
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import BigInteger, bindparam, case, insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.sql.selectable import SelectBase

from ..clock import utcnow
from ..errors import ServiceError
from ..extensions import db
from ..statements import run, run_many
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


def lock_accounts(user_ids):
    """Lock these members' accounts, in ascending user id, in one statement; joins the caller's transaction.

    A transaction that changes several accounts calls this first, so every such transaction takes the rows in one
    global order and two of them wait for each other instead of deadlocking (seen under load: a payment's
    commissions UPDATE locking the chain top-down while a refund reversed them bottom-up). `user_ids` is a list
    or a SELECT of ids. Accounts that do not exist yet are not locked (they are created when first posted to)."""
    if not isinstance(user_ids, SelectBase):
        user_ids = sorted(set(user_ids))
        if len(user_ids) < 2:
            return
    db.session.execute(select(Account.user_id).where(Account.user_id.in_(user_ids)).order_by(Account.user_id)
                       .with_for_update())


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
    if row is None:
        # No row: the account does not exist yet (create it; a concurrent first post may have just committed it,
        # so apply the change again in either case), or the guard refused: the second UPDATE refuses again.
        ensure_account(user_id)
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


BUCKETS = ("frozen", "available", "withdrawing", "withdrawn")
_INSERT_ENTRIES = insert(LedgerEntry.__table__).returning(LedgerEntry.__table__.c.id)


@dataclass(frozen=True)
class Posting:
    """One entry of post_many(): the same arguments as post()."""
    user_id: int
    kind: str
    ref_type: str
    ref_id: int
    frozen: int = 0
    available: int = 0
    withdrawing: int = 0
    withdrawn: int = 0
    order_id: int = None
    memo: str = ""


def post_many(postings, now=None):
    """post() for several entries at once, atomically; joins the caller's transaction. One UPDATE changes every
    account by the sum of its entries' deltas, each account guarded as post() guards it (no debt allowed), and
    every account's row is checked (InsufficientBalance otherwise); one INSERT appends the entries, each with the
    running balances after it, in the order given."""
    totals = {}
    for p in postings:
        totals[p.user_id] = [a + getattr(p, b) for a, b in zip(totals.get(p.user_id, (0, 0, 0, 0)), BUCKETS)]
    after = _update_accounts(totals)
    if after.keys() != totals.keys():
        for user_id in totals.keys() - after.keys():  # first entries: create the accounts, then apply again
            ensure_account(user_id)
        after.update(_update_accounts({u: totals[u] for u in totals.keys() - after.keys()}))
    if after.keys() != totals.keys():
        raise InsufficientBalance()
    running = {u: [a - t for a, t in zip(after[u], totals[u])] for u in totals}  # the balances before
    rows, now = [], now or utcnow()
    for p in postings:
        balance = running[p.user_id] = [a + getattr(p, b) for a, b in zip(running[p.user_id], BUCKETS)]
        if min(balance[0], balance[2], balance[3]) < 0 or (p.available < 0 and balance[1] < 0):
            raise InsufficientBalance()  # an entry in between would overdraw, as post() one by one would refuse
        rows.append(dict(user_id=p.user_id, kind=p.kind, d_frozen=p.frozen, d_available=p.available,
                         d_withdrawing=p.withdrawing, d_withdrawn=p.withdrawn, frozen_after=balance[0],
                         available_after=balance[1], withdrawing_after=balance[2], withdrawn_after=balance[3],
                         ref_type=p.ref_type, ref_id=p.ref_id, order_id=p.order_id, actor_id=None,
                         memo=p.memo[:200], created_at=now))
    # One INSERT of every entry (shop/statements.py run_many), not one per entry.
    run_many(_INSERT_ENTRIES, rows)


def _update_accounts(totals):
    """One guarded UPDATE of the accounts in `totals` ({user_id: [d_frozen, d_available, d_withdrawing,
    d_withdrawn]}); {user_id: [the four balances after]} of the rows it changed."""
    if not totals:
        return {}
    ids = sorted(totals)
    buckets = tuple(k for k in range(len(BUCKETS)) if any(totals[u][k] for u in ids))
    takers = tuple(i for i, u in enumerate(ids) if totals[u][1] < 0)
    params = {f"u{i}": u for i, u in enumerate(ids)}
    params.update({f"d{k}_{i}": totals[u][k] for k in buckets for i, u in enumerate(ids)})
    stmt = _accounts_update(len(ids), buckets, takers)
    return {row[0]: list(row[1:]) for row in run(stmt, params)}


_ACCOUNTS = Account.__table__
_ACCOUNT_UPDATES = {}


def _accounts_update(n, buckets, takers):
    """The guarded UPDATE of n accounts (parameters u<i>) changing `buckets` by d<bucket>_<i>, built once per shape
    (bound parameters only: building a statement costs more than sending it)."""
    key = (n, buckets, takers)
    if key in _ACCOUNT_UPDATES:
        return _ACCOUNT_UPDATES[key]
    t = _ACCOUNTS
    users = [bindparam(f"u{i}", type_=t.c.user_id.type) for i in range(n)]
    columns = [t.c.frozen_fen, t.c.available_fen, t.c.withdrawing_fen, t.c.withdrawn_fen]

    def delta(k):
        return case(*[(users[i], bindparam(f"d{k}_{i}", type_=BigInteger)) for i in range(n)], value=t.c.user_id,
                    else_=0)

    # post()'s guards: these buckets never below zero; available only where it is taken from (no debt here).
    guard = [columns[k] + delta(k) >= 0 for k in buckets if k != 1]
    if takers:
        guard.append(or_(t.c.user_id.not_in([users[i] for i in takers]), t.c.available_fen + delta(1) >= 0))
    # The rows are locked through a sub-SELECT ... ORDER BY user_id FOR UPDATE, so this UPDATE takes them in
    # ascending user id like lock_accounts() (a plain IN takes them in whatever order its plan reads the table).
    locked = _ACCOUNTS.alias("locked")
    in_order = select(locked.c.user_id).where(locked.c.user_id.in_(users)).order_by(locked.c.user_id).with_for_update()
    stmt = (update(t).where(t.c.user_id.in_(in_order), *guard)
            .values({columns[k]: columns[k] + delta(k) for k in buckets}).returning(t.c.user_id, *columns))
    _ACCOUNT_UPDATES[key] = stmt
    return stmt
