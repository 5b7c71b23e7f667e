"""Merchant admin use cases: dashboard figures, product and category editing, order lookup, shipping rule."""
from contextlib import contextmanager
from datetime import timezone

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import joinedload, selectinload

from ..catalog.images import save_upload
from ..catalog.models import Category, Product, Sku
from ..catalog.services import category_ids_under, save_product
from ..errors import NotFound, ServiceError
from ..extensions import db
from ..money import utcnow
from ..orders import status as st
from ..orders.models import Order
from ..settings import get_setting, set_setting
from ..templating import CHINA

PER_PAGE = 20
#: SKUs at or below this stock are listed on the dashboard.
LOW_STOCK = 5
MAX_IMAGES = 9


def _like(text):
    """A LIKE pattern matching text anywhere, with the wildcards in it escaped."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


@contextmanager
def transaction():
    """Commit what the block did, or roll all of it back on a refusal or error."""
    try:
        yield
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise


# ---- dashboard -------------------------------------------------------------------------------------------

def today_start(now=None):
    """Midnight of today in China time, as naive UTC like every timestamp column."""
    local = (now or utcnow()).replace(tzinfo=timezone.utc).astimezone(CHINA)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight.astimezone(timezone.utc).replace(tzinfo=None)


def order_status_counts():
    """{status: count} over every order."""
    return dict(db.session.execute(select(Order.status, func.count()).group_by(Order.status)).all())


def low_stock_skus(limit=50):
    """Active SKUs with LOW_STOCK or fewer left, emptiest first, each with its product."""
    return db.session.scalars(
        select(Sku).where(Sku.is_active.is_(True), Sku.stock <= LOW_STOCK).options(joinedload(Sku.product))
        .order_by(Sku.stock, Sku.id).limit(limit)).all()


def dashboard_figures(now=None):
    """What the merchant sees first: today's orders, orders waiting on someone, catalog size, low stock."""
    counts = order_status_counts()
    return {
        "today_orders": db.session.scalar(select(func.count(Order.id)).where(Order.created_at >= today_start(now))),
        "pending": counts.get(st.PENDING, 0),
        "to_ship": counts.get(st.PAID, 0),
        "products": db.session.scalar(select(func.count(Product.id))),
        "low_stock": low_stock_skus(),
    }


# ---- products --------------------------------------------------------------------------------------------

def merchant_products(q=None, category_id=None, shelf=None, page=1):
    """Every product (on or off the shelf), filtered; SKUs and categories come in two queries, not one a row."""
    stmt = select(Product).options(selectinload(Product.skus), selectinload(Product.category))
    q = (q or "").strip()[:50]
    if q:
        stmt = stmt.where(Product.title.like(_like(q), escape="\\"))
    if category_id:
        stmt = stmt.where(Product.category_id.in_(category_ids_under(category_id)))
    if shelf in ("on", "off"):
        stmt = stmt.where(Product.on_shelf.is_(shelf == "on"))
    return db.paginate(stmt.order_by(Product.sort.desc(), Product.id.desc()), page=page, per_page=PER_PAGE,
                       error_out=False)


def get_product(product_id):
    """Any product, on the shelf or not, with its SKUs and images; or 404."""
    product = db.session.scalar(select(Product).where(Product.id == product_id)
                                .options(selectinload(Product.skus), selectinload(Product.images)))
    if product is None:
        raise NotFound(_("商品不存在"))
    return product


def set_on_shelf(product, on_shelf):
    """Put a product on the shelf or take it off."""
    with transaction():
        product.on_shelf = bool(on_shelf)
    return product


def upload_request_limit():
    """Largest request a product form may send: MAX_IMAGES images plus the text fields."""
    return MAX_IMAGES * current_app.config["MAX_IMAGE_BYTES"] + 256 * 1024


def check_sku_codes(rows, product=None):
    """Refuse SKU codes repeated in the rows or already held by another SKU (codes are unique)."""
    codes = [(row.get("code") or "").strip() for row in rows]
    codes = [c for c in codes if c]
    for code in codes:
        if codes.count(code) > 1:
            raise ServiceError(_("SKU编码「%(code)s」重复了", code=code))
    if not codes:
        return
    holders = dict(db.session.execute(select(Sku.code, Sku.id).where(Sku.code.in_(codes))).all())
    own = {s.id for s in product.skus} if product is not None else set()
    for row in rows:
        holder = holders.get((row.get("code") or "").strip())
        if holder is not None and not (holder == row.get("id") and holder in own):
            raise ServiceError(_("SKU编码「%(code)s」已被其他规格使用", code=row["code"].strip()))


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


# ---- categories ------------------------------------------------------------------------------------------

def category_tree():
    """Every top-level category with all its children, hidden ones included, in display order."""
    return db.session.scalars(select(Category).where(Category.parent_id.is_(None))
                              .options(selectinload(Category.children))
                              .order_by(Category.sort.desc(), Category.id)).all()


def category_choices(blank_label):
    """(id, label) pairs for a product's category select, children indented under their parent."""
    choices = [(0, blank_label)]
    for top in category_tree():
        choices.append((top.id, top.name))
        choices.extend((child.id, "\u3000└ " + child.name) for child in top.children)
    return choices


def parent_choices(blank_label, category=None):
    """(id, label) pairs of the top-level categories category may sit under (never itself)."""
    tops = db.session.scalars(select(Category).where(Category.parent_id.is_(None))
                              .order_by(Category.sort.desc(), Category.id)).all()
    return [(0, blank_label)] + [(c.id, c.name) for c in tops if category is None or c.id != category.id]


def get_category(category_id):
    category = db.session.get(Category, category_id)
    if category is None:
        raise NotFound(_("分类不存在"))
    return category


def save_category(data, category=None):
    """Create or update a category; categories are two levels deep, so only a top-level one may be a parent.

    data: name, parent_id (0 or None for top level), sort, is_visible.
    """
    with transaction():
        name = (data.get("name") or "").strip()
        if not name or len(name) > 40:
            raise ServiceError(_("分类名称必填，最多40字"))
        parent = db.session.get(Category, data["parent_id"]) if data.get("parent_id") else None
        if data.get("parent_id") and parent is None:
            raise ServiceError(_("上级分类不存在"))
        if parent is not None:
            if parent.parent_id is not None:
                raise ServiceError(_("只有一级分类可以作为上级分类"))
            if category is not None and parent.id == category.id:
                raise ServiceError(_("不能把分类设为自己的上级"))
            if category is not None and category.children:
                raise ServiceError(_("「%(name)s」下还有子分类，不能再设为二级分类", name=category.name))
        if category is None:
            category = Category()
            db.session.add(category)
        category.name, category.parent = name, parent
        category.sort, category.is_visible = int(data.get("sort") or 0), bool(data.get("is_visible"))
    return category


def delete_category(category):
    """Delete a category without children; its products stay, with no category."""
    with transaction():
        if category.children:
            raise ServiceError(_("「%(name)s」下还有子分类，请先删除或移走子分类", name=category.name))
        db.session.execute(update(Product).where(Product.category_id == category.id).values(category_id=None))
        db.session.delete(category)


# ---- orders ----------------------------------------------------------------------------------------------

def merchant_orders(status=None, q=None, page=1):
    """Every shopper's orders, newest first, by status and/or order number or recipient phone."""
    stmt = select(Order).options(selectinload(Order.lines), selectinload(Order.user))
    if status in st.ALL:
        stmt = stmt.where(Order.status == status)
    q = (q or "").strip()[:32]
    if q:
        stmt = stmt.where(or_(Order.order_no.like(_like(q), escape="\\"),
                              Order.recipient_phone.like(_like(q), escape="\\")))
    return db.paginate(stmt.order_by(Order.id.desc()), page=page, per_page=PER_PAGE, error_out=False)


def get_order(order_no):
    """Any shopper's order by number, with its lines; or 404."""
    order = db.session.scalar(select(Order).where(Order.order_no == str(order_no)[:32])
                              .options(selectinload(Order.lines), joinedload(Order.user)))
    if order is None:
        raise NotFound(_("订单不存在"))
    return order


# ---- settings --------------------------------------------------------------------------------------------

def shipping_rule():
    """The current flat fee and free-shipping threshold, in fen."""
    return {"shipping_fee": get_setting("shipping_fee_fen"),
            "free_shipping_threshold": get_setting("free_shipping_threshold_fen")}


def save_shipping_rule(fee_fen, threshold_fen):
    """Store the flat shipping fee and the goods total that ships free (0 = never free)."""
    with transaction():
        if fee_fen is None or threshold_fen is None or fee_fen < 0 or threshold_fen < 0:
            raise ServiceError(_("运费和包邮门槛不能为负"))
        set_setting("shipping_fee_fen", int(fee_fen))
        set_setting("free_shipping_threshold_fen", int(threshold_fen))
