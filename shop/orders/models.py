"""Orders and their lines; each line snapshots what was bought at what price."""
from flask_babel import lazy_gettext as _l

from ..clock import utcnow
from ..extensions import db
from ..vocabulary import Labels, one_of
from . import status as st

#: Kinds of discount a line can carry a share of (OrderLine.discount_detail keys).
COUPON, POINTS = "coupon", "points"
DISCOUNT_KINDS = Labels({COUPON: _l("优惠券"), POINTS: _l("积分抵扣")})
#: Activities a line can be bought in (OrderLine.activity_kind).
FLASH, GROUP = "flash", "group"
ACTIVITY_KINDS = Labels({FLASH: _l("秒杀"), GROUP: _l("拼团")})


class Order(db.Model):
    __tablename__ = "orders"
    __table_args__ = (
        db.Index("ix_orders_user_status", "user_id", "status", "id"),
        db.Index("ix_orders_status_created", "status", "created_at"),
        # The admin's order list: by date range, and by the distributor an order came through.
        db.Index("ix_orders_created_at", "created_at"),
        db.Index("ix_orders_referrer", "referrer_id", "id"),
        # 到店自提: a store's pickup orders; a redemption code finds one order.
        db.Index("ix_orders_pickup_store", "pickup_store_id", "status"),
        db.Index("ix_orders_pickup_code", "pickup_code", unique=True),
        db.CheckConstraint("pay_total_fen >= 0", name="pay_total_not_negative"),
        one_of("status", st.ALL),
    )
    id = db.Column(db.Integer, primary_key=True)
    #: Public number: date + 10 random digits, unique and not guessable from another.
    order_no = db.Column(db.String(32), nullable=False, unique=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)
    status = db.Column(db.String(20), nullable=False, default=st.PENDING)
    items_total_fen = db.Column(db.BigInteger, nullable=False)
    shipping_fen = db.Column(db.BigInteger, nullable=False, default=0)
    discount_fen = db.Column(db.BigInteger, nullable=False, default=0)
    #: What the shopper pays: items - discount + shipping.
    pay_total_fen = db.Column(db.BigInteger, nullable=False)
    # Shipping address, snapshotted.
    recipient = db.Column(db.String(40), nullable=False)
    recipient_phone = db.Column(db.String(20), nullable=False)
    address_text = db.Column(db.String(400), nullable=False)
    #: The region the order goes to (the delivery address, or the pickup store's): regional agents' dividends.
    ship_province = db.Column(db.String(40))
    ship_city = db.Column(db.String(40))
    ship_district = db.Column(db.String(40))
    note = db.Column(db.String(200), nullable=False, default="")
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    paid_at = db.Column(db.DateTime)
    shipped_at = db.Column(db.DateTime)
    completed_at = db.Column(db.DateTime)
    cancelled_at = db.Column(db.DateTime)
    cancel_reason = db.Column(db.String(100))
    #: The buyer's upline when the order was placed ({"buyer": ..., "ancestors": [...]}): rebinding
    #: afterwards changes nothing for this order.
    upline = db.Column(db.JSON)
    #: The buyer's direct referrer in that snapshot (its first ancestor): the distributor the order came
    #: through, kept as a column so the admin filters orders by distributor with an index.
    referrer_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    #: The commission rule version in force when the order was placed.
    rule_version_id = db.Column(db.Integer, db.ForeignKey("commission_rule_versions.id"))
    #: The gateway the shopper chose and when they opened the payment (for reconcile-payments).
    pay_gateway = db.Column(db.String(20))
    pay_opened_at = db.Column(db.DateTime)
    #: Refunded so far (lines and, with a full refund, shipping).
    refunded_fen = db.Column(db.BigInteger, nullable=False, default=0, server_default="0")
    shipping_company = db.Column(db.String(40))
    tracking_no = db.Column(db.String(64))
    #: The discounts taken at checkout, as pricing.Quote.detail() wrote them:
    #: [{"kind": "coupon", "amount_fen": 500, "ref_id": 12, "label": "满100减5"}, {"kind": "points", ...}].
    discount_detail = db.Column(db.JSON)
    #: 到店自提: the store chosen at checkout (None: delivered), its name and address as they were then.
    pickup_store_id = db.Column(db.Integer, db.ForeignKey("stores.id"))
    pickup_store_name = db.Column(db.String(60))
    pickup_store_address = db.Column(db.String(400))
    #: The redemption code (核销码) given at payment: 12 random digits, unique; shown to the buyer only.
    pickup_code = db.Column(db.String(12))
    #: When and by which clerk the order was handed over in the store.
    redeemed_at = db.Column(db.DateTime)
    redeemed_by = db.Column(db.Integer, db.ForeignKey("users.id"))

    lines = db.relationship("OrderLine", order_by="OrderLine.id", cascade="all, delete-orphan",
                            back_populates="order")
    user = db.relationship("User", foreign_keys=[user_id])
    referrer = db.relationship("User", foreign_keys=[referrer_id])

    @property
    def is_pickup(self):
        return self.pickup_store_id is not None

    @property
    def status_label(self):
        if self.status == st.PAID and self.pickup_store_id is not None:
            return st.PAID_PICKUP_LABEL
        return st.LABELS.get(self.status, self.status)

    @property
    def quantity(self):
        return sum(line.quantity for line in self.lines)


class OrderLine(db.Model):
    __tablename__ = "order_lines"
    __table_args__ = (
        #: The admin's order list filtered by product.
        db.Index("ix_order_lines_product", "product_id", "order_id"),
        db.CheckConstraint("quantity > 0", name="quantity_positive"),
        db.CheckConstraint("paid_amount_fen >= 0", name="paid_not_negative"),
    )
    id = db.Column(db.Integer, primary_key=True)
    order_id = db.Column(db.Integer, db.ForeignKey("orders.id", ondelete="CASCADE"), nullable=False, index=True)
    product_id = db.Column(db.Integer, db.ForeignKey("products.id", ondelete="SET NULL"))
    sku_id = db.Column(db.Integer, db.ForeignKey("skus.id", ondelete="SET NULL"))
    # Snapshot of the catalog at the time of the order.
    title = db.Column(db.String(120), nullable=False)
    spec_text = db.Column(db.String(200), nullable=False, default="")
    image_path = db.Column(db.String(255))
    unit_price_fen = db.Column(db.BigInteger, nullable=False)
    quantity = db.Column(db.Integer, nullable=False)
    line_total_fen = db.Column(db.BigInteger, nullable=False)
    #: What the shopper paid for this line after discounts, without shipping: the commission base.
    paid_amount_fen = db.Column(db.BigInteger, nullable=False)
    #: This line's share of each discount, {"coupon": fen, "points": fen}: line_total - shares = paid_amount.
    discount_detail = db.Column(db.JSON)
    #: The activity the line was bought in ("flash" slot or "group" activity), if any.
    activity_kind = db.Column(db.String(20))
    activity_id = db.Column(db.Integer)
    #: Whether the line pays commission (an activity may be excluded by the merchant).
    commissionable = db.Column(db.Boolean, nullable=False, default=True, server_default=db.true())
    #: Whether the line took the SKU's stock (a flash-sale slot keeps its own).
    stock_from_sku = db.Column(db.Boolean, nullable=False, default=True, server_default=db.true())

    @property
    def discounts(self):
        """{kind: fen} of this line's discount shares (empty without any)."""
        return self.discount_detail or {}

    order = db.relationship("Order", back_populates="lines")
