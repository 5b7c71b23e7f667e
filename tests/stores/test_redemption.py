"""核销: the clerk completes a pickup order by its code exactly once, in their own store only; /store for clerks."""
import pytest

from shop.distribution.models import Commission
from shop.orders import status as st
from shop.stores import redemption
from tests.stores.conftest import WEST_LAKE


@pytest.fixture
def store(make_store):
    return make_store()


@pytest.fixture
def clerk(make_clerk, store):
    return make_clerk(store, phone="13600000001")


def test_redeem_completes_the_order_once(pickup_order, store, clerk, db):
    order = pickup_order(store)
    done = redemption.redeem(clerk, order.pickup_code)
    assert done.status == st.COMPLETED and done.redeemed_by == clerk.id
    assert done.redeemed_at == done.completed_at == done.shipped_at
    with pytest.raises(redemption.ServiceError, match="已核销"):
        redemption.redeem(clerk, order.pickup_code)
    db.session.expire_all()
    assert db.session.get(type(order), order.id).completed_at == done.completed_at


def test_commissions_follow_the_normal_lifecycle(pickup_order, store, clerk, db):
    """The commissions of a redeemed order are those of any paid order; completion starts their freeze like
    confirm_receipt does (the points earned at completion too)."""
    order = pickup_order(store)
    before = db.session.query(Commission).filter_by(order_id=order.id).count()
    assert before == 2
    redemption.redeem(clerk, order.pickup_code)
    assert db.session.query(Commission).filter_by(order_id=order.id).count() == before


@pytest.mark.parametrize("typed", ["{code}", "{a} {b} {c}", "{a}-{b}-{c}"])
def test_code_may_be_typed_with_spaces(pickup_order, store, clerk, typed):
    order = pickup_order(store)
    code = order.pickup_code
    text = typed.format(code=code, a=code[:4], b=code[4:8], c=code[8:])
    assert redemption.redeem(clerk, text).status == st.COMPLETED


def test_another_stores_code_is_refused_and_nothing_changes(pickup_order, make_store, make_clerk, store, db):
    other = make_store("西湖店", at=WEST_LAKE, city="杭州市")
    stranger_clerk = make_clerk(other, phone="13600000002")
    order = pickup_order(store)
    with pytest.raises(redemption.NotFound, match="本店没有这个核销码"):
        redemption.redeem(stranger_clerk, order.pickup_code)
    db.session.expire_all()
    assert db.session.get(type(order), order.id).status == st.PAID


@pytest.mark.parametrize("text, message", [("123", "请输入12位数字核销码"), ("abcdefghijkl", "请输入12位数字核销码"),
                                           ("000000000000", "本店没有这个核销码")])
def test_bad_or_unknown_codes(clerk, text, message):
    with pytest.raises(redemption.ServiceError, match=message):
        redemption.redeem(clerk, text)


def test_unpaid_or_refunded_orders_are_not_handed_over(pickup_order, store, clerk, db):
    order = pickup_order(store)
    db.session.execute(type(order).__table__.update().where(type(order).id == order.id).values(status=st.REFUNDED))
    db.session.commit()
    with pytest.raises(redemption.ServiceError, match="不能核销"):
        redemption.redeem(clerk, order.pickup_code)


# ---- the pages ---------------------------------------------------------------------------------------------

def test_stranger_and_non_clerk(client, login, make_user, pickup_order, store):
    order = pickup_order(store)
    assert client.get("/store").status_code == 302  # to the login
    login(make_user(phone="13600000009"))
    for path in ("/store", f"/store/redeem/{order.pickup_code}", "/store/redeem?code=1"):
        assert client.get(path).status_code == 403, path
    assert client.post(f"/store/redeem/{order.pickup_code}").status_code == 403


def test_clerk_pages_redeem_flow(client, login, pickup_order, store, clerk, db):
    order = pickup_order(store)
    login(clerk, "secret123")
    home = client.get("/store").get_data(as_text=True)
    assert store.name in home and "买家C" in home and "¥100.00" in home
    resp = client.get(f"/store/redeem?code={order.pickup_code[:6]} {order.pickup_code[6:]}")
    assert resp.headers["Location"].endswith(f"/store/redeem/{order.pickup_code}")
    page = client.get(f"/store/redeem/{order.pickup_code}").get_data(as_text=True)
    assert "买家C" in page and "好物" in page and "确认提货" in page
    client.post(f"/store/redeem/{order.pickup_code}")
    page = client.get(f"/store/redeem/{order.pickup_code}").get_data(as_text=True)
    assert "核销成功" in page and "确认提货" not in page
    client.post(f"/store/redeem/{order.pickup_code}")
    assert "该订单已核销" in client.get(f"/store/redeem/{order.pickup_code}").get_data(as_text=True)
    redeemed = client.get("/store?tab=redeemed").get_data(as_text=True)
    assert "买家C" in redeemed


def test_foreign_code_page_is_a_404(client, login, pickup_order, make_store, make_clerk, store):
    order = pickup_order(store)
    other_clerk = make_clerk(make_store("西湖店", at=WEST_LAKE, city="杭州市"), phone="13600000003")
    login(other_clerk)
    for method in (client.get, client.post):
        resp = method(f"/store/redeem/{order.pickup_code}")
        assert resp.status_code == 404 and "本店没有这个核销码" in resp.get_data(as_text=True)


def test_figures_today_and_month(pickup_order, store, clerk):
    from shop.stores.services import store_figures

    a, _b = pickup_order(store), pickup_order(store, quantity=2)
    redemption.redeem(clerk, a.pickup_code)
    figures = store_figures(store)
    assert figures["today"].paid_count == figures["month"].paid_count == 2
    assert figures["today"].paid_fen == 30000
    assert figures["today"].redeemed_count == 1


def test_buyer_sees_code_and_qr(client, login, shop, pickup_order, store, clerk):
    order = pickup_order(store)
    login(shop.buyer)
    page = client.get(f"/orders/{order.order_no}").get_data(as_text=True)
    code = order.pickup_code
    assert f"{code[:4]} {code[4:8]} {code[8:]}" in page and store.name in page
    qr = client.get(f"/orders/{order.order_no}/pickup-qr.png")
    assert qr.status_code == 200 and qr.data.startswith(b"\x89PNG")
    redemption.redeem(clerk, code)
    page = client.get(f"/orders/{order.order_no}").get_data(as_text=True)
    assert code[:4] + " " not in page and "已在门店提货" in page
    assert client.get(f"/orders/{order.order_no}/pickup-qr.png").status_code == 404


def test_someone_elses_qr_is_a_404(client, login, make_user, pickup_order, store):
    order = pickup_order(store)
    login(make_user(phone="13600000004"))
    assert client.get(f"/orders/{order.order_no}/pickup-qr.png").status_code == 404


def test_me_page_leads_clerks_to_the_desk(client, login, shop, clerk):
    login(shop.buyer)
    assert "门店核销台" not in client.get("/me").get_data(as_text=True)
    login(clerk)
    assert "门店核销台" in client.get("/me").get_data(as_text=True)


def test_an_open_refund_request_blocks_the_pickup(pickup_order, shop, store, clerk, db):
    from shop.payments.refunds import request_refund

    order = pickup_order(store)
    request_refund(shop.buyer, order, "不想要了")
    with pytest.raises(redemption.ServiceError, match="退款申请在处理中"):
        redemption.redeem(clerk, order.pickup_code)
    db.session.expire_all()
    assert db.session.get(type(order), order.id).status == st.PAID
