"""Placing an order records where the member ordered from (a sighting of kind "order": the device cookie and the
IP), so an order placed from the referrer's IP within the hour holds the referrer's commission at payment, like a
login or a registration from there would."""
from datetime import timedelta

from sqlalchemy import select

from shop.clock import utcnow
from shop.growth.fraud import record_sighting
from shop.growth.models import HELD, FraudFlag, Sighting
from shop.growth.web import DEVICE_COOKIE
from shop.orders.models import Order

REFERRER_DEVICE = "e" * 32


def order_from(client, shop, ip):
    """The buyer C, logged in on `client`, places an order of the shop's product from `ip`."""
    resp = client.post("/checkout", data={"address_id": shop.address.id, "sku_id": shop.sku_id, "quantity": "1"},
                       environ_base={"REMOTE_ADDR": ip})
    assert resp.status_code == 302, resp.get_data(as_text=True)
    return resp


def referrer_seen_at(db, shop, ip, minutes_ago):
    record_sighting(shop.b.id, "login", (REFERRER_DEVICE, ip), now=utcnow() - timedelta(minutes=minutes_ago))
    db.session.commit()


def commission_flags(db):
    db.session.expire_all()
    return db.session.scalars(select(FraudFlag).where(FraudFlag.kind == "commission")).all()


def test_placing_an_order_records_the_device_and_ip(client, db, shop, login):
    login(shop.buyer)
    order_from(client, shop, "10.8.8.8")
    sighting = db.session.scalar(select(Sighting).where(Sighting.user_id == shop.buyer.id, Sighting.kind == "order"))
    assert sighting.ip == "10.8.8.8" and sighting.device_id == client.get_cookie(DEVICE_COOKIE).value
    assert sighting.created_at == db.session.scalar(select(Order)).created_at


def test_an_order_from_the_referrers_ip_within_the_hour_holds_the_referrers_commission(client, db, shop, login,
                                                                                        pay):
    referrer_seen_at(db, shop, "10.9.9.9", minutes_ago=30)
    login(shop.buyer)  # from the loopback: the login itself compares no IP
    order_from(client, shop, "10.9.9.9")
    order = pay(db.session.scalar(select(Order)))
    [flag] = commission_flags(db)
    assert (flag.referrer_id, flag.order_id, flag.reason_codes, flag.status) == (shop.b.id, order.id, ["ip"], HELD)


def test_an_order_from_another_ip_or_more_than_an_hour_apart_is_not_flagged(client, db, shop, login, pay):
    referrer_seen_at(db, shop, "10.9.9.9", minutes_ago=61)
    referrer_seen_at(db, shop, "10.7.7.7", minutes_ago=5)
    login(shop.buyer)
    order_from(client, shop, "10.9.9.9")
    pay(db.session.scalar(select(Order)))
    assert commission_flags(db) == []
