"""Points memos in the reader's language: the mall's own memos are kept as their message id and values and
translated when read (shop/points/memos.py), whoever wrote them in whatever language; staff's own words, and entries
from before memo_args, show as written."""
from types import SimpleNamespace

from sqlalchemy import select

from shop.orders.pricing import Choice
from shop.orders.services import cancel_order
from shop.points.memos import points_memo
from shop.points.models import INVITE, SPEND_RETURNED, PointsEntry


def only_entry(db, user, kind):
    return db.session.scalars(select(PointsEntry).where(PointsEntry.user_id == user.id, PointsEntry.kind == kind)).one()


def test_an_invite_reward_written_by_a_notification_reads_in_the_readers_language(client, login, db, shop, place,
                                                                                    pay):
    pay(place())  # the sandbox's notification: a gateway is no reader, and has no language
    entry = only_entry(db, shop.b, INVITE)
    assert (entry.memo, entry.memo_args) == ("邀请的新会员首单付款", {})
    login(shop.b)
    assert "邀请的新会员首单付款" in client.get("/me/points").get_data(as_text=True)
    english = client.get("/me/points?lang=en").get_data(as_text=True)
    assert "An invited member paid their first order" in english and "邀请的新会员首单付款" not in english


def test_a_memo_naming_its_order_in_the_member_and_the_admin_pages(client, login, db, shop, place, give, staff):
    give(shop.buyer, 1000)
    order = place(choice=Choice(points=800))
    cancel_order(order, reason="buyer")
    entry = only_entry(db, shop.buyer, SPEND_RETURNED)
    assert entry.memo_args == {"no": order.order_no}
    english = f"Order {order.order_no} cancelled: points used returned"
    chinese = f"订单 {order.order_no} 取消，退回抵扣积分"
    for page in ("/admin/points", f"/admin/points/member/{shop.buyer.id}"):  # staff signed in (the fixture)
        assert chinese in client.get(page).get_data(as_text=True)
        assert english in client.get(page + "?lang=en").get_data(as_text=True)
    client.get("/?lang=zh")
    login(shop.buyer)
    assert english in client.get("/me/points?lang=en").get_data(as_text=True)


def test_staffs_own_words_and_older_entries_show_as_written(app):
    with app.test_request_context("/?lang=en"):
        assert points_memo(SimpleNamespace(memo="兑换礼品", memo_args=None)) == "兑换礼品"
        assert points_memo(SimpleNamespace(memo="订单 A1 抵扣", memo_args=None)) == "订单 A1 抵扣"
        assert points_memo(SimpleNamespace(memo="订单 %(no)s 抵扣", memo_args={"no": "A1"})) == "Used on order A1"


def test_a_memo_whose_values_do_not_fit_shows_its_message_id_rather_than_failing(app):
    with app.test_request_context("/?lang=en"):
        assert points_memo(SimpleNamespace(memo="订单 %(no)s 抵扣", memo_args={})) == "订单 %(no)s 抵扣"
        assert points_memo(SimpleNamespace(memo="%(n)d 天", memo_args={"n": "x"})) == "%(n)d 天"


def test_an_orders_points_discount_is_named_in_the_readers_language(client, login, db, shop, place, give, staff):
    give(shop.buyer, 1000)
    order = place(choice=Choice(points=800))  # placed outside a request: the label stored is in the default, Chinese
    assert order.discount_detail[0]["label"] == "800 积分"
    admin_page = f"/admin/orders/{order.order_no}"  # staff signed in (the fixture)
    assert "800 积分" in client.get(admin_page).get_data(as_text=True)
    english = client.get(admin_page + "?lang=en").get_data(as_text=True)
    assert "800 points" in english and "800 积分" not in english
    client.get("/?lang=zh")
    login(shop.buyer)
    assert "800 points" in client.get(f"/orders/{order.order_no}?lang=en").get_data(as_text=True)
    assert "800 积分" in client.get(f"/orders/{order.order_no}?lang=zh").get_data(as_text=True)
