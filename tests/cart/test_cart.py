"""The cart: guest cart in the session, merge at login, limits, bad input."""
import pytest
from sqlalchemy import select

from shop.cart.models import CartItem


def test_guest_cart_merges_into_member_cart_at_login(client, db, make_user, make_product, login):
    user = make_user()
    a = make_product("A", skus=[(1000, 10, ["红", "M"])])
    b = make_product("B", skus=[(2000, 3, ["蓝", "L"])])
    db.session.add(CartItem(user_id=user.id, sku_id=b.skus[0].id, quantity=2))
    db.session.commit()
    client.post("/cart/add", data={"sku_id": a.skus[0].id, "quantity": "2"})
    client.post("/cart/add", data={"sku_id": b.skus[0].id, "quantity": "1"})
    html = client.get("/cart").get_data(as_text=True)
    assert "A" in html and "¥40.00" in html  # 2 x 10 + 1 x 20 selected
    login(user)
    items = {i.sku_id: i.quantity for i in db.session.scalars(select(CartItem))}
    assert items == {a.skus[0].id: 2, b.skus[0].id: 3}  # capped by stock 3
    with client.session_transaction() as sess:
        assert "cart" not in sess


def test_member_cart_update_select_and_remove(client, db, make_user, make_product, login):
    login(make_user())
    p = make_product(skus=[(1000, 10, ["红", "M"]), (1500, 10, ["蓝", "M"])])
    red, blue = (s.id for s in p.skus)
    client.post("/cart/add", data={"sku_id": red, "quantity": "1"})
    client.post("/cart/add", data={"sku_id": blue, "quantity": "1"})
    client.post("/cart/update", data={"sku_id": red, "quantity": "4"})
    client.post("/cart/update", data={"sku_id": blue, "selected": "0"})
    html = client.get("/cart").get_data(as_text=True)
    assert "¥40.00" in html and "结算(4)" in html
    client.post("/cart/remove", data={"sku_id": [str(red)]})
    assert [i.sku_id for i in db.session.scalars(select(CartItem))] == [blue]


def test_member_badge_follows_the_cart_in_the_statement_that_loads_the_member(client, db, make_user, make_product,
                                                                               login):
    """The tab bar's badge comes with the member's row (one statement on a page), and each change shows at once."""
    from shop.sql import count_statements

    login(make_user())
    p = make_product(skus=[(1000, 10, ["红", "M"]), (1500, 10, ["蓝", "M"])])
    red, blue = (s.id for s in p.skus)
    badges = []
    for action, data in (("add", {"sku_id": red, "quantity": "2"}), ("add", {"sku_id": blue, "quantity": "3"}),
                         ("update", {"sku_id": red, "quantity": "1"}), ("remove", {"sku_id": [str(blue)]})):
        assert client.post(f"/cart/{action}", data=data).status_code in (302, 303)
        html = client.get("/me").get_data(as_text=True)
        badges.append(html.split('class="badge">', 1)[1].split("<", 1)[0] if 'class="badge">' in html else None)
    assert badges == ["2", "5", "4", "1"]
    client.get("/")
    with count_statements() as counter:
        assert 'class="badge">1<' in client.get("/").get_data(as_text=True)
    assert len(counter) == 1  # the member with the badge's count; the home page's catalog parts come from the cache


@pytest.mark.parametrize("quantity, message", [("0", "数量应在1到99之间"), ("-3", "数量应在1到99之间"),
                                               ("abc", "数量必须是整数"), ("100", "数量应在1到99之间"),
                                               ("1.5", "数量必须是整数"), ("", "数量必须是整数")])
def test_add_refuses_bad_quantities(client, db, make_product, quantity, message):
    p = make_product()
    resp = client.post("/cart/add", data={"sku_id": p.skus[0].id, "quantity": quantity},
                       headers={"Accept": "application/json"})
    assert resp.status_code == 400 and resp.json["message"] == message
    assert client.get("/cart").get_data(as_text=True).count('class="cart-line') == 0


def test_add_refuses_more_than_stock(client, make_product):
    p = make_product(skus=[(1000, 2, ["红", "M"])])
    resp = client.post("/cart/add", data={"sku_id": p.skus[0].id, "quantity": "3"},
                       headers={"Accept": "application/json"})
    assert resp.status_code == 400 and "最多可购买2件" in resp.json["message"]


@pytest.mark.parametrize("sku_id", ["999999", "abc", "", "-1"])
def test_add_refuses_unknown_skus(client, db, sku_id):
    resp = client.post("/cart/add", data={"sku_id": sku_id, "quantity": "1"}, headers={"Accept": "application/json"})
    assert resp.status_code in (400, 404)
    assert db.session.scalar(select(CartItem)) is None


def test_off_shelf_product_cannot_be_added(client, make_product):
    p = make_product(on_shelf=False)
    resp = client.post("/cart/add", data={"sku_id": p.skus[0].id, "quantity": "1"},
                       headers={"Accept": "application/json"})
    assert resp.status_code == 404


def test_updating_a_line_one_does_not_have_is_404(client, make_user, make_product, login):
    other, me = make_user(), make_user()
    p = make_product()
    from shop.extensions import db
    db.session.add(CartItem(user_id=other.id, sku_id=p.skus[0].id, quantity=1))
    db.session.commit()
    login(me)
    assert client.post("/cart/update", data={"sku_id": p.skus[0].id, "quantity": "5"}).status_code == 404
    db.session.expire_all()
    assert db.session.scalar(select(CartItem)).quantity == 1
