"""推广素材: the merchant attaches texts and pictures to a product on its edit page; distributors copy the
text and save the picture from the center."""
import io
import re

import pytest
from PIL import Image
from sqlalchemy import select

from shop.center.models import PromoMaterial
from tests.conftest import login_staff


def png_file(color="red"):
    buf = io.BytesIO()
    Image.new("RGB", (16, 16), color).save(buf, "PNG")
    buf.seek(0)
    return buf


@pytest.fixture
def staff(client, make_staff):
    owner = make_staff(display_name="店长")
    login_staff(client, owner)
    return owner


def add(client, product, text="限时特惠，快来抢！", image=True, sort="0"):
    data = {"material-text": text, "material-sort": sort}
    if image:
        data["material-image"] = (png_file(), "pic.png")
    return client.post(f"/admin/products/{product.id}/materials", data=data, content_type="multipart/form-data")


def test_staff_add_a_material_with_a_picture(client, db, staff, make_product):
    product = make_product("好物")
    resp = add(client, product)
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/admin/products/{product.id}/edit#materials")
    material = db.session.scalar(select(PromoMaterial))
    assert material.text == "限时特惠，快来抢！" and material.image_path.startswith("products/")
    html = client.get(f"/admin/products/{product.id}/edit").get_data(as_text=True)
    assert f'id="material-{material.id}"' in html and "限时特惠，快来抢！" in html


def test_a_text_only_material(client, db, staff, make_product):
    add(client, make_product(), text="纯文案", image=False)
    assert db.session.scalar(select(PromoMaterial)).image_path is None


@pytest.mark.parametrize("text,picture,message", [
    ("", None, "请填写推广文案"),
    ("x" * 1001, None, "推广文案最多1000字"),
    ("文案", (io.BytesIO(b"not an image"), "x.png"), "只支持 JPG、PNG、WEBP、GIF 图片"),
])
def test_refused_materials_say_why(client, db, staff, make_product, text, picture, message):
    product = make_product()
    data = {"material-text": text, "material-sort": "0"}
    if picture:
        data["material-image"] = picture
    resp = client.post(f"/admin/products/{product.id}/materials", data=data, content_type="multipart/form-data")
    assert resp.status_code == 400 and message in resp.get_data(as_text=True)
    assert db.session.scalar(select(PromoMaterial.id)) is None


def test_staff_delete_a_material(client, db, staff, make_product):
    product = make_product()
    add(client, product)
    material_id = db.session.scalar(select(PromoMaterial.id))
    resp = client.post(f"/admin/products/{product.id}/materials/{material_id}/delete")
    assert resp.status_code == 302 and db.session.scalar(select(PromoMaterial.id)) is None


def test_a_material_of_another_product_is_not_deleted(client, db, staff, make_product):
    first, second = make_product(), make_product()
    add(client, first)
    material_id = db.session.scalar(select(PromoMaterial.id))
    assert client.post(f"/admin/products/{second.id}/materials/{material_id}/delete").status_code == 404
    assert db.session.scalar(select(PromoMaterial.id)) == material_id


def make_material(db, product, text, image_path=None, sort=0):
    material = PromoMaterial(product_id=product.id, text=text, image_path=image_path, sort=sort)
    db.session.add(material)
    db.session.commit()
    return material


def test_center_lists_materials_with_copy_and_save(client, db, login, make_distributor, make_product):
    product = make_product("好物")
    with_picture = make_material(db, product, "第一条文案", "products/ab/cdef.png")
    text_only = make_material(db, product, "第二条文案", sort=5)
    login(make_distributor().user)
    html = client.get("/center/materials").get_data(as_text=True)
    assert re.findall(r'id="material-(\d+)"', html) == [str(text_only.id), str(with_picture.id)]  # larger sort first
    assert f'id="material-text-{with_picture.id}"' in html and "第一条文案" in html
    assert f'id="copy-material-{with_picture.id}" data-copy="#material-text-{with_picture.id}"' in html
    assert f'id="save-material-{with_picture.id}" href="/media/products/ab/cdef.png" download' in html
    assert f'id="save-material-{text_only.id}"' not in html
    assert f"/center/poster/product/{product.id}.png" in html


def test_materials_of_one_product_and_none_of_products_off_the_shelf(client, db, login, make_distributor,
                                                                     make_product):
    shown, other, hidden = make_product("在售"), make_product("另一个"), make_product("下架")
    make_material(db, shown, "在售文案")
    make_material(db, other, "另一个文案")
    make_material(db, hidden, "下架文案")
    hidden.on_shelf = False
    db.session.commit()
    login(make_distributor().user)
    everything = client.get("/center/materials").get_data(as_text=True)
    assert "在售文案" in everything and "另一个文案" in everything and "下架文案" not in everything
    one = client.get(f"/center/materials?product_id={shown.id}").get_data(as_text=True)
    assert "在售文案" in one and "另一个文案" not in one
    assert client.get(f"/center/materials?product_id={hidden.id}").status_code == 404


def test_product_page_links_to_its_materials(client, login, make_distributor, make_product):
    product = make_product()
    login(make_distributor().user)
    assert f"/center/materials?product_id={product.id}" in client.get(f"/p/{product.id}").get_data(as_text=True)
