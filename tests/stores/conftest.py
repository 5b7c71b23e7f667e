"""Store fixtures: make_store / make_clerk factories, a pickup order placed and paid in a store."""
import pytest

from shop.orders.pricing import Choice

#: Real places (degrees): People's Square in Shanghai, the West Lake in Hangzhou, Suzhou's old town, Beijing.
PEOPLES_SQUARE = (31.230416, 121.473701)
WEST_LAKE = (30.242865, 120.148738)
SUZHOU = (31.298886, 120.585316)
BEIJING = (39.904200, 116.407396)


def e6(degrees):
    return round(degrees * 1_000_000)


@pytest.fixture
def make_store(db):
    """make_store(name, at=(lat, lng), city=..., is_open=True) -> Store (committed)."""
    from shop.stores.models import Store

    def make(name="人民广场店", at=PEOPLES_SQUARE, city="上海市", province=None, district="黄浦区", **kw):
        store = Store(name=name, province=province or city, city=city, district=district, detail=kw.pop("detail", "南京东路1号"),
                      lat_e6=e6(at[0]), lng_e6=e6(at[1]), hours=kw.pop("hours", "9:00-21:00"), phone="021-12345678",
                      photos=[], is_open=kw.pop("is_open", True), **kw)
        db.session.add(store)
        db.session.commit()
        return store

    return make


@pytest.fixture
def make_clerk(db, make_user):
    """make_clerk(store, user=None) -> the User, now a clerk of the store (committed)."""
    from shop.stores.models import StoreClerk

    def make(store, user=None, **kw):
        user = user or make_user(nickname=kw.pop("nickname", "店员小王"), **kw)
        db.session.add(StoreClerk(user_id=user.id, store_id=store.id))
        db.session.commit()
        return user

    return make


def pickup(store):
    """The shopper's choice of pickup in `store` at checkout."""
    return Choice(store=store.id)


@pytest.fixture
def pickup_order(place, pay, make_store):
    """pickup_order(store=None, paid=True, quantity=1) -> the shop buyer's order for pickup in `store` (a new
    人民广场店 by default), paid unless told otherwise."""
    def do(store=None, paid=True, quantity=1):
        order = place(quantity=quantity, choice=pickup(store or make_store()))
        return pay(order) if paid else order

    return do
