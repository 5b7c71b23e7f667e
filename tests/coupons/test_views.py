"""The coupon pages: the coupon centre and claiming (there and on a product page), 我的优惠券, the checkout panel;
strangers' coupons are 404; and the admin pages (templates, issuing, member coupons, reward settings)."""
import pytest
from sqlalchemy import select

from shop.coupons.models import Coupon, CouponTemplate
from tests.conftest import login_staff


def coupons_of(db, user):
    db.session.expire_all()
    return db.session.scalars(select(Coupon).where(Coupon.user_id == user.id)).all()


def test_the_coupon_centre_lists_and_claims(db, client, login, shop, make_template):
    template = make_template(name="全场满100减10", threshold_fen=10000)
    make_template(name="奖励专用", obtain="reward")
    page = client.get("/coupons").get_data(as_text=True)
    assert "全场满100减10" in page and "奖励专用" not in page
    login(shop.buyer)
    resp = client.post(f"/coupons/{template.id}/claim", data={"next": "/coupons"})
    assert resp.status_code == 302 and resp.headers["Location"] == "/coupons"
    assert [c.template_id for c in coupons_of(db, shop.buyer)] == [template.id]
    page = client.get("/coupons").get_data(as_text=True)
    assert "已领取" in page
    client.post(f"/coupons/{template.id}/claim")
    assert "每人限领1张" in client.get("/coupons").get_data(as_text=True)


def test_claiming_needs_a_login_and_reward_only_ones_are_404(db, client, login, shop, make_template):
    template, reward = make_template(), make_template(obtain="reward")
    assert client.post(f"/coupons/{template.id}/claim").status_code == 302  # to the login page
    login(shop.buyer)
    assert client.post(f"/coupons/{reward.id}/claim").status_code == 404
    assert client.post("/coupons/999999/claim").status_code == 404
    assert coupons_of(db, shop.buyer) == []


def test_the_product_page_offers_the_coupons_covering_it(db, client, login, shop, make_template, make_product):
    make_template(name="本品专享", scope="products", scope_ids=[shop.product.id])
    make_template(name="他品专享", scope="products", scope_ids=[make_product().id])
    page = client.get(f"/p/{shop.product.id}").get_data(as_text=True)
    assert "本品专享" in page and "他品专享" not in page and 'id="product-coupons"' in page


@pytest.mark.parametrize("tab,shown", [("usable", "可用券"), ("used", "用过的券"), ("expired", "过期券")])
def test_my_coupons_by_tab(db, client, login, shop, make_template, give, tab, shown):
    for name, status in [("可用券", "unused"), ("用过的券", "used"), ("过期券", "expired")]:
        coupon = give(shop.buyer, make_template(name=name))
        coupon.status = status
    give(shop.a, make_template(name="别人的券"))
    db.session.commit()
    login(shop.buyer)
    page = client.get(f"/me/coupons?tab={tab}").get_data(as_text=True)
    assert shown in page and "别人的券" not in page
    assert sum(name in page for name in ("可用券", "用过的券", "过期券")) == 1


def test_checkout_preselects_and_switches(db, client, login, shop, make_template, give):
    small, big = give(shop.buyer, make_template(name="减十元")), give(shop.buyer, make_template(name="减三十",
                                                                                               amount_fen=3000))
    login(shop.buyer)
    page = client.get(f"/checkout?sku_id={shop.sku_id}&quantity=1").get_data(as_text=True)
    assert f'name="coupon" value="{big.id}"' in page and "-¥30.00" in page
    assert f"coupon={small.id}" in page and "coupon=none" in page and f"sku_id={shop.sku_id}" in page
    page = client.get(f"/checkout?sku_id={shop.sku_id}&quantity=1&coupon={small.id}").get_data(as_text=True)
    assert f'name="coupon" value="{small.id}"' in page and "-¥10.00" in page
    resp = client.post("/checkout", data={"sku_id": shop.sku_id, "quantity": 1, "address_id": shop.address.id,
                                          "coupon": str(small.id)})
    assert resp.status_code == 302
    assert {c.id: c.status for c in coupons_of(db, shop.buyer)} == {small.id: "locked", big.id: "unused"}


def test_a_strangers_coupon_at_checkout_is_404(db, client, login, shop, make_template, give):
    theirs = give(shop.a, make_template())
    login(shop.buyer)
    assert client.get(f"/checkout?sku_id={shop.sku_id}&quantity=1&coupon={theirs.id}").status_code == 404
    resp = client.post("/checkout", data={"sku_id": shop.sku_id, "quantity": 1, "address_id": shop.address.id,
                                          "coupon": str(theirs.id)})
    assert resp.status_code == 303 and coupons_of(db, shop.a)[0].status == "unused"


def test_me_links_to_the_coupons(db, client, login, shop):
    login(shop.buyer)
    page = client.get("/me").get_data(as_text=True)
    assert 'href="/me/coupons"' in page and 'href="/coupons"' in page


# --- admin -----------------------------------------------------------------------------------------------------

TEMPLATE_FORM = {"name": "双十二满200减30", "kind": "fixed", "amount_fen": "30", "percent_bp": "", "max_discount_fen": "",
                 "threshold_fen": "200", "scope": "all", "scope_ids": "", "validity": "days", "valid_days": "7",
                 "total": "500", "per_member": "2", "obtain": "claim", "enabled": "y"}


@pytest.fixture
def operator(client, make_staff):
    staff = make_staff("operator")
    login_staff(client, staff)
    return staff


def test_the_operator_creates_a_template(db, client, operator):
    assert client.post("/admin/coupons/new", data=TEMPLATE_FORM).status_code == 302
    template = db.session.scalar(select(CouponTemplate))
    assert (template.amount_fen, template.threshold_fen, template.total, template.per_member) == (3000, 20000, 500, 2)
    assert "双十二满200减30" in client.get("/admin/coupons").get_data(as_text=True)


@pytest.mark.parametrize("changes,message", [
    ({"name": ""}, "请填写名称"),
    ({"amount_fen": "0"}, "请填写减免金额"),
    ({"kind": "percent", "percent_bp": "100"}, "折扣比例须大于 0 且小于 100%"),
    ({"scope": "products", "scope_ids": "999"}, "这些 ID 不存在"),
    ({"scope": "categories", "scope_ids": ""}, "请填写分类或商品的 ID"),
    ({"validity": "dates"}, "请填写开始和结束日期"),
    ({"validity": "dates", "starts_on": "2026-12-10", "ends_on": "2026-12-01"}, "结束不能早于开始"),
    ({"total": "0"}, "发放总量须在"),
])
def test_a_wrong_template_is_refused_in_words(db, client, operator, changes, message):
    resp = client.post("/admin/coupons/new", data={**TEMPLATE_FORM, **changes})
    assert resp.status_code == 400 and message in resp.get_data(as_text=True)
    assert db.session.scalar(select(CouponTemplate)) is None


def test_the_terms_of_an_issued_template_stay(db, client, operator, shop, make_template, give):
    template = make_template()
    give(shop.buyer, template)
    resp = client.post(f"/admin/coupons/{template.id}/edit", data={**TEMPLATE_FORM, "amount_fen": "99"})
    assert resp.status_code == 400 and "不能再修改优惠内容" in resp.get_data(as_text=True)
    form = {**TEMPLATE_FORM, "amount_fen": "10", "threshold_fen": "", "per_member": "1", "name": "改名了"}
    assert client.post(f"/admin/coupons/{template.id}/edit", data=form).status_code == 302


def test_staff_issue_to_members_by_phone_or_id(db, client, operator, shop, make_template):
    template = make_template(per_member=1)
    resp = client.post(f"/admin/coupons/{template.id}/issue",
                       data={"members": f"{shop.buyer.phone}\n{shop.a.id}, {shop.b.phone}"})
    assert resp.status_code == 302
    assert {c.source for u in (shop.buyer, shop.a, shop.b) for c in coupons_of(db, u)} == {"staff"}
    resp = client.post(f"/admin/coupons/{template.id}/issue", data={"members": "13000000000"})
    assert resp.status_code == 400 and "找不到这些会员" in resp.get_data(as_text=True)
    from shop.staff.models import OperationLog
    assert db.session.scalar(select(OperationLog).where(OperationLog.area == "coupons")) is not None
    page = client.get(f"/admin/coupons/issued?template_id={template.id}&phone={shop.buyer.phone}").get_data(
        as_text=True)
    assert shop.buyer.phone in page and shop.a.phone not in page


def test_disable_and_reward_settings(db, client, operator, make_template):
    from shop.settings import get_setting
    template = make_template(obtain="reward")
    assert client.post(f"/admin/coupons/{template.id}/disable").status_code == 302
    db.session.expire_all()
    assert db.session.get(CouponTemplate, template.id).enabled is False
    resp = client.post("/admin/coupons/rewards", data={"coupon_register_template_id": str(template.id),
                                                       "coupon_invite_template_id": ""})
    assert resp.status_code == 302
    assert get_setting("coupon_register_template_id") == template.id and get_setting("coupon_invite_template_id") is None
    assert "奖励设置" in client.get("/admin/coupons/rewards").get_data(as_text=True)


def test_a_viewer_reads_but_cannot_write(db, client, make_staff, make_template):
    login_staff(client, make_staff("viewer"))
    assert client.get("/admin/coupons").status_code == 200
    assert client.post("/admin/coupons/new", data=TEMPLATE_FORM).status_code == 403


def test_the_member_coupons_show_their_order(db, client, operator, place, shop, make_template, give):
    give(shop.buyer, make_template(name="订单用券"))
    order = place()
    page = client.get("/admin/coupons/issued?status=locked").get_data(as_text=True)
    assert "订单用券" in page and order.order_no in page
    assert order.order_no not in client.get("/admin/coupons/issued?status=used").get_data(as_text=True)
