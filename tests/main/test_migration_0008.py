"""Migration 0008 on a database with admins and their recorded decisions (its own database or schema): the admins
become owners under the same ids, a member named as an actor who is no longer an admin is kept as a disabled
read-only staff member, every actor column points at staff, and a new staff member gets a fresh id."""
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from shop.extensions import db as _db
from shop.staff.services import create_staff
from tests.main.test_migration_0005 import old_database  # noqa: F401  (the fixture)

ACTOR_COLUMNS = {("binding_logs", "actor_id"), ("commission_rule_versions", "actor_id"),
                 ("distributor_applications", "decided_by"), ("ledger_entries", "actor_id"),
                 ("payment_alerts", "resolved_by"), ("refunds", "decided_by"), ("withdrawals", "decided_by")}
NOW = "2026-11-20 10:00:00"


def fill_at_0007(conn):
    users = [(1, "13800000000", "店长", True), (2, "13900000001", "", False), (5, "13900000005", "前财务", False),
             (7, "13800000007", "", True)]
    for user_id, phone, nickname, is_admin in users:
        conn.execute(text("INSERT INTO users (id, phone, nickname, password_hash, is_admin, disabled, created_at) "
                          "VALUES (:id, :phone, :nick, 'pbkdf2:sha256:1$s$h', :admin, false, :now)"),
                     {"id": user_id, "phone": phone, "nick": nickname, "admin": is_admin, "now": NOW})
    conn.execute(text("INSERT INTO commission_rule_versions (id, rules, reason, actor_id, created_at) "
                      "VALUES (1, '{}', '', 1, :now)"), {"now": NOW})
    conn.execute(text("INSERT INTO payment_alerts (id, kind, message, created_at, resolved_at, resolved_by, note) "
                      "VALUES (1, 'amount_mismatch', 'm', :now, :now, 7, 'ok')"), {"now": NOW})
    conn.execute(text("INSERT INTO withdrawals (id, withdrawal_no, user_id, amount_fen, fee_fen, net_fen, method, "
                      "payee, status, reject_reason, created_at, decided_at, decided_by) VALUES (1, 'W1', 2, 100, 0, "
                      "100, 'alipay', '{}', 'rejected', 'x', :now, :now, 5)"), {"now": NOW})
    add_ledger_entry(conn, 1, actor_id=5)


def add_ledger_entry(conn, entry_id, actor_id):
    conn.execute(text("INSERT INTO ledger_entries (id, user_id, kind, d_frozen, d_available, d_withdrawing, "
                      "d_withdrawn, frozen_after, available_after, withdrawing_after, withdrawn_after, ref_type, "
                      "ref_id, actor_id, memo, created_at) VALUES (:id, 2, 'adjustment', 0, 0, 0, 0, 0, 0, 0, 0, "
                      "'adjustment', 0, :actor, '', :now)"), {"id": entry_id, "actor": actor_id, "now": NOW})


def foreign_targets(engine):
    inspector = inspect(engine)
    return {(table, column): fk["referred_table"] for table, column in ACTOR_COLUMNS
            for fk in inspector.get_foreign_keys(table) if fk["constrained_columns"] == [column]}


def test_0008_moves_the_admins_to_staff_under_the_same_ids(old_database):  # noqa: F811
    upgrade(revision="0007")
    with _db.engine.begin() as conn:
        fill_at_0007(conn)

    upgrade(revision="0008")
    with _db.engine.connect() as conn:
        staff = conn.execute(text("SELECT id, login, display_name, role, disabled FROM staff ORDER BY id")).all()
        assert [tuple(row) for row in staff] == [(1, "13800000000", "店长", "owner", False),
                                                 (5, "13900000005", "前财务", "viewer", True),
                                                 (7, "13800000007", "13800000007", "owner", False)]
        assert conn.execute(text("SELECT decided_by FROM withdrawals")).scalar() == 5
    assert foreign_targets(_db.engine) == {column: "staff" for column in ACTOR_COLUMNS}
    if _db.engine.name == "sqlite":
        with _db.engine.connect() as conn:
            assert conn.execute(text("PRAGMA foreign_key_check")).all() == []
            assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    assert create_staff("new-one", "", "long-enough", "viewer").id == 8
    _db.session.commit()
    with _db.engine.begin() as conn:
        add_ledger_entry(conn, 2, actor_id=8)

    downgrade(revision="0007")
    assert foreign_targets(_db.engine) == {column: "users" for column in ACTOR_COLUMNS}
    assert "staff" not in inspect(_db.engine).get_table_names()
    with _db.engine.connect() as conn:
        assert conn.execute(text("SELECT resolved_by FROM payment_alerts")).scalar() == 7
        # the staff member 0008 created is no member: their ledger entry keeps no actor, the others stay
        assert dict(conn.execute(text("SELECT id, actor_id FROM ledger_entries")).all()) == {1: 5, 2: None}


def test_0008_on_an_empty_database_and_back(old_database):  # noqa: F811
    upgrade()
    assert {"staff", "operation_logs"} <= set(inspect(_db.engine).get_table_names())
    downgrade(revision="0007")
    upgrade()
    assert foreign_targets(_db.engine) == {column: "staff" for column in ACTOR_COLUMNS}
