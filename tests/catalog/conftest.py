"""The catalog tests' small shop: a top category 服装 with its child T恤 holding one featured T-shirt."""
import pytest


@pytest.fixture
def clothes(db, make_product):
    """clothes(stock) -> (top category, child category, the product with one SKU of `stock` pieces at ¥59)."""
    from shop.catalog.models import Category

    def make(stock):
        top = Category(name="服装")
        db.session.add(top)
        db.session.flush()
        child = Category(name="T恤", parent_id=top.id)
        db.session.add(child)
        db.session.commit()
        product = make_product("纯棉T恤", skus=[(5900, stock, ["白", "M"])], category=child, is_featured=True)
        return top, child, product

    return make
