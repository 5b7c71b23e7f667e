"""The catalog tests' small shop: a top category 服装 with its child T恤 holding one featured T-shirt; members signed
in with their own test client."""
import pytest


def shelf(db):
    """The top category 服装 and its child T恤, flushed (not committed): (top, child)."""
    from shop.catalog.models import Category

    top = Category(name="服装")
    db.session.add(top)
    db.session.flush()
    child = Category(name="T恤", parent_id=top.id)
    db.session.add(child)
    db.session.flush()
    return top, child


@pytest.fixture
def clothes(db, make_product):
    """clothes(stock) -> (top category, child category, the product with one SKU of `stock` pieces at ¥59)."""
    def make(stock):
        top, child = shelf(db)
        db.session.commit()
        product = make_product("纯棉T恤", skus=[(5900, stock, ["白", "M"])], category=child, is_featured=True)
        return top, child, product

    return make


@pytest.fixture
def member(app, db, make_user):
    """member(pieces=0) -> a test client signed in as a new member holding `pieces` in their cart."""
    from shop.cart.models import CartItem

    def make(pieces=0, product=None):
        user = make_user()
        if pieces:
            db.session.add(CartItem(user_id=user.id, sku_id=product.skus[0].id, quantity=pieces))
            db.session.commit()
        client = app.test_client()
        assert client.post("/login", data={"phone": user.phone, "password": "secret123"}).status_code == 302
        return client, user
    return make


def get(client, path):
    resp = client.get(path)
    assert resp.status_code == 200, path
    return resp.headers.get("X-Member-Page-Cache"), resp.get_data(as_text=True)


@pytest.fixture
def offered(db, clothes):
    """The T-shirt, with a coupon to claim on it and 助力免单 enabled."""
    from shop.assist.models import AssistProduct
    from shop.coupons.models import CouponTemplate

    _, _, product = clothes(stock=300)
    db.session.add(CouponTemplate(name="T恤立减券", kind="fixed", amount_fen=1000, threshold_fen=0, scope="all",
                                  scope_ids=[], validity="days", valid_days=7, total=100, per_member=1,
                                  obtain="claim", enabled=True))
    db.session.add(AssistProduct(product_id=product.id, helps_needed=2, hours=24, enabled=True))
    db.session.commit()
    return product


@pytest.fixture
def busy_member(member, make_distributor, offered):
    """A member who holds the coupon, runs a 助力免单 campaign on the product and is a distributor; their client."""
    from shop.assist.services import start
    from shop.coupons.models import CouponTemplate
    from shop.coupons.services import claim
    from shop.extensions import db

    client, user = member(2, offered)
    claim(user, db.session.query(CouponTemplate.id).scalar())
    start(user, offered.id)
    return client, make_distributor(user=user)
