"""设置: the shipping rule the checkout charges, and the merchant rules (after-sale, freeze, orders, withdrawals)."""
import pytest

from shop.orders.services import quote
from shop.settings import DEFAULTS, get_setting


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


# ---- 商家规则 -----------------------------------------------------------------------------------------------

RULES = {"refund_window_days": "7", "commission_freeze_days": "10", "auto_confirm_days": "12",
         "order_expire_minutes": "45", "withdraw_min": "5.00", "withdraw_fee": "0.6", "withdraw_daily_count": "2",
         "withdraw_daily_amount": "5000", "withdraw_methods": ["wechat", "bank"], "transfer_confirm_hours": "12",
         "stuck_after_hours": "6"}
KEYS = ("refund_window_days", "commission_freeze_days", "auto_confirm_days", "order_expire_minutes",
        "withdraw_min_fen", "withdraw_fee_bp", "withdraw_daily_count", "withdraw_daily_amount_fen", "withdraw_methods",
        "transfer_confirm_hours", "stuck_after_hours")


def stored():
    return tuple(get_setting(key) for key in KEYS)


def test_the_rules_page_shows_each_rule_and_why_freeze_follows_the_refund_window(client, staff):
    html = client.get("/admin/settings").get_data(as_text=True)
    assert "冻结期不能短于售后期" in html and "形成欠款" in html and "七天无理由退货" in html
    assert 'name="order_expire_minutes"' in html and 'value="30"' in html  # SHOP_ORDER_EXPIRE_MINUTES until set
    assert 'value="1.00"' in html and 'value="20000.00"' in html


def test_merchant_rules_are_saved_and_used(client, staff, app):
    from shop.orders.services import expire_minutes
    from shop.wallet.withdrawals import fee_for, limits

    resp = client.post("/admin/settings/rules", data=RULES)
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/admin/settings#rules")
    assert stored() == (7, 10, 12, 45, 500, 60, 2, 500000, ["wechat", "bank"], 12, 6)
    assert expire_minutes() == 45 and fee_for(10000) == 60
    assert limits()["methods"] == ["wechat", "bank"] and limits()["daily_count"] == 2
    html = client.get("/admin/settings").get_data(as_text=True)
    assert 'value="45"' in html and 'value="0.6"' in html and 'value="5000.00"' in html


@pytest.mark.parametrize("changes, message", [
    ({"commission_freeze_days": "6"}, "佣金冻结期不能短于售后期（7 天）"),
    ({"refund_window_days": "15", "commission_freeze_days": "14"}, "佣金冻结期不能短于售后期（15 天）"),
    ({"refund_window_days": "-1"}, "须在 0 到 365 之间"),
    ({"refund_window_days": "1.5"}, "请填写整数"),
    ({"auto_confirm_days": "0"}, "须在 1 到 60 之间"),
    ({"order_expire_minutes": "2"}, "须在 5 到 1440 之间"),
    ({"order_expire_minutes": ""}, "请填写未付款订单关闭时间"),
    ({"withdraw_min": "0"}, "须在 ¥0.01 到 ¥1000000.00 之间"),
    ({"withdraw_min": "6000"}, "最低提现金额不能高于每日提现额度"),
    ({"withdraw_fee": "100"}, "须在 0.00% 到 99.99% 之间"),
    ({"withdraw_fee": "abc"}, "比例格式不正确"),
    ({"withdraw_daily_count": "0"}, "须在 1 到 100 之间"),
    ({"withdraw_methods": []}, "请至少开启一种提现方式"),
    ({"withdraw_methods": ["cash"]}, "开启的提现方式"),
    ({"transfer_confirm_hours": "25"}, "须在 1 到 24 之间"),
    ({"stuck_after_hours": "0"}, "须在 1 到 720 之间"),
])
def test_a_broken_rule_is_refused_and_nothing_changes(client, staff, changes, message):
    before = stored()
    resp = client.post("/admin/settings/rules", data={**RULES, **changes})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400 and message in html, html[html.find("alert-error"):][:600]
    assert stored() == before == tuple(DEFAULTS[key] for key in KEYS[:3]) + (None,) + tuple(
        DEFAULTS[key] for key in KEYS[4:])


def test_a_shipping_form_refused_keeps_the_rules_form_filled(client, staff):
    client.post("/admin/settings/rules", data=RULES)
    resp = client.post("/admin/settings", data={"shipping_fee": "abc", "free_shipping_threshold": "99"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400 and 'value="45"' in html and "金额格式不正确" in html
