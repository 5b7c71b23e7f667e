"""Admin fixtures: a logged-in staff member, PNG files made with Pillow, orders in a chosen status."""
import io

import pytest
from PIL import Image

from tests.conftest import login_staff


@pytest.fixture
def staff(client, make_staff):
    """A staff owner (店长), logged in to the admin on the test client."""
    owner = make_staff(role="owner", display_name="店长")
    login_staff(client, owner)
    return owner


@pytest.fixture
def make_png():
    """Factory: make_png(color='red', size=(8, 8)) -> bytes of a real PNG."""
    def make(color="red", size=(8, 8)):
        buf = io.BytesIO()
        Image.new("RGB", size, color).save(buf, "PNG")
        return buf.getvalue()

    return make


@pytest.fixture
def make_order(db, make_user, make_address):
    """Factory: make_order(sku, quantity=1, status='pending', user=None, **address) -> Order placed for real."""
    from shop.clock import utcnow
    from shop.orders.services import place_order

    def make(sku, quantity=1, status="pending", user=None, **address):
        user = user or make_user()
        order = place_order(user, [(sku.id, quantity)], make_address(user, **address).id)
        if status == "paid":  # payments come later; the admin only needs a paid order to ship
            order.status, order.paid_at = "paid", utcnow()
            db.session.commit()
        return order

    return make


@pytest.fixture
def product_form():
    """Factory: product_form(title, spec_names, skus, **fields) -> POST data for the admin product form."""
    return build_product_form


def build_product_form(title="新款卫衣", spec_names="颜色,尺码", skus=(("红,M", "59.00", "10"),), **fields):
    """POST data for the admin product form; skus: (spec values, price in yuan, stock[, code[, id]])."""
    data = {"title": title, "subtitle": "", "category_id": "0", "sort": "0", "on_shelf": "y",
            "spec_names": spec_names, "description": "<p>柔软舒适</p>"}
    for i, row in enumerate(skus):
        values, price, stock, code, sku_id = (tuple(row) + ("", ""))[:5]
        data.update({f"skus-{i}-spec_values": values, f"skus-{i}-price": price, f"skus-{i}-stock": stock,
                     f"skus-{i}-code": code, f"skus-{i}-id": sku_id})
    data.update(fields)
    return data


@pytest.fixture
def post_product(client):
    """post_product(data, files=(), product_id=None) -> response of the admin product form."""
    def post(data, files=(), product_id=None):
        url = f"/admin/products/{product_id}/edit" if product_id else "/admin/products/new"
        payload = dict(data)
        if files:
            payload["uploads"] = [(io.BytesIO(content), name) for name, content in files]
        return client.post(url, data=payload, content_type="multipart/form-data")

    return post
