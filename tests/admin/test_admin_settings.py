"""设置: the shipping rule the checkout charges."""
from shop.orders.services import quote
from shop.settings import get_setting


def test_shipping_rule_changes_what_checkout_charges(client, staff, make_product):
    sku = make_product("茶叶", skus=((5000, 20, []),), spec_names=[]).skus[0]
    resp = client.post("/admin/settings", data={"shipping_fee": "8.00", "free_shipping_threshold": "120"})
    assert resp.status_code == 302

    assert (get_setting("shipping_fee_fen"), get_setting("free_shipping_threshold_fen")) == (800, 12000)
    assert quote([(sku.id, 2)]).shipping_fen == 800
    assert quote([(sku.id, 3)]).shipping_fen == 0
    html = client.get("/admin/settings").get_data(as_text=True)
    assert 'value="8.00"' in html and 'value="120.00"' in html


def test_zero_threshold_means_never_free(client, staff, make_product):
    sku = make_product("茶叶", skus=((500000, 5, []),), spec_names=[]).skus[0]
    client.post("/admin/settings", data={"shipping_fee": "6", "free_shipping_threshold": "0"})
    assert quote([(sku.id, 1)]).shipping_fen == 600


def test_settings_page_shows_the_defaults(client, staff):
    html = client.get("/admin/settings").get_data(as_text=True)
    assert 'value="10.00"' in html and 'value="99.00"' in html


def test_bad_amounts_are_refused_and_change_nothing(client, staff):
    for fee, threshold in (("abc", "99"), ("-1", "99"), ("", "99"), ("5", "1.234")):
        resp = client.post("/admin/settings", data={"shipping_fee": fee, "free_shipping_threshold": threshold})
        assert resp.status_code == 400
        html = resp.get_data(as_text=True)
        assert "金额格式不正确" in html or "请填写运费" in html
    assert (get_setting("shipping_fee_fen"), get_setting("free_shipping_threshold_fen")) == (1000, 9900)
