"""Editing flash-sale slots and their items, and each slot's figures (sold, revenue from paid orders)."""
from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from ...catalog.models import Product, Sku
from ...clock import from_china
from ...database import transaction
from ...errors import ServiceError, found
from ...extensions import db
from ...flash.models import FlashItem, FlashSlot
from ...money import format_fen
from ...orders import status as st
from ...orders.models import FLASH, Order, OrderLine
from ...pagination import paginate

#: Orders whose flash lines count as revenue: paid and not refunded or cancelled.
REVENUE_STATUSES = (st.PAID, st.SHIPPED, st.COMPLETED)


def slot_page(page):
    """A page of slots, latest start first. Reads only."""
    return paginate(select(FlashSlot).order_by(FlashSlot.starts_at.desc(), FlashSlot.id.desc()), page)


def get_slot(slot_id):
    """A slot with its items, or 404. Reads only."""
    slot = db.session.scalars(select(FlashSlot).where(FlashSlot.id == slot_id).options(
        selectinload(FlashSlot.items).joinedload(FlashItem.sku).joinedload(Sku.product))).first()
    return found(slot, _("秒杀场次不存在"))


def get_item(slot, item_id):
    """An item of this slot; an item of another slot (or none) is a 404. Reads only."""
    item = db.session.get(FlashItem, item_id)
    if item is None or item.slot_id != slot.id:
        found(None, _("秒杀商品不存在"))
    return item


def _paid_lines(column):
    return (select(column, func.coalesce(func.sum(OrderLine.quantity), 0),
                   func.coalesce(func.sum(OrderLine.paid_amount_fen), 0))
            .join(Order, Order.id == OrderLine.order_id).join(FlashItem, FlashItem.id == OrderLine.activity_id)
            .where(OrderLine.activity_kind == FLASH, Order.status.in_(REVENUE_STATUSES)).group_by(column))


def slot_figures(slot_ids):
    """{slot id: (units sold, units paid, revenue fen)} for the slots, in two statements. Reads only."""
    if not slot_ids:
        return {}
    sold = dict(db.session.execute(select(FlashItem.slot_id, func.sum(FlashItem.sold))
                                   .where(FlashItem.slot_id.in_(slot_ids)).group_by(FlashItem.slot_id)).all())
    paid = {row[0]: row[1:] for row in db.session.execute(
        _paid_lines(FlashItem.slot_id).where(FlashItem.slot_id.in_(slot_ids))).all()}
    return {sid: (sold.get(sid) or 0, *paid.get(sid, (0, 0))) for sid in slot_ids}


def item_figures(slot):
    """{item id: (units paid, revenue fen)} for the slot's items. Reads only."""
    rows = db.session.execute(_paid_lines(FlashItem.id).where(FlashItem.slot_id == slot.id)).all()
    return {row[0]: tuple(row[1:]) for row in rows}


def search_skus(text, limit=20):
    """Active SKUs of products whose title (or SKU code) contains `text`, for picking an item. Reads only."""
    text = (text or "").strip()[:40]
    if not text:
        return []
    like = f"%{text}%"
    return db.session.scalars(select(Sku).join(Sku.product).where(
        Sku.is_active.is_(True), or_(Product.title.ilike(like), Sku.code.ilike(like)))
        .options(joinedload(Sku.product)).order_by(Product.id.desc(), Sku.id).limit(limit)).all()


def save_slot(data, slot=None):
    """Create or change a slot; times are typed in China time. Owns its transaction.

    data: title, starts_at, ends_at (naive China-time datetimes), is_active."""
    with transaction():
        title = (data.get("title") or "").strip()
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if not title or len(title) > 60:
            raise ServiceError(_("场次名称必填，最多60字"))
        if starts is None or ends is None or ends <= starts:
            raise ServiceError(_("结束时间应晚于开始时间"))
        if slot is None:
            slot = FlashSlot()
            db.session.add(slot)
        slot.title, slot.starts_at, slot.ends_at = title, from_china(starts), from_china(ends)
        slot.is_active = bool(data.get("is_active"))
    return slot


def delete_slot(slot):
    """Delete a slot in which nothing was ever sold (otherwise switch it off). Owns its transaction."""
    with transaction():
        if _ever_sold(FlashItem.slot_id == slot.id):
            raise ServiceError(_("该场次已有订单，不能删除，可以关闭它"))
        db.session.delete(slot)


def _ever_sold(condition):
    item_ids = select(FlashItem.id).where(condition)
    return db.session.scalar(select(func.count()).select_from(OrderLine).where(
        OrderLine.activity_kind == FLASH, OrderLine.activity_id.in_(item_ids))) > 0


def save_item(slot, data, item=None):
    """Add a SKU to the slot or change its item: flash price below the SKU's price, stock not below what is sold,
    a per-member limit of at least one. Owns its transaction.

    data: sku_id, price_fen, stock, per_member_limit, commission, sort."""
    with transaction():
        sku = _item_sku(slot, data.get("sku_id"), item)
        price, stock, limit = data.get("price_fen"), data.get("stock"), data.get("per_member_limit")
        _check_item(sku, price, stock, limit, item)
        if item is None:
            item = FlashItem(slot=slot, sku_id=sku.id, product_id=sku.product_id, sold=0)
            db.session.add(item)
        item.price_fen, item.stock, item.per_member_limit = price, stock, limit
        item.commission, item.sort = bool(data.get("commission")), int(data.get("sort") or 0)
    return item


def _item_sku(slot, sku_id, item):
    if item is not None:
        return item.sku
    sku = db.session.get(Sku, sku_id) if sku_id else None
    if sku is None or not sku.is_active:
        raise ServiceError(_("SKU不存在或已停用，请按编号或商品名查找"))
    if db.session.scalar(select(FlashItem.id).where(FlashItem.slot_id == slot.id, FlashItem.sku_id == sku.id)):
        raise ServiceError(_("该SKU已在本场次中"))
    return sku


def _check_item(sku, price, stock, limit, item):
    if not price or price <= 0 or price >= sku.price_fen:
        raise ServiceError(_("秒杀价应大于0且低于原价%(price)s", price=format_fen(sku.price_fen)))
    if stock is None or stock < 1 or stock > 1_000_000:
        raise ServiceError(_("秒杀库存应在1到1000000之间"))
    if item is not None and stock < item.sold:
        raise ServiceError(_("秒杀库存不能少于已抢的%(n)s件", n=item.sold))
    if limit is None or not 1 <= limit <= 99:
        raise ServiceError(_("每人限购应在1到99件之间"))


def delete_item(item):
    """Take an item out of its slot when none of it was ever ordered. Owns its transaction."""
    with transaction():
        if _ever_sold(FlashItem.id == item.id):
            raise ServiceError(_("该商品已有秒杀订单，不能移除，可以把库存改为已抢数量"))
        db.session.delete(item)
