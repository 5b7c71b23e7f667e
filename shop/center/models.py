"""Promotion materials (推广素材): texts and images the merchant attaches to products for distributors."""
from ..clock import utcnow
from ..extensions import db


class PromoMaterial(db.Model):
    """A ready-made text, optionally with an image, that distributors copy and save to share a product."""
    __tablename__ = "promo_materials"
    __table_args__ = (db.Index("ix_promo_materials_product_sort", "product_id", "sort", "id"),)
    id = db.Column(db.Integer, primary_key=True)
    product_id = db.Column(db.Integer, db.ForeignKey("products.id", ondelete="CASCADE"), nullable=False)
    text = db.Column(db.String(1000), nullable=False)
    #: An image checked and stored by catalog.images.save_upload, served at /media/<path>.
    image_path = db.Column(db.String(255))
    #: Larger first, like products and categories.
    sort = db.Column(db.Integer, nullable=False, default=0)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    product = db.relationship("Product")
