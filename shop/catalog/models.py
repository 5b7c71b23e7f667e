"""The catalog: two-level categories, products, images and SKUs."""
from ..clock import utcnow
from ..extensions import db


class Category(db.Model):
    __tablename__ = "categories"
    id = db.Column(db.Integer, primary_key=True)
    #: None for a top-level category; categories are two levels deep.
    parent_id = db.Column(db.Integer, db.ForeignKey("categories.id", ondelete="CASCADE"), index=True)
    name = db.Column(db.String(40), nullable=False)
    #: Larger first, like products.
    sort = db.Column(db.Integer, nullable=False, default=0)
    is_visible = db.Column(db.Boolean, nullable=False, default=True)
    icon = db.Column(db.String(255))

    children = db.relationship("Category", order_by="(Category.sort.desc(), Category.id)",
                               backref=db.backref("parent", remote_side=[id]))


class Product(db.Model):
    __tablename__ = "products"
    __table_args__ = (db.Index("ix_products_shelf_sort", "on_shelf", "sort", "id"),)
    id = db.Column(db.Integer, primary_key=True)
    category_id = db.Column(db.Integer, db.ForeignKey("categories.id", ondelete="SET NULL"), index=True)
    title = db.Column(db.String(120), nullable=False)
    subtitle = db.Column(db.String(200), nullable=False, default="")
    #: Sanitized HTML (nh3) safe to render as it is.
    description_html = db.Column(db.Text, nullable=False, default="")
    #: Names of the spec dimensions in picker order, e.g. ["颜色", "尺码"].
    spec_names = db.Column(db.JSON, nullable=False, default=list)
    on_shelf = db.Column(db.Boolean, nullable=False, default=True)
    is_featured = db.Column(db.Boolean, nullable=False, default=False)
    sort = db.Column(db.Integer, nullable=False, default=0)
    sales = db.Column(db.Integer, nullable=False, default=0)
    #: Kept by the catalog service from the SKUs and images so list pages need no joins.
    min_price_fen = db.Column(db.BigInteger, nullable=False, default=0)
    cover_path = db.Column(db.String(255))
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    updated_at = db.Column(db.DateTime, nullable=False, default=utcnow, onupdate=utcnow)

    category = db.relationship("Category")
    images = db.relationship("ProductImage", order_by="ProductImage.sort", cascade="all, delete-orphan")
    skus = db.relationship("Sku", order_by="Sku.id", cascade="all, delete-orphan", back_populates="product")

    @property
    def total_stock(self):
        return sum(s.stock for s in self.skus if s.is_active)

    @property
    def active_skus(self):
        return [s for s in self.skus if s.is_active]

    @property
    def full_price_fen(self):
        """What the whole product costs: its most expensive active SKU (a 助力免单 reward's worth)."""
        return max((s.price_fen for s in self.skus if s.is_active), default=0)


class ProductImage(db.Model):
    __tablename__ = "product_images"
    id = db.Column(db.Integer, primary_key=True)
    product_id = db.Column(db.Integer, db.ForeignKey("products.id", ondelete="CASCADE"), nullable=False,
                           index=True)
    #: Path under the instance upload folder, served at /media/<path>.
    path = db.Column(db.String(255), nullable=False)
    sort = db.Column(db.Integer, nullable=False, default=0)


class Sku(db.Model):
    __tablename__ = "skus"
    __table_args__ = (
        db.CheckConstraint("stock >= 0", name="stock_not_negative"),
        db.CheckConstraint("price_fen >= 0", name="price_not_negative"),
    )
    id = db.Column(db.Integer, primary_key=True)
    product_id = db.Column(db.Integer, db.ForeignKey("products.id", ondelete="CASCADE"), nullable=False,
                           index=True)
    #: Spec values in the product's spec_names order, e.g. ["红", "XL"].
    spec_values = db.Column(db.JSON, nullable=False, default=list)
    price_fen = db.Column(db.BigInteger, nullable=False)
    original_price_fen = db.Column(db.BigInteger, nullable=False, default=0)
    stock = db.Column(db.Integer, nullable=False, default=0)
    code = db.Column(db.String(64), unique=True)
    is_active = db.Column(db.Boolean, nullable=False, default=True)

    product = db.relationship("Product", back_populates="skus")

    @property
    def spec_text(self):
        """'颜色: 红, 尺码: XL' — what the order line snapshots."""
        names = self.product.spec_names or []
        return ", ".join(f"{n}: {v}" for n, v in zip(names, self.spec_values or []))
