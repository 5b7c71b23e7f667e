"""Migration 0005 on a database that already holds orders and commissions (its own database or schema):
the line quantities filled in, the stored sentences dropped, and a downgrade writes 0004's sentences back."""
import os

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from shop import create_app
from shop.extensions import db as _db
from tests.conftest import IS_PG, PG_URL, make_test_config

#: What revision 0004 stored, as its engine wrote it.
SENTENCES = {
    1: "一级佣金：每件 ¥2.00 × 3 件 = ¥6.00（商品固定金额）",
    2: "三级佣金：实付 ¥88.80 × 3.00% = ¥2.66（全局比例）",
    3: "二级佣金：每件 ¥10.00 × 3 件 = ¥30.00，受佣金封顶限制实得 ¥15.00（商品固定金额）",
    4: "二级佣金：实付 ¥88.80 × 3.33% = ¥2.95（等级比例）",
}
# id, line, level, beneficiary, amount, base, rate, fixed, source
COMMISSIONS = [(1, 1, 1, 2, 600, 30000, None, 200, "product"), (2, 2, 3, 1, 266, 8880, 300, None, "global"),
               (3, 1, 2, 1, 1500, 30000, None, 1000, "product"), (4, 2, 2, 2, 295, 8880, 333, None, "grade")]


@pytest.fixture
def old_database(tmp_path):
    """An app on an empty database of its own (SQLite file, or a PostgreSQL schema of its own)."""
    schema = f"test_migration_{os.getpid()}"
    extra = {"SQLALCHEMY_DATABASE_URI": PG_URL or f"sqlite:///{tmp_path / 'old.db'}"}
    if IS_PG:
        extra["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"options": f"-csearch_path={schema}"}}
    app = create_app(make_test_config(str(tmp_path), **extra))
    with app.app_context():
        if IS_PG:
            with _db.engine.begin() as conn:
                conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
                conn.execute(text(f"CREATE SCHEMA {schema}"))
        yield app
        _db.engine.dispose()
        if IS_PG:
            with _db.engine.begin() as conn:
                conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        _db.engine.dispose()


def fill_at_0004(conn):
    now = "2026-11-20 10:00:00"
    for user_id in (1, 2, 3):
        conn.execute(text("INSERT INTO users (id, phone, nickname, is_admin, disabled, created_at) "
                          "VALUES (:id, :phone, '', false, false, :now)"),
                     {"id": user_id, "phone": f"1390000000{user_id}", "now": now})
    conn.execute(text("INSERT INTO commission_rule_versions (id, rules, reason, created_at) VALUES (1, '{}', '', :now)"),
                 {"now": now})
    conn.execute(text("INSERT INTO orders (id, order_no, user_id, status, items_total_fen, shipping_fen, discount_fen, "
                      "pay_total_fen, recipient, recipient_phone, address_text, note, created_at, refunded_fen, "
                      "rule_version_id) VALUES (1, 'O1', 3, 'paid', 38880, 0, 0, 38880, 'r', 'p', 'a', '', :now, 0, 1)"),
                 {"now": now})
    conn.execute(text("INSERT INTO order_lines (id, order_id, title, spec_text, unit_price_fen, quantity, "
                      "line_total_fen, paid_amount_fen) VALUES (1, 1, 't', '', 10000, 3, 30000, 30000), "
                      "(2, 1, 't', '', 8880, 1, 8880, 8880)"))
    for cid, line, level, beneficiary, amount, base, rate, fixed, source in COMMISSIONS:
        conn.execute(text("INSERT INTO commissions (id, order_id, order_line_id, level, beneficiary_id, buyer_id, "
                          "amount_fen, reversed_fen, clawed_back_fen, status, base_fen, rate_bp, fixed_fen, source, "
                          "rule_version_id, explanation, created_at) VALUES (:id, 1, :line, :level, :beneficiary, 3, "
                          ":amount, 0, 0, 'frozen', :base, :rate, :fixed, :source, 1, :sentence, :now)"),
                     {"id": cid, "line": line, "level": level, "beneficiary": beneficiary, "amount": amount,
                      "base": base, "rate": rate, "fixed": fixed, "source": source, "sentence": SENTENCES[cid],
                      "now": now})


def test_0005_keeps_every_commission_explainable_both_ways(old_database):
    upgrade(revision="0004")
    with _db.engine.begin() as conn:
        fill_at_0004(conn)

    upgrade(revision="0005")
    with _db.engine.connect() as conn:
        quantities = dict(conn.execute(text("SELECT id, quantity FROM commissions")).all())
    assert quantities == {1: 3, 2: 1, 3: 3, 4: 1}
    assert "explanation" not in {c["name"] for c in inspect(_db.engine).get_columns("commissions")}

    downgrade(revision="0004")
    with _db.engine.connect() as conn:
        assert dict(conn.execute(text("SELECT id, explanation FROM commissions")).all()) == SENTENCES
        assert conn.execute(text("SELECT count(*) FROM order_lines")).scalar() == 2
