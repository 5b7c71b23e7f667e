"""Home, category and search pages are shared by signed-in members (X-Member-Page-Cache), each member seeing their
own cart badge; anything one member's session holds is never shared, and a change the pages show renders anew
(the product page, shared but for the member's own parts: test_member_product_page.py)."""
import pytest

from shop.sql import count_statements
from tests.catalog.conftest import get

MEMBER_PAGES = ["/", "/category?cid={top}", "/search?q=T恤"]


@pytest.fixture
def catalog(clothes):
    top, _, product = clothes(stock=300)
    return top, product


def badge(html):
    return html.split('class="badge">', 1)[1].split("<", 1)[0] if 'class="badge">' in html else None


@pytest.mark.parametrize("path", MEMBER_PAGES)
def test_members_share_a_page_each_with_their_own_badge(catalog, member, path):
    top, product = catalog
    path = path.format(top=top.id)
    (first, _), (second, _), (empty, _) = member(3, product), member(120, product), member()
    state, text = get(first, path)
    assert (state, badge(text)) == ("miss", "3")
    for client, expected in ((second, "99+"), (empty, None), (first, "3")):
        state, text = get(client, path)
        assert (state, badge(text)) == ("hit", expected) and "\x00" not in text


@pytest.mark.parametrize("path", MEMBER_PAGES)
def test_a_member_hit_sends_only_the_statement_loading_the_member(catalog, member, path):
    top, _ = catalog
    path = path.format(top=top.id)
    client, _ = member()
    get(client, path)
    with count_statements() as counter:
        assert get(client, path)[0] == "hit"
    assert len(counter) == 1, counter.statements


def test_the_badge_follows_the_cart_on_a_shared_page(catalog, member):
    _, product = catalog
    client, _ = member()
    get(client, "/")
    client.post("/cart/add", data={"sku_id": product.skus[0].id, "quantity": "2"})
    client.get("/cart")  # shows the flashed message
    state, text = get(client, "/")
    assert (state, badge(text)) == ("hit", "2")


def test_a_flashed_message_is_the_members_own(catalog, member):
    client, _ = member()
    other, _ = member()
    get(other, "/")
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "已加入购物车")]
    state, text = get(client, "/")
    assert state is None and "已加入购物车" in text
    assert "已加入购物车" not in get(other, "/")[1]


def test_a_personal_home_panel_stops_sharing_the_home_page(catalog, member, monkeypatch):
    from shop.marketing import slots

    def mine(**_page):
        return None
    mine.shared_panel = False
    monkeypatch.setitem(slots._PROVIDERS, "home", [*slots._PROVIDERS["home"], (99, mine)])
    client, _ = member()
    get(client, "/")
    assert get(client, "/")[0] is None


def test_a_member_logged_out_elsewhere_gets_no_member_page(catalog, member):
    from shop.accounts.sessions import log_out

    client, user = member()
    get(client, "/")
    assert get(client, "/")[0] == "hit"
    log_out(user)
    state, text = get(client, "/")
    assert state is None and badge(text) is None


def test_a_price_change_shows_at_once_to_members(catalog, member, db):
    _, product = catalog
    client, _ = member()
    get(client, "/")
    assert "¥59.00" in get(client, "/")[1]
    product.skus[0].price_fen, product.min_price_fen = 4900, 4900
    db.session.commit()
    state, text = get(client, "/")
    assert state == "miss" and "¥49.00" in text


def test_a_member_hit_is_logged_with_the_members_id(catalog, member, caplog):
    import logging

    client, user = member()
    get(client, "/")
    caplog.set_level(logging.INFO)
    assert get(client, "/")[0] == "hit"
    [line] = [r for r in caplog.records if r.name == "shop.access"]
    assert line.user_id == str(user.id) and line.request_id
