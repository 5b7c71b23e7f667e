"""The coupon and 助力免单 pages with their URL arguments (which the app-wide test does not fill) send only reads,
for a member holding coupons and for a visitor."""
import pytest

from shop.sql import count_statements
from tests.main.test_get_never_writes import WRITE


@pytest.fixture
def pages(db, shop, make_template, give, make_user):
    from shop.assist.models import AssistProduct
    from shop.assist.services import start
    give(shop.buyer, make_template(name="减十元"))
    db.session.add(AssistProduct(product_id=shop.product.id, helps_needed=2, hours=24, enabled=True))
    db.session.commit()
    campaign = start(shop.buyer, shop.product.id)
    return ["/coupons", "/me/coupons?tab=usable", "/me/coupons?tab=used", "/me/coupons?tab=expired",
            f"/p/{shop.product.id}", f"/checkout?sku_id={shop.sku_id}&quantity=2",
            f"/checkout?sku_id={shop.sku_id}&quantity=2&coupon=none", f"/assist/{campaign.id}", "/me/assist", "/"]


@pytest.mark.parametrize("logged_in", [True, False])
def test_coupon_pages_send_no_write(db, client, login, shop, pages, logged_in):
    if logged_in:
        login(shop.buyer)
    db.session.rollback()
    for path in pages:
        with count_statements() as statements:
            status = client.get(path).status_code
        writes = [s.split("\n")[0] for s in statements.statements if WRITE.match(s)]
        assert status < 500 and writes == [], path
