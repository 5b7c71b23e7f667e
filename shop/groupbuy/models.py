"""Group-buy activities, their SKU prices, the groups, their members and each group order's intent."""
from flask_babel import lazy_gettext as _l

from ..clock import utcnow
from ..extensions import db
from ..vocabulary import Labels, one_of

# Group.status
OPEN, SUCCEEDED, FAILED = "open", "succeeded", "failed"
GROUP_STATUSES = Labels({OPEN: _l("拼团中"), SUCCEEDED: _l("已成团"), FAILED: _l("未成团")})
# GroupActivity.overflow: what happens to a payer arriving when the group is already full or expired.
REFUND, NEW_GROUP = "refund", "new_group"
OVERFLOWS = Labels({REFUND: _l("自动退款"), NEW_GROUP: _l("为其新开一个团")})
# GroupOrder.state: placed and unpaid, in a group, to be refunded (overflow or failure), refunded, cancelled.
PENDING, JOINED, TO_REFUND, REFUNDED, RELEASED = "pending", "joined", "to_refund", "refunded", "released"
INTENT_STATES = Labels({PENDING: _l("待付款"), JOINED: _l("已参团"), TO_REFUND: _l("待退款"),
                        REFUNDED: _l("已退款"), RELEASED: _l("已取消")})

MIN_SIZE, MAX_SIZE = 2, 50


class GroupActivity(db.Model):
    """One product sold in groups of `group_size` at the SKU prices below, between starts_at and ends_at."""
    __tablename__ = "group_activities"
    __table_args__ = (one_of("overflow", OVERFLOWS),
                      db.CheckConstraint(f"group_size BETWEEN {MIN_SIZE} AND {MAX_SIZE}", name="group_size_range"),
                      db.Index("ix_group_activities_product", "product_id", "is_active"))
    id = db.Column(db.Integer, primary_key=True)
    title = db.Column(db.String(60), nullable=False)
    product_id = db.Column(db.Integer, db.ForeignKey("products.id"), nullable=False)
    group_size = db.Column(db.Integer, nullable=False, default=2)
    hours_limit = db.Column(db.Integer, nullable=False, default=24)
    starts_at = db.Column(db.DateTime, nullable=False)
    ends_at = db.Column(db.DateTime, nullable=False)
    #: How many group orders one member may hold in this activity (unpaid, in a group or succeeded).
    per_member_limit = db.Column(db.Integer, nullable=False, default=1)
    #: Most pieces in one group order.
    max_quantity = db.Column(db.Integer, nullable=False, default=1)
    commission = db.Column(db.Boolean, nullable=False, default=False)
    overflow = db.Column(db.String(10), nullable=False, default=REFUND)
    simulate = db.Column(db.Boolean, nullable=False, default=False)
    is_active = db.Column(db.Boolean, nullable=False, default=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    created_by = db.Column(db.Integer, db.ForeignKey("staff.id"))

    product = db.relationship("Product", lazy="joined")
    prices = db.relationship("GroupPrice", cascade="all, delete-orphan", order_by="GroupPrice.sku_id")

    def price_of(self, sku_id):
        return next((p.price_fen for p in self.prices if p.sku_id == sku_id), None)

    def running(self, now=None):
        now = now or utcnow()
        return self.is_active and self.starts_at <= now < self.ends_at

    @property
    def min_price_fen(self):
        return min((p.price_fen for p in self.prices), default=None)


class GroupPrice(db.Model):
    """An activity's group price for one SKU, in fen."""
    __tablename__ = "group_prices"
    __table_args__ = (db.CheckConstraint("price_fen > 0", name="price_positive"),)
    activity_id = db.Column(db.Integer, db.ForeignKey("group_activities.id", ondelete="CASCADE"), primary_key=True)
    sku_id = db.Column(db.Integer, db.ForeignKey("skus.id"), primary_key=True)
    price_fen = db.Column(db.BigInteger, nullable=False)

    sku = db.relationship("Sku")


class Group(db.Model):
    """A group opened by its leader's payment; it succeeds when `paid_count` reaches `needed` before expires_at."""
    __tablename__ = "groups"
    __table_args__ = (one_of("status", GROUP_STATUSES), db.Index("ix_groups_status_expires", "status", "expires_at"),
                      db.Index("ix_groups_activity", "activity_id", "status"),
                      db.CheckConstraint("paid_count <= needed", name="never_over_full"))
    id = db.Column(db.Integer, primary_key=True)
    group_no = db.Column(db.String(32), nullable=False, unique=True)
    activity_id = db.Column(db.Integer, db.ForeignKey("group_activities.id"), nullable=False)
    leader_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)
    status = db.Column(db.String(10), nullable=False, default=OPEN)
    needed = db.Column(db.Integer, nullable=False)
    paid_count = db.Column(db.Integer, nullable=False, default=0)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    expires_at = db.Column(db.DateTime, nullable=False)
    succeeded_at = db.Column(db.DateTime)
    failed_at = db.Column(db.DateTime)

    activity = db.relationship("GroupActivity", lazy="joined")
    leader = db.relationship("User")
    members = db.relationship("GroupMember", order_by="GroupMember.id", back_populates="group")

    @property
    def seats_left(self):
        return max(self.needed - self.paid_count, 0)


class GroupMember(db.Model):
    """A paid member of a group (the leader too), by the order that paid for the seat."""
    __tablename__ = "group_members"
    __table_args__ = (db.UniqueConstraint("group_id", "user_id"),)
    id = db.Column(db.Integer, primary_key=True)
    group_id = db.Column(db.Integer, db.ForeignKey("groups.id"), nullable=False)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False, index=True)
    order_id = db.Column(db.Integer, db.ForeignKey("orders.id"), nullable=False, unique=True)
    paid_at = db.Column(db.DateTime, nullable=False)
    is_leader = db.Column(db.Boolean, nullable=False, default=False)

    group = db.relationship("Group", back_populates="members")
    user = db.relationship("User")


class GroupOrder(db.Model):
    """What a group order is for, recorded when it is placed: open a group (group_no empty) or join one; then
    which group it paid into, or that its payment is to be refunded (a full or expired group, a failed one)."""
    __tablename__ = "group_orders"
    __table_args__ = (one_of("state", INTENT_STATES), db.Index("ix_group_orders_member", "activity_id", "user_id"),
                      db.Index("ix_group_orders_state", "state"))
    order_id = db.Column(db.Integer, db.ForeignKey("orders.id"), primary_key=True)
    activity_id = db.Column(db.Integer, db.ForeignKey("group_activities.id"), nullable=False)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)
    #: The group the member asked to join (None: open a new one).
    join_no = db.Column(db.String(32))
    group_id = db.Column(db.Integer, db.ForeignKey("groups.id"), index=True)
    state = db.Column(db.String(10), nullable=False, default=PENDING)
    note = db.Column(db.String(100))
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    group = db.relationship("Group")
    order = db.relationship("Order")
