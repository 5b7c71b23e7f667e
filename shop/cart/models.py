"""A member's cart lines."""
from sqlalchemy import func, select

from ..accounts.models import User
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


#: Pieces in the member's cart, for the tab bar's badge; in the "page" group loaded with the member
#: (accounts/sessions.py), so a page's badge sends no statement of its own. Any commit expires it with the row.
User.cart_pieces = db.column_property(
    select(func.coalesce(func.sum(CartItem.quantity), 0)).where(CartItem.user_id == User.id)
    .correlate_except(CartItem).scalar_subquery(), deferred=True, group="page")
