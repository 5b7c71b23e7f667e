"""The storefront pages of 拼团 and the admin area: product panel, checkout, group page, 我的拼团, order page,
activities CRUD, groups list and detail, close now; strangers get 404."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from shop.clock import utcnow
from shop.groupbuy.models import Group, GroupActivity, GroupOrder
from tests.conftest import login_staff


def group_of(db, order):
    db.session.expire_all()
    return db.session.get(GroupOrder, order.id).group


def test_the_product_page_shows_the_activity_and_its_open_groups(db, client, shop, make_activity, group_order,
                                                                 member):
    activity = make_activity(group_size=3)
    group = group_of(db, group_order(activity, buyer=member("王小明")))
    page = client.get(f"/p/{shop.product.id}").get_data(as_text=True)
    assert "groupbuy-panel" in page and "¥60.00" in page and "3人团" in page
    assert f"group={group.group_no}" in page and "还差2人" in page and "王**" in page


def test_start_goes_to_checkout_at_the_group_price(db, client, login, shop, make_activity):
    activity = make_activity()
    login(shop.buyer)
    resp = client.post(f"/groupbuy/{activity.id}/buy", data={"sku_id": shop.sku_id, "quantity": 1})
    assert resp.status_code == 303 and "activity=group" in resp.location and f"activity_id={activity.id}" in resp.location
    page = client.get(resp.location).get_data(as_text=True)
    assert "¥60.00" in page and 'name="activity" value="group"' in page


@pytest.mark.parametrize("case, message", [
    ("quantity", "拼团每单最多购买3件"),
    ("ended", "拼团活动不存在或已结束"),
    ("own", "你已在这个团里"),
    ("full", "这个团已满员"),
    ("expired", "这个团已过期"),
    ("unknown", "要参加的团不存在"),
])
def test_a_group_checkout_is_refused_with_a_clear_message(db, client, login, shop, make_activity, group_order,
                                                          member, case, message):
    activity = make_activity()
    group = group_of(db, group_order(activity))
    if case == "full":
        group_order(activity, buyer=member(), group=group.group_no)
    if case == "expired":
        db.session.get(Group, group.id).expires_at = utcnow() - timedelta(minutes=1)
    if case == "ended":
        db.session.get(GroupActivity, activity.id).ends_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    join = {"own": group.group_no, "full": group.group_no, "expired": group.group_no, "unknown": "G123"}.get(case)
    login(shop.buyer)
    args = {"sku_id": shop.sku_id, "quantity": 4 if case == "quantity" else 1, "activity": "group",
            "activity_id": activity.id, "group": join or ""}
    before = db.session.scalar(select(GroupOrder.order_id).order_by(GroupOrder.order_id.desc()).limit(1))
    resp = client.post("/checkout", data={**args, "address_id": shop.address.id}, follow_redirects=True)
    assert message in resp.get_data(as_text=True)
    assert db.session.scalar(select(GroupOrder.order_id).order_by(GroupOrder.order_id.desc()).limit(1)) == before


def test_a_cart_with_other_lines_is_refused(db, shop, make_activity, make_product):
    from shop.errors import ServiceError
    from shop.orders.pricing import Choice
    from shop.orders.services import place_order
    activity = make_activity()
    other = make_product("别的")
    with pytest.raises(ServiceError, match="拼团商品需单独下单"):
        place_order(shop.buyer, [(shop.sku_id, 1), (other.skus[0].id, 1)], shop.address.id,
                    choice=Choice(activity=("group", activity.id)))


def test_the_group_page_shows_members_seats_countdown_and_a_share_link_with_the_referral(
        db, client, login, shop, make_activity, group_order, member):
    activity = make_activity(group_size=3)
    group = group_of(db, group_order(activity, buyer=member("李四")))
    login(shop.b)  # a distributor: the share link carries B's invite code
    page = client.get(f"/g/{group.group_no}").get_data(as_text=True)
    assert "李**" in page and "还差 2 人成团" in page and "data-expires=" in page and "js/groupbuy.js" in page
    from shop.distribution.models import Distributor
    code = db.session.scalar(select(Distributor.invite_code).where(Distributor.user_id == shop.b.id))
    assert f"/g/{group.group_no}?ref={code}" in page and "gb-join-button" in page


def test_strangers_get_404(db, client, login, shop, make_staff):
    assert client.get("/g/G0000").status_code == 404
    login(shop.buyer)
    assert client.get("/g/nope").status_code == 404
    login_staff(client, make_staff())
    assert client.get("/admin/groupbuy/groups/999").status_code == 404
    assert client.get("/admin/groupbuy/999/edit").status_code == 404


def test_my_groups_and_the_order_page(db, client, login, shop, make_activity, group_order, member):
    activity = make_activity()
    order = group_order(activity)
    other = group_order(activity, buyer=member("别人"))
    login(shop.buyer)
    page = client.get("/me/groups").get_data(as_text=True)
    assert order.order_no in page and other.order_no not in page and "拼团中" in page
    assert "我的拼团" in client.get("/me").get_data(as_text=True)
    detail = client.get(f"/orders/{order.order_no}").get_data(as_text=True)
    assert "待成团" in detail and "拼团进行中，成团后才能申请退款" in detail and "申请退款</a>" not in detail
    answer = client.get(f"/orders/{order.order_no}/refund")
    assert answer.status_code == 302 and answer.location.endswith(f"/orders/{order.order_no}")
    assert client.get(f"/orders/{other.order_no}").status_code == 404


def test_admin_creates_an_activity_with_sku_prices(db, client, shop, make_staff):
    login_staff(client, make_staff("operator"))
    assert shop.product.title in client.get("/admin/groupbuy/new").get_data(as_text=True)
    form = {"product_id": shop.product.id, "title": "三人团", "group_size": "3", "hours_limit": "24",
            "starts_at": "2026-01-01T00:00", "ends_at": "2036-01-01T00:00", "per_member_limit": "1",
            "max_quantity": "2", "overflow": "new_group", "is_active": "y", f"price_{shop.sku_id}": "59.90"}
    resp = client.post("/admin/groupbuy/new", data=form)
    assert resp.status_code == 302, resp.get_data(as_text=True)
    activity = db.session.scalar(select(GroupActivity))
    assert (activity.group_size, activity.overflow, activity.price_of(shop.sku_id)) == (3, "new_group", 5990)
    assert activity.starts_at.hour == 16  # typed in China time, stored in UTC
    bad = client.post("/admin/groupbuy/new", data={**form, "group_size": "51"})
    assert bad.status_code == 400 and "2到50之间" in bad.get_data(as_text=True)
    bad = client.post(f"/admin/groupbuy/{activity.id}/edit", data={**form, f"price_{shop.sku_id}": "abc"})
    assert bad.status_code == 400 and "拼团价格式不正确" in bad.get_data(as_text=True)
    assert "三人团" in client.get("/admin/groupbuy").get_data(as_text=True)


def test_admin_lists_groups_and_closes_an_expired_one(db, client, shop, make_staff, make_activity, group_order,
                                                      member):
    activity = make_activity(group_size=3, commission=True)
    first = group_order(activity)
    group = group_of(db, first)
    login_staff(client, make_staff("operator"))
    page = client.get(f"/admin/groupbuy/groups?status=open&activity={activity.id}").get_data(as_text=True)
    assert group.group_no in page
    assert group.group_no not in client.get("/admin/groupbuy/groups?status=failed").get_data(as_text=True)
    detail = client.get(f"/admin/groupbuy/groups/{group.id}").get_data(as_text=True)
    assert first.order_no in detail and "立即结束" not in detail
    client.post(f"/admin/groupbuy/groups/{group.id}/close")
    assert db.session.get(Group, group.id).status == "open"  # not due yet: refused
    db.session.get(Group, group.id).expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert "立即结束" in client.get(f"/admin/groupbuy/groups/{group.id}").get_data(as_text=True)
    client.post(f"/admin/groupbuy/groups/{group.id}/close")
    db.session.expire_all()
    assert db.session.get(Group, group.id).status == "failed"
    from shop.orders.models import Order
    assert db.session.get(Order, first.id).status == "refunded"


def test_the_close_groups_command(db, app, shop, make_activity, group_order):
    activity = make_activity()
    group_id = group_of(db, group_order(activity)).id
    db.session.get(Group, group_id).expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    db.session.remove()
    result = app.test_cli_runner().invoke(args=["shop", "close-groups"])
    assert result.exit_code == 0, result.output
    assert f"group {group_id}: failed" in result.output and "refunded 1" in result.output
    result = app.test_cli_runner().invoke(args=["shop", "close-groups"])
    assert "refunded 0" in result.output


def test_demo_activities_are_seeded_once(db, make_product):
    from shop.groupbuy.demo import seed_demo
    make_product("甲"), make_product("乙")
    lines = []
    seed_demo(echo=lines.append)
    seed_demo(echo=lines.append)
    assert len(db.session.scalars(select(GroupActivity)).all()) == 2 and lines[-1] == "groupbuy: activities already there"


def test_the_admin_order_page_names_the_group_and_bulk_ship_refuses_it(db, client, shop, make_staff,
                                                                        make_activity, group_order):
    order = group_order(make_activity())
    group = group_of(db, order)
    login_staff(client, make_staff("operator"))
    page = client.get(f"/admin/orders/{order.order_no}").get_data(as_text=True)
    assert "待成团" in page and group.group_no in page
    resp = client.post("/admin/orders/ship", data={"ids": [order.id], f"company_{order.id}": "顺丰",
                                                   f"tracking_{order.id}": "SF1"}, follow_redirects=True)
    assert "拼团未成功，暂不能发货" in resp.get_data(as_text=True)
    from shop.orders.models import Order
    assert db.session.get(Order, order.id).status == "paid"


def test_admin_deletes_an_activity_nobody_used_and_keeps_a_used_one(db, client, make_staff, make_activity,
                                                                     group_order):
    unused, used = make_activity(title="没人参加"), make_activity(title="已有人参团")
    group_order(used)
    unused_id, used_id = unused.id, used.id
    login_staff(client, make_staff("operator"))
    listing = client.get("/admin/groupbuy").get_data(as_text=True)
    assert f"/admin/groupbuy/{unused.id}/delete" in listing and "确定删除拼团活动「没人参加」吗？" in listing
    refused = client.post(f"/admin/groupbuy/{used.id}/delete", follow_redirects=True)
    assert "该活动已有拼团或订单，不能删除，可以停用它" in refused.get_data(as_text=True)
    done = client.post(f"/admin/groupbuy/{unused.id}/delete", follow_redirects=True)
    assert "拼团活动「没人参加」已删除" in done.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(GroupActivity, unused_id) is None and db.session.get(GroupActivity, used_id) is not None
    assert client.post("/admin/groupbuy/999/delete").status_code == 404


def test_a_viewer_cannot_delete_an_activity(db, client, make_staff, make_activity):
    activity = make_activity()
    login_staff(client, make_staff("viewer"))
    assert client.post(f"/admin/groupbuy/{activity.id}/delete").status_code == 403
    db.session.expire_all()
    assert db.session.get(GroupActivity, activity.id) is not None
