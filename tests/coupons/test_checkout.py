"""The coupon pricer at checkout: the best coupon preselected, the shopper's own choice, none, and refusals; the
discount split over the covered lines only, exact to the fen, each line storing its share."""
from datetime import timedelta

import pytest

from shop.clock import utcnow
from shop.coupons.models import Coupon
from shop.errors import NotFound, ServiceError
from shop.orders.pricing import Choice, quote
from shop.orders.services import place_order


def test_the_best_coupon_is_preselected(db, shop, make_template, give):
    small, big = make_template(name="减10", amount_fen=1000), make_template(name="减30", amount_fen=3000)
    give(shop.buyer, small)
    chosen = give(shop.buyer, big)
    q = quote([(shop.sku_id, 1)], shop.buyer, Choice())
    assert q.discount_fen == 3000 and q.applied[0].ref_id == chosen.id and q.applied[0].label == "减30"
    assert [c.id for c, _fen, _i in q.offers["coupon"]["options"]] and q.offers["coupon"]["chosen"] == chosen.id


def test_ties_go_to_the_earliest_expiry(db, shop, make_template, give):
    later, sooner = make_template(valid_days=30), make_template(valid_days=3)
    give(shop.buyer, later)
    first_to_expire = give(shop.buyer, sooner)
    assert quote([(shop.sku_id, 1)], shop.buyer, Choice()).applied[0].ref_id == first_to_expire.id


def test_the_shopper_chooses_another_or_none(db, shop, make_template, give):
    small = give(shop.buyer, make_template(amount_fen=1000))
    give(shop.buyer, make_template(amount_fen=3000))
    assert quote([(shop.sku_id, 1)], shop.buyer, Choice(coupon=str(small.id))).discount_fen == 1000
    q = quote([(shop.sku_id, 1)], shop.buyer, Choice(coupon="none"))
    assert q.discount_fen == 0 and len(q.offers["coupon"]["options"]) == 2


@pytest.mark.parametrize("case", ["stranger", "missing"])
def test_someone_elses_coupon_is_a_404(db, shop, make_template, give, case):
    theirs = give(shop.a, make_template())
    wanted = str(theirs.id) if case == "stranger" else "999999"
    with pytest.raises(NotFound):
        quote([(shop.sku_id, 1)], shop.buyer, Choice(coupon=wanted))


@pytest.mark.parametrize("how", ["threshold", "used", "expired"])
def test_an_unusable_coupon_of_ones_own_is_refused_in_words(db, shop, make_template, give, how):
    coupon = give(shop.buyer, make_template(threshold_fen=20000 if how == "threshold" else 0))
    if how == "used":
        coupon.status = "used"
    if how == "expired":
        coupon.valid_to = utcnow() - timedelta(minutes=1)
    db.session.commit()
    with pytest.raises(ServiceError, match="不能用于本单"):
        quote([(shop.sku_id, 1)], shop.buyer, Choice(coupon=str(coupon.id)))


def test_a_percent_coupon_with_a_cap_on_two_of_three_lines(db, shop, make_product, make_category, make_template,
                                                          give):
    clothes = make_category("服装")
    shirts = make_category("衬衫", parent=clothes)
    coat = make_product("外套", skus=[(33333, 10, ["黑", "L"])], category=clothes)
    shirt = make_product("衬衫", skus=[(11111, 10, ["白", "M"])], category=shirts)
    book = make_product("书", skus=[(5000, 10, ["-", "-"])])
    template = make_template(kind="percent", amount_fen=0, percent_bp=1500, max_discount_fen=7777,
                             scope="categories", scope_ids=[clothes.id], threshold_fen=40000)
    coupon = give(shop.buyer, template)
    order = place_order(shop.buyer, [(coat.skus[0].id, 1), (shirt.skus[0].id, 2), (book.skus[0].id, 1)],
                        shop.address.id)
    by_title = {line.title: line for line in order.lines}
    # 15% of 33333 + 22222 = 8333, capped at 7777, split 33333 : 22222 by the cumulative floor split
    assert by_title["外套"].discount_detail == {"coupon": 4666} and by_title["衬衫"].discount_detail == {"coupon": 3111}
    assert by_title["书"].discount_detail is None and by_title["书"].paid_amount_fen == 5000
    assert order.discount_fen == 7777 == sum(line.line_total_fen - line.paid_amount_fen for line in order.lines)
    assert order.discount_detail == [{"kind": "coupon", "amount_fen": 7777, "ref_id": coupon.id, "label": "满减券"}]
    assert db.session.get(Coupon, coupon.id).status == "locked"


def test_no_coupon_for_a_guest_quote(db, shop, make_template):
    make_template()
    q = quote([(shop.sku_id, 1)], None, Choice())
    assert q.discount_fen == 0 and "coupon" not in q.offers


def test_a_coupon_used_meanwhile_sends_the_shopper_back_to_checkout_without_it(db, client, login, shop,
                                                                               make_template, give):
    """Placing with a coupon another order took meanwhile is refused; back at checkout the best usable one is
    preselected again and the page opens (not the error page of the refused coupon)."""
    spent, spare = give(shop.buyer, make_template(amount_fen=3000)), give(shop.buyer, make_template(amount_fen=1000))
    login(shop.buyer)
    spent.status = "used"
    db.session.commit()
    resp = client.post("/checkout", data={"sku_id": shop.sku_id, "quantity": 1, "address_id": shop.address.id,
                                          "coupon": str(spent.id)})
    assert resp.status_code == 303 and f"coupon={spent.id}" not in resp.headers["Location"]
    page = client.get(resp.headers["Location"])
    assert page.status_code == 200 and "-¥10.00" in page.get_data(as_text=True)
    assert f"coupon={spare.id}" in page.get_data(as_text=True) or str(spare.id) in page.get_data(as_text=True)
