"""Points and orders: earning at completion, the checkout's limits, spending at placement and returning at a
cancel, refunds returning and taking back in proportion, and the invitation reward with its daily cap."""
import pytest
from sqlalchemy import select, text

from shop.accounts.models import Address
from shop.distribution import binding
from shop.errors import ServiceError
from shop.orders.models import Order
from shop.orders.pricing import Choice, quote
from shop.orders.services import cancel_order, confirm_receipt
from shop.orders.status import IllegalTransition
from shop.payments import refunds
from shop.points.models import EARN_ORDER, EARN_REVOKED, INVITE, SPEND, SPEND_RETURNED
from shop.points.orders import earn_for_order
from shop.wallet.audit import run_audit


def reread(db, order):
    db.session.expire_all()
    return db.session.get(Order, order.id)


@pytest.mark.parametrize("per_yuan,quantity,points", [(1, 1, 100), (1, 3, 300), (2, 1, 200), (0, 1, 0)])
def test_a_completed_order_earns_per_whole_yuan_paid(db, shop, paid_order, complete, settings, balance, per_yuan,
                                                     quantity, points):
    settings(points_per_yuan=per_yuan)
    order = paid_order(quantity=quantity)
    assert balance(shop.buyer) == 0
    complete(order)
    assert balance(shop.buyer) == points


def test_earning_is_exactly_once_per_order(db, shop, paid_order, complete, entries):
    order = complete(paid_order())
    with pytest.raises(IllegalTransition):
        confirm_receipt(reread(db, order))
    assert earn_for_order(reread(db, order)) is None
    assert entries(shop.buyer) == [(EARN_ORDER, 100)]


def test_earning_is_on_the_paid_goods_net_of_refunds_so_far(db, shop, paid_order, complete, give, make_staff,
                                                            balance):
    give(shop.buyer, 2000)
    order = paid_order(quantity=3)
    order = reread(db, order)
    refunds.merchant_refund(order, "缺货", make_staff(), {order.lines[0].id: 1})
    complete(reread(db, order))
    assert balance(shop.buyer) == 2000 + 200


CHECKOUT_LIMITS = [
    # balance, asked, rate, share_bp, used, fen, error
    (10000, 0, 100, 5000, 0, 0, None),
    (10000, 3000, 100, 5000, 3000, 3000, None),
    (10000, 5000, 100, 5000, 5000, 5000, None),           # exactly the maximum (50% of ¥100)
    (10000, 5001, 100, 5000, None, 0, "本单最多可用 5000 积分"),
    (1200, 1201, 100, 5000, None, 0, "积分不足：您只有 1200 积分"),
    (1000, 1000, 150, 5000, 999, 666, None),              # rounded down to whole fen: 999 points = ¥6.66
    (1000, 1, 150, 5000, 0, 0, None),                     # less than one fen's worth: nothing used
    (10000, 100, 100, 0, None, 0, "本单最多可用 0 积分"),     # spending switched off
]


@pytest.mark.parametrize("held,asked,rate,share_bp,used,fen,error", CHECKOUT_LIMITS)
def test_the_checkout_limits(db, shop, give, settings, held, asked, rate, share_bp, used, fen, error):
    settings(points_per_yuan_spent=rate, points_max_share_bp=share_bp)
    give(shop.buyer, held)
    q = quote([(shop.sku_id, 1)], shop.buyer, Choice(points=asked))
    offer = q.offers["points"]
    assert offer["error"] == error and q.discount_fen == fen
    if used is not None:
        assert offer["used"] == used and sum(a.extra.get("points", 0) for a in q.applied) == used


def test_the_share_is_of_the_goods_after_coupons(db, shop, give):
    from shop.orders import pricing

    def coupon(q, user, choice):
        q.take("coupon", 4000)
    pricing._PRICERS.insert(0, (pricing.COUPON, coupon))
    try:
        give(shop.buyer, 10000)
        q = quote([(shop.sku_id, 1)], shop.buyer, Choice(points=5000))
    finally:
        pricing._PRICERS.remove((pricing.COUPON, coupon))
    assert q.offers["points"]["max"] == 3000 and q.offers["points"]["error"] == "本单最多可用 3000 积分"


def test_placing_spends_and_a_cancel_returns_exactly_once(db, shop, place, give, balance, entries):
    give(shop.buyer, 1000)
    order = place(choice=Choice(points=800))
    assert order.discount_fen == 800 and order.lines[0].discounts == {"points": 800}
    assert order.discount_detail[0]["points"] == 800 and balance(shop.buyer) == 200
    cancel_order(order, reason="buyer")
    with pytest.raises(IllegalTransition):
        cancel_order(reread(db, order), reason="timeout")
    assert balance(shop.buyer) == 1000
    assert entries(shop.buyer)[1:] == [(SPEND, -800), (SPEND_RETURNED, 800)]
    assert run_audit().clean, run_audit().problems


def test_asking_too_much_refuses_the_placement_and_changes_nothing(db, shop, place, give, balance):
    give(shop.buyer, 100)
    with pytest.raises(ServiceError, match="积分不足"):
        place(choice=Choice(points=101))
    assert balance(shop.buyer) == 100 and db.session.scalars(select(Order)).all() == []
    assert db.session.get(type(shop.product.skus[0]), shop.sku_id).stock == 100


def test_a_balance_spent_meanwhile_refuses_the_placement(db, shop, place, give, balance):
    from shop.points import hooks
    give(shop.buyer, 500)
    real = hooks.orders.spend_for_order

    def spend_elsewhere_first(order, points):  # another tab spent the points after this checkout was priced
        db.session.execute(text("UPDATE points_accounts SET balance = 0 WHERE user_id = :u"), {"u": order.user_id})
        real(order, points)
    hooks.orders.spend_for_order = spend_elsewhere_first
    try:
        with pytest.raises(ServiceError, match="积分不足"):
            place(choice=Choice(points=500))
    finally:
        hooks.orders.spend_for_order = real
    assert balance(shop.buyer) == 500 and db.session.scalars(select(Order)).all() == []


def test_refunds_return_and_take_back_in_proportion_over_two_partial_refunds(db, shop, place, pay, complete, give,
                                                                              make_staff, balance, entries):
    give(shop.buyer, 20000)
    order = pay(place(quantity=3, choice=Choice(points=10001)))
    assert order.discount_fen == 10001 and balance(shop.buyer) == 9999
    complete(order)
    assert entries(shop.buyer, EARN_ORDER) == [(EARN_ORDER, 199)]  # ¥199.99 paid
    staff, line_id = make_staff(), order.lines[0].id
    first = refunds.merchant_refund(reread(db, order), "质量问题", staff, {line_id: 1})
    assert first.amount_fen == 19999 // 3
    returned_first = entries(shop.buyer, SPEND_RETURNED)[0][1]
    assert returned_first == 10001 * 6666 // 19999 == 3333
    assert entries(shop.buyer, EARN_REVOKED) == [(EARN_REVOKED, -(199 - 199 * 13333 // 19999))]
    refunds.merchant_refund(reread(db, order), "质量问题", staff, {line_id: 2})
    assert sum(d for _k, d in entries(shop.buyer, SPEND_RETURNED)) == 10001
    assert sum(d for _k, d in entries(shop.buyer, EARN_REVOKED)) == -199
    assert balance(shop.buyer) == 20000
    assert run_audit().clean, run_audit().problems


def test_earned_points_already_spent_are_taken_back_only_down_to_zero(db, shop, paid_order, complete, make_staff,
                                                                     balance):
    from shop.points.models import PointsEntry
    from shop.points.services import adjust
    order = complete(paid_order())
    assert balance(shop.buyer) == 100
    adjust(shop.buyer.id, -70, "兑换礼品", make_staff())
    refunds.merchant_refund(reread(db, order), "不想要了", make_staff())
    revoked = db.session.scalars(select(PointsEntry).where(PointsEntry.kind == EARN_REVOKED)).all()
    assert [(e.delta, e.unrecovered) for e in revoked] == [(-30, 70)]
    assert balance(shop.buyer) == 0
    assert run_audit().clean, run_audit().problems


@pytest.fixture
def invitee(db, shop, make_user, make_address):
    """invitee(phone) -> a new member bound to B (the shop's distributor), with an address."""
    def make(phone):
        user = make_user(phone=phone)
        assert binding.bind_referrer(user.id, shop.b.id, "link") == binding.BOUND
        db.session.commit()
        make_address(user)
        return user
    return make


def test_the_inviter_is_rewarded_once_for_the_first_paid_order(db, shop, place, pay, notify, balance, entries):
    order = pay(place())
    assert order.referrer_id == shop.b.id and balance(shop.b) == 100
    notify(order.order_no, order.pay_total_fen, transaction_id="4200000000000000")  # a duplicate notification
    notify(order.order_no, order.pay_total_fen, transaction_id="4200000000000000")
    pay(place())  # a second paid order is not a first
    assert entries(shop.b) == [(INVITE, 100)]


def test_an_unpaid_order_rewards_nobody(db, shop, place, balance):
    place()
    assert balance(shop.b) == 0


def test_the_invite_reward_is_capped_per_day(db, shop, place, pay, settings, invitee, balance, entries):
    settings(invite_points=100, invite_points_daily_cap=250)
    for phone in ("13000000001", "13000000002", "13000000003", "13000000004"):
        pay(place(buyer=invitee(phone)))
    assert entries(shop.b) == [(INVITE, 100), (INVITE, 100), (INVITE, 50)] and balance(shop.b) == 250


def test_stores_only_what_a_spend_can_refer_to(db, shop, place, give):
    """Every entry of an order carries the order: the audit ties them together."""
    give(shop.buyer, 300)
    order = place(choice=Choice(points=300))
    from shop.points.models import PointsEntry
    spend = db.session.scalar(select(PointsEntry).where(PointsEntry.kind == SPEND))
    assert (spend.order_id, spend.once_key, spend.balance_after) == (order.id, f"spend:{order.id}", 0)
    assert db.session.scalar(select(Address.id)) is not None
