import pytest


@pytest.fixture
def assist_rule(db, make_product):
    """A ¥88 product (a ¥66 SKU too) enabled for 助力免单: 2 helps within 24 hours."""
    from shop.assist.models import AssistProduct

    product = make_product("免单好物", skus=[(6600, 50, ["红", "M"]), (8800, 50, ["蓝", "L"])])
    rule = AssistProduct(product_id=product.id, helps_needed=2, hours=24, enabled=True)
    db.session.add(rule)
    db.session.commit()
    return rule


@pytest.fixture
def campaign(db, make_user, assist_rule):
    """A campaign started by 发起人 on the rule's product."""
    from shop.assist.services import start

    return start(make_user(nickname="发起人"), assist_rule.product_id)
