"""Concurrency on PostgreSQL with real threads, each with its own session."""
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import func, insert, select

from shop.accounts.models import Address, User
from shop.catalog.models import Sku
from shop.clock import utcnow
from shop.errors import ServiceError
from shop.orders import services
from shop.orders.models import Order
from tests.conftest import IS_PG, cheap_hash

pytestmark = [pytest.mark.pg, pytest.mark.skipif(not IS_PG, reason="concurrency tests need PostgreSQL "
                                                                     "(set SHOP_TEST_DATABASE_URL)")]


def make_buyers(db, n):
    """n members with one address each, inserted in bulk; returns [(user_id, address_id)]."""
    pw = cheap_hash("secret123")
    db.session.execute(insert(User), [{"phone": f"1550000{i:04d}", "password_hash": pw, "nickname": ""}
                                      for i in range(n)])
    ids = db.session.scalars(select(User.id).order_by(User.id)).all()
    db.session.execute(insert(Address), [{"user_id": uid, "recipient": "买家", "phone": "13900001111",
                                          "province": "浙江省", "city": "杭州市", "district": "西湖区",
                                          "detail": "1 号", "is_default": True} for uid in ids])
    db.session.commit()
    return db.session.execute(select(Address.user_id, Address.id).order_by(Address.user_id)).all()


def test_200_buyers_for_50_in_stock(app, db, make_product):
    p = make_product(skus=[(1000, 50, ["红", "M"])])
    sku_id = p.skus[0].id
    buyers = make_buyers(db, 200)
    db.session.remove()
    start = threading.Barrier(200, timeout=60)
    lowest = [50]
    stop = threading.Event()

    def watch():
        with app.app_context():
            while not stop.is_set():
                lowest[0] = min(lowest[0], db.session.scalar(select(Sku.stock).where(Sku.id == sku_id)))
                db.session.rollback()

    def buy(user_id, address_id):
        with app.app_context():
            user = db.session.get(User, user_id)
            db.session.rollback()  # hand the connection back before waiting: the pool is smaller than 200
            start.wait()
            try:
                services.place_order(user, [(sku_id, 1)], address_id)
                return "ok"
            except ServiceError as err:
                return err.message
            finally:
                db.session.remove()

    watcher = threading.Thread(target=watch)
    watcher.start()
    with ThreadPoolExecutor(max_workers=200) as pool:
        results = list(pool.map(lambda b: buy(*b), buyers))
    stop.set()
    watcher.join()
    assert results.count("ok") == 50
    assert all("库存不足" in r for r in results if r != "ok")
    assert db.session.scalar(select(func.count()).select_from(Order)) == 50
    assert db.session.scalar(select(Sku.stock).where(Sku.id == sku_id)) == 0
    assert lowest[0] >= 0


def test_two_hosts_expiring_at_once_release_stock_once(app, db, make_user, make_address, make_product):
    user = make_user()
    address = make_address(user)
    p = make_product(skus=[(1000, 100, ["红", "M"])])
    sku_id = p.skus[0].id
    for _ in range(30):
        services.place_order(user, [(sku_id, 2)], address.id)
    db.session.execute(Order.__table__.update().values(created_at=utcnow() - timedelta(hours=1)))
    db.session.commit()
    db.session.remove()
    start = threading.Barrier(2, timeout=60)

    def host():
        with app.app_context():
            start.wait()
            try:
                return services.expire_orders()
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda _: host(), range(2)))
    assert sum(cancelled for cancelled, _ in results) == 30
    assert db.session.scalar(select(Sku.stock).where(Sku.id == sku_id)) == 100
    assert db.session.scalar(select(func.count()).select_from(Order).where(Order.status == "cancelled")) == 30


def test_cancel_and_expire_racing_release_once(app, db, make_user, make_address, make_product):
    user = make_user()
    address = make_address(user)
    p = make_product(skus=[(1000, 10, ["红", "M"])])
    sku_id = p.skus[0].id
    order_id = services.place_order(user, [(sku_id, 4)], address.id).id
    db.session.execute(Order.__table__.update().values(created_at=utcnow() - timedelta(hours=1)))
    db.session.commit()
    db.session.remove()
    start = threading.Barrier(8, timeout=60)

    def cancel(_):
        with app.app_context():
            start.wait()
            try:
                services.cancel_order(db.session.get(Order, order_id))
                return 1
            except ServiceError:
                return 0
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert sum(pool.map(cancel, range(8))) == 1
    assert db.session.scalar(select(Sku.stock).where(Sku.id == sku_id)) == 10
