"""ledger.post_many: several entries in one guarded UPDATE and one INSERT, with post()'s rules and running balances."""
import pytest
from sqlalchemy import func, select

from shop.database import transaction
from shop.sql import count_statements
from shop.wallet import ledger
from shop.wallet.models import Account, LedgerEntry
from tests.conftest import IS_PG, run_at_once

P = ledger.Posting


def entries(db, user_id):
    return db.session.execute(select(LedgerEntry.kind, LedgerEntry.d_frozen, LedgerEntry.frozen_after,
                                     LedgerEntry.available_after).where(LedgerEntry.user_id == user_id)
                              .order_by(LedgerEntry.id)).all()


def test_entries_of_one_account_carry_running_balances(db, make_user):
    a, b = make_user(), make_user()
    ledger.post(a.id, "commission_frozen", frozen=50, ref_type="commission", ref_id=1)
    ledger.post_many([P(a.id, "commission_frozen", "commission", 2, frozen=100),
                      P(b.id, "commission_frozen", "commission", 3, frozen=30),
                      P(a.id, "commission_frozen", "commission", 4, frozen=7)])
    db.session.commit()
    assert entries(db, a.id) == [("commission_frozen", 50, 50, 0), ("commission_frozen", 100, 150, 0),
                                 ("commission_frozen", 7, 157, 0)]
    assert entries(db, b.id) == [("commission_frozen", 30, 30, 0)]
    assert db.session.get(Account, a.id).frozen_fen == 157


def test_a_fixed_number_of_statements_whatever_the_entries(db, make_user):
    users = [make_user() for _ in range(3)]
    for u in users:
        ledger.post(u.id, "commission_frozen", frozen=1, ref_type="commission", ref_id=1)
    with count_statements() as counted:
        ledger.post_many([P(u.id, "commission_frozen", "commission", k, frozen=10 + k)
                          for k, u in enumerate(users * 2)])
    assert len(counted) == 2  # one UPDATE ... RETURNING, one INSERT


@pytest.mark.parametrize("postings", [
    [P(0, "settle", "commission", 1, frozen=-60, available=60)],  # more than is frozen
    [P(0, "w", "withdrawal", 1, available=-1, withdrawing=1)],  # more than is available (no debt here)
    [P(0, "a", "commission", 1, frozen=-50), P(0, "b", "commission", 2, frozen=40)],  # overdrawn in between
])
def test_refused_as_post_would_refuse_and_nothing_changes(db, make_user, postings):
    user = make_user()
    ledger.post(user.id, "commission_frozen", frozen=40, ref_type="commission", ref_id=9)
    db.session.commit()
    with pytest.raises(ledger.InsufficientBalance):
        ledger.post_many([P(user.id, *[getattr(p, f) for f in ("kind", "ref_type", "ref_id", "frozen", "available",
                                                               "withdrawing")]) for p in postings])
    db.session.rollback()
    assert db.session.get(Account, user.id).frozen_fen == 40
    assert db.session.scalar(select(func.count()).select_from(LedgerEntry)) == 1


def test_a_member_in_debt_still_receives_while_another_is_charged(db, make_user):
    debtor, payer = make_user(), make_user()
    ledger.post(debtor.id, "commission_clawback", available=-300, ref_type="commission", ref_id=1, allow_debt=True)
    ledger.post(payer.id, "adjustment", available=500, ref_type="adjustment", ref_id=2)
    ledger.post_many([P(debtor.id, "adjustment", "adjustment", 3, available=100),
                      P(payer.id, "adjustment", "adjustment", 4, available=-200)])
    assert [db.session.get(Account, u.id, populate_existing=True).available_fen for u in (debtor, payer)] == [-200, 300]


def test_the_first_entry_creates_the_account(db, make_user):
    user = make_user()
    ledger.post_many([P(user.id, "commission_frozen", "commission", 1, frozen=25)])
    assert db.session.get(Account, user.id).frozen_fen == 25


@pytest.mark.skipif(not IS_PG, reason="concurrency tests need PostgreSQL (set SHOP_TEST_DATABASE_URL)")
@pytest.mark.parametrize("batched", [True, False])
def test_concurrent_first_entries_of_one_account_all_land(app, db, make_user, batched):
    """Several payments crediting a distributor who has no account yet: each one creates it or finds it created by
    another, and every credit lands with a consistent running balance."""
    user_id, amounts = make_user().id, [100, 200, 300, 400, 500, 600]
    db.session.commit()

    def credit(i):
        with transaction():
            if batched:
                ledger.post_many([P(user_id, "commission_frozen", "commission", i, frozen=amounts[i])])
            else:
                ledger.post(user_id, "commission_frozen", frozen=amounts[i], ref_type="commission", ref_id=i)
        return "ok"

    assert run_at_once(app, db, len(amounts), credit) == ["ok"] * len(amounts)
    assert db.session.get(Account, user_id).frozen_fen == sum(amounts)
    chain = db.session.execute(select(LedgerEntry.frozen_after, LedgerEntry.d_frozen)
                               .where(LedgerEntry.user_id == user_id).order_by(LedgerEntry.frozen_after)).all()
    assert [after - delta for after, delta in chain] == [0] + [after for after, _ in chain[:-1]]  # running balances
