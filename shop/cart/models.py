"""A member's cart lines."""
from ..clock import utcnow
from ..extensions import db


class CartItem(db.Model):
    __tablename__ = "cart_items"
    __table_args__ = (
        db.UniqueConstraint("user_id", "sku_id", name="uq_cart_items_user_sku"),
        db.CheckConstraint("quantity > 0", name="quantity_positive"),
    )
    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    sku_id = db.Column(db.Integer, db.ForeignKey("skus.id", ondelete="CASCADE"), nullable=False)
    quantity = db.Column(db.Integer, nullable=False)
    #: Ticked for checkout.
    selected = db.Column(db.Boolean, nullable=False, default=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
