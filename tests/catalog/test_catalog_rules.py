"""The catalog's own rules, called directly: categories are two levels deep, SKU codes are unique."""
import pytest

from shop.catalog.services import category_parent, check_sku_codes
from shop.errors import ServiceError


@pytest.fixture
def tree(make_category):
    """服装 > T恤 and an empty top-level 鞋靴."""
    clothes = make_category("服装")
    return {"服装": clothes, "T恤": make_category("T恤", parent=clothes), "鞋靴": make_category("鞋靴")}


@pytest.mark.parametrize("name, parent, refusal", [
    (None, None, None),              # a new top-level category
    (None, "服装", None),            # a new child of a top-level category
    ("鞋靴", "服装", None),          # a childless top-level category may become a child
    ("T恤", "鞋靴", None),           # a child may move to another top-level category
    (None, "T恤", "只有一级分类可以作为上级分类"),
    ("鞋靴", "鞋靴", "不能把分类设为自己的上级"),
    ("服装", "鞋靴", "「服装」下还有子分类，不能再设为二级分类"),
    (None, 999_999, "上级分类不存在"),
])
def test_categories_are_two_levels_deep(tree, name, parent, refusal):
    category = tree[name] if name else None
    parent_id = tree[parent].id if isinstance(parent, str) else parent
    if refusal:
        with pytest.raises(ServiceError, match=refusal):
            category_parent(parent_id, category)
    else:
        assert category_parent(parent_id, category) == (tree[parent] if parent else None)


@pytest.mark.parametrize("codes, refusal", [
    (["A1", "B1"], None),
    (["A1", "", " "], None),              # blank codes are not codes
    (["A1", " A1 "], "SKU编码「A1」重复了"),
    (["TAKEN"], "SKU编码「TAKEN」已被其他规格使用"),
])
def test_sku_codes_are_unique(make_product, codes, refusal):
    make_product(skus=[(5900, 1, ["红", "M"])]).skus[0].code = "TAKEN"
    rows = [{"code": code} for code in codes]
    if refusal:
        with pytest.raises(ServiceError, match=refusal):
            check_sku_codes(rows)
    else:
        check_sku_codes(rows)


def test_a_sku_keeps_its_own_code(db, make_product):
    product = make_product(skus=[(5900, 1, ["红", "M"])])
    product.skus[0].code = "OWN"
    db.session.commit()
    check_sku_codes([{"id": product.skus[0].id, "code": "OWN"}], product)
    with pytest.raises(ServiceError, match="已被其他规格使用"):
        check_sku_codes([{"code": "OWN"}], make_product())
