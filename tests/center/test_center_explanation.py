"""The commission detail explains the commission in the reader's language, rebuilt from the stored row."""
import flask_babel
import pytest
from sqlalchemy import select

from shop.distribution import rules
from shop.distribution.models import Commission


def commission_of(db, user, order):
    return db.session.scalar(select(Commission).where(Commission.beneficiary_id == user.id,
                                                      Commission.order_id == order.id))


def explanation(client, commission, lang):
    flask_babel.refresh()
    html = client.get(f"/center/commissions/{commission.id}?lang={lang}").get_data(as_text=True)
    start = html.index('id="commission-explanation">') + len('id="commission-explanation">')
    return html[start:html.index("</p>", start)]


@pytest.mark.parametrize("lang, text", [
    ("zh", "二级佣金：实付 ¥200.00 × 5.00% = ¥10.00（全局比例）"),
    ("en", "Level 2 commission: paid ¥200.00 × 5.00% = ¥10.00 (Global rate)"),
])
def test_a_percent_commission_explained(client, db, login, shop, paid_order, lang, text):
    commission = commission_of(db, shop.a, paid_order(quantity=2))  # A is level 2 on C's order
    login(shop.a)
    assert explanation(client, commission, lang) == text


@pytest.mark.parametrize("lang, text", [
    ("zh", "一级佣金：每件 ¥8.00 × 3 件 = ¥24.00（商品单独设置）"),
    ("en", "Level 1 commission: ¥8.00 per item × 3 items = ¥24.00 (Product’s own rule)"),
])
def test_a_fixed_commission_explained_with_its_quantity(client, db, login, shop, paid_order, lang, text):
    rules.set_product_commission(shop.product.id, {1: ("fixed", 800)})
    db.session.commit()
    commission = commission_of(db, shop.b, paid_order(quantity=3))
    assert commission.quantity == 3
    login(shop.b)
    assert explanation(client, commission, lang) == text
