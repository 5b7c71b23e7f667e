"""Prebuilt statements sent through the DBAPI cursor (shop/statements.py): the same rows, writes, defaults, errors and
events as through the session; on PostgreSQL they take the cursor, elsewhere the session. The order locked for a
payment (orders/locked.py) comes back as loaded objects, and rule versions are read once per process."""
import threading
from datetime import datetime

import pytest
from sqlalchemy import bindparam, event, insert, inspect, select, update
from sqlalchemy.exc import IntegrityError

from shop import statements
from shop.accounts.models import User
from shop.caching import generation
from shop.catalog.models import Product
from shop.sql import count_statements
from tests.conftest import IS_PG

_users = User.__table__
_BY_IDS = select(_users.c.id, _users.c.nickname).where(_users.c.id.in_(bindparam("ids", expanding=True))).order_by(
    _users.c.id)
_NOT_IN = select(_users.c.id).where(_users.c.id.not_in(bindparam("ids", expanding=True))).order_by(_users.c.id)
_PHONE = select(_users.c.id).where(_users.c.phone == bindparam("phone"), _users.c.id > 0).limit(1)
_products = Product.__table__
_SALES = (update(_products).where(_products.c.id == bindparam("pid")).values(sales=_products.c.sales + 1)
          .execution_options(catalog_unchanged=True))
_TITLE = update(_products).where(_products.c.id == bindparam("pid")).values(title=bindparam("new_title"))
_NEW_USER = insert(_users).returning(_users.c.id, _users.c.phone)


def test_plain_statements_take_the_cursor_on_postgresql_only(db):
    compiled = statements.compiled_for(_BY_IDS, db.engine.dialect, {"ids": [1]})
    assert (compiled.sql is not None) == IS_PG
    if IS_PG:
        assert "= ANY(%(ids)s)" in compiled.sql


def test_rows_are_those_the_session_gives(db, make_user):
    users = [make_user(nickname=f"会员{i}") for i in range(3)]
    ids = [u.id for u in users]
    with count_statements() as counted:
        rows = statements.run(_BY_IDS, {"ids": ids[:2]})
    assert [tuple(r) for r in rows] == [tuple(r) for r in db.session.execute(_BY_IDS, {"ids": ids[:2]})]
    assert [r[1] for r in rows] == ["会员0", "会员1"]
    assert len(counted) == 1  # the engine's cursor events fire: counters and captures see the statement
    assert [r[0] for r in statements.run(_NOT_IN, {"ids": ids[:1]})] == ids[1:]
    assert statements.run(_BY_IDS, {"ids": []}) == []
    assert statements.scalar(_PHONE, {"phone": users[2].phone}) == ids[2]  # the statement's own literals sent too
    assert statements.scalar(_PHONE, {"phone": "no such phone"}) is None


def test_another_cursor_listener_gets_the_events_from_the_next_transaction_on(db, make_user):
    """With only the statement counter listening, a statement is counted without the events being dispatched (they
    cost several µs); a listener of its own (the benchmark's capture) gets before and after for every statement,
    and the counter still counts each one once."""
    user = make_user()
    user_id, phone = user.id, user.phone
    db.session.commit()
    seen = []

    def before(conn, cursor, sql, params, context, executemany):
        seen.append(("before", sql))

    def after(conn, cursor, sql, params, context, executemany):
        seen.append(("after", sql))

    event.listen(db.engine, "before_cursor_execute", before)
    event.listen(db.engine, "after_cursor_execute", after)
    try:
        with count_statements() as counted:
            assert statements.scalar(_PHONE, {"phone": phone}) == user_id
        db.session.rollback()
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
        event.remove(db.engine, "after_cursor_execute", after)
    sent = [sql for kind, sql in seen if kind == "before" and "users.phone" in sql]
    assert len(sent) == 1 and ("after", sent[0]) in seen
    assert counted.statements.count(sent[0]) == 1
    seen.clear()
    with count_statements() as counted:
        assert statements.scalar(_PHONE, {"phone": phone}) == user_id
    assert seen == [] and len(counted) == 1  # removed: counted again without the events


def test_a_missing_parameter_goes_through_the_session_and_is_refused_there(db):
    with pytest.raises(Exception, match="bind"):
        statements.run(_PHONE, {})


def test_pending_orm_changes_are_flushed_first(db, make_user):
    user = User(phone="13912340000", nickname="刚加入")
    db.session.add(user)  # not flushed yet
    assert statements.scalar(_PHONE, {"phone": "13912340000"}) == user.id


def test_a_write_computes_python_side_defaults_and_counts_rows(db, make_product):
    product = make_product()
    db.session.execute(update(_products).where(_products.c.id == product.id).values(
        updated_at=datetime(2020, 1, 1)))
    assert statements.rowcount(_TITLE, {"pid": product.id, "new_title": "改名"}) == 1
    assert statements.rowcount(_TITLE, {"pid": product.id + 999, "new_title": "无"}) == 0
    db.session.commit()
    title, updated = db.session.execute(select(_products.c.title, _products.c.updated_at).where(
        _products.c.id == product.id)).one()
    assert title == "改名" and updated > datetime(2020, 1, 1)  # the column's onupdate, as the session would


def test_a_unique_violation_is_sqlalchemys_and_the_session_goes_on(db, make_user):
    user = make_user()
    with pytest.raises(IntegrityError):
        statements.run(_NEW_USER, {"phone": user.phone, "nickname": "重复", "created_at": datetime(2026, 1, 1)})
    db.session.rollback()
    assert statements.scalar(_PHONE, {"phone": user.phone}) == user.id


def test_many_rows_in_one_insert_and_more_than_the_limit_through_the_session(db):
    rows = [{"phone": f"1360000{i:04d}", "nickname": f"批量{i}", "created_at": datetime(2026, 1, 1)}
            for i in range(statements.MAX_ROWS + 5)]
    with count_statements() as counted:
        few = statements.run_many(_NEW_USER, rows[:3])
    assert len(counted) == 1
    assert sorted(phone for _id, phone in few) == [r["phone"] for r in rows[:3]]
    many = statements.run_many(_NEW_USER, rows[3:])
    assert len(many) == len(rows) - 3
    db.session.commit()
    assert db.session.scalar(select(_users.c.id).where(_users.c.nickname == "批量7")) is not None


def test_writes_to_what_the_storefront_shows_bump_the_catalog_unless_marked_unchanged(app, db, make_product):
    product = make_product()
    before = generation.current(app)
    statements.run(_SALES, {"pid": product.id})
    db.session.commit()
    assert generation.current(app) == before  # a product's sales: the pages may show them a TTL late
    statements.run(_TITLE, {"pid": product.id, "new_title": "新名字"})
    db.session.commit()
    assert generation.current(app) == before + 1


def test_staff_writes_go_through_the_session_so_the_operation_log_sees_them(app, db, make_product, make_staff):
    from shop.staff import oplog

    product, staff = make_product(), make_staff()
    with app.test_request_context("/admin/x", method="POST"):
        oplog.begin(staff, "catalog")
        with count_statements():
            assert statements._staff_acting(db.session())
            statements.run(_TITLE, {"pid": product.id, "new_title": "员工改名"})
        db.session.commit()
    assert db.session.get(Product, product.id).title == "员工改名"


def test_the_locked_order_comes_loaded_and_leaves_nothing_to_flush(db, place):
    from shop.orders.locked import lock_order

    order = place(quantity=2)
    number, line_ids, total = order.order_no, [ln.id for ln in order.lines], order.pay_total_fen
    db.session.commit()
    db.session.expunge_all()
    locked = lock_order(number)
    assert not db.session.dirty and not db.session.new
    assert all(inspect(each).persistent and each in db.session for each in (locked, *locked.lines))
    with count_statements() as counted:
        assert [ln.id for ln in locked.lines] == line_ids and locked.lines[0].quantity == 2
        assert locked.pay_total_fen == total and locked.lines[0].order is locked
    assert len(counted) == 0
    assert lock_order(number) is locked  # held by the session already: refreshed in place
    assert lock_order("NO-SUCH-ORDER") is None
    db.session.rollback()


def test_a_rule_version_is_read_once_per_process_on_postgresql(db, shop):
    from shop.distribution.rules import current_version, load_rules

    version_id = current_version().id
    load_rules(version_id)
    with count_statements() as counted:
        assert load_rules(version_id).version == version_id
    assert len(counted) == (0 if IS_PG else 1)


def test_a_savepoint_and_its_end_keep_the_statements_in_the_same_transaction(db, make_user):
    user = make_user()
    db.session.commit()
    assert statements.scalar(_PHONE, {"phone": user.phone}) == user.id
    savepoint = db.session.begin_nested()
    statements.run(_NEW_USER, {"phone": "13600009991", "nickname": "存档点", "created_at": datetime(2026, 1, 1)})
    assert statements.scalar(_PHONE, {"phone": "13600009991"}) is not None
    savepoint.rollback()
    assert statements.scalar(_PHONE, {"phone": "13600009991"}) is None  # undone with the savepoint
    assert statements.scalar(_PHONE, {"phone": user.phone}) == user.id
    db.session.rollback()


def test_the_session_is_one_per_application_context_and_none_outside(app):
    from shop.extensions import db

    with app.app_context():
        outer = db.session()
        assert db.session() is outer
        with app.app_context():
            assert db.session() is not outer
        assert db.session() is outer
    raised = []
    thread = threading.Thread(target=lambda: raised.append(_raises(db.session)))  # a thread starts with no context
    thread.start()
    thread.join()
    assert raised == ["Working outside of application context."]


def _raises(fn):
    try:
        fn()
    except RuntimeError as err:
        return str(err)
    return None
