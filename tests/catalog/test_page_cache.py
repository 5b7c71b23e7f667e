"""Whole anonymous pages are cached, and the next anonymous GET after any change the page shows renders anew:
products, prices, stock, categories, flash slots (their start too) and group-buy activities."""
import time
from datetime import timedelta

import pytest

from shop.clock import utcnow
from shop.database import transaction
from shop.sql import count_statements


def get(client, path):
    resp = client.get(path)
    assert resp.status_code == 200, path
    return resp.headers.get("X-Page-Cache"), resp.get_data(as_text=True)


def cached_twice(client, path):
    """Render the page into the cache and check the next request comes from it; the page's text."""
    get(client, path)
    state, text = get(client, path)
    assert state == "hit", path
    return text


@pytest.fixture
def catalog(clothes):
    return clothes(stock=3)


PAGES = ["/", "/category?cid={top}", "/search?q=T恤", "/p/{product}"]


@pytest.mark.parametrize("path", PAGES)
def test_a_hit_sends_no_statement(client, catalog, path):
    top, _, product = catalog
    path = path.format(top=top.id, product=product.id)
    get(client, path)
    with count_statements() as counter:
        state, _ = get(client, path)
    assert state == "hit"
    assert len(counter) == 0, counter.statements


def test_a_hit_is_logged_with_its_request_id(client, catalog):
    get(client, "/")
    resp = client.get("/", headers={"X-Request-ID": "5e1f0c3a9b2d4e6f8a7b6c5d4e3f2a1b"})
    assert resp.headers["X-Page-Cache"] == "hit"
    assert resp.headers["X-Request-ID"] == "5e1f0c3a9b2d4e6f8a7b6c5d4e3f2a1b"
    assert len(client.get("/").headers["X-Request-ID"]) == 32  # none sent: one made


def test_product_edit_shows_at_once(client, catalog):
    from shop.catalog.services import save_product

    _, child, product = catalog
    assert "纯棉T恤" in cached_twice(client, f"/p/{product.id}")
    with transaction():
        save_product({"title": "亚麻衬衫", "category_id": child.id, "spec_names": ["颜色", "尺码"],
                      "skus": [{"id": product.skus[0].id, "spec_values": ["白", "M"], "price_fen": 5900, "stock": 3}]},
                     product)
    for path in (f"/p/{product.id}", "/"):
        state, text = get(client, path)
        assert state == "miss" and "亚麻衬衫" in text and "纯棉T恤" not in text, path


def test_price_change_shows_at_once(client, catalog, db):
    _, _, product = catalog
    assert "¥59.00" in cached_twice(client, "/")
    product.skus[0].price_fen, product.min_price_fen = 4900, 4900
    db.session.commit()
    assert "¥49.00" in get(client, "/")[1]
    assert "¥49.00" in get(client, f"/p/{product.id}")[1]


def test_stock_running_out_shows_sold_out(client, catalog):
    from shop.orders.services import reserve_stock

    _, _, product = catalog
    assert "已售罄" not in cached_twice(client, f"/p/{product.id}")
    with transaction():
        assert reserve_stock(product.skus[0].id, 3)  # the guarded UPDATE, not an ORM change
    state, text = get(client, f"/p/{product.id}")
    assert state == "miss" and "已售罄" in text


def test_a_rolled_back_change_keeps_the_cache(client, catalog):
    from shop.orders.services import reserve_stock

    _, _, product = catalog
    cached_twice(client, f"/p/{product.id}")
    with pytest.raises(RuntimeError), transaction():
        reserve_stock(product.skus[0].id, 3)
        raise RuntimeError("refused")
    assert get(client, f"/p/{product.id}")[0] == "hit"


def test_category_change_shows_at_once(client, catalog, db):
    top, _, _ = catalog
    assert "服装" in cached_twice(client, f"/category?cid={top.id}")
    top.name = "女装"
    db.session.commit()
    for path in (f"/category?cid={top.id}", "/"):
        assert "女装" in get(client, path)[1], path


def test_flash_slot_change_shows_at_once(client, catalog, db):
    from shop.flash.models import FlashItem, FlashSlot

    _, _, product = catalog
    start = utcnow() - timedelta(minutes=5)
    slot = FlashSlot(title="十点场", starts_at=start, ends_at=start + timedelta(hours=1))
    slot.items.append(FlashItem(product_id=product.id, sku_id=product.skus[0].id, price_fen=990, stock=5,
                                per_member_limit=1))
    db.session.add(slot)
    db.session.commit()
    assert "十点场" in cached_twice(client, "/")
    slot.title = "午间场"
    db.session.commit()
    assert "午间场" in get(client, "/")[1]
    slot.items[0].price_fen = 880
    db.session.commit()
    assert "¥8.80" in get(client, f"/p/{product.id}")[1]


def test_flash_slot_start_renders_anew_without_any_write(client, catalog, db):
    from shop.flash.models import FlashItem, FlashSlot

    _, _, product = catalog
    start = utcnow() + timedelta(seconds=2)
    slot = FlashSlot(title="整点场", starts_at=start, ends_at=start + timedelta(hours=1))
    slot.items.append(FlashItem(product_id=product.id, sku_id=product.skus[0].id, price_fen=990, stock=5,
                                per_member_limit=1))
    db.session.add(slot)
    db.session.commit()
    text = cached_twice(client, f"/p/{product.id}")
    assert "即将开始" in text and "马上抢" not in text
    time.sleep(max((start - utcnow()).total_seconds(), 0) + 1.1)
    state, text = get(client, f"/p/{product.id}")
    assert state == "miss" and "马上抢" in text


def test_group_buy_activity_change_shows_at_once(client, catalog):
    from shop.admin.groupbuy.services import save_activity

    _, _, product = catalog
    assert "拼团价" not in cached_twice(client, f"/p/{product.id}")
    data = {"title": "两人拼", "product_id": product.id, "group_size": 2, "hours_limit": 24,
            "starts_at": utcnow() - timedelta(hours=1), "ends_at": utcnow() + timedelta(days=7), "per_member_limit": 5,
            "max_quantity": 3, "commission": False, "overflow": "refund", "simulate": False, "is_active": True}
    activity = save_activity(data, {product.skus[0].id: 3900})
    text = get(client, f"/p/{product.id}")[1]
    assert "拼团价" in text and "¥39.00" in text
    save_activity(dict(data, group_size=3), {product.skus[0].id: 3900}, activity)
    assert "3人团" in get(client, f"/p/{product.id}")[1]


def test_countdowns_lose_the_age_of_the_cached_page():
    from shop.caching.pages import fill

    assert fill(b'<span data-remaining="100"></span><i data-remaining="3">', 5.4) == \
        b'<span data-remaining="95"></span><i data-remaining="0">'


def test_the_flash_countdowns_show_the_aged_time_too(app):
    """What a page without JavaScript reads: the macro's HH:MM:SS follows its aged seconds."""
    from flask import render_template_string

    from shop.caching.pages import fill

    with app.test_request_context("/"):
        html = render_template_string('{% from "flash/_macros.html" import countdown %}'
                                      '{{ countdown(3605, "距结束", "已结束") }}|{{ countdown(4, "距开始", "<b>") }}')
    assert "01:00:05</b>" in html and "00:00:04</b>" in html
    served = fill(html.encode(), 10.2).decode()
    assert 'data-remaining="3595"' in served and "00:59:55</b>" in served
    assert 'data-remaining="0"' in served and "00:00:00</b>" in served and "01:00:05" not in served


def test_each_shopper_gets_their_own_csrf_token(app, catalog):
    _, _, product = catalog
    first, second = app.test_client(), app.test_client()
    get(first, f"/p/{product.id}")
    second.get("/csrf-token")  # (a visitor with no session yet gets an empty token: tests/catalog/test_first_visit_token.py)
    state, text = get(second, f"/p/{product.id}")
    assert state == "hit" and "\x00" not in text
    with second.session_transaction() as session:
        raw = session["csrf_token"]
    from itsdangerous import URLSafeTimedSerializer
    token = text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    assert URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").loads(token) == raw


def test_pages_of_one_shopper_are_never_shared(client, catalog, make_user, login):
    _, _, product = catalog
    cached_twice(client, "/")
    client.post("/cart/add", data={"sku_id": product.skus[0].id, "quantity": "2"})
    state, text = get(client, "/")
    assert state is None and 'class="badge">2<' in text  # the guest cart's badge
    other = client.application.test_client()
    assert get(other, "/")[0] == "hit"
    login(make_user())
    assert get(client, "/")[0] is None


def test_a_share_link_bypasses_the_cache(client, catalog, make_distributor):
    from shop.growth.models import VisitCounter

    _, _, product = catalog
    cached_twice(client, f"/p/{product.id}")
    distributor = make_distributor()
    state, _ = get(client, f"/p/{product.id}?ref={distributor.invite_code}")
    assert state is None
    with client.session_transaction() as session:
        assert session["ref"]["code"] == distributor.invite_code
    assert VisitCounter.query.count() == 1


def test_a_flashed_message_is_shown_once_and_not_cached(client, catalog):
    cached_twice(client, "/")
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "已加入购物车")]
    state, text = get(client, "/")
    assert state is None and "已加入购物车" in text
    state, text = get(client, "/")
    assert state == "hit" and "已加入购物车" not in text
