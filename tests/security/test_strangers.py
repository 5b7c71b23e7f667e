"""A stranger's id gets 404 (or 403): every shopper and center route with an id in its URL, read from the URL map,
is tried by another member (a distributor, so the center's own gate lets them in) on a record that belongs to
someone else. Every such route is in one of the two tables below, or this test fails: a new route cannot be
forgotten."""
from .conftest import routes

#: endpoint -> the URL values that name a record of the victim (tests/security/conftest.py `victim`).
OWNED = {
    "accounts.default_address": lambda v: {"address_id": v.address.id},
    "accounts.delete_address": lambda v: {"address_id": v.address.id},
    "accounts.edit_address": lambda v: {"address_id": v.address.id},
    "orders.detail": lambda v: {"order_no": v.paid_order.order_no},
    "orders.cancel": lambda v: {"order_no": v.unpaid_order.order_no},
    "orders.confirm": lambda v: {"order_no": v.paid_order.order_no},
    "orders.refund": lambda v: {"order_no": v.paid_order.order_no},
    "payments.pay": lambda v: {"order_no": v.unpaid_order.order_no},
    "payments.status": lambda v: {"order_no": v.unpaid_order.order_no},
    "payments.sandbox_cashier": lambda v: {"order_no": v.unpaid_order.order_no},
    "payments.sandbox_transfer": lambda v: {"out_bill_no": v.withdrawal.out_bill_no},
    "center.order": lambda v: {"order_no": v.paid_order.order_no},
    "center.commission": lambda v: {"commission_id": v.commission.id},
    "center.withdrawal": lambda v: {"withdrawal_id": v.withdrawal.id},
    "stores.pickup_qr": lambda v: {"order_no": v.pickup_order.order_no},
    "stores.order": lambda v: {"code": v.pickup_order.pickup_code},  # the stranger clerks in another store
    "stores.redeem": lambda v: {"code": v.pickup_order.pickup_code},
    "pool_center.dividend": lambda v: {"period_id": v.pool_period.id},
}
#: endpoint -> why its URL argument names nothing private.
NOT_OWNED = {
    "assist.campaign": "a 助力免单 campaign page is shared on purpose: friends open it to help",
    "assist.start": "a product id: anyone may start a campaign for a product",
    "catalog.product": "a product page is public",
    "center.product_poster": "a public product, drawn with the caller's own invite code",
    "coupons.claim": "a coupon template in the public coupon centre",
    "groupbuy.group": "a 拼团 group page is shared on purpose: others open it to join",
    "groupbuy.buy": "a 拼团 activity id, public on the product page",
    "distribution.invite": "an invite code is meant to be shared",
    "main.set_language": "a language code",
    "main.media": "uploaded product images and materials, public and named by content hash",
    "payments.notify": "a gateway's name; the notification is signed",
    "payments.refund_notify": "a gateway's name; the notification is signed",
}


def id_endpoints(app):
    return {rule.endpoint for _, rule, _ in routes(app) if rule.arguments and not rule.rule.startswith("/admin")}


def test_every_id_route_is_in_a_table(app):
    assert id_endpoints(app) - set(OWNED) - set(NOT_OWNED) == set()
    assert set(OWNED) & set(NOT_OWNED) == set()
    assert set(OWNED) | set(NOT_OWNED) <= id_endpoints(app)  # no stale rows


def tried(app, client, victim):
    answers = []
    for endpoint, values in OWNED.items():
        for method, rule, url in routes(app, values=values(victim)):
            if rule.endpoint == endpoint and rule.arguments:
                answers.append((method, url, client.open(url, method=method, data={"action": "pay"}).status_code))
    return answers


def test_a_stranger_never_opens_someone_elses_record(app, client, victim, stranger):
    from .conftest import money

    before = money()
    answers = tried(app, client, victim)
    assert {url.split("/")[1] for _, url, _ in answers} >= {"me", "orders", "pay", "center", "store"}
    assert [(m, url, code) for m, url, code in answers if code not in (403, 404)] == []
    assert money() == before


def test_the_owner_does_open_them(app, client, victim, login):
    """The same URLs are real: the victim's own requests get past the ownership check (GETs answer 200)."""
    login(victim.member)
    for endpoint in ("orders.detail", "payments.status", "accounts.edit_address", "stores.pickup_qr"):
        for _, rule, url in routes(app, methods={"GET"}, values=OWNED[endpoint](victim)):
            if rule.endpoint == endpoint and rule.arguments:
                assert client.get(url).status_code == 200, url


def test_the_distributor_opens_their_own_center_records(app, client, victim, login):
    login(victim.distributor)
    for endpoint in ("center.order", "center.commission", "center.withdrawal", "payments.sandbox_transfer",
                     "pool_center.dividend"):
        for _, rule, url in routes(app, methods={"GET"}, values=OWNED[endpoint](victim)):
            if rule.endpoint == endpoint:
                assert client.get(url).status_code == 200, url


def test_the_stores_own_clerk_opens_the_code(app, client, victim, make_user, login, db):
    from shop.stores.models import StoreClerk

    clerk = make_user(nickname="本店店员")
    db.session.add(StoreClerk(user_id=clerk.id, store_id=victim.pickup_order.pickup_store_id))
    db.session.commit()
    login(clerk)
    assert client.get(f"/store/redeem/{victim.pickup_order.pickup_code}").status_code == 200
