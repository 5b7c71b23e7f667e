"""Fixtures: one app on a real database (SQLite, or PostgreSQL when SHOP_TEST_DATABASE_URL is set),
schema built by the migrations, tables emptied after every test, factories for setup."""
import functools
import itertools
import os
import tempfile
from dataclasses import dataclass
from datetime import timedelta

import pytest
from flask import has_app_context
from flask.testing import FlaskClient
from sqlalchemy import text
from werkzeug.security import generate_password_hash

from shop import create_app
from shop.extensions import db as _db

PG_URL = os.environ.get("SHOP_TEST_DATABASE_URL")
IS_PG = bool(PG_URL)
#: Each test run gets its own PostgreSQL schema, so parallel runs on one database never collide.
PG_SCHEMA = f"test_run_{os.getpid()}"


def make_test_config(tmpdir, **extra):
    url = PG_URL or "sqlite:///" + os.path.join(tmpdir, "test.db")
    config = {
        "TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 10, "max_overflow": 10, "pool_timeout": 60,
                                      "connect_args": {"options": f"-csearch_path={PG_SCHEMA}"}} if IS_PG else {},
    }
    config.update(extra)
    return config


def reset_schema(app):
    """Drop everything and build the schema from the migrations."""
    from flask_migrate import upgrade

    with app.app_context():
        if IS_PG:
            with _db.engine.begin() as conn:
                conn.execute(text(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE"))
                conn.execute(text(f"CREATE SCHEMA {PG_SCHEMA}"))
        upgrade()
        _db.engine.dispose()


def drop_schema(app):
    if IS_PG:
        with app.app_context():
            _db.session.remove()
            _db.engine.dispose()
            with _db.engine.begin() as conn:
                conn.execute(text(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE"))
            _db.engine.dispose()


@pytest.fixture(scope="session")
def instance_dir():
    with tempfile.TemporaryDirectory(prefix="shop-test-") as tmp:
        os.environ["SHOP_INSTANCE_PATH"] = tmp
        yield tmp


@pytest.fixture(scope="session")
def app(instance_dir):
    app = create_app(make_test_config(instance_dir))
    reset_schema(app)
    yield app
    drop_schema(app)


def empty_tables(app):
    from shop.caching.pages import reset

    with app.app_context():
        _db.session.remove()
        reset(app)  # the rows go behind the session's back: forget the cached pages too
        tables = [t.name for t in reversed(_db.metadata.sorted_tables)]
        with _db.engine.begin() as conn:
            if IS_PG:
                conn.execute(text("TRUNCATE " + ", ".join(tables) + " RESTART IDENTITY CASCADE"))
            else:
                # Append-only guards (triggers) are lifted for the cleanup and put back.
                triggers = conn.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")).all()
                for name, _sql in triggers:
                    conn.execute(text(f"DROP TRIGGER {name}"))
                for name in tables:
                    conn.execute(text(f"DELETE FROM {name}"))
                for _name, sql in triggers:
                    conn.execute(text(sql))
                conn.execute(text("DELETE FROM sqlite_sequence")) if conn.execute(
                    text("SELECT name FROM sqlite_master WHERE name='sqlite_sequence'")).first() else None


@pytest.fixture(autouse=True)
def db(app):
    """An app context for the test; every table is emptied afterwards."""
    with app.app_context():
        yield _db
        _db.session.remove()
    empty_tables(app)


class FreshContextClient(FlaskClient):
    """Each request runs in its own app context, as in production: its own `g` (logged-in user,
    locale) and its own database session, never the test's."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        if has_app_context():  # the test's own session re-reads what the request changed
            _db.session.expire_all()
        return response


@pytest.fixture(scope="session", autouse=True)
def fresh_context_clients(app):
    app.test_client_class = FreshContextClient


@pytest.fixture
def client(app):
    return app.test_client()


@functools.lru_cache(maxsize=None)
def cheap_hash(password):
    return generate_password_hash(password)


_phones = itertools.count(13000000001)


@pytest.fixture
def make_user(db):
    """Factory: make_user(phone=None, password='secret123', **columns) -> User (committed). Every user has a bound
    WeChat openid (o-<phone>) unless given wechat_openid=None."""
    from shop.accounts.models import User

    def make(phone=None, password="secret123", **kw):
        phone = phone or str(next(_phones))
        kw.setdefault("wechat_openid", f"o-{phone}")
        user = User(phone=phone, nickname=kw.pop("nickname", ""), **kw)
        user.password_hash = cheap_hash(password)
        db.session.add(user)
        db.session.commit()
        return user

    return make


_logins = itertools.count(1)


@pytest.fixture
def make_staff(db):
    """Factory: make_staff(role='owner', login=None, password='secret123', **columns) -> Staff (committed)."""
    from shop.staff.models import Staff

    def make(role="owner", login=None, password="secret123", **kw):
        login = login or f"{role}{next(_logins)}"
        staff = Staff(login=login, display_name=kw.pop("display_name", login), role=role, **kw)
        staff.password_hash = cheap_hash(password)
        db.session.add(staff)
        db.session.commit()
        return staff

    return make


def login_staff(client, staff, password="secret123"):
    """Log `staff` in on the test client through the real /admin/login form."""
    resp = client.post("/admin/login", data={"login": staff.login, "password": password})
    assert resp.status_code == 302, resp.get_data(as_text=True)
    return resp


@pytest.fixture
def make_address(db):
    """Factory: make_address(user, **fields) -> Address (committed)."""
    from shop.accounts.services import save_address

    def make(user, **kw):
        data = {"recipient": "张三", "phone": "13900001111", "province": "浙江省", "city": "杭州市",
                "district": "西湖区", "detail": "文三路 1 号"}
        data.update(kw)
        address = save_address(user, data, make_default=kw.pop("is_default", False))
        db.session.commit()
        return address

    return make


@pytest.fixture
def make_category(db):
    from shop.catalog.models import Category

    def make(name="服装", parent=None, **kw):
        category = Category(name=name, parent=parent, **kw)
        db.session.add(category)
        db.session.commit()
        return category

    return make


@pytest.fixture
def make_product(db):
    """Factory: make_product(title, skus=[(price_fen, stock, [spec values])], spec_names=[...], ...)."""
    from shop.catalog.services import save_product

    counter = itertools.count(1)

    def make(title=None, skus=((5900, 10, ["红", "M"]),), spec_names=("颜色", "尺码"), category=None, **kw):
        data = {"title": title or f"商品{next(counter)}", "spec_names": list(spec_names),
                "category_id": category.id if category else None,
                "skus": [{"price_fen": p, "stock": s, "spec_values": list(v), "original_price_fen": p}
                         for p, s, v in skus]}
        data.update(kw)
        product = save_product(data)
        db.session.commit()
        return product

    return make


@pytest.fixture
def login(client):
    """login(user, password='secret123') logs the test client in through the real form."""
    def do(user, password="secret123"):
        resp = client.post("/login", data={"phone": user.phone, "password": password})
        assert resp.status_code == 302, resp.get_data(as_text=True)
        return resp

    return do


@pytest.fixture
def make_distributor(db, make_user):
    """Factory: make_distributor(user=None, referrer=None, **user_columns) -> Distributor (committed; its
    `.user` is the member, e.g. for `login`), bound under referrer (a Distributor) when given."""
    from shop.distribution import binding, services

    def make(user=None, referrer=None, **kw):
        user = user or make_user(**kw)
        distributor = services.become_distributor(user.id, "admin")
        if referrer is not None:
            assert binding.bind_referrer(user.id, referrer.user_id, "link", code=referrer.invite_code) == binding.BOUND
        db.session.commit()
        return distributor

    return make


@pytest.fixture
def settings(db):
    """settings(key=value, ...) stores merchant settings for the test."""
    from shop.settings import set_setting

    def apply(**values):
        for key, value in values.items():
            set_setting(key, value)
        db.session.commit()

    return apply


@dataclass
class Shop:
    """The commission test shop: A invites B, B invites the buyer; one product; the buyer's address."""
    a: object
    b: object
    buyer: object
    product: object
    address: object

    @property
    def sku_id(self):
        return self.product.skus[0].id


@pytest.fixture
def shop(db, make_user, make_product, make_address, make_distributor):
    """The commission test shop: rules 10% / 5% over two levels; distributor A (阿强) invites distributor B (小B),
    B invites the buyer C (买家C); a ¥100 product (100 in stock); C's address."""
    from shop.distribution import binding, rules

    rules.update_global_rules(levels=2, rate1_bp=1000, rate2_bp=500)
    db.session.commit()
    a = make_distributor(nickname="阿强", phone="13811112222")
    b = make_distributor(nickname="小B", phone="13933334444", referrer=a)
    buyer = make_user(nickname="买家C", phone="13755556666")
    assert binding.bind_referrer(buyer.id, b.user_id, "link") == binding.BOUND
    db.session.commit()
    product = make_product("好物", skus=[(10000, 100, ["红", "M"])])
    return Shop(a.user, b.user, buyer, product, make_address(buyer))


@pytest.fixture
def place(shop, make_address):
    """place(quantity=1, buyer=None, product=None, choice=None) -> an unpaid Order of the shop's product (or `product`),
    placed by the buyer C (or `buyer`, at a new address)."""
    from shop.orders.services import place_order

    def do(quantity=1, buyer=None, product=None, choice=None):
        buyer = buyer or shop.buyer
        address = shop.address if buyer.id == shop.buyer.id else make_address(buyer)
        sku_id = product.skus[0].id if product is not None else shop.sku_id
        return place_order(buyer, [(sku_id, quantity)], address.id, choice=choice)

    return do


@pytest.fixture
def notify(app):
    """notify(order_no, amount_fen, transaction_id=None, **build_options) -> the response to the sandbox's signed
    payment notification, delivered as the payment provider does (from a client of its own)."""
    from shop.payments.gateways import sandbox

    transactions = itertools.count()

    def do(order_no, amount_fen, transaction_id=None, **kw):
        transaction_id = transaction_id or f"4200{next(transactions):012d}"
        headers, body = sandbox.build_notification(order_no, transaction_id, amount_fen, **kw)
        return app.test_client().post("/pay/notify/sandbox", data=body, headers=headers,
                                      content_type="application/json")

    return do


@pytest.fixture
def pay(db, notify):
    """pay(order) -> the Order, re-read after the sandbox's payment notification was accepted (commissions are
    created)."""
    from shop.orders.models import Order

    def do(order):
        resp = notify(order.order_no, order.pay_total_fen)
        assert resp.status_code == 204, resp.get_data(as_text=True)
        db.session.expire_all()
        return db.session.get(Order, order.id)

    return do


@pytest.fixture
def paid_order(place, pay):
    """paid_order(quantity=1, buyer=None, product=None) -> a paid Order: `place`, then `pay`."""
    def do(quantity=1, buyer=None, product=None):
        return pay(place(quantity=quantity, buyer=buyer, product=product))

    return do


@pytest.fixture
def complete():
    """complete(order, days_ago=0): the merchant ships, and receipt is confirmed `days_ago` days back."""
    from shop.clock import utcnow
    from shop.orders import services as orders

    def do(order, days_ago=0):
        orders.ship_order(order, "顺丰", "SF1")
        orders.confirm_receipt(order, now=utcnow() - timedelta(days=days_ago))
        return order

    return do


def run_at_once(app, db, n, action):
    """action(i) in n threads released together by a barrier, each in its own app context (a request of its own);
    their results in order, a refusal (ServiceError) as its message. For the PostgreSQL concurrency tests."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from shop.errors import ServiceError

    db.session.remove()
    start = threading.Barrier(n, timeout=60)

    def one(i):
        with app.app_context():
            start.wait()
            try:
                return action(i)
            except ServiceError as err:
                return err.message
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(one, range(n)))
