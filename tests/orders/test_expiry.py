"""`flask shop expire-orders`: cancels stale unpaid orders once, releasing stock once."""
from datetime import timedelta

from sqlalchemy import select

from shop.catalog.models import Sku
from shop.clock import utcnow
from shop.orders import services
from shop.orders.models import Order


def place_aged(db, user, address, sku_id, qty, minutes_ago):
    order = services.place_order(user, [(sku_id, qty)], address.id)
    order.created_at = utcnow() - timedelta(minutes=minutes_ago)
    db.session.commit()
    return order


def test_expire_orders_command_is_idempotent(app, db, make_user, make_address, make_product):
    user = make_user()
    address = make_address(user)
    p = make_product(skus=[(1000, 10, ["红", "M"])])
    sku = p.skus[0].id
    old = place_aged(db, user, address, sku, 3, minutes_ago=31)
    fresh = place_aged(db, user, address, sku, 2, minutes_ago=5)
    runner = app.test_cli_runner()
    first = runner.invoke(args=["shop", "expire-orders"])
    assert first.exit_code == 0, first.output
    assert f"cancelled {old.order_no}" in first.output and "expired 1 unpaid order(s)" in first.output
    second = runner.invoke(args=["shop", "expire-orders"])
    assert "expired 0 unpaid order(s)" in second.output
    db.session.expire_all()
    statuses = {o.order_no: (o.status, o.cancel_reason) for o in db.session.scalars(select(Order))}
    assert statuses == {old.order_no: ("cancelled", "timeout"), fresh.order_no: ("pending", None)}
    assert db.session.get(Sku, sku).stock == 8


def test_expire_minutes_option(app, db, make_user, make_address, make_product):
    user = make_user()
    p = make_product(skus=[(1000, 10, ["红", "M"])])
    place_aged(db, user, make_address(user), p.skus[0].id, 1, minutes_ago=6)
    out = app.test_cli_runner().invoke(args=["shop", "expire-orders", "--minutes", "5"]).output
    assert "expired 1 unpaid order(s)" in out
