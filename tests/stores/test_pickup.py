"""到店自提: checkout without shipping fee or address, the store snapshot, the code at payment, no admin shipping."""
import pytest

from shop.errors import ServiceError
from shop.orders import services as orders
from shop.orders import status as st
from shop.orders.pricing import Choice
from tests.stores.conftest import WEST_LAKE, pickup


@pytest.fixture(autouse=True)
def shipping_fee(settings):
    settings(shipping_fee_fen=1000, free_shipping_threshold_fen=0)


def test_delivery_pays_shipping_pickup_does_not(shop, place, make_store):
    store = make_store()
    delivered = place()
    picked = place(choice=pickup(store))
    assert delivered.shipping_fen == 1000 and delivered.pay_total_fen == 11000
    assert picked.shipping_fen == 0 and picked.pay_total_fen == 10000
    assert orders.quote([(shop.sku_id, 1)], shop.buyer, Choice(store=store.id)).shipping_fen == 0


def test_pickup_order_snapshots_the_store_and_has_no_address(shop, place, make_store, db):
    store = make_store("西湖店", at=WEST_LAKE, city="杭州市", province="浙江省", district="西湖区", detail="北山街1号")
    order = place(choice=pickup(store))
    assert order.pickup_store_id == store.id and order.is_pickup
    assert order.pickup_store_name == "西湖店"
    assert order.pickup_store_address == "浙江省杭州市西湖区北山街1号"
    assert order.address_text == "" and order.recipient == "买家C" and order.recipient_phone == shop.buyer.phone
    store.name = "西湖新店"
    db.session.commit()
    db.session.refresh(order)
    assert order.pickup_store_name == "西湖店"


def test_pickup_needs_no_address(shop, make_store):
    order = orders.place_order(shop.buyer, [(shop.sku_id, 1)], None, choice=pickup(make_store()))
    assert order.is_pickup


@pytest.mark.parametrize("store_kw", [{"is_open": False}, None])
def test_closed_or_unknown_store_is_refused(shop, make_store, store_kw, db):
    from shop.catalog.models import Sku

    store_id = make_store(**store_kw).id if store_kw else 999
    with pytest.raises(ServiceError, match="门店不存在或已暂停自提"):
        orders.place_order(shop.buyer, [(shop.sku_id, 1)], None, choice=Choice(store=store_id))
    assert db.session.get(Sku, shop.sku_id).stock == 100


def test_code_given_at_payment_only(pickup_order, paid_order):
    unpaid = pickup_order(paid=False)
    assert unpaid.pickup_code is None
    paid = pickup_order()
    assert paid.status == st.PAID and len(paid.pickup_code) == 12 and paid.pickup_code.isdigit()
    assert paid_order().pickup_code is None  # delivered orders get none


def test_codes_are_random_not_sequential(pickup_order, make_store):
    store = make_store()
    codes = [int(pickup_order(store).pickup_code) for _ in range(4)]
    assert len(set(codes)) == 4
    assert {b - a for a, b in zip(codes, codes[1:])} != {1}
    assert max(codes) - min(codes) > 10 ** 6  # spread over the 12-digit space


def test_the_admin_cannot_ship_a_pickup_order(pickup_order):
    order = pickup_order()
    with pytest.raises(ServiceError, match="到店自提订单不发货"):
        orders.ship_order(order, "顺丰", "SF1")
    assert order.status == st.PAID


def test_bulk_ship_refuses_pickup_orders_with_a_reason(pickup_order, paid_order, db):
    from shop.admin.orders.services import ship_many

    pick, delivered = pickup_order(), paid_order()
    db.session.rollback()
    shipped, refused = ship_many([(pick.id, "顺丰", "SF1"), (delivered.id, "顺丰", "SF2")], None)
    assert shipped == [delivered.order_no]
    assert refused == [(pick.order_no, "到店自提订单不发货，由门店核销提货")]


def test_checkout_page_lists_stores_nearest_first(client, login, shop, make_store):
    from tests.stores.conftest import SUZHOU
    make_store("西湖店", at=WEST_LAKE, city="杭州市")
    make_store("苏州店", at=SUZHOU, city="苏州市")
    login(shop.buyer)
    html = client.get(f"/checkout?sku_id={shop.sku_id}&mode=pickup&lat=31.230416&lng=121.473701").get_data(as_text=True)
    assert html.index("苏州店") < html.index("西湖店")
    assert "84.8km" in html and "167.6km" in html
    assert "js/pickup.js" in html and "<script>" not in html


def test_checkout_page_by_city_and_choice(client, login, shop, make_store):
    store = make_store("西湖店", at=WEST_LAKE, city="杭州市")
    login(shop.buyer)
    html = client.get(f"/checkout?sku_id={shop.sku_id}&mode=pickup").get_data(as_text=True)
    assert "杭州市（1）" in html and "西湖店" not in html
    html = client.get(f"/checkout?sku_id={shop.sku_id}&mode=pickup&city=杭州市").get_data(as_text=True)
    assert "西湖店" in html
    html = client.get(f"/checkout?sku_id={shop.sku_id}&store={store.id}").get_data(as_text=True)
    assert f'name="store" value="{store.id}"' in html and "到店自提，免运费" in html


@pytest.mark.parametrize("query", ["mode=pickup&lat=abc&lng=1e999", "mode=pickup&city=<x>", "store=abc", "store=99999"])
def test_bad_pickup_arguments_are_ignored(client, login, shop, make_store, query):
    make_store()
    login(shop.buyer)
    assert client.get(f"/checkout?sku_id={shop.sku_id}&{query}").status_code == 200


def test_place_pickup_order_through_the_page(client, login, shop, make_store, db):
    from shop.orders.models import Order

    store = make_store()
    login(shop.buyer)
    resp = client.post("/checkout", data={"sku_id": shop.sku_id, "quantity": 1, "store": store.id})
    assert resp.status_code == 302
    order = db.session.query(Order).one()
    assert order.pickup_store_id == store.id and order.shipping_fen == 0


def test_pickup_without_a_store_is_free_of_shipping_but_cannot_be_placed(shop, db):
    from shop.catalog.models import Sku

    choice = Choice.parse({"mode": "pickup"})
    assert choice.pickup and choice.store is None
    assert orders.quote([(shop.sku_id, 1)], shop.buyer, choice).shipping_fen == 0
    with pytest.raises(ServiceError, match="请选择自提门店"):
        orders.place_order(shop.buyer, [(shop.sku_id, 1)], shop.address.id, choice=choice)
    assert db.session.get(Sku, shop.sku_id).stock == 100


def test_choice_round_trips_through_the_query_string():
    choice = Choice.parse({"store": "7", "coupon": "none"})
    assert choice.pickup and Choice.parse(choice.query()) == choice
    assert Choice.parse({}).query() == {}


def test_admin_order_page_shows_the_store_and_no_ship_form(client, make_staff, pickup_order):
    from tests.conftest import login_staff

    order = pickup_order()
    login_staff(client, make_staff(role="owner"))
    html = client.get(f"/admin/orders/{order.order_no}").get_data(as_text=True)
    assert "人民广场店" in html and "到店自提订单不发货" in html and "确认发货" not in html


def test_a_paid_pickup_order_waits_for_pickup_not_shipping(pickup_order, paid_order):
    assert pickup_order().status_label == "待提货"
    assert paid_order().status_label == "待发货"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_order_export_names_the_pickup_store_where_the_address_goes(client, make_staff, pickup_order, make_store,
                                                                       paid_order, fmt):
    from tests.admin.test_admin_order_lists import export_rows
    from tests.conftest import login_staff

    order = pickup_order(make_store("西湖店", at=WEST_LAKE, city="杭州市", district="西湖区", detail="北山街1号"))
    delivered = paid_order()
    login_staff(client, make_staff(role="owner"))
    rows = export_rows(client, fmt)
    column = rows[0].index("收货地址")
    by_number = {r[0]: r[column] for r in rows[1:]}
    assert "北山街1号" in order.pickup_store_address
    assert by_number[order.order_no] == f"到店自提：西湖店（{order.pickup_store_address}）"
    assert by_number[delivered.order_no] == delivered.address_text and delivered.address_text
