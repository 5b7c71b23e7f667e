"""The merchant's 助力免单 use cases: enabling a product with its rule, and the lists."""
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ...assist.models import SUCCEEDED, AssistCampaign, AssistProduct
from ...catalog.models import Product
from ...database import transaction
from ...errors import ServiceError, found
from ...extensions import db
from ...pagination import paginate


def rules():
    """[(rule, campaigns started, campaigns succeeded)], newest first."""
    counts = db.session.execute(select(AssistCampaign.assist_product_id, func.count(),
                                       func.count().filter(AssistCampaign.status == SUCCEEDED))
                                .group_by(AssistCampaign.assist_product_id)).all()
    by_rule = {rule_id: (started, won) for rule_id, started, won in counts}
    rows = db.session.scalars(select(AssistProduct).options(joinedload(AssistProduct.product))
                              .order_by(AssistProduct.id.desc())).all()
    return [(rule, *by_rule.get(rule.id, (0, 0))) for rule in rows]


def get_rule(rule_id):
    """A rule; or 404."""
    return found(db.session.get(AssistProduct, rule_id))


def save_rule(data, rule=None):
    """Enable a product for 助力免单 or change its rule (running campaigns keep theirs); commits."""
    with transaction():
        product = db.session.get(Product, data.get("product_id") or 0)
        if product is None:
            raise ServiceError(_("商品不存在"))
        taken = db.session.scalar(select(AssistProduct.id).where(AssistProduct.product_id == product.id))
        if taken and (rule is None or taken != rule.id):
            raise ServiceError(_("该商品已设置助力免单"))
        needed, hours = data.get("helps_needed") or 0, data.get("hours") or 0
        if not 1 <= needed <= 100 or not 1 <= hours <= 720:
            raise ServiceError(_("助力人数须在 1 到 100 之间，时限须在 1 到 720 小时之间"))
        if rule is None:
            rule = AssistProduct()
            db.session.add(rule)
        rule.product_id, rule.helps_needed, rule.hours = product.id, needed, hours
        rule.enabled = bool(data.get("enabled"))
    return rule


def campaigns(page=1):
    """A page of campaigns, newest first."""
    stmt = select(AssistCampaign).options(joinedload(AssistCampaign.starter),
                                          joinedload(AssistCampaign.assist_product).joinedload(AssistProduct.product))
    return paginate(stmt.order_by(AssistCampaign.id.desc()), page)
