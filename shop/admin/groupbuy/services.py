"""Admin 拼团: activities with their SKU group prices, the groups with their members and orders, and closing an
expired group now."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, or_, select
from sqlalchemy.orm import selectinload

from ...catalog.models import Product
from ...clock import utcnow
from ...database import transaction
from ...errors import NotFound, ServiceError
from ...extensions import db
from ...groupbuy import closing
from ...groupbuy import models as m
from ...groupbuy.models import Group, GroupActivity, GroupMember, GroupOrder, GroupPrice
from ...orders.models import GROUP, Order, OrderLine
from ...pagination import paginate

LIMITS = {"group_size": (m.MIN_SIZE, m.MAX_SIZE), "hours_limit": (1, 720), "per_member_limit": (1, 99),
          "max_quantity": (1, 99)}
FIELDS = ("title", "group_size", "hours_limit", "starts_at", "ends_at", "per_member_limit", "max_quantity",
          "commission", "overflow", "simulate", "is_active")


def list_activities(page=1):
    """Activities, newest first. Reads only."""
    return paginate(select(GroupActivity).order_by(GroupActivity.id.desc()), page)


def get_activity(activity_id):
    """An activity by id, or 404. Reads only."""
    activity = db.session.get(GroupActivity, activity_id)
    if activity is None:
        raise NotFound()
    return activity


def product_choices():
    """(id, title) of every product, for the activity form. Reads only."""
    return db.session.execute(select(Product.id, Product.title).order_by(Product.id.desc()).limit(500)).all()


def get_product(product_id):
    product = db.session.get(Product, product_id) if product_id else None
    if product is None:
        raise ServiceError(_("请选择参加拼团的商品"), status=404)
    return product


def check_activity(data, prices, product):
    """Refuse numbers out of range, dates in the wrong order and prices of SKUs not of the product. Reads only."""
    for key, (low, high) in LIMITS.items():
        if data.get(key) is None or not low <= data[key] <= high:
            raise ServiceError(_("「%(f)s」应在%(a)s到%(b)s之间", f=LABELS[key], a=low, b=high))
    if not data.get("starts_at") or not data.get("ends_at") or data["ends_at"] <= data["starts_at"]:
        raise ServiceError(_("结束时间应晚于开始时间"))
    if data.get("overflow") not in m.OVERFLOWS:
        raise ServiceError(_("请选择满团后再付款的处理方式"))
    skus = {sku.id for sku in product.skus}
    if not prices:
        raise ServiceError(_("请至少为一个规格填写拼团价"))
    for sku_id, fen in prices.items():
        if sku_id not in skus:
            raise ServiceError(_("规格不属于这个商品"), status=404)
        if fen is None or fen <= 0:
            raise ServiceError(_("拼团价应大于0"))


def delete_activity(activity):
    """Delete an activity nobody ever joined or ordered under, with its prices (otherwise switch it off: its groups
    and orders keep pointing at it). Owns its transaction."""
    with transaction():
        used = select(or_(exists().where(Group.activity_id == activity.id),
                          exists().where(GroupOrder.activity_id == activity.id),
                          exists().where(OrderLine.activity_kind == GROUP, OrderLine.activity_id == activity.id)))
        if db.session.scalar(used):
            raise ServiceError(_("该活动已有拼团或订单，不能删除，可以停用它"))
        db.session.delete(activity)


def save_activity(data, prices, activity=None, actor=None):
    """Create or update an activity and its SKU prices {sku_id: fen} (SKUs left out do not take part).
    Owns its transaction."""
    product = activity.product if activity is not None else get_product(data.get("product_id"))
    check_activity(data, prices, product)
    with transaction():
        if activity is None:
            activity = GroupActivity(product_id=product.id, created_by=actor.id if actor else None,
                                     created_at=utcnow())
            db.session.add(activity)
        for key in FIELDS:
            setattr(activity, key, data[key])
        activity.prices = [GroupPrice(sku_id=sku_id, price_fen=fen) for sku_id, fen in sorted(prices.items())]
    return activity


def list_groups(status=None, activity_id=None, page=1):
    """Groups, newest first, filtered by status and activity. Reads only."""
    stmt = select(Group).order_by(Group.id.desc())
    if status in m.GROUP_STATUSES:
        stmt = stmt.where(Group.status == status)
    if activity_id:
        stmt = stmt.where(Group.activity_id == activity_id)
    return paginate(stmt, page)


def get_group(group_id):
    """A group with its members, or 404. Reads only."""
    group = db.session.scalar(select(Group).where(Group.id == group_id)
                              .options(selectinload(Group.members).joinedload(GroupMember.user)))
    if group is None:
        raise NotFound()
    return group


def group_orders(group_id):
    """[(intent, order)] of every order paid into the group. Reads only."""
    return db.session.execute(select(GroupOrder, Order).join(Order, Order.id == GroupOrder.order_id)
                              .where(GroupOrder.group_id == group_id).order_by(Order.id)).all()


def close_now(group_id):
    """Close an expired group at once (as close-groups would) and send its refunds. Owns its transactions."""
    group = get_group(group_id)
    if group.status != m.OPEN:
        raise ServiceError(_("这个团已结束"), status=409)
    if group.expires_at > utcnow():
        raise ServiceError(_("这个团还没到截止时间，不能提前结束"), status=409)
    db.session.rollback()
    outcome = closing.close_group(group_id)
    order_ids = db.session.scalars(select(GroupOrder.order_id).where(GroupOrder.group_id == group_id)).all()
    db.session.rollback()
    closing.refund_due(order_ids)
    return outcome


LABELS = {"group_size": _l("成团人数"), "hours_limit": _l("成团时限（小时）"), "per_member_limit": _l("每人限参团次数"),
          "max_quantity": _l("每单限购件数")}
