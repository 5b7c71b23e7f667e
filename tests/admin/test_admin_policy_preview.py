"""The policy preview on the admin's commission rules page: the rules being edited, sent as a GET, previewed without
saving or writing anything; refused rules answer on the page, never with a 500."""
import re

import pytest

from shop.distribution import rules
from shop.orders.models import Order
from shop.sql import count_statements
from tests.distribution.test_policy_preview import history  # noqa: F401  (the same order history)


def rules_args(**extra):
    args = {"levels": "3", "rate1": "8", "rate2": "6", "rate3": "2", "cap": "50", "self_purchase": "y"}
    args.update(extra)
    return args


def test_the_rules_page_previews_without_writing(client, db, staff, history):  # noqa: F811
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
def test_refused_rules_answer_on_the_page_never_500(client, staff, history, extra, message):  # noqa: F811
    resp = client.get("/admin/distribution/rules/preview", query_string=rules_args(**extra))
    if message:
        assert resp.status_code == 400 and message in resp.get_data(as_text=True)
    else:
        assert resp.status_code == 200


def test_an_empty_shop_previews_zero(client, staff):
    resp = client.get("/admin/distribution/rules/preview", query_string=rules_args())
    assert resp.status_code == 200 and "¥0.00" in resp.get_data(as_text=True)
