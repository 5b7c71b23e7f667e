"""Merchant admin use cases: dashboard figures, product and category editing, order lookup, shipping rule,
and the distribution area (settings, commission rules, grades, applications, distributors)."""

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from ..accounts.models import User
from ..accounts.services import find_user_by_phone, normalize_phone
from ..catalog.images import save_upload
from ..catalog.models import Category, Product, Sku
from ..catalog.services import category_ids_under, save_product
from ..center.models import PromoMaterial
from ..clock import today_start, utcnow
from ..database import transaction
from ..distribution import binding
from ..distribution import rules as commission_rules
from ..distribution import services as distribution
from ..distribution.models import (
    Application,
    BindingLog,
    Distributor,
    Grade,
    GradeChange,
    ProductCommission,
    ReferralNode,
    RuleVersion,
)
from ..errors import NotFound, ServiceError
from ..extensions import db
from ..orders import status as st
from ..orders.models import Order
from ..settings import get_setting, set_setting

PER_PAGE = 20
#: SKUs at or below this stock are listed on the dashboard.
LOW_STOCK = 5
MAX_IMAGES = 9


def _like(text):
    """A LIKE pattern matching text anywhere, with the wildcards in it escaped."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


# ---- dashboard -------------------------------------------------------------------------------------------

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
    """Remove one of the product's materials (the picture file stays: files are shared by content)."""
    with transaction():
        material = db.session.get(PromoMaterial, material_id)
        if material is None or material.product_id != product.id:
            raise NotFound(_("推广素材不存在"))
        db.session.delete(material)


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


# ---- distribution: settings and rules --------------------------------------------------------------------

DISTRIBUTION_SETTINGS = ("distribution_mode", "distribution_threshold_fen", "bind_scope", "bind_moment",
                         "bind_valid_days")
DISTRIBUTION_CHOICES = {"distribution_mode": ("everyone", "apply", "threshold"), "bind_scope": ("any", "new"),
                        "bind_moment": ("visit", "paid")}
#: Rule versions listed under the commission rules.
RECENT_VERSIONS = 10
#: Entries of a distributor's grade and binding history shown on their page.
HISTORY_LIMIT = 50


def distribution_settings():
    """The merchant's distribution mode and binding rules, as stored (or their defaults)."""
    return {key: get_setting(key) for key in DISTRIBUTION_SETTINGS}


def save_distribution_settings(values):
    """Store the distribution mode and binding rules; a threshold of None keeps the stored one."""
    with transaction():
        for key, allowed in DISTRIBUTION_CHOICES.items():
            if values.get(key) not in allowed:
                raise ServiceError(_("分销设置无效"))
        threshold, days = values.get("distribution_threshold_fen"), values.get("bind_valid_days")
        if threshold is None:
            threshold = get_setting("distribution_threshold_fen")
        if threshold < 0 or (values["distribution_mode"] == "threshold" and threshold == 0):
            raise ServiceError(_("请填写大于0的消费门槛"))
        if days is None or not 0 <= days <= 3650:
            raise ServiceError(_("请填写1到3650之间的天数"))
        for key in DISTRIBUTION_SETTINGS:
            set_setting(key, int(threshold) if key == "distribution_threshold_fen" else values[key])


def commission_settings():
    """The global commission rules row."""
    return commission_rules.current_settings()


def commission_levels():
    """How many levels earn commission now (1..3)."""
    return commission_settings().levels


def save_commission_rules(actor, **values):
    """Change the global rules through the guard (refused above 3 levels or over the cap); a new rule version."""
    with transaction():
        version = commission_rules.update_global_rules(actor=actor, **values)
    return version


def recent_rule_versions(limit=RECENT_VERSIONS):
    """The newest rule versions, newest first."""
    return db.session.scalars(select(RuleVersion).order_by(RuleVersion.id.desc()).limit(limit)).all()


def product_overrides(product_id):
    """{level: ProductCommission} of one product."""
    rows = db.session.scalars(select(ProductCommission).where(ProductCommission.product_id == product_id))
    return {row.level: row for row in rows}


def save_product_commission(product, overrides, actor):
    """Replace the product's overrides of the enabled levels; those of levels switched off are kept for later."""
    with transaction():
        kept = {level: (row.mode, row.value) for level, row in product_overrides(product.id).items()
                if level > commission_levels()}
        version = commission_rules.set_product_commission(product.id, {**kept, **overrides}, actor)
    return version


# ---- distribution: grades --------------------------------------------------------------------------------

def grades():
    """Every grade, lowest first."""
    return db.session.scalars(select(Grade).order_by(Grade.rank, Grade.id)).all()


def get_grade(grade_id):
    grade = db.session.get(Grade, grade_id)
    if grade is None:
        raise NotFound(_("分销等级不存在"))
    return grade


def save_grade(actor, values, grade=None):
    """Create or edit a grade; names and ranks are unique, rates pass the guard (a new rule version)."""
    with transaction():
        others = select(Grade.id).where(Grade.id != grade.id) if grade is not None else select(Grade.id)
        if db.session.scalar(others.where(Grade.name == (values.get("name") or "").strip())):
            raise ServiceError(_("等级名称「%(name)s」已存在", name=values["name"]))
        if values.get("rank") is not None and db.session.scalar(others.where(Grade.rank == values["rank"])):
            raise ServiceError(_("等级高低 %(rank)s 已被其他等级使用", rank=values["rank"]))
        grade = commission_rules.save_grade(actor=actor, grade=grade, **values)
    return grade


# ---- distribution: applications --------------------------------------------------------------------------

def applications(status="pending", page=1):
    """Pending applications (oldest first, as they are worked through) or processed ones (newest first)."""
    stmt = select(Application).options(joinedload(Application.user))
    if status == "pending":
        stmt = stmt.where(Application.status == "pending").order_by(Application.id)
    else:
        stmt = stmt.where(Application.status != "pending").order_by(Application.id.desc())
    return db.paginate(stmt, page=page, per_page=PER_PAGE, error_out=False)


def pending_application_count():
    return db.session.scalar(select(func.count(Application.id)).where(Application.status == "pending"))


def get_application(application_id):
    application = db.session.get(Application, application_id)
    if application is None:
        raise NotFound(_("申请不存在"))
    return application


def approve_application(application, actor):
    """Approve: the member becomes a distributor."""
    with transaction():
        distribution.approve(application.id, actor)
    return application


def reject_application(application, actor, reason):
    """Reject with the reason the member reads (required)."""
    with transaction():
        distribution.reject(application.id, actor, reason)
    return application


# ---- distribution: distributors --------------------------------------------------------------------------

def merchant_distributors(q=None, status=None, page=1):
    """Distributors newest first, by phone, nickname or invite code; (page, {user_id: ReferralNode}).

    Members, grades and the page's tree nodes come in a fixed number of queries whatever the page holds.
    """
    stmt = (select(Distributor).join(User, User.id == Distributor.user_id)
            .options(contains_eager(Distributor.user), joinedload(Distributor.grade)))
    q = (q or "").strip()[:20]
    if q:
        stmt = stmt.where(or_(User.phone.like(_like(q), escape="\\"), User.nickname.like(_like(q), escape="\\"),
                              Distributor.invite_code == q.upper()))
    if status in ("active", "disabled"):
        stmt = stmt.where(Distributor.status == status)
    distributors = db.paginate(stmt.order_by(Distributor.joined_at.desc(), Distributor.user_id.desc()),
                               page=page, per_page=PER_PAGE, error_out=False)
    ids = [d.user_id for d in distributors.items]
    nodes = {n.user_id: n for n in db.session.scalars(select(ReferralNode).where(ReferralNode.user_id.in_(ids)))} \
        if ids else {}
    return distributors, nodes


def get_distributor(user_id):
    """A distributor with their member and grade; or 404."""
    distributor = db.session.scalar(select(Distributor).where(Distributor.user_id == user_id)
                                    .options(joinedload(Distributor.user), joinedload(Distributor.grade)))
    if distributor is None:
        raise NotFound(_("分销商不存在"))
    return distributor


class TeamPage:
    """One page of a distributor's level-1 members, shaped like a Flask-SQLAlchemy pagination for the pager."""

    def __init__(self, rows, page, per_page, total):
        self.items, self.page, self.per_page, self.total = rows, page, per_page, total
        self.pages = max(1, -(-total // per_page))
        self.has_prev, self.prev_num = page > 1, page - 1
        self.has_next, self.next_num = page < self.pages, page + 1


def distributor_detail(distributor, page=1):
    """What the merchant sees about one distributor: binding, figures, level-1 members, grade and binding history."""
    user_id = distributor.user_id
    node = db.session.get(ReferralNode, user_id)
    counts = distribution.team_counts(user_id)
    page = max(1, page or 1)
    members = TeamPage(distribution.team_page(user_id, 1, page=page, per_page=PER_PAGE), page, PER_PAGE, counts[1])
    changes = db.session.scalars(select(GradeChange).where(GradeChange.user_id == user_id)
                                 .order_by(GradeChange.id.desc()).limit(HISTORY_LIMIT)).all()
    logs = db.session.scalars(select(BindingLog).where(BindingLog.user_id == user_id)
                              .order_by(BindingLog.id.desc()).limit(HISTORY_LIMIT)).all()
    user_ids = {node.referrer_id} if node is not None else set()
    user_ids |= {i for log in logs for i in (log.old_referrer_id, log.new_referrer_id, log.actor_id)}
    user_ids.discard(None)
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(user_ids)))} if user_ids else {}
    return {"node": node, "referrer": users.get(node.referrer_id) if node is not None else None,
            "counts": counts, "members": members, "grade_changes": changes, "binding_logs": logs, "users": users,
            "grades": {g.id: g for g in grades()} if changes else {}}


def set_distributor_active(user_id, active):
    """Disable (history stays, nothing new is earned) or re-enable a distributor."""
    with transaction():
        distributor = distribution.set_active(get_distributor(user_id).user_id, active)
    return distributor


def move_referrer(distributor, referrer_phone, reason, actor):
    """调整上级: move the member (with their team) under the member with this phone, or to the top when blank."""
    with transaction():
        new_referrer_id = None
        if referrer_phone:
            referrer = find_user_by_phone(normalize_phone(referrer_phone))
            if referrer is None:
                raise ServiceError(_("没有手机号为 %(phone)s 的会员", phone=referrer_phone))
            new_referrer_id = referrer.id
        node = binding.admin_move(distributor.user_id, new_referrer_id, actor, reason)
    return node
