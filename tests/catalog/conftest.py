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
