"""Reconciling payments stays bounded, and every URL given to the gateway comes from SHOP_BASE_URL."""
from datetime import timedelta

from sqlalchemy import select, update

from shop.clock import utcnow
from shop.orders.models import Order
from shop.payments import services
from shop.payments.gateways import get_gateway
from shop.payments.models import SandboxTransaction


def opened_and_paid(app, order, hours_ago):
    """The shopper opened the payment `hours_ago` and paid; the notification never arrived."""
    with app.test_request_context():
        services.start_payment(order)
        get_gateway("sandbox").pay(order.order_no)
    services.db.session.execute(update(Order).where(Order.id == order.id)
                                .values(pay_opened_at=utcnow() - timedelta(hours=hours_ago)))
    services.db.session.commit()


def test_reconcile_asks_only_about_payments_opened_within_48_hours(app, db, place):
    too_old, recent = place(), place()
    opened_and_paid(app, too_old, hours_ago=49)
    opened_and_paid(app, recent, hours_ago=47)
    assert services.reconcile_payments() == {"applied": 1}
    db.session.expire_all()
    assert (db.session.get(Order, too_old.id).status, db.session.get(Order, recent.id).status) == ("pending", "paid")


def test_the_reconcile_age_is_a_setting_and_an_option(app, db, place, settings):
    settings(reconcile_max_hours=2)
    order = place()
    opened_and_paid(app, order, hours_ago=3)
    assert services.reconcile_payments() == {}
    out = app.test_cli_runner().invoke(args=["shop", "reconcile-payments", "--max-hours", "4"]).output
    assert f"{order.order_no}: applied" in out


def test_notify_urls_come_from_the_base_url_never_the_host_header(app, db, place):
    order = place()
    with app.test_request_context(f"/pay/{order.order_no}", base_url="http://evil.example"):
        services.start_payment(order)
    notify_url = db.session.scalar(select(SandboxTransaction.notify_url))
    assert notify_url == app.config["BASE_URL"] + "/pay/notify/sandbox"
