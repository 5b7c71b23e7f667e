"""The policy preview on the admin's commission rules page: the rules being edited, sent as a GET, previewed without
saving or writing anything; refused rules answer on the page, never with a 500."""
import re
from datetime import timedelta

import pytest

from shop.clock import utcnow
from shop.distribution import rules
from shop.distribution.models import Distributor
from shop.orders.models import Order
from shop.sql import count_statements


@pytest.fixture
def history(db, shop, make_product, make_distributor, paid_order, place):
    """C (a distributor, no grade) buys ¥100 × 1 and ¥33.33 × 3 under B (金牌: 12% at level 1) under A; P2 pays a
    fixed ¥2 per unit at level 1 and 3% at level 2. Plus an order paid 40 days ago and an unpaid one."""
    make_distributor(user=shop.buyer)
    gold = rules.save_grade(name="金牌", rank=1, rate1_bp=1200)
    db.session.get(Distributor, shop.b.id).grade_id = gold.id
    db.session.get(Distributor, shop.buyer.id).grade_id = None
    p2 = make_product("小物", skus=[(3333, 100, ["蓝", "S"])])
    rules.set_product_commission(p2.id, {1: ("fixed", 200), 2: ("percent", 300)})
    db.session.commit()
    orders = [paid_order(), paid_order(quantity=3, product=p2)]
    old = paid_order()
    old.paid_at = utcnow() - timedelta(days=40)
    place()
    db.session.commit()
    return orders


def rules_args(**extra):
    args = {"levels": "3", "rate1": "8", "rate2": "6", "rate3": "2", "cap": "50", "self_purchase": "y"}
    args.update(extra)
    return args


def test_the_rules_page_previews_without_writing(client, db, staff, history):
    db.session.rollback()
    with count_statements() as statements:
        resp = client.get("/admin/distribution/rules/preview", query_string=rules_args())
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200, html
    assert "¥26.98" in html and "¥25.99" in html and "+¥0.99" in html
    assert not [s for s in statements.statements if re.match(r"\s*(INSERT|UPDATE|DELETE)", s, re.I)]
    assert db.session.get(Order, history[0].id) is not None
    assert rules.current_settings().rate1_bp == 1000  # nothing saved


@pytest.mark.parametrize("extra,message", [
    ({"levels": "4"}, "分销层级最多3级"), ({"rate1": "abc"}, "比例格式不正确"), ({"rate1": "45", "rate2": "45"}, "超过封顶"),
    ({"days": "9999"}, None)])
def test_refused_rules_answer_on_the_page_never_500(client, staff, history, extra, message):
    resp = client.get("/admin/distribution/rules/preview", query_string=rules_args(**extra))
    if message:
        assert resp.status_code == 400 and message in resp.get_data(as_text=True)
    else:
        assert resp.status_code == 200


def test_an_empty_shop_previews_zero(client, staff):
    resp = client.get("/admin/distribution/rules/preview", query_string=rules_args())
    assert resp.status_code == 200 and "¥0.00" in resp.get_data(as_text=True)
