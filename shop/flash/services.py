"""Flash-sale use cases: what the storefront shows (reads), and reserving and releasing an item's own stock and a
member's count for an order (joining the order's transaction, through the order events in hooks.py)."""
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload, selectinload

from ..clock import utcnow
from ..errors import ServiceError
from ..extensions import db
from .models import COMING, ENDED, RUNNING, FlashItem, FlashSlot, FlashTake

#: How many coming slots the storefront shows.
COMING_SHOWN = 3


def _slots():
    return (select(FlashSlot).where(FlashSlot.is_active.is_(True))
            .options(selectinload(FlashSlot.items).joinedload(FlashItem.product),
                     selectinload(FlashSlot.items).joinedload(FlashItem.sku)))


def running_slot(now=None):
    """The running slot (the one ending first when several overlap), or None. Reads only."""
    now = now or utcnow()
    return db.session.scalars(_slots().where(FlashSlot.starts_at <= now, FlashSlot.ends_at > now)
                              .order_by(FlashSlot.ends_at, FlashSlot.id).limit(1)).first()


def coming_slots(now=None, limit=COMING_SHOWN):
    """The next slots to start, soonest first. Reads only."""
    now = now or utcnow()
    return db.session.scalars(_slots().where(FlashSlot.starts_at > now)
                              .order_by(FlashSlot.starts_at, FlashSlot.id).limit(limit)).all()


def storefront_slots(now=None):
    """(running slot or None, [coming slots]): what the home panel and the /flash page show. Reads only."""
    now = now or utcnow()
    return running_slot(now), coming_slots(now)


def product_items(product_id, now=None):
    """The product's items in the running and coming slots, running first. Reads only."""
    now = now or utcnow()
    return db.session.scalars(
        select(FlashItem).join(FlashItem.slot)
        .where(FlashItem.product_id == product_id, FlashSlot.is_active.is_(True), FlashSlot.ends_at > now)
        .options(joinedload(FlashItem.slot), joinedload(FlashItem.sku))
        .order_by(FlashSlot.starts_at, FlashItem.id).limit(4)).all()


def get_item(item_id):
    """An item with its slot, or None. Reads only."""
    return db.session.scalars(select(FlashItem).where(FlashItem.id == item_id)
                              .options(joinedload(FlashItem.slot))).first()


def taken(item_id, user_id):
    """Units of the item the member holds in orders not cancelled. Reads only."""
    return db.session.scalar(select(FlashTake.quantity).where(FlashTake.item_id == item_id,
                                                              FlashTake.user_id == user_id)) or 0


def check_buyable(item, quantity, user=None, now=None):
    """Refuse (ServiceError) an item outside its running slot, sold out, or over the member's limit. Reads only."""
    state = item.slot.state(now or utcnow()) if item.slot.is_active else ENDED
    if state != RUNNING:
        raise ServiceError(_("秒杀未开始") if state == COMING else _("秒杀已结束"))
    if item.left <= 0:
        raise ServiceError(_("已抢光"))
    if quantity > item.left:
        raise ServiceError(_("秒杀库存仅剩%(n)s件", n=item.left))
    if user is not None and taken(item.id, user.id) + quantity > item.per_member_limit:
        raise ServiceError(_("每人限购%(n)s件，你已抢过", n=item.per_member_limit))


def reserve(item_id, user_id, quantity, limit):
    """Count the units against the member's limit (one guarded upsert), then take them from the item's own stock
    (one guarded UPDATE), each checked, so concurrent orders never oversell nor pass the limit. The member's row
    comes first (one member's orders queue there) and the hot item row last, held the shortest time.
    Joins the caller's transaction (the order placement); a refusal rolls the placement back."""
    if quantity > limit or not _count_take(item_id, user_id, quantity, limit):
        raise ServiceError(_("每人限购%(n)s件，你已抢过", n=limit))
    taken_ok = db.session.execute(
        update(FlashItem).where(FlashItem.id == item_id, FlashItem.sold + quantity <= FlashItem.stock)
        .values(sold=FlashItem.sold + quantity).execution_options(synchronize_session=False)).rowcount
    if taken_ok != 1:
        raise ServiceError(_("已抢光"))


def _count_take(item_id, user_id, quantity, limit):
    """One upsert of the member's counter row: inserted with `quantity`, or raised by it while it stays within the
    limit (the row is locked meanwhile, so one member's concurrent orders queue here). True when counted."""
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    stmt = insert(FlashTake).values(item_id=item_id, user_id=user_id, quantity=quantity)
    counted = db.session.execute(stmt.on_conflict_do_update(
        index_elements=[FlashTake.item_id, FlashTake.user_id],
        set_={"quantity": FlashTake.quantity + stmt.excluded.quantity},
        where=FlashTake.quantity + stmt.excluded.quantity <= limit).returning(FlashTake.quantity)).first()
    return counted is not None


def release(item_id, user_id, quantity):
    """Give the units back to the item's stock and the member's count (an unpaid order cancelled or expired; the
    order's status transition makes it exactly once). Joins the caller's transaction."""
    db.session.execute(update(FlashTake).where(FlashTake.item_id == item_id, FlashTake.user_id == user_id)
                       .values(quantity=FlashTake.quantity - quantity).execution_options(synchronize_session=False))
    db.session.execute(update(FlashItem).where(FlashItem.id == item_id)
                       .values(sold=FlashItem.sold - quantity).execution_options(synchronize_session=False))
