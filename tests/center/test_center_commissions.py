"""Commission records filtered by status, each opening a detail that explains it; promotion orders."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from shop.clock import utcnow
from shop.distribution import rules
from shop.distribution.models import Commission, RuleVersion
from shop.orders.models import Order
from shop.payments import refunds


def commission_ids(html):
    return [int(i) for i in re.findall(r'id="commission-(\d+)"', html)]


def mine(db, user, order=None):
    stmt = select(Commission).where(Commission.beneficiary_id == user.id)
    if order is not None:
        stmt = stmt.where(Commission.order_id == order.id)
    return db.session.scalars(stmt.order_by(Commission.id)).all()


@pytest.fixture
def admin(make_user, make_staff):
    return make_staff()


@pytest.fixture
def four_states(db, shop, paid_order, complete, admin, settle):
    """B's commissions in every status: frozen, settled, reversed (refunded before settlement), clawed back
    (refunded after settlement)."""
    frozen = paid_order()
    settled, clawed = complete(paid_order()), complete(paid_order())
    db.session.execute(update(Order).where(Order.id.in_([settled.id, clawed.id]))
                       .values(completed_at=utcnow() - timedelta(days=30)))
    db.session.commit()
    assert settle() == (4, 3000)
    reversed_ = paid_order()
    for order in (reversed_, clawed):
        refunds.merchant_refund(db.session.get(Order, order.id), "质量问题", admin)
        db.session.commit()
    db.session.expire_all()
    return {status: mine(db, shop.b, order)[0] for status, order in
            (("frozen", frozen), ("settled", settled), ("reversed", reversed_), ("clawed_back", clawed))}


def test_all_commissions_newest_first(client, db, login, shop, four_states):
    login(shop.b)
    html = client.get("/center/commissions").get_data(as_text=True)
    assert commission_ids(html) == sorted(c.id for c in four_states.values())[::-1]
    assert 'id="commission-filters"' in html and "不对应某一笔佣金" in html


@pytest.mark.parametrize("status", ["frozen", "settled", "reversed", "clawed_back"])
def test_filter_by_status(client, db, login, shop, four_states, status):
    login(shop.b)
    html = client.get(f"/center/commissions?status={status}").get_data(as_text=True)
    assert commission_ids(html) == [four_states[status].id]
    assert f'class="chip on" id="commission-filter-{status}"' in html


def test_an_unknown_filter_shows_everything(client, login, shop, four_states):
    login(shop.b)
    assert len(commission_ids(client.get("/center/commissions?status=withdrawn").get_data(as_text=True))) == 4


def test_detail_explains_the_commission(client, db, login, shop, paid_order):
    order = paid_order(quantity=2)
    commission = mine(db, shop.a, order)[0]  # A is level 2 on C's order
    version = db.session.get(RuleVersion, commission.rule_version_id)
    login(shop.a)
    html = client.get(f"/center/commissions/{commission.id}").get_data(as_text=True)
    facts = html[html.index('id="commission-facts"'):]
    for text in (order.order_no, "买**", "137****6666", "好物", "× 2", "二级佣金", "实付 ¥200.00（不含运费）",
                 "5.00%", "全局比例", f"#{version.id}", "¥10.00"):
        assert text in facts, text
    assert "买家C" not in html  # the buyer is masked
    assert 'id="commission-explanation">二级佣金：实付 ¥200.00 × 5.00% = ¥10.00（全局比例）<' in html
    assert "订单完成（确认收货）后再过 7 天售后期" in html


def test_detail_of_a_fixed_product_commission(client, db, login, shop, paid_order):
    rules.set_product_commission(shop.product.id, {1: ("fixed", 800)})
    db.session.commit()
    order = paid_order(quantity=3)
    login(shop.b)
    html = client.get(f"/center/commissions/{mine(db, shop.b, order)[0].id}").get_data(as_text=True)
    assert "每件 ¥8.00 × 3 件" in html and "商品单独设置" in html and "¥24.00" in html


@pytest.mark.parametrize("status,says", [
    ("frozen", "订单完成（确认收货）后再过 7 天售后期，即可结算为可提现"),
    ("settled", "结算，计入可提现余额"),
    ("reversed", "这笔佣金已全部退回，不会结算"),
    ("clawed_back", "这笔佣金已从余额中追回"),
])
def test_detail_says_when_it_becomes_available(client, login, shop, four_states, status, says):
    login(shop.b)
    html = client.get(f"/center/commissions/{four_states[status].id}").get_data(as_text=True)
    assert says in html[html.index('id="commission-available-at"'):]


def test_reversed_and_clawed_back_amounts_are_shown(client, login, shop, four_states):
    login(shop.b)
    reversed_ = client.get(f"/center/commissions/{four_states['reversed'].id}").get_data(as_text=True)
    clawed = client.get(f"/center/commissions/{four_states['clawed_back'].id}").get_data(as_text=True)
    assert 'id="commission-reversed">-¥10.00<' in reversed_ and 'id="commission-clawed-back">-¥10.00<' in clawed


def test_a_completed_order_says_when_it_settles(client, db, login, shop, paid_order, complete):
    order = complete(paid_order())
    login(shop.b)
    html = client.get(f"/center/commissions/{mine(db, shop.b, order)[0].id}").get_data(as_text=True)
    assert "后结算为可提现（售后期 7 天）" in html


def test_commission_pages(client, db, login, shop, paid_order):
    for _ in range(21):
        paid_order()
    login(shop.b)
    first = client.get("/center/commissions").get_data(as_text=True)
    second = client.get("/center/commissions?page=2").get_data(as_text=True)
    assert len(commission_ids(first)) == 20 and len(commission_ids(second)) == 1
    assert 'rel="next"' in first and 'rel="next"' not in second


# ---- promotion orders ------------------------------------------------------------------------------------

def test_promotion_orders_list_the_orders_that_earned_me_commission(client, db, login, shop, paid_order, complete):
    first, second = paid_order(quantity=2), complete(paid_order())
    login(shop.a)
    html = client.get("/center/orders").get_data(as_text=True)
    assert re.findall(r'id="promotion-order-(\w+)"', html) == [second.order_no, first.order_no]
    row = html[html.index(f'id="promotion-order-{first.order_no}"'):]
    assert "待发货" in row and "+¥10.00" in row and "买**" in row
    assert "已完成" in html[html.index(f'id="promotion-order-{second.order_no}"'):]


def test_promotion_order_detail_lists_my_commissions_on_it(client, db, login, shop, paid_order):
    order = paid_order(quantity=2)
    login(shop.a)
    html = client.get(f"/center/orders/{order.order_no}").get_data(as_text=True)
    assert commission_ids(html) == [c.id for c in mine(db, shop.a, order)]
    assert "二级佣金" in html and "待发货" in html and order.address_text not in html


def test_an_order_that_paid_me_nothing_is_not_a_promotion_order(client, db, login, shop, paid_order, make_user):
    order = paid_order()
    login(make_user())
    client.post("/center/join")  # everyone mode: becomes a distributor, but earned nothing on this order
    assert client.get(f"/center/orders/{order.order_no}").status_code == 404


def test_a_commission_page_lists_the_refunds_that_reduced_it_with_their_reasons(client, db, shop, paid_order, admin,
                                                                               login):
    order = paid_order(quantity=3)
    refund = refunds.request_refund(shop.buyer, order, "尺码偏小，换不了货", {order.lines[0].id: 1})
    db.session.commit()
    refunds.approve_refund(refund.id, admin)
    commission = db.session.scalar(select(Commission).where(Commission.order_id == order.id,
                                                            Commission.beneficiary_id == shop.b.id))
    login(shop.b)
    html = client.get(f"/center/commissions/{commission.id}").get_data(as_text=True)
    assert "退款记录" in html and "退款 1 件" in html and "尺码偏小，换不了货" in html
    assert 'id="commission-reversed">-¥10.00' in html  # 10% of the ¥100 unit taken back
