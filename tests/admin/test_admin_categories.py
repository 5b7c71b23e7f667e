"""分类: a two-level tree; only top-level categories are parents; deleting keeps the products."""
from sqlalchemy import select

from shop.catalog.models import Category


def test_create_a_top_level_category_and_a_child(client, db, staff):
    assert client.post("/admin/categories/new", data={"name": "数码", "parent_id": "0", "sort": "1",
                                                      "is_visible": "y"}).status_code == 302
    top = db.session.scalar(select(Category).where(Category.name == "数码"))
    resp = client.post("/admin/categories/new", data={"name": "耳机", "parent_id": str(top.id), "sort": "2"})
    assert resp.status_code == 302
    child = db.session.scalar(select(Category).where(Category.name == "耳机"))
    assert (child.parent_id, child.sort, child.is_visible, top.is_visible) == (top.id, 2, False, True)
    html = client.get("/admin/categories").get_data(as_text=True)
    assert html.index("数码") < html.index("耳机")


def test_a_child_category_cannot_be_a_parent(client, db, staff, make_category):
    top = make_category("服装")
    child = make_category("卫衣", parent=top)
    resp = client.post("/admin/categories/new", data={"name": "连帽卫衣", "parent_id": str(child.id), "sort": "0"})
    assert resp.status_code == 400
    assert "只有一级分类可以作为上级分类" in resp.get_data(as_text=True)
    assert db.session.scalar(select(Category).where(Category.name == "连帽卫衣")) is None


def test_child_choices_are_only_top_level_categories(client, staff, make_category):
    top = make_category("服装")
    make_category("卫衣", parent=top)
    html = client.get("/admin/categories/new").get_data(as_text=True)
    parent_select = html.split('name="parent_id"')[1].split("</select>")[0]
    assert "服装" in parent_select and "卫衣" not in parent_select


def test_a_category_with_children_cannot_become_a_child(client, db, staff, make_category):
    clothes, home = make_category("服装"), make_category("家居")
    make_category("卫衣", parent=clothes)
    resp = client.post(f"/admin/categories/{clothes.id}/edit", data={"name": "服装", "parent_id": str(home.id)})
    assert resp.status_code == 400
    assert "下还有子分类，不能再设为二级分类" in resp.get_data(as_text=True)
    db.session.refresh(clothes)
    assert clothes.parent_id is None


def test_edit_a_category(client, db, staff, make_category):
    category = make_category("旧名", sort=3)
    resp = client.post(f"/admin/categories/{category.id}/edit", data={"name": "新名", "parent_id": "0", "sort": "9"})
    assert resp.status_code == 302
    db.session.refresh(category)
    assert (category.name, category.sort, category.is_visible) == ("新名", 9, False)


def test_missing_name_is_refused(client, db, staff):
    resp = client.post("/admin/categories/new", data={"name": " ", "parent_id": "0"})
    assert resp.status_code == 400
    assert "请填写分类名称" in resp.get_data(as_text=True)
    assert db.session.scalar(select(Category)) is None


def test_deleting_a_category_with_children_is_refused(client, db, staff, make_category):
    top = make_category("服装")
    make_category("卫衣", parent=top)
    resp = client.post(f"/admin/categories/{top.id}/delete", follow_redirects=True)
    assert "「服装」下还有子分类" in resp.get_data(as_text=True)
    assert db.session.get(Category, top.id) is not None


def test_deleting_a_category_keeps_its_products_uncategorised(client, db, staff, make_category, make_product):
    top = make_category("服装")
    child = make_category("卫衣", parent=top)
    product = make_product("加绒卫衣", category=child)
    child_id, top_id = child.id, top.id

    resp = client.post(f"/admin/categories/{child_id}/delete", follow_redirects=True)

    assert "分类「卫衣」已删除" in resp.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Category, child_id) is None
    assert product.category_id is None
    assert client.get(f"/p/{product.id}").status_code == 200
    assert client.post(f"/admin/categories/{top_id}/delete").status_code == 302
    assert db.session.get(Category, top_id) is None
