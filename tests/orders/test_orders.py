"""Placing orders, snapshots, stock reservation, cancel, confirm, owner checks."""
import pytest
from sqlalchemy import func, select

from shop.catalog.models import Sku
from shop.errors import ServiceError
from shop.orders import services
from shop.orders import status as st
from shop.orders.models import Order, OrderLine
from shop.settings import set_setting


@pytest.fixture
def shopper(make_user, make_address, login):
    user = make_user()
    address = make_address(user)
    login(user)
    return user, address


def stock_of(db, sku_id):
    db.session.expire_all()
    return db.session.get(Sku, sku_id).stock


def test_checkout_from_cart_places_an_order(client, db, shopper, make_product):
    user, address = shopper
    p = make_product("纯棉T恤", skus=[(5900, 10, ["白", "M"])])
    sku = p.skus[0].id
    client.post("/cart/add", data={"sku_id": sku, "quantity": "1"})
    page = client.get("/checkout").get_data(as_text=True)
    assert "¥59.00" in page and "¥10.00" in page and "¥69.00" in page  # goods + shipping = total
    resp = client.post("/checkout", data={"address_id": address.id, "note": "请尽快发货"})
    assert resp.status_code == 302
    order = db.session.scalar(select(Order))
    assert resp.headers["Location"].endswith(order.order_no)
    assert (order.status, order.items_total_fen, order.shipping_fen, order.pay_total_fen) == ("pending", 5900, 1000,
                                                                                              6900)
    assert order.recipient == "张三" and "文三路" in order.address_text and order.note == "请尽快发货"
    assert stock_of(db, sku) == 9
    assert client.get("/cart").get_data(as_text=True).count('class="cart-line') == 0
    html = client.get(f"/orders/{order.order_no}").get_data(as_text=True)
    assert "待付款" in html and "纯棉T恤" in html and "颜色: 白, 尺码: M" in html
    assert order.order_no in client.get("/orders?status=pending").get_data(as_text=True)
    assert order.order_no not in client.get("/orders?status=paid").get_data(as_text=True)


def test_buy_now_skips_the_cart(client, db, shopper, make_product):
    _, address = shopper
    p = make_product(skus=[(20000, 5, ["红", "M"])])
    resp = client.post("/checkout/buy", data={"sku_id": p.skus[0].id, "quantity": "1"})
    assert resp.status_code == 303
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "包邮" in page and "¥200.00" in page  # above the free-shipping threshold
    client.post(resp.headers["Location"], data={"address_id": address.id})
    order = db.session.scalar(select(Order))
    assert order.pay_total_fen == 20000 and order.shipping_fen == 0


def test_shipping_rule_comes_from_merchant_settings(db, make_product):
    p = make_product(skus=[(5000, 5, ["红", "M"])])
    set_setting("shipping_fee_fen", 800)
    set_setting("free_shipping_threshold_fen", 0)  # never free
    db.session.commit()
    q = services.quote([(p.skus[0].id, 3)])
    assert (q.items_total_fen, q.shipping_fen, q.pay_total_fen) == (15000, 800, 15800)


def test_order_lines_are_snapshots(client, db, shopper, make_product):
    from shop.catalog.services import save_product

    user, address = shopper
    p = make_product("旧标题", skus=[(5900, 10, ["白", "M"])])
    order = services.place_order(user, [(p.skus[0].id, 1)], address.id)
    save_product({"title": "新标题", "spec_names": ["颜色", "尺码"],
                  "skus": [{"id": p.skus[0].id, "spec_values": ["黑", "L"], "price_fen": 9900, "stock": 3}]}, p)
    db.session.commit()
    line = db.session.scalar(select(OrderLine))
    assert (line.title, line.spec_text, line.unit_price_fen) == ("旧标题", "颜色: 白, 尺码: M", 5900)
    assert "旧标题" in client.get(f"/orders/{order.order_no}").get_data(as_text=True)


def test_not_enough_stock_changes_nothing(db, shopper, make_product):
    user, address = shopper
    a = make_product(skus=[(1000, 5, ["红", "M"])])
    b = make_product(skus=[(1000, 1, ["蓝", "M"])])
    with pytest.raises(ServiceError, match="库存不足"):
        services.place_order(user, [(a.skus[0].id, 2), (b.skus[0].id, 2)], address.id)
    assert stock_of(db, a.skus[0].id) == 5 and stock_of(db, b.skus[0].id) == 1
    assert db.session.scalar(select(func.count()).select_from(Order)) == 0


@pytest.mark.parametrize("form, message", [
    pytest.param({"address_id": "abc"}, "请选择收货地址", id="address-not-a-number"),
    pytest.param({"address_id": ""}, "请选择收货地址", id="address-blank"),
    pytest.param({"address_id": "999999"}, "请选择收货地址", id="address-unknown"),
    pytest.param({}, "请选择收货地址", id="address-missing"),
    pytest.param({"address_id": "{addr}", "sku_id": "abc"}, "商品不存在或已下架", id="sku-not-a-number"),
    pytest.param({"address_id": "{addr}", "sku_id": "{sku}", "quantity": "-1"}, "数量应在1到99之间", id="qty-negative"),
    pytest.param({"address_id": "{addr}", "sku_id": "{sku}", "quantity": "1000"}, "数量应在1到99之间", id="qty-too-many"),
    pytest.param({"address_id": "{addr}", "sku_id": "{sku}", "quantity": "x"}, "数量必须是整数", id="qty-not-a-number"),
    pytest.param({"address_id": "{addr}", "sku_id": "999999", "quantity": "1"}, "商品不存在或已下架", id="sku-unknown"),
])
def test_checkout_bad_input_gets_a_message_and_no_order(client, db, shopper, make_product, form, message):
    _, address = shopper
    p = make_product(skus=[(1000, 5, ["红", "M"])])
    data = {k: v.format(addr=address.id, sku=p.skus[0].id) for k, v in form.items()}
    if "sku_id" not in data:
        client.post("/cart/add", data={"sku_id": p.skus[0].id, "quantity": "1"})
        with client.session_transaction() as session:
            session.pop("_flashes")  # 已加入购物车
    resp = client.post("/checkout", data=data)
    assert resp.status_code == 303 and resp.headers["Location"].startswith("/checkout")
    with client.session_transaction() as session:
        assert session["_flashes"] == [("error", message)]
    assert db.session.scalar(select(func.count()).select_from(Order)) == 0
    assert stock_of(db, p.skus[0].id) == 5


def test_checkout_cuts_a_long_note(client, db, shopper, make_product):
    _, address = shopper
    p = make_product(skus=[(1000, 5, ["红", "M"])])
    resp = client.post("/checkout", data={"address_id": address.id, "sku_id": p.skus[0].id, "quantity": "1",
                                          "note": "x" * 10000})
    assert resp.status_code == 302 and len(db.session.scalar(select(Order)).note) == 200


def test_cannot_order_to_someone_elses_address(client, db, shopper, make_user, make_address, make_product):
    other_address = make_address(make_user(), recipient="外人")
    p = make_product()
    client.post("/cart/add", data={"sku_id": p.skus[0].id, "quantity": "1"})
    resp = client.post("/checkout", data={"address_id": other_address.id})
    assert resp.status_code == 303
    assert db.session.scalar(select(Order)) is None


def test_checkout_with_empty_cart_is_a_clear_message(client, shopper):
    resp = client.get("/checkout")
    assert resp.status_code == 400 and "请先选择要购买的商品" in resp.get_data(as_text=True)


def test_cancel_releases_stock_exactly_once(client, db, shopper, make_product):
    user, address = shopper
    p = make_product(skus=[(1000, 5, ["红", "M"])])
    order = services.place_order(user, [(p.skus[0].id, 3)], address.id)
    assert stock_of(db, p.skus[0].id) == 2
    assert client.post(f"/orders/{order.order_no}/cancel").status_code == 302
    assert stock_of(db, p.skus[0].id) == 5
    again = client.post(f"/orders/{order.order_no}/cancel")
    assert again.status_code == 409 and "不能变为" in again.get_data(as_text=True)
    assert stock_of(db, p.skus[0].id) == 5
    assert "已取消" in client.get(f"/orders/{order.order_no}").get_data(as_text=True)


def test_confirm_receipt_of_a_shipped_order(client, db, shopper, make_product):
    user, address = shopper
    p = make_product()
    order = services.place_order(user, [(p.skus[0].id, 1)], address.id)
    assert client.post(f"/orders/{order.order_no}/confirm").status_code == 409  # not shipped yet
    st.move(order, st.PAID)
    services.ship_order(order, "顺丰", "SF123")
    assert client.post(f"/orders/{order.order_no}/confirm").status_code == 302
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == st.COMPLETED
    assert client.post(f"/orders/{order.order_no}/cancel").status_code == 409


@pytest.mark.parametrize("method, path", [("get", "/orders/{no}"), ("post", "/orders/{no}/cancel"),
                                          ("post", "/orders/{no}/confirm")])
def test_stranger_cannot_see_or_touch_an_order(client, db, make_user, make_address, make_product, login, method,
                                               path):
    owner = make_user()
    p = make_product()
    order = services.place_order(owner, [(p.skus[0].id, 1)], make_address(owner).id)
    login(make_user())
    assert getattr(client, method)(path.format(no=order.order_no)).status_code == 404
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == st.PENDING
    assert order.order_no not in client.get("/orders").get_data(as_text=True)


def test_order_numbers_are_unique_and_not_sequential(db, make_user, make_address, make_product):
    user = make_user()
    address = make_address(user)
    p = make_product(skus=[(1000, 100, ["红", "M"])])
    numbers = [services.place_order(user, [(p.skus[0].id, 1)], address.id).order_no for _ in range(20)]
    assert len(set(numbers)) == 20 and all(len(n) == 18 and n.isdigit() for n in numbers)
    gaps = {int(b) - int(a) for a, b in zip(numbers, numbers[1:])}
    assert len(gaps) > 1 and 1 not in gaps


TABLE = [(a, b, b in st.TRANSITIONS[a]) for a in st.ALL for b in st.ALL]


@pytest.mark.parametrize("current, target, legal", TABLE)
def test_status_machine(current, target, legal):
    assert st.can_move(current, target) is legal


@pytest.mark.parametrize("current, target", [(a, b) for a, b, legal in TABLE if not legal])
def test_illegal_transitions_are_refused_with_a_message(db, make_user, make_address, make_product, current, target):
    user = make_user()
    p = make_product()
    order = services.place_order(user, [(p.skus[0].id, 1)], make_address(user).id)
    db.session.execute(Order.__table__.update().values(status=current))
    db.session.commit()
    db.session.refresh(order)
    with pytest.raises(st.IllegalTransition, match="不能变为"):
        st.move(order, target)
    db.session.rollback()
    assert db.session.get(Order, order.id).status == current
