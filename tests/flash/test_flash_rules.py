"""Flash sales as rules: the price and stock a flash line gets, when it is refused, the per-member limit, what a
cancel or an expiry gives back (exactly once), a late payment after expiry, and the commission flag."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from shop.clock import utcnow
from shop.distribution.models import Commission
from shop.errors import ServiceError
from shop.flash.models import FlashItem, FlashTake
from shop.orders import services
from shop.orders.models import Order
from shop.orders.pricing import Choice
from shop.payments.models import Payment
from shop.wallet.audit import run_audit
from tests.flash.conftest import flash


def sku_stock(db, shop):
    db.session.expire_all()
    return shop.product.skus[0].stock


def item_sold(db, item_id):
    db.session.expire_all()
    return db.session.get(FlashItem, item_id).sold


def test_a_flash_line_is_priced_and_taken_from_the_items_own_stock(db, shop, place, make_item):
    item = make_item(stock=10, price_fen=6000)
    order = place(quantity=2, choice=flash(item))
    line = order.lines[0]
    assert (line.unit_price_fen, line.line_total_fen, line.activity_kind, line.activity_id) == (6000, 12000, "flash",
                                                                                              item.id)
    assert line.stock_from_sku is False and line.commissionable is False
    assert item_sold(db, item.id) == 2 and sku_stock(db, shop) == 100
    assert db.session.get(FlashTake, (item.id, shop.buyer.id)).quantity == 2


#: (slot starts in minutes, slot minutes, slot on, item stock, already sold, limit, quantity, refusal or None)
SLOT_STATES = [
    ("running", -10, 60, True, 10, 0, 2, 1, None),
    ("running, the last unit", -10, 60, True, 10, 9, 2, 1, None),
    ("before", 10, 60, True, 10, 0, 2, 1, "秒杀未开始"),
    ("after", -70, 60, True, 10, 0, 2, 1, "秒杀已结束"),
    ("switched off", -10, 60, False, 10, 0, 2, 1, "秒杀已结束"),
    ("sold out", -10, 60, True, 10, 10, 2, 1, "已抢光"),
    ("fewer left than asked", -10, 60, True, 10, 9, 5, 2, "秒杀库存仅剩1件"),
    ("over the limit in one order", -10, 60, True, 10, 0, 2, 3, "每人限购2件"),
]


@pytest.mark.parametrize("case,starts_in,minutes,on,stock,sold,limit,quantity,refusal", SLOT_STATES,
                         ids=[row[0] for row in SLOT_STATES])
def test_slot_states(db, shop, place, make_slot, make_item, case, starts_in, minutes, on, stock, sold, limit,
                     quantity, refusal):
    item = make_item(slot=make_slot(starts_in, minutes, is_active=on), stock=stock, limit=limit)
    item.sold = sold
    db.session.commit()
    if refusal is None:
        assert place(quantity=quantity, choice=flash(item)).lines[0].unit_price_fen == 6000
        assert item_sold(db, item.id) == sold + quantity
        return
    with pytest.raises(ServiceError) as err:
        place(quantity=quantity, choice=flash(item))
    assert refusal in err.value.message
    assert db.session.scalar(select(func.count()).select_from(Order)) == 0 and item_sold(db, item.id) == sold


def test_the_limit_counts_the_members_earlier_orders(db, shop, place, make_item, make_user):
    item = make_item(limit=2)
    place(quantity=1, choice=flash(item))
    place(quantity=1, choice=flash(item))
    with pytest.raises(ServiceError, match="每人限购2件"):
        place(quantity=1, choice=flash(item))
    assert place(quantity=2, buyer=make_user(), choice=flash(item)).lines[0].quantity == 2  # another member


def test_a_cancelled_order_no_longer_counts_against_the_limit(db, shop, place, make_item):
    item = make_item(limit=1)
    services.cancel_order(place(quantity=1, choice=flash(item)))
    assert place(quantity=1, choice=flash(item)).status == "pending"


@pytest.mark.parametrize("items,message", [
    ("other lines", "秒杀商品需单独下单"),
    ("wrong sku", "秒杀商品与所选规格不符"),
    ("no such item", "秒杀商品不存在"),
])
def test_a_flash_choice_on_the_wrong_lines_is_refused(db, shop, make_item, make_product, items, message):
    item = make_item()
    other = make_product("别的", skus=[(500, 10, ["蓝", "S"])]).skus[0].id
    lines = {"other lines": [(shop.sku_id, 1), (other, 1)], "wrong sku": [(other, 1)],
             "no such item": [(shop.sku_id, 1)]}[items]
    choice = Choice(activity=("flash", 999999)) if items == "no such item" else flash(item)
    with pytest.raises(ServiceError, match=message):
        services.place_order(shop.buyer, lines, shop.address.id, choice=choice)


@pytest.mark.parametrize("release", ["buyer", "timeout"])
def test_cancel_or_expiry_gives_the_flash_stock_back_exactly_once(db, shop, place, make_item, release):
    item = make_item(stock=5, limit=3)
    order = place(quantity=3, choice=flash(item))
    if release == "buyer":
        services.cancel_order(order)
    else:
        db.session.execute(Order.__table__.update().values(created_at=utcnow() - timedelta(hours=2)))
        db.session.commit()
        assert services.expire_orders()[0] == 1
        assert services.expire_orders()[0] == 0  # run twice: nothing more
    with pytest.raises(ServiceError):
        services.cancel_order(db.session.get(Order, order.id))
    assert item_sold(db, item.id) == 0 and sku_stock(db, shop) == 100
    assert db.session.get(FlashTake, (item.id, shop.buyer.id)).quantity == 0


def test_a_late_payment_after_expiry_is_refunded(db, shop, place, make_item, notify):
    item = make_item(stock=1, limit=1)
    order = place(quantity=1, choice=flash(item))
    services.cancel_order(order, reason="timeout")
    assert notify(order.order_no, order.pay_total_fen).status_code == 204
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == "cancelled"
    assert db.session.scalar(select(Payment.status)) == "refunded"
    assert item_sold(db, item.id) == 0
    assert run_audit().clean, run_audit().problems


@pytest.mark.parametrize("commission,expected", [(False, []), (True, [(6000, 600), (6000, 300)])])
def test_the_items_commission_flag(db, shop, place, pay, make_item, commission, expected):
    order = pay(place(quantity=1, choice=flash(make_item(commission=commission))))
    rows = db.session.scalars(select(Commission).where(Commission.order_id == order.id)
                              .order_by(Commission.level)).all()
    assert [(c.base_fen, c.amount_fen) for c in rows] == expected
    assert run_audit().clean, run_audit().problems


def test_a_refund_with_restock_leaves_the_sku_stock_alone(db, shop, place, pay, make_item, make_staff):
    from shop.payments import refunds
    order = pay(place(quantity=1, choice=flash(make_item())))
    refunds.merchant_refund(order, "缺货", make_staff(), {order.lines[0].id: 1}, restock=True)
    assert sku_stock(db, shop) == 100
    assert run_audit().clean, run_audit().problems
