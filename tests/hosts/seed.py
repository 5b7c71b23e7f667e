"""Migrations and the multi-host test's data, through the app's own services: `python -m tests.hosts.seed` with the
hosts' SHOP_* environment. Prints one JSON line: what the test needs to know.

A process of its own, so the extensions bound here (the limiter's Redis storage) never leak into the pytest run."""
import json
from datetime import timedelta

from flask_migrate import upgrade

from shop import create_app
from shop.extensions import db

PASSWORD = "multi-host-7Q"
MEMBER = "13900000001"
DISTRIBUTOR = "13900000002"
BUYER = "13900000003"
PAID_ORDERS = 12
UNPAID_ORDERS = 5
STOCK = 100
PRICE_FEN = 10000


def member(phone, nickname):
    from shop.accounts.services import register
    from shop.database import transaction

    with transaction():
        return register(phone, PASSWORD, nickname)


def shop_with_orders(app):
    """A distributor whose invitee bought PAID_ORDERS orders, completed 60 days ago (their commissions are due),
    and UNPAID_ORDERS orders still unpaid."""
    from shop.accounts.services import save_address
    from shop.catalog.services import save_product
    from shop.distribution import binding, rules, services
    from shop.orders.services import place_order

    with app.app_context():
        rules.update_global_rules(levels=1, rate1_bp=1000)
        db.session.commit()
        member(MEMBER, "多机会员")
        distributor = services.become_distributor(member(DISTRIBUTOR, "多机分销").id, "admin")
        db.session.commit()
        buyer = member(BUYER, "多机买家")
        assert binding.bind_referrer(buyer.id, distributor.user_id, "link") == binding.BOUND
        db.session.commit()
        product = save_product({"title": "多机好物", "spec_names": ["颜色"], "category_id": None, "skus": [
            {"price_fen": PRICE_FEN, "stock": STOCK, "spec_values": ["红"], "original_price_fen": PRICE_FEN}]})
        address = save_address(buyer, {"recipient": "张三", "phone": "13900001111", "province": "浙江省",
                                       "city": "杭州市", "district": "西湖区", "detail": "文三路 1 号"})
        sku_id = product.skus[0].id
        orders = [place_order(buyer, [(sku_id, 1)], address.id) for _ in range(PAID_ORDERS + UNPAID_ORDERS)]
        for order in orders[:PAID_ORDERS]:
            pay_and_complete(app, order)
        return {"invite_code": distributor.invite_code, "distributor_user_id": distributor.user_id,
                "sku_id": sku_id, "product_id": product.id}


def pay_and_complete(app, order):
    """The sandbox's signed notification, then shipping and receipt 60 days back."""
    from shop.clock import utcnow
    from shop.orders import services as orders
    from shop.orders.models import Order
    from shop.payments.gateways import sandbox

    headers, body = sandbox.build_notification(order.order_no, f"4200{order.id:012d}", order.pay_total_fen)
    resp = app.test_client().post("/pay/notify/sandbox", data=body, headers=headers, content_type="application/json")
    assert resp.status_code == 204, resp.get_data(as_text=True)
    db.session.expire_all()
    order = db.session.get(Order, order.id)
    orders.ship_order(order, "顺丰", f"SF{order.id}")
    orders.confirm_receipt(order, now=utcnow() - timedelta(days=60))


def main():
    app = create_app()
    with app.app_context():
        upgrade()
    facts = shop_with_orders(app)
    facts.update(password=PASSWORD, member=MEMBER, paid_orders=PAID_ORDERS, unpaid_orders=UNPAID_ORDERS,
                 stock=STOCK, price_fen=PRICE_FEN)
    print(json.dumps(facts))


if __name__ == "__main__":
    main()
