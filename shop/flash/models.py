"""Flash-sale slots, their items (own price, own stock) and each member's count per item."""
from flask_babel import lazy_gettext as _l

from ..clock import utcnow
from ..extensions import db
from ..vocabulary import Labels


class FlashSlot(db.Model):
    """A time slot (e.g. 10:00 场): its items are sold at their flash price between starts_at and ends_at."""

    __tablename__ = "flash_slots"
    __table_args__ = (db.CheckConstraint("ends_at > starts_at", name="slot_window"),
                      db.Index("ix_flash_slots_window", "is_active", "ends_at", "starts_at"))
    id = db.Column(db.Integer, primary_key=True)
    title = db.Column(db.String(60), nullable=False)
    #: Naive UTC, like every timestamp; shown in China time.
    starts_at = db.Column(db.DateTime, nullable=False)
    ends_at = db.Column(db.DateTime, nullable=False)
    #: Switched off, the slot is neither shown nor sold.
    is_active = db.Column(db.Boolean, nullable=False, default=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    items = db.relationship("FlashItem", back_populates="slot", order_by="(FlashItem.sort.desc(), FlashItem.id)",
                            cascade="all, delete-orphan")

    def state(self, now):
        """'coming', 'running' or 'ended' at `now` (naive UTC)."""
        if now < self.starts_at:
            return COMING
        return RUNNING if now < self.ends_at else ENDED


#: A slot's state at a moment (FlashSlot.state), computed from its times, never stored.
COMING, RUNNING, ENDED = "coming", "running", "ended"
SLOT_STATES = Labels({COMING: _l("即将开始"), RUNNING: _l("抢购中"), ENDED: _l("已结束")})


class FlashItem(db.Model):
    """One SKU in a slot: its flash price and its own stock. `sold` grows by one guarded UPDATE per order
    (sold + qty <= stock) and shrinks when an unpaid order is released; the SKU's own stock is never touched."""

    __tablename__ = "flash_items"
    __table_args__ = (
        db.UniqueConstraint("slot_id", "sku_id", name="uq_flash_items_slot_sku"),
        db.CheckConstraint("price_fen > 0", name="price_positive"),
        db.CheckConstraint("sold >= 0 AND sold <= stock", name="sold_within_stock"),
        db.CheckConstraint("per_member_limit >= 1", name="limit_positive"),
    )
    id = db.Column(db.Integer, primary_key=True)
    slot_id = db.Column(db.Integer, db.ForeignKey("flash_slots.id", ondelete="CASCADE"), nullable=False, index=True)
    product_id = db.Column(db.Integer, db.ForeignKey("products.id"), nullable=False, index=True)
    sku_id = db.Column(db.Integer, db.ForeignKey("skus.id"), nullable=False, index=True)
    price_fen = db.Column(db.BigInteger, nullable=False)
    #: The units offered in this slot, apart from the SKU's stock.
    stock = db.Column(db.Integer, nullable=False)
    #: Units in orders not cancelled (paid or waiting for payment).
    sold = db.Column(db.Integer, nullable=False, default=0)
    #: Units one member may buy of this item over orders not cancelled.
    per_member_limit = db.Column(db.Integer, nullable=False, default=1)
    #: Whether lines bought here pay commission (many malls exclude flash sales).
    commission = db.Column(db.Boolean, nullable=False, default=False)
    sort = db.Column(db.Integer, nullable=False, default=0)

    slot = db.relationship("FlashSlot", back_populates="items")
    product = db.relationship("Product")
    sku = db.relationship("Sku")

    @property
    def left(self):
        return max(self.stock - self.sold, 0)

    @property
    def sold_percent(self):
        """0..100, for the progress bar."""
        return 100 if not self.stock else min(100, self.sold * 100 // self.stock)


class FlashTake(db.Model):
    """How many units of an item a member holds in orders not cancelled: the per-member limit's counter row,
    raised by one guarded UPDATE (quantity + qty <= limit) so concurrent orders of one member never pass it."""

    __tablename__ = "flash_takes"
    __table_args__ = (db.CheckConstraint("quantity >= 0", name="quantity_not_negative"),)
    item_id = db.Column(db.Integer, db.ForeignKey("flash_items.id", ondelete="CASCADE"), primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    quantity = db.Column(db.Integer, nullable=False, default=0)
