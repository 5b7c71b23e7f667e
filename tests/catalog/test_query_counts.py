"""Storefront pages send the same number of SQL statements for 10 and for 1,000 products."""
import pytest
from sqlalchemy import insert

from shop.catalog.models import Product, Sku
from shop.sql import count_statements
from tests.catalog.conftest import shelf


def fill_catalog(db, n):
    """n products with two SKUs each, inserted in bulk."""
    top, child = shelf(db)
    db.session.execute(insert(Product), [
        {"title": f"商品 {i}", "subtitle": "", "description_html": "", "spec_names": ["颜色"], "on_shelf": True,
         "is_featured": i % 3 == 0, "sort": i, "sales": i, "min_price_fen": 1000 + i, "category_id": child.id}
        for i in range(n)])
    ids = [row.id for row in db.session.query(Product.id)]
    db.session.execute(insert(Sku), [{"product_id": pid, "spec_values": [c], "price_fen": 1000, "stock": 5}
                                     for pid in ids for c in ("红", "蓝")])
    db.session.commit()
    return top, ids[0]


def page_statements(client, path):
    with count_statements() as counter:
        resp = client.get(path)
    assert resp.status_code == 200, path
    return len(counter)


PAGES = ["/", "/category?cid={top}", "/search?q=商品", "/search?q=商品&page=2", "/p/{product}", "/cart"]


@pytest.mark.parametrize("path", PAGES)
def test_statements_do_not_grow_with_the_catalog(app, db, path):
    from tests.conftest import empty_tables

    counts = []
    for n in (10, 1000):
        top, product = fill_catalog(db, n)
        client = app.test_client()
        counts.append(page_statements(client, path.format(top=top.id, product=product)))
        db.session.remove()
        empty_tables(app)
    assert counts[0] == counts[1], counts
    assert counts[1] <= 8, counts


def test_cart_and_orders_pages_do_not_grow_with_lines(client, db, make_user, make_product, make_address, login):
    from shop.orders.services import place_order

    user = make_user()
    address = make_address(user)
    login(user)
    counts = []
    for n in (2, 12):
        for _ in range(n - (2 if counts else 0)):
            p = make_product(skus=[(1000, 50, ["红", "M"])])
            client.post("/cart/add", data={"sku_id": p.skus[0].id, "quantity": "1"})
            place_order(user, [(p.skus[0].id, 1)], address.id)
        counts.append((page_statements(client, "/cart"), page_statements(client, "/orders"),
                       page_statements(client, "/me")))
    assert counts[0] == counts[1], counts


@pytest.mark.parametrize("path", PAGES[:5])
def test_signed_in_statements_do_not_grow_and_fragments_save_some(app, db, path, make_user):
    """A member's pages: the same statements for 10 and 1,000 products; the next request takes the shared parts
    (catalog fragments) from the cache and sends fewer."""
    from tests.conftest import empty_tables

    counts = []
    for n in (10, 1000):
        top, product = fill_catalog(db, n)
        user = make_user()
        client = app.test_client()
        assert client.post("/login", data={"phone": user.phone, "password": "secret123"}).status_code == 302
        url = path.format(top=top.id, product=product)
        counts.append((page_statements(client, url), page_statements(client, url)))
        db.session.remove()
        empty_tables(app)
    assert counts[0] == counts[1], counts
    first, after = counts[1]
    assert after < first, counts
