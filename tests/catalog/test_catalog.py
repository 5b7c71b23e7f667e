"""Browsing, search, product detail, description sanitizing, images."""
import io

import pytest
from PIL import Image

from shop.catalog.images import save_image_bytes
from shop.catalog.services import sanitize_description
from shop.errors import ServiceError


def png_bytes(size=(20, 20), fmt="PNG"):
    buf = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buf, fmt)
    return buf.getvalue()


def test_product_page_shows_skus_and_stock(client, make_product):
    p = make_product("卫衣", skus=[(15900, 3, ["藏青", "L"]), (16900, 0, ["燕麦", "XL"])])
    html = client.get(f"/p/{p.id}").get_data(as_text=True)
    assert "卫衣" in html and "¥159.00" in html and "藏青 / L" in html
    assert "库存3" in html and "颜色 / 尺码" in html
    # The sold-out SKU cannot be picked.
    assert 'value="%d" data-price="¥169.00" data-stock="0"\n             disabled' % p.skus[1].id in html


def test_off_shelf_and_unknown_products_are_404(client, make_product):
    p = make_product(on_shelf=False)
    assert client.get(f"/p/{p.id}").status_code == 404
    assert client.get("/p/999999").status_code == 404
    assert client.get("/p/abc").status_code == 404


def test_search_is_paginated_and_escapes_wildcards(client, make_product):
    for i in range(23):
        make_product(f"T恤 {i:02d}")
    make_product("100% 纯棉")
    page1 = client.get("/search?q=T恤").get_data(as_text=True)
    assert "共 23 件商品" in page1 and "1 / 3" in page1
    page3 = client.get("/search?q=T恤&page=3").get_data(as_text=True)
    assert page3.count('class="card"') == 3
    assert "共 1 件商品" in client.get("/search?q=%25").get_data(as_text=True)
    assert "没有找到" in client.get("/search?q=_").get_data(as_text=True)
    assert client.get("/search?q=T恤&page=999").status_code == 200
    assert client.get("/search?q=T恤&page=-1&sort=bogus").status_code == 200


def test_category_page_includes_children(client, make_category, make_product):
    top = make_category("服装")
    child = make_category("T恤", parent=top)
    other = make_category("数码")
    make_product("长袖T恤", category=child)
    make_product("耳机", category=other)
    html = client.get(f"/category?cid={top.id}").get_data(as_text=True)
    assert "长袖T恤" in html and "耳机" not in html
    assert client.get("/category?cid=99999").status_code == 200
    assert client.get("/category?cid=x").status_code == 200


def test_description_is_sanitized():
    html = sanitize_description('<p onclick="x()">hi<script>alert(1)</script><img src="javascript:x" '
                                'onerror="y()"><img src="https://a/b.png"></p>')
    assert "script" not in html and "onclick" not in html and "onerror" not in html and "javascript" not in html
    assert '<img src="https://a/b.png">' in html


def test_titles_are_autoescaped(client, make_product):
    p = make_product('<script>alert("x")</script>')
    html = client.get(f"/p/{p.id}").get_data(as_text=True)
    assert '<script>alert("x")</script>' not in html and "&lt;script&gt;" in html


def test_image_upload_checks(app):
    path = save_image_bytes(png_bytes())
    assert path.endswith(".png") and save_image_bytes(png_bytes()) == path  # content-addressed
    with pytest.raises(ServiceError, match="只支持"):
        save_image_bytes(b"<?php echo 1; ?>")
    with pytest.raises(ServiceError, match="只支持"):
        save_image_bytes(png_bytes(fmt="BMP"))
    with pytest.raises(ServiceError, match="不能超过"):
        save_image_bytes(b"\x89PNG" + b"0" * app.config["MAX_IMAGE_BYTES"])
    with pytest.raises(ServiceError):
        save_image_bytes(b"")


def test_media_is_served_with_cache_headers(client):
    path = save_image_bytes(png_bytes())
    resp = client.get(f"/media/{path}")
    assert resp.status_code == 200 and resp.mimetype == "image/png"
    assert "max-age=31536000" in resp.headers["Cache-Control"]
    assert client.get("/media/../shop.db").status_code == 404
    assert client.get("/media/products/nope.png").status_code == 404


def test_sku_stock_cannot_go_negative_in_the_database(db, make_product):
    from sqlalchemy.exc import IntegrityError

    p = make_product()
    p.skus[0].stock = -1
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
