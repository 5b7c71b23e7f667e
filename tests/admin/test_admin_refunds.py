"""售后: the refund queue and its badge, a refund's page, approve (with 退回库存) or reject, a merchant refund from
the order page, and what the shopper sees on their order page."""
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from shop.catalog.models import Sku
from shop.clock import utcnow
from shop.orders.models import Order
from shop.payments import refunds
from shop.payments.models import Payment, Refund, SandboxTransaction
from shop.sql import count_statements


@pytest.fixture
def asked(shop, paid_order):
    """asked(quantity=1, reason='尺码不合适', bought=3) -> a refund the shopper requested (committed)."""
    def make(quantity=1, reason="尺码不合适", bought=3):
        order = paid_order(quantity=bought)
        return refunds.request_refund(shop.buyer, order, reason, {order.lines[0].id: quantity})

    return make


def page(client, url):
    resp = client.get(url)
    assert resp.status_code == 200, resp.status_code
    return resp.get_data(as_text=True)


def stock(db, shop):
    db.session.expire_all()
    return db.session.get(Sku, shop.sku_id).stock


def test_the_queue_shows_requests_and_the_menu_counts_them(client, db, asked, staff):
    refund = asked(reason="衣服破了一个洞")
    html = page(client, "/admin/refunds")
    assert refund.refund_no in html and refund.order.order_no in html and "衣服破了一个洞" in html
    assert '<b class="badge"' in html and "待审核" in html
    assert '<b class="badge"' in page(client, "/admin/")


def test_the_queue_filters_by_status_order_number_and_date(client, db, asked, staff):
    first, second = asked(), None
    refunds.reject_refund(first.id, staff, "不符合")
    second = asked()
    html = page(client, "/admin/refunds?status=requested")
    assert second.refund_no in html and first.refund_no not in html
    html = page(client, f"/admin/refunds?q={first.order.order_no}")
    assert first.refund_no in html and second.refund_no not in html
    db.session.execute(update(Refund).where(Refund.id == first.id).values(created_at=utcnow() - timedelta(days=3)))
    db.session.commit()
    today = (utcnow() + timedelta(hours=8)).date()
    html = page(client, f"/admin/refunds?start={today.isoformat()}&end={today.isoformat()}")
    assert second.refund_no in html and first.refund_no not in html
    assert "没有符合条件的退款" in page(client, "/admin/refunds?q=nothing-like-this")
    assert "日期" in page(client, "/admin/refunds?start=not-a-date")  # refused filter, page still shown


def test_the_queue_runs_a_fixed_number_of_statements(client, db, asked, staff):
    def statements():
        with count_statements() as seen:
            page(client, "/admin/refunds")
        return len(seen)

    for _ in range(2):
        asked(bought=1)
    few = statements()
    for _ in range(6):
        asked(bought=1)
    assert statements() == few


def test_a_refund_page_shows_lines_reason_and_payment(client, db, asked, staff):
    refund = asked(quantity=2, reason="颜色不对")
    html = page(client, f"/admin/refunds/{refund.refund_no}")
    payment = db.session.scalar(select(Payment))
    assert "颜色不对" in html and payment.transaction_id in html and "¥200.00" in html
    assert "同意退款" in html and "拒绝申请" in html and "退回库存" in html
    assert client.get("/admin/refunds/R000").status_code == 404


def test_approve_with_restock_sends_the_money_and_puts_stock_back(client, db, shop, asked, staff):
    refund = asked(quantity=2)
    assert stock(db, shop) == 97
    resp = client.post(f"/admin/refunds/{refund.refund_no}/approve", data={"restock": "y"}, follow_redirects=True)
    html = resp.get_data(as_text=True)
    assert "已同意退款" in html and "退款成功" in html
    db.session.expire_all()
    refund = db.session.get(Refund, refund.id)
    assert refund.status == "succeeded" and refund.gateway_refund_id in html
    assert refund.restocked and "已退回库存" in html
    assert stock(db, shop) == 99
    again = client.post(f"/admin/refunds/{refund.refund_no}/approve", data={"restock": "y"}, follow_redirects=True)
    assert "该退款申请已处理" in again.get_data(as_text=True)
    assert stock(db, shop) == 99


def test_approve_without_restock_leaves_stock(client, db, shop, asked, staff):
    refund = asked()
    html = client.post(f"/admin/refunds/{refund.refund_no}/approve", data={}, follow_redirects=True).get_data(
        as_text=True)
    refund = db.session.get(Refund, refund.id)
    assert refund.status == "succeeded" and not refund.restocked and "未退回库存" in html
    assert stock(db, shop) == 97


def test_a_gateway_refusal_keeps_the_refund_approved_for_a_resend(client, db, asked, staff):
    refund = asked()
    payment = db.session.scalar(select(Payment))
    # The sandbox's own record says the order was paid another amount: it refuses the refund.
    db.session.add(SandboxTransaction(order_no=refund.order.order_no, amount_fen=1, state="SUCCESS", notify_url=""))
    db.session.commit()
    html = client.post(f"/admin/refunds/{refund.refund_no}/approve", follow_redirects=True).get_data(as_text=True)
    assert "支付网关暂时无法退款" in html and "重新提交退款" in html
    refund = db.session.get(Refund, refund.id)
    assert refund.status == "approved" and refund.fail_reason.startswith("PARAM_ERROR")
    assert "网关答复：PARAM_ERROR" in client.get(f"/admin/refunds/{refund.refund_no}").get_data(as_text=True)
    db.session.execute(update(SandboxTransaction).values(amount_fen=payment.amount_fen))
    db.session.commit()
    html = client.post(f"/admin/refunds/{refund.refund_no}/send", follow_redirects=True).get_data(as_text=True)
    assert "已重新提交支付网关" in html
    db.session.expire_all()
    refund = db.session.get(Refund, refund.id)
    assert refund.status == "succeeded" and refund.fail_reason is None


def test_reject_needs_a_reason_that_the_shopper_then_reads(client, db, shop, asked, staff, login):
    refund = asked()
    resp = client.post(f"/admin/refunds/{refund.refund_no}/reject", data={"reason": "  "})
    assert resp.status_code == 400 and "请填写拒绝原因" in resp.get_data(as_text=True)
    assert db.session.get(Refund, refund.id).status == "requested"
    client.post(f"/admin/refunds/{refund.refund_no}/reject", data={"reason": "商品已拆封影响二次销售"})
    db.session.expire_all()
    assert db.session.get(Refund, refund.id).status == "rejected"
    client.post("/logout")
    login(shop.buyer)
    html = page(client, f"/orders/{refund.order.order_no}")
    assert "已拒绝" in html and "商品已拆封影响二次销售" in html
    assert f"/orders/{refund.order.order_no}/refund" in html  # may ask again


def test_the_shopper_sees_an_open_refund_and_cannot_ask_again(client, db, shop, asked, login):
    refund = asked()
    login(shop.buyer)
    html = page(client, f"/orders/{refund.order.order_no}")
    assert "申请中" in html and "尺码不合适" in html
    assert f"/orders/{refund.order.order_no}/refund" not in html
    form = client.get(f"/orders/{refund.order.order_no}/refund", follow_redirects=True)
    assert "已有一个退款申请在处理中" in form.get_data(as_text=True) and "提交申请" not in form.get_data(as_text=True)


def test_the_order_list_and_page_show_the_open_refund(client, db, asked, staff):
    refund = asked()
    assert f"/admin/refunds/{refund.refund_no}" in page(client, "/admin/orders")
    html = page(client, f"/admin/orders/{refund.order.order_no}")
    assert "售后处理中" in html and f"/admin/refunds/{refund.refund_no}" in html
    assert "确认退款" not in html  # no second refund while one is open


def test_merchant_refund_of_chosen_quantities_with_restock(client, db, shop, paid_order, staff):
    order = paid_order(quantity=3)
    line = order.lines[0]
    assert "商家退款" in page(client, f"/admin/orders/{order.order_no}")
    resp = client.post(f"/admin/orders/{order.order_no}/refund",
                       data={f"qty_{line.id}": "1", "reason": "缺货", "restock": "y"}, follow_redirects=True)
    html = resp.get_data(as_text=True)
    assert "已发起退款" in html and "退款成功" in html and "缺货" in html
    assert stock(db, shop) == 98
    assert db.session.get(Order, order.id).refunded_fen == 10000


def test_merchant_refund_refusals_stay_on_the_order_page(client, db, shop, paid_order, asked, staff):
    order = paid_order(quantity=2)
    line = order.lines[0]
    bad = client.post(f"/admin/orders/{order.order_no}/refund", data={f"qty_{line.id}": "x", "reason": "缺货"})
    assert bad.status_code == 400 and "退款数量必须是整数" in bad.get_data(as_text=True)
    over = client.post(f"/admin/orders/{order.order_no}/refund", data={f"qty_{line.id}": "5", "reason": "缺货"})
    assert over.status_code == 400 and "最多可退2件" in over.get_data(as_text=True)
    open_one = asked()
    busy = client.post(f"/admin/orders/{open_one.order.order_no}/refund",
                       data={f"qty_{open_one.order.lines[0].id}": "1", "reason": "缺货"})
    assert busy.status_code == 409 and "已有一个退款申请在处理中" in busy.get_data(as_text=True)
    assert db.session.scalar(select(Refund.id).where(Refund.order_id == order.id)) is None


def test_another_shopper_gets_404_for_the_order_and_its_refund(client, db, asked, make_user, login):
    refund = asked()
    login(make_user())
    assert client.get(f"/orders/{refund.order.order_no}").status_code == 404
    assert client.post(f"/orders/{refund.order.order_no}/refund", data={"reason": "x"}).status_code == 404
