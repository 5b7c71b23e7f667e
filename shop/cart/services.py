"""Cart use cases. A guest's cart lives in the session as {sku_id: [quantity, selected]}
and merges into the member's cart at login."""
from dataclasses import dataclass

from flask import session
from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.orm import joinedload

from ..catalog.models import Sku
from ..database import transaction
from ..errors import ServiceError
from ..extensions import db
from .models import CartItem

MAX_QUANTITY = 99
SESSION_KEY = "cart"


@dataclass
class CartLine:
    sku: Sku
    quantity: int
    selected: bool

    @property
    def product(self):
        return self.sku.product

    @property
    def available(self):
        return self.sku.is_active and self.product.on_shelf and self.sku.stock >= self.quantity

    @property
    def line_total_fen(self):
        return self.sku.price_fen * self.quantity


def parse_quantity(raw):
    """A quantity from a form: an integer 1..99, else a clear refusal. No database access."""
    try:
        qty = int(str(raw).strip())
    except (TypeError, ValueError):
        raise ServiceError(_("数量必须是整数"))
    if not 1 <= qty <= MAX_QUANTITY:
        raise ServiceError(_("数量应在1到%(max)s之间", max=MAX_QUANTITY))
    return qty


def buyable_sku(sku_id):
    """An active SKU of an on-shelf product, or a refusal. Reads only."""
    sku = db.session.scalar(select(Sku).where(Sku.id == sku_id).options(joinedload(Sku.product)))
    if sku is None or not sku.is_active or not sku.product.on_shelf:
        raise ServiceError(_("商品不存在或已下架"), status=404)
    return sku


def _guest_cart():
    return {int(k): v for k, v in session.get(SESSION_KEY, {}).items()}


def _save_guest_cart(cart):
    session[SESSION_KEY] = {str(k): v for k, v in cart.items()}


def _member_item(user, sku_id):
    return db.session.scalar(select(CartItem).where(CartItem.user_id == user.id, CartItem.sku_id == sku_id))


def add_to_cart(user, sku_id, quantity):
    """Add quantity of a SKU, capped by stock; returns the new quantity in the cart. Owns its transaction."""
    with transaction():
        sku = buyable_sku(sku_id)
        qty = parse_quantity(quantity)
        if user.is_authenticated:
            item = _member_item(user, sku.id)
            total = qty + (item.quantity if item else 0)
        else:
            cart = _guest_cart()
            total = qty + (cart.get(sku.id, [0])[0])
        if total > min(sku.stock, MAX_QUANTITY):
            raise ServiceError(_("库存不足，最多可购买%(n)s件", n=min(sku.stock, MAX_QUANTITY)))
        if user.is_authenticated:
            if item is None:
                db.session.add(CartItem(user_id=user.id, sku_id=sku.id, quantity=total))
            else:
                item.quantity, item.selected = total, True
            db.session.flush()
        else:
            cart[sku.id] = [total, True]
            _save_guest_cart(cart)
    return total


def update_line(user, sku_id, quantity=None, selected=None):
    """Change a line's quantity or tick; a line the shopper does not have is a 404. Owns its transaction."""
    qty = parse_quantity(quantity) if quantity is not None else None
    if user.is_authenticated:
        with transaction():
            item = _member_item(user, sku_id)
            if item is None:
                raise ServiceError(_("购物车里没有这件商品"), status=404)
            if qty is not None:
                item.quantity = qty
            if selected is not None:
                item.selected = bool(selected)
    else:
        cart = _guest_cart()
        if sku_id not in cart:
            raise ServiceError(_("购物车里没有这件商品"), status=404)
        line = cart[sku_id]
        cart[sku_id] = [qty if qty is not None else line[0], line[1] if selected is None else bool(selected)]
        _save_guest_cart(cart)


def select_all(user, selected):
    """Tick or untick every line. Owns its transaction."""
    if user.is_authenticated:
        with transaction():
            db.session.execute(CartItem.__table__.update().where(CartItem.user_id == user.id)
                               .values(selected=bool(selected)))
    else:
        _save_guest_cart({k: [v[0], bool(selected)] for k, v in _guest_cart().items()})


def remove_lines(user, sku_ids):
    """Remove lines by SKU id (ids the shopper does not have are ignored). Owns its transaction
    (joins place_order's when the order empties the cart)."""
    sku_ids = [int(i) for i in sku_ids]
    if user.is_authenticated:
        with transaction():
            db.session.execute(delete(CartItem).where(CartItem.user_id == user.id, CartItem.sku_id.in_(sku_ids)))
    else:
        _save_guest_cart({k: v for k, v in _guest_cart().items() if k not in sku_ids})


def load_cart(user):
    """The shopper's cart lines with SKU and product loaded in one query. Reads only."""
    if user.is_authenticated:
        rows = db.session.execute(
            select(CartItem, Sku).join(Sku, Sku.id == CartItem.sku_id)
            .options(joinedload(Sku.product)).where(CartItem.user_id == user.id).order_by(CartItem.id.desc())
        ).all()
        return [CartLine(sku, item.quantity, item.selected) for item, sku in rows]
    cart = _guest_cart()
    if not cart:
        return []
    skus = {s.id: s for s in db.session.scalars(select(Sku).where(Sku.id.in_(cart.keys()))
                                                   .options(joinedload(Sku.product)))}
    return [CartLine(skus[k], v[0], v[1]) for k, v in reversed(list(cart.items())) if k in skus]


def cart_count(user):
    """Number of pieces in the cart, for the tab bar badge. Reads only."""
    if user.is_authenticated:
        return user.cart_pieces
    return sum(v[0] for v in _guest_cart().values())


def merge_guest_cart(user):
    """At login: add the session cart to the member's, capped by stock, then clear it.
    Joins the caller's transaction (signin.start_session)."""
    cart = _guest_cart()
    if not cart:
        return
    skus = {s.id: s for s in db.session.scalars(select(Sku).where(Sku.id.in_(cart.keys())))}
    for sku_id, (qty, selected) in cart.items():
        sku = skus.get(sku_id)
        if sku is None or not sku.is_active:
            continue
        item = _member_item(user, sku_id)
        total = min(qty + (item.quantity if item else 0), sku.stock, MAX_QUANTITY)
        if total <= 0:
            continue
        if item is None:
            db.session.add(CartItem(user_id=user.id, sku_id=sku_id, quantity=total, selected=selected))
        else:
            item.quantity = total
    session.pop(SESSION_KEY, None)
    db.session.flush()
