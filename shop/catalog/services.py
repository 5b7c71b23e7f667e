"""Catalog use cases and rules: browse, search, show, the merchant's product editing, SKU codes and the
two-level category tree."""
import nh3
from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload, selectinload

from ..errors import NotFound, ServiceError
from ..extensions import db
from .models import Category, Product, ProductImage, Sku

PER_PAGE = 10
SORTS = {
    "default": (Product.sort.desc(), Product.id.desc()),
    "sales": (Product.sales.desc(), Product.id.desc()),
    "new": (Product.id.desc(),),
    "price_asc": (Product.min_price_fen.asc(), Product.id.desc()),
    "price_desc": (Product.min_price_fen.desc(), Product.id.desc()),
}
DESCRIPTION_TAGS = {"p", "br", "strong", "em", "b", "i", "u", "ul", "ol", "li", "h3", "h4", "img", "span",
                    "blockquote", "table", "thead", "tbody", "tr", "td", "th"}


def sanitize_description(html):
    """Keep formatting and images; drop scripts, handlers and anything else."""
    return nh3.clean(html or "", tags=DESCRIPTION_TAGS,
                     attributes={"img": {"src", "alt", "width", "height"}, "td": {"colspan", "rowspan"}},
                     url_schemes={"http", "https"})


def top_categories():
    """Visible top-level categories with their children (two queries); a larger sort comes first."""
    return db.session.scalars(
        select(Category).where(Category.parent_id.is_(None), Category.is_visible.is_(True))
        .options(selectinload(Category.children)).order_by(Category.sort.desc(), Category.id)).all()


def category_shelf(category_id, page, sort):
    """(top categories, the category shown or None, its page of products or None): the category page. The first
    top category when none is asked for. Reads only."""
    tops = top_categories()
    current = category_id or (tops[0].id if tops else None)
    category = db.session.get(Category, current) if current else None
    products = paginate_shelf(page=page, category_id=current, sort=sort) if category else None
    return tops, category, products


def category_ids_under(category_id):
    """The category and its children."""
    return [category_id] + list(db.session.scalars(select(Category.id).where(Category.parent_id == category_id)))


def shelf_query(category_id=None, q=None, sort="default"):
    """On-shelf products, optionally in a category (with its children) or matching a search."""
    stmt = select(Product).where(Product.on_shelf.is_(True))
    if category_id:
        stmt = stmt.where(Product.category_id.in_(category_ids_under(category_id)))
    q = (q or "").strip()[:50]
    if q:
        stmt = stmt.where(or_(Product.title.contains(q, autoescape=True), Product.subtitle.contains(q, autoescape=True)))
    return stmt.order_by(*SORTS.get(sort, SORTS["default"]))


def paginate_shelf(page=1, per_page=PER_PAGE, **filters):
    """One page of shelf_query(**filters); a page past the end is empty."""
    return db.paginate(shelf_query(**filters), page=page, per_page=per_page, max_per_page=50, error_out=False)


def featured_products(limit=6):
    """On-shelf products marked for the home page, in display order."""
    return db.session.scalars(select(Product).where(Product.on_shelf.is_(True), Product.is_featured.is_(True))
                              .order_by(Product.sort.desc(), Product.id.desc()).limit(limit)).all()


def new_products(limit=10):
    """The newest on-shelf products."""
    return db.session.scalars(select(Product).where(Product.on_shelf.is_(True))
                              .order_by(Product.id.desc()).limit(limit)).all()


def get_product_for_shopper(product_id):
    """An on-shelf product with its SKUs and category (joined; the category is the coupon panel's scope), or 404.
    Its images load when the page's gallery is rendered (not when it comes from the fragment cache)."""
    product = db.session.scalar(select(Product).where(Product.id == product_id)
                                .options(joinedload(Product.skus), joinedload(Product.category)))
    if product is None or not product.on_shelf:
        raise NotFound(_("商品不存在或已下架"))
    return product


def refresh_product_summary(product):
    """Recompute the list-page fields (lowest price, cover) from SKUs and images. Joins the caller's transaction."""
    prices = [s.price_fen for s in product.skus if s.is_active]
    product.min_price_fen = min(prices) if prices else 0
    product.cover_path = product.images[0].path if product.images else None


def save_product(data, product=None):
    """Create or update a product with its spec names, SKUs and image paths; joins the caller's transaction.

    data: title, subtitle, category_id, description, on_shelf, is_featured, sort, spec_names,
    skus ([{id?, spec_values, price_fen, original_price_fen, stock, code}]), image_paths (ordered).
    """
    title = (data.get("title") or "").strip()
    if not title or len(title) > 120:
        raise ServiceError(_("商品标题必填，最多120字"))
    skus = data.get("skus") or []
    if not skus:
        raise ServiceError(_("至少需要一个规格(SKU)"))
    spec_names = [n.strip() for n in data.get("spec_names") or [] if n.strip()]
    if product is None:
        product = Product()
        db.session.add(product)
    product.title = title
    product.subtitle = (data.get("subtitle") or "").strip()[:200]
    product.category_id = data.get("category_id") or None
    product.description_html = sanitize_description(data.get("description"))
    product.on_shelf = bool(data.get("on_shelf", True))
    product.is_featured = bool(data.get("is_featured", False))
    product.sort = int(data.get("sort") or 0)
    product.spec_names = spec_names
    existing = {s.id: s for s in product.skus}
    keep = []
    for row in skus:
        values = [str(v).strip() for v in row.get("spec_values") or []]
        if len(values) != len(spec_names):
            raise ServiceError(_("每个SKU的规格值数量必须与规格名一致"))
        price, original, stock = int(row["price_fen"]), int(row.get("original_price_fen") or 0), int(row["stock"])
        if price <= 0 or original < 0 or stock < 0:
            raise ServiceError(_("价格必须大于0，库存不能为负"))
        sku = existing.get(row.get("id")) or Sku()
        sku.spec_values, sku.price_fen, sku.original_price_fen, sku.stock = values, price, original, stock
        sku.code = (row.get("code") or "").strip() or None
        sku.is_active = True
        keep.append(sku)
    # SKUs that orders may reference are deactivated rather than deleted.
    for sku in existing.values():
        if sku not in keep:
            sku.is_active = False
            keep.append(sku)
    product.skus = keep
    if "image_paths" in data:
        product.images = [ProductImage(path=p, sort=i) for i, p in enumerate(data["image_paths"])]
    refresh_product_summary(product)
    db.session.flush()
    return product


def check_sku_codes(rows, product=None):
    """Refuse SKU codes repeated in the rows or already held by another SKU (codes are unique); reads only."""
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


def category_parent(parent_id, category=None):
    """The parent with id parent_id that category (None: a new one) may sit under, None for the top level; reads only.

    Categories are two levels deep: only a top-level category may be a parent, never of itself, and a category
    with children stays top-level. Anything else is refused with a ServiceError."""
    parent = db.session.get(Category, parent_id) if parent_id else None
    if parent_id and parent is None:
        raise ServiceError(_("上级分类不存在"))
    if parent is not None:
        if parent.parent_id is not None:
            raise ServiceError(_("只有一级分类可以作为上级分类"))
        if category is not None and parent.id == category.id:
            raise ServiceError(_("不能把分类设为自己的上级"))
        if category is not None and category.children:
            raise ServiceError(_("「%(name)s」下还有子分类，不能再设为二级分类", name=category.name))
    return parent
