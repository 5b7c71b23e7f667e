"""Flash sales under concurrency on PostgreSQL, with real threads each in its own app context and session:
500 buyers for 100 units sell exactly 100, and one member's many concurrent attempts never pass the limit."""
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, insert, select

from shop.accounts.models import Address, User
from shop.catalog.models import Sku
from shop.errors import ServiceError
from shop.flash.models import FlashItem, FlashTake
from shop.orders import services
from shop.orders.models import Order
from tests.conftest import IS_PG, cheap_hash
from tests.flash.conftest import flash

pytestmark = [pytest.mark.pg, pytest.mark.skipif(not IS_PG, reason="concurrency tests need PostgreSQL "
                                                                     "(set SHOP_TEST_DATABASE_URL)")]
THREADS = 30


def make_buyers(db, n):
    """n new members (phones 1660000xxxx) with an address each, in bulk -> [(user_id, address_id)]."""
    pw = cheap_hash("secret123")
    db.session.execute(insert(User), [{"phone": f"1660000{i:04d}", "password_hash": pw, "nickname": ""}
                                      for i in range(n)])
    ids = db.session.scalars(select(User.id).where(User.phone.like("1660000%")).order_by(User.id)).all()
    db.session.execute(insert(Address), [{"user_id": uid, "recipient": "买家", "phone": "13900001111",
                                          "province": "浙江省", "city": "杭州市", "district": "西湖区",
                                          "detail": "1 号", "is_default": True} for uid in ids])
    db.session.commit()
    return db.session.execute(select(Address.user_id, Address.id).where(Address.user_id.in_(ids))
                              .order_by(Address.user_id)).all()


def run_buyers(app, db, attempts, choice, sku_id):
    """attempts: [(user_id, address_id, quantity)], all placed at once from THREADS threads -> their outcomes."""
    start = threading.Barrier(THREADS, timeout=120)

    def buy(attempt):
        user_id, address_id, quantity = attempt
        with app.app_context():
            user = db.session.get(User, user_id)
            db.session.rollback()
            if attempt in attempts[:THREADS]:
                start.wait()  # the first wave starts together
            try:
                services.place_order(user, [(sku_id, quantity)], address_id, choice=choice)
                return "ok"
            except ServiceError as err:
                return err.message
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        return list(pool.map(buy, attempts))


def watch_lowest(app, db, item_id, stop, lowest):
    with app.app_context():
        while not stop.is_set():
            left = db.session.scalar(select(FlashItem.stock - FlashItem.sold).where(FlashItem.id == item_id))
            lowest[0] = min(lowest[0], left)
            db.session.rollback()
        db.session.remove()


def test_500_buyers_for_100_units_sell_exactly_100(app, db, shop, make_item):
    item = make_item(stock=100, limit=1)
    item_id, sku_id, choice = item.id, shop.sku_id, flash(item)
    buyers = make_buyers(db, 500)
    db.session.remove()
    stop, lowest = threading.Event(), [100]
    watcher = threading.Thread(target=watch_lowest, args=(app, db, item_id, stop, lowest))
    watcher.start()
    try:
        results = run_buyers(app, db, [(u, a, 1) for u, a in buyers], choice, sku_id)
    finally:
        stop.set()
        watcher.join()
    assert results.count("ok") == 100
    assert all(r == "已抢光" for r in results if r != "ok"), set(results)
    assert db.session.scalar(select(func.count()).select_from(Order)) == 100
    assert db.session.scalar(select(FlashItem.sold).where(FlashItem.id == item_id)) == 100
    assert db.session.scalar(select(func.max(FlashTake.quantity))) == 1
    assert db.session.scalar(select(Sku.stock).where(Sku.id == sku_id)) == 100  # the normal stock untouched
    assert lowest[0] >= 0


def test_one_member_racing_many_orders_never_passes_the_limit(app, db, shop, make_item):
    item = make_item(stock=100, limit=2)
    item_id, sku_id, choice = item.id, shop.sku_id, flash(item)
    attempts = [(shop.buyer.id, shop.address.id, 1) for _ in range(60)]
    db.session.remove()
    results = run_buyers(app, db, attempts, choice, sku_id)
    assert results.count("ok") == 2
    assert all("每人限购2件" in r for r in results if r != "ok"), set(results)
    assert db.session.scalar(select(FlashItem.sold).where(FlashItem.id == item_id)) == 2
    assert db.session.scalar(select(func.sum(FlashTake.quantity))) == 2


def test_cancels_racing_give_the_flash_stock_back_once(app, db, shop, place, make_item):
    item = make_item(stock=10, limit=3)
    order_id, item_id = place(quantity=3, choice=flash(item)).id, item.id
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
    assert db.session.scalar(select(FlashItem.sold).where(FlashItem.id == item_id)) == 0
    assert db.session.scalar(select(FlashTake.quantity)) == 0
