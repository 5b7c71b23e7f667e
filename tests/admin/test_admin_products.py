"""商品: the product list and the product form (SKUs, images, validation)."""
import pytest
from sqlalchemy import func, select

from shop.catalog.models import Product, ProductImage, Sku
from shop.sql import count_statements


def count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_create_product_with_two_skus_and_an_image_shows_on_the_storefront(
        client, db, staff, make_png, make_category, product_form, post_product):
    tops = make_category("服装")
    child = make_category("卫衣", parent=tops)
    data = product_form("连帽卫衣", skus=(("红,M", "59.00", "10", "HD-R-M"), ("黑,L", "69.50", "5")),
                        category_id=str(child.id), **{"skus-0-original_price": "99.00"})

    resp = post_product(data, files=[("hoodie.png", make_png())])

    assert resp.status_code == 302
    product = db.session.scalar(select(Product).where(Product.title == "连帽卫衣"))
    assert resp.headers["Location"].endswith(f"/admin/products/{product.id}/edit")
    assert product.category_id == child.id and product.spec_names == ["颜色", "尺码"]
    assert sorted((s.spec_values, s.price_fen, s.original_price_fen, s.stock, s.code) for s in product.skus) == [
        (["红", "M"], 5900, 9900, 10, "HD-R-M"), (["黑", "L"], 6950, 0, 5, None)]
    assert product.min_price_fen == 5900 and product.cover_path.endswith(".png")
    page = client.get(f"/p/{product.id}").get_data(as_text=True)
    assert "连帽卫衣" in page and "红 / M" in page and "黑 / L" in page and "¥59.00" in page
    assert f"/media/{product.cover_path}" in page
    assert client.get(f"/media/{product.cover_path}").status_code == 200


def test_new_product_form_offers_blank_sku_rows(client, staff):
    html = client.get("/admin/products/new").get_data(as_text=True)
    assert 'name="skus-0-price"' in html and 'name="skus-2-price"' in html
    assert 'enctype="multipart/form-data"' in html and "添加一行" in html


def test_editing_a_product_keeps_order_lines_as_they_were_bought(
        client, db, staff, make_product, make_order, product_form, post_product):
    product = make_product("旧标题", skus=((5900, 10, ["红", "M"]),))
    sku = product.skus[0]
    order = make_order(sku)

    resp = post_product(product_form("新标题", skus=(("蓝,M", "79.00", "8", "", str(sku.id)),)),
                        product_id=product.id)

    assert resp.status_code == 302
    db.session.refresh(sku)
    assert (sku.spec_values, sku.price_fen, sku.stock) == (["蓝", "M"], 7900, 8)
    line = order.lines[0]
    db.session.refresh(line)
    assert (line.title, line.spec_text, line.unit_price_fen, line.sku_id) == ("旧标题", "颜色: 红, 尺码: M", 5900, sku.id)
    assert "新标题" in client.get(f"/p/{product.id}").get_data(as_text=True)


def test_edit_form_shows_the_stored_values(client, staff, make_product):
    product = make_product("羊毛围巾", skus=((12900, 7, ["灰"]),), spec_names=["颜色"])
    html = client.get(f"/admin/products/{product.id}/edit").get_data(as_text=True)
    assert 'value="羊毛围巾"' in html and 'value="129.00"' in html and 'value="灰"' in html and 'value="7"' in html
    assert f'name="skus-0-id" type="hidden" value="{product.skus[0].id}"' in html


BAD_INPUT = [
    ("missing title", {"title": "  "}, [], "请填写商品标题"),
    ("price is not money", {"skus-0-price": "abc"}, [], "金额格式不正确"),
    ("price with three decimals", {"skus-0-price": "1.005"}, [], "金额格式不正确"),
    ("price zero", {"skus-0-price": "0"}, [], "价格必须大于0"),
    ("negative stock", {"skus-0-stock": "-1"}, [], "库存不能为负数"),
    ("stock not a number", {"skus-0-stock": "十"}, [], "请填写整数"),
    ("missing price", {"skus-0-price": ""}, [], "请填写价格"),
    ("no SKU at all", {"skus-0-spec_values": "", "skus-0-price": "", "skus-0-stock": ""}, [], "至少需要一个规格"),
    ("too few spec values", {"skus-0-spec_values": "红"}, [], "依次填写2个规格值"),
    ("not an image", {}, [("notes.png", b"just some text, not a picture")], "只支持 JPG、PNG、WEBP、GIF 图片"),
]


@pytest.mark.parametrize("case,fields,files,message", BAD_INPUT, ids=[c[0] for c in BAD_INPUT])
def test_bad_input_re_renders_the_form_and_creates_nothing(
        client, db, staff, product_form, post_product, case, fields, files, message):
    resp = post_product(product_form(**{"title": "不该出现", **fields}), files=files)

    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert message in html
    assert 'name="title"' in html  # the form again, not an error page
    assert (count(db, Product), count(db, Sku), count(db, ProductImage)) == (0, 0, 0)


def test_an_oversize_image_is_refused(client, db, app, staff, make_png, product_form, post_product):
    big = make_png() + b"\0" * app.config["MAX_IMAGE_BYTES"]
    resp = post_product(product_form(), files=[("big.png", big)])
    assert resp.status_code == 400
    assert "图片不能超过 5 MB" in resp.get_data(as_text=True)
    assert count(db, Product) == 0


def test_a_text_file_renamed_png_is_refused_and_the_product_keeps_its_values(
        client, db, staff, make_product, product_form, post_product):
    product = make_product("原标题")
    sku = product.skus[0]
    resp = post_product(product_form("改了标题", skus=(("红,M", "1.00", "1", "", str(sku.id)),)),
                        files=[("photo.png", b"%PDF-1.4 definitely not an image")], product_id=product.id)

    assert resp.status_code == 400
    assert "只支持 JPG、PNG、WEBP、GIF 图片" in resp.get_data(as_text=True)
    db.session.refresh(product)
    db.session.refresh(sku)
    assert (product.title, sku.price_fen, len(product.images)) == ("原标题", 5900, 0)


def test_a_sku_code_held_by_another_product_is_refused(client, db, staff, product_form, post_product):
    assert post_product(product_form("甲", skus=(("红,M", "10.00", "1", "CODE-1"),))).status_code == 302
    resp = post_product(product_form("乙", skus=(("红,M", "10.00", "1", "CODE-1"),)))
    assert resp.status_code == 400
    assert "SKU编码「CODE-1」已被其他规格使用" in resp.get_data(as_text=True)
    assert count(db, Product) == 1


def test_repeated_spec_combination_is_refused(client, db, staff, product_form, post_product):
    resp = post_product(product_form(skus=(("红,M", "10.00", "1"), ("红，M", "12.00", "1"))))
    assert resp.status_code == 400
    assert "规格组合重复" in resp.get_data(as_text=True)


def test_removing_a_sku_hides_it_from_shoppers_but_keeps_it_for_orders(
        client, db, staff, make_product, product_form, post_product):
    product = make_product("双色杯", skus=((1000, 5, ["红"]), (1200, 5, ["蓝"])), spec_names=["颜色"])
    red, blue = sorted(product.skus, key=lambda s: s.spec_values)[::-1]
    data = product_form("双色杯", spec_names="颜色", skus=(("红", "10.00", "5", "", str(red.id)),
                                                       ("蓝", "12.00", "5", "", str(blue.id))))
    data["skus-1-remove"] = "y"

    assert post_product(data, product_id=product.id).status_code == 302

    db.session.refresh(blue)
    assert blue.is_active is False
    page = client.get(f"/p/{product.id}").get_data(as_text=True)
    assert f'name="sku_id" value="{blue.id}"' not in page and f'name="sku_id" value="{red.id}"' in page


def test_images_can_be_reordered_and_removed(client, db, staff, make_png, product_form, post_product):
    post_product(product_form("三图商品"), files=[("a.png", make_png("red")), ("b.png", make_png("green")),
                                               ("c.png", make_png("blue"))])
    product = db.session.scalar(select(Product).where(Product.title == "三图商品"))
    first, second, third = product.images
    sku = product.skus[0]
    data = product_form("三图商品", skus=(("红,M", "59.00", "10", "", str(sku.id)),), **{
        "images-0-id": str(first.id), "images-0-sort": "3",
        "images-1-id": str(second.id), "images-1-sort": "1", "images-1-remove": "y",
        "images-2-id": str(third.id), "images-2-sort": "2"})

    first_path, second_path, third_path, product_id = first.path, second.path, third.path, product.id
    assert post_product(data, files=[("d.png", make_png("white"))], product_id=product_id).status_code == 302

    db.session.expire_all()
    product = db.session.get(Product, product_id)
    paths = [img.path for img in product.images]
    assert paths[:2] == [third_path, first_path] and len(paths) == 3 and second_path not in paths
    assert product.cover_path == third_path


def test_an_image_id_of_another_product_is_ignored(client, db, staff, make_png, product_form, post_product):
    post_product(product_form("有图商品"), files=[("a.png", make_png("red"))])
    other = db.session.scalar(select(Product).where(Product.title == "有图商品"))
    resp = post_product(product_form("无图商品", **{"images-0-id": str(other.images[0].id), "images-0-sort": "1"}))
    assert resp.status_code == 302
    assert db.session.scalar(select(Product).where(Product.title == "无图商品")).images == []


def test_description_is_sanitized(client, db, staff, product_form, post_product):
    post_product(product_form(description='<p onclick="x()">好看<script>alert(1)</script></p>'))
    product = db.session.scalar(select(Product))
    assert product.description_html == "<p>好看</p>"


def test_taking_a_product_off_the_shelf_and_back(client, db, staff, make_product):
    product = make_product("季节款")
    resp = client.post(f"/admin/products/{product.id}/shelf",
                       data={"on_shelf": "0", "next": "/admin/products?shelf=on"})
    assert resp.status_code == 302 and resp.headers["Location"] == "/admin/products?shelf=on"
    assert client.get(f"/p/{product.id}").status_code == 404
    client.post(f"/admin/products/{product.id}/shelf", data={"on_shelf": "1"})
    assert client.get(f"/p/{product.id}").status_code == 200


def test_list_filters_by_title_category_and_shelf(client, staff, make_product, make_category):
    clothes = make_category("服装")
    hoodies = make_category("卫衣", parent=clothes)
    make_product("加绒卫衣", category=hoodies)
    make_product("纯棉T恤", category=clothes, on_shelf=False)
    make_product("陶瓷杯")

    def titles(query):
        html = client.get("/admin/products" + query).get_data(as_text=True)
        return {t for t in ("加绒卫衣", "纯棉T恤", "陶瓷杯") if t in html}

    assert titles("") == {"加绒卫衣", "纯棉T恤", "陶瓷杯"}
    assert titles("?q=卫衣") == {"加绒卫衣"}
    assert titles(f"?cid={clothes.id}") == {"加绒卫衣", "纯棉T恤"}
    assert titles(f"?cid={hoodies.id}") == {"加绒卫衣"}
    assert titles("?shelf=off") == {"纯棉T恤"}
    assert titles("?shelf=on") == {"加绒卫衣", "陶瓷杯"}


@pytest.mark.parametrize("query, found", [("100%", {"100% 纯棉"}), ("%", {"100% 纯棉"}), ("_", {"a_b 杯"})])
def test_list_search_takes_wildcards_literally(client, staff, make_product, query, found):
    make_product("100% 纯棉")
    make_product("a_b 杯")
    make_product("1000 纯棉")
    html = client.get("/admin/products", query_string={"q": query}).get_data(as_text=True)
    assert {t for t in ("100% 纯棉", "a_b 杯", "1000 纯棉") if t in html} == found


def test_list_shows_price_range_total_stock_and_sales(client, db, staff, make_product):
    product = make_product("两价商品", skus=((1000, 3, ["红"]), (2500, 4, ["蓝"])), spec_names=["颜色"])
    product.sales = 12
    db.session.commit()
    html = client.get("/admin/products").get_data(as_text=True)
    row = html.split("两价商品")[1].split("</tr>")[0]
    assert "¥10.00 ~ ¥25.00" in row and ">7<" in row and ">12<" in row


def test_list_page_runs_the_same_number_of_queries_for_more_products(client, staff, make_product, make_category):
    category = make_category("家居")

    def queries():
        with count_statements() as statements:
            assert client.get("/admin/products").status_code == 200
        return len(statements)

    for i in range(2):
        make_product(f"商品A{i}", category=category, skus=((1000, 1, ["红"]), (1100, 1, ["蓝"])), spec_names=["色"])
    few = queries()
    for i in range(8):
        make_product(f"商品B{i}", category=category, skus=((1000, 1, ["红"]), (1100, 1, ["蓝"])), spec_names=["色"])
    assert queries() == few


def test_list_pages(client, staff, make_product):
    for i in range(25):
        make_product(f"批量{i:02d}", sort=i)
    first = client.get("/admin/products").get_data(as_text=True)
    second = client.get("/admin/products?page=2").get_data(as_text=True)
    assert "批量24" in first and "批量04" not in first and "1 / 2" in first
    assert "批量04" in second and "批量24" not in second


def test_several_large_images_fit_in_one_save_with_csrf_on(client, db, app, staff, product_form, monkeypatch):
    """The app-wide request limit fits one image; the product form takes several (CSRF reads the body first)."""
    import io
    import os
    import re

    from PIL import Image

    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                      client.get("/admin/products/new").get_data(as_text=True)).group(1)
    photos = []
    for _ in range(2):  # random pixels do not compress: about 3 MB each, together above MAX_CONTENT_LENGTH
        buf = io.BytesIO()
        Image.frombytes("RGB", (1000, 1000), os.urandom(1000 * 1000 * 3)).save(buf, "PNG")
        photos.append((io.BytesIO(buf.getvalue()), f"photo{len(photos)}.png"))
    assert sum(len(p[0].getvalue()) for p in photos) > app.config["MAX_CONTENT_LENGTH"]

    resp = client.post("/admin/products/new", data=dict(product_form("大图商品"), csrf_token=token, uploads=photos),
                       content_type="multipart/form-data")

    assert resp.status_code == 302
    assert len(db.session.scalar(select(Product)).images) == 2


def test_the_list_shows_the_newest_first_by_default(client, staff, make_product, post_product, product_form):
    for i in range(21):
        make_product(f"旧商品{i:02d}", sort=100 + i)
    assert post_product(product_form("刚建的商品")).status_code == 302
    first = client.get("/admin/products").get_data(as_text=True)
    assert "刚建的商品" in first and first.index("刚建的商品") < first.index("旧商品20")
    by_sort = client.get("/admin/products?sort=sort&dir=desc").get_data(as_text=True)
    assert "刚建的商品" not in by_sort and "旧商品20" in by_sort
    assert "刚建的商品" in client.get("/admin/products?sort=sort&dir=desc&page=2").get_data(as_text=True)
