"""The merchant's products: the list, the product form with SKUs and images, on/off the shelf, the product's own
commission and its promotion materials (推广素材)."""
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ...catalog.images import save_upload
from ...catalog.models import Product
from ...catalog.services import category_ids_under, check_sku_codes, save_product
from ...center.models import PromoMaterial
from ...clock import utcnow
from ...database import transaction
from ...distribution import rules as commission_rules
from ...distribution.models import ProductCommission
from ...errors import NotFound, ServiceError, found
from ...extensions import db
from ...pagination import paginate
from ..sorting import Sorting

MAX_IMAGES = 9


#: The product list's sortable columns: newest first by default (a product just created is at the top); "sort" is
#: the storefront's order (the sort value).
SORTING = Sorting({"created": Product.created_at, "title": Product.title, "price": Product.min_price_fen,
                   "sales": Product.sales, "sort": Product.sort}, default="created", tiebreak=Product.id)


def merchant_products(q=None, category_id=None, shelf=None, sort=SORTING.standard, page=1):
    """Every product (on or off the shelf), filtered, in the chosen order; SKUs and categories come in two queries,
    not one a row."""
    stmt = select(Product).options(selectinload(Product.skus), selectinload(Product.category))
    q = (q or "").strip()[:50]
    if q:
        stmt = stmt.where(Product.title.contains(q, autoescape=True))
    if category_id:
        stmt = stmt.where(Product.category_id.in_(category_ids_under(category_id)))
    if shelf in ("on", "off"):
        stmt = stmt.where(Product.on_shelf.is_(shelf == "on"))
    return paginate(stmt.order_by(*sort.order_by()), page)


def get_product(product_id):
    """Any product, on the shelf or not, with its SKUs and images; or 404."""
    return found(db.session.scalar(select(Product).where(Product.id == product_id)
                                   .options(selectinload(Product.skus), selectinload(Product.images))),
                 _("商品不存在"))


def set_on_shelf(product, on_shelf):
    """Put a product on the shelf or take it off; commits."""
    with transaction():
        product.on_shelf = bool(on_shelf)
    return product


def upload_request_limit():
    """Largest request a product form may send: MAX_IMAGES images plus the text fields."""
    return MAX_IMAGES * current_app.config["MAX_IMAGE_BYTES"] + 256 * 1024


def save_merchant_product(data, image_order=(), uploads=(), product=None):
    """Save a product from the admin form: kept images in the chosen order, then new uploads; commits.

    data: what catalog.services.save_product takes, without image_paths. image_order: [(image id, sort)]
    of the images to keep. uploads: werkzeug FileStorage objects. A refusal changes nothing in the database.
    """
    with transaction():
        current = {img.id: img.path for img in product.images} if product is not None else {}
        kept = [current[i] for i, _sort in sorted(image_order, key=lambda pair: pair[1]) if i in current]
        if len(kept) + len(uploads) > MAX_IMAGES:
            raise ServiceError(_("每个商品最多%(n)s张图片", n=MAX_IMAGES))
        check_sku_codes(data.get("skus") or [], product)
        paths = kept + [save_upload(f) for f in uploads]
        # The same picture uploaded twice is stored once (files are named by content).
        product = save_product(dict(data, image_paths=list(dict.fromkeys(paths))), product)
    return product


# ---- the product's own commission ------------------------------------------------------------------------

def commission_levels():
    """How many levels earn commission now (1..3)."""
    return commission_rules.current_settings().levels


def product_overrides(product_id):
    """{level: ProductCommission} of one product."""
    rows = db.session.scalars(select(ProductCommission).where(ProductCommission.product_id == product_id))
    return {row.level: row for row in rows}


def save_product_commission(product, overrides, actor):
    """Replace the product's overrides of the enabled levels (those of levels switched off are kept for later);
    a new rule version; commits."""
    with transaction():
        kept = {level: (row.mode, row.value) for level, row in product_overrides(product.id).items()
                if level > commission_levels()}
        version = commission_rules.set_product_commission(product.id, {**kept, **overrides}, actor)
    return version


# ---- promotion materials (推广素材) ---------------------------------------------------------------------

def product_materials(product_id):
    """The product's promotion materials in the order distributors see them."""
    return db.session.scalars(select(PromoMaterial).where(PromoMaterial.product_id == product_id)
                              .order_by(PromoMaterial.sort.desc(), PromoMaterial.id.desc())).all()


def add_promo_material(product, text, upload=None, sort=0):
    """Attach a text (and optionally a checked, stored picture) to a product for distributors; commits."""
    with transaction():
        text = (text or "").strip()
        if not text or len(text) > 1000:
            raise ServiceError(_("推广文案必填，最多1000字"))
        material = PromoMaterial(product_id=product.id, text=text, sort=int(sort or 0),
                                 image_path=save_upload(upload) if upload is not None else None, created_at=utcnow())
        db.session.add(material)
    return material


def delete_promo_material(product, material_id):
    """Remove one of the product's materials (the picture file stays: files are shared by content); commits."""
    with transaction():
        material = db.session.get(PromoMaterial, material_id)
        if material is None or material.product_id != product.id:
            raise NotFound(_("推广素材不存在"))
        db.session.delete(material)
