"""The product page is shared by signed-in members (X-Member-Page-Cache) but for their own parts: the coupons they
hold, their 助力免单 campaign and their share link are rendered for each member (and then kept for them:
test_member_parts_cache.py), as are the cart badge and the CSRF token; a change the page shows renders anew."""
import re

import pytest

from shop.sql import count_statements
from tests.catalog.conftest import get


@pytest.fixture
def product(offered):
    return offered


def test_each_member_sees_their_own_parts_on_a_shared_product_page(product, member, busy_member):
    from shop.distribution.models import Distributor

    (busy, distributor), (plain, plain_user) = busy_member, member()
    plain_code = Distributor.query.filter_by(user_id=plain_user.id).one().invite_code  # everyone is one by default
    path = f"/p/{product.id}"
    first, busy_page = get(busy, path)
    state, plain_page = get(plain, path)
    again, busy_again = get(busy, path)
    assert (first, state, again) == ("miss", "hit", "hit")
    assert without_tokens(busy_again) == without_tokens(busy_page)  # the hit is the page the member had rendered
    for page in (busy_page, busy_again):
        assert "已领取" in page and "查看我的助力" in page and f"ref={distributor.invite_code}" in page
        assert 'class="badge">2<' in page and "\x00" not in page
    assert "coupon-claim" in plain_page and 'id="assist-start"' in plain_page
    assert f"ref={plain_code}" in plain_page and distributor.invite_code not in plain_page
    assert 'class="badge"' not in plain_page and "\x00" not in plain_page
    assert "纯棉T恤" in plain_page and 'id="sku-form"' in plain_page


def without_tokens(page):
    return re.sub(r'name="csrf_token" value="[^"]+"', "", page)


def test_a_member_hit_renders_only_their_parts(product, member):
    """The session check with the parts' fingerprint, then for the parts the member (with cart badge and invite
    code), the product, the coupons with those the member holds, the 助力免单 rule with the member's campaign: five
    statements."""
    client, _ = member()
    path = f"/p/{product.id}"
    get(client, path)
    with count_statements() as counter:
        assert get(client, path)[0] == "hit"
    assert len(counter) <= 5, "\n".join(s[:90] for s in counter.statements)


def test_the_token_on_a_cached_product_page_is_the_members_own(app, product, member, monkeypatch):
    (first, _), (second, _) = member(), member()
    get(first, f"/p/{product.id}")
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    state, page = get(second, f"/p/{product.id}")
    token = re.search(r'id="sku-form"[^>]*>\s*<input type="hidden" name="csrf_token" value="([^"]+)"', page)
    assert state == "hit" and token
    added = second.post("/cart/add", data={"csrf_token": token.group(1), "sku_id": product.skus[0].id,
                                           "quantity": "1"})
    assert added.status_code == 302


def test_a_price_change_renders_the_product_page_anew_for_members(product, member, db):
    client, _ = member()
    get(client, f"/p/{product.id}")
    assert "¥59.00" in get(client, f"/p/{product.id}")[1]
    product.skus[0].price_fen, product.min_price_fen = 4900, 4900
    db.session.commit()
    state, page = get(client, f"/p/{product.id}")
    assert state == "miss" and 'id="sku-price">¥49.00<' in page


def test_a_member_logged_out_elsewhere_gets_no_member_product_page(product, busy_member):
    from shop.accounts.sessions import log_out

    client, distributor = busy_member
    get(client, f"/p/{product.id}")
    log_out(distributor.user)
    state, page = get(client, f"/p/{product.id}")
    assert state is None and "product-share" not in page and "查看我的助力" not in page
