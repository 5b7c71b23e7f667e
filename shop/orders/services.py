"""Order use cases: quote, place (reserving stock), cancel, expire, confirm receipt."""
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from ..accounts.services import get_address
from ..cart.services import load_cart, parse_quantity, remove_lines
from ..catalog.models import Sku
from ..clock import utcnow
from ..database import require_outermost, transaction
from ..distribution.rules import current_version, snapshot_referrer, upline_snapshot
from ..errors import NotFound, ServiceError
from ..extensions import db
from ..groupbuy.guard import can_ship
from ..growth.fraud import record_sighting
from ..numbers import new_number
from ..settings import get_setting
from ..stores.pickup import pickup_store
from ..stores.pickup import snapshot as pickup_snapshot
from ..urls import to_id
from . import status as st
from .events import order_completed, order_placed, order_released
from .models import Order, OrderLine
from .pricing import Choice, Quote, quote, shipping_fee  # noqa: F401  (the pricing home, re-exported)


def checkout_items(user, sku_id=None, quantity=None):
    """[(sku_id, qty)] for a buy-now SKU, or the ticked cart lines. Reads only."""
    if sku_id is not None:
        sku_id = to_id(sku_id)
        if sku_id is None:
            raise ServiceError(_("商品不存在或已下架"), status=404)
        return [(sku_id, parse_quantity(quantity if quantity is not None else 1))]
    return [(line.sku.id, line.quantity) for line in load_cart(user) if line.selected]


def product_of_sku(sku_id):
    """The product id of a SKU id as typed in a URL, or None. Reads only."""
    try:
        return db.session.scalar(select(Sku.product_id).where(Sku.id == int(sku_id)))
    except (TypeError, ValueError):
        return None


def new_order_no():
    """Date + 10 random digits, e.g. 202611231234567890; checked for uniqueness. Reads only."""
    return new_number(column=Order.order_no)


def reserve_stock(sku_id, quantity):
    """Take quantity from stock in one conditional UPDATE; False when not enough is left.
    Joins the caller's transaction."""
    return db.session.execute(
        update(Sku).where(Sku.id == sku_id, Sku.stock >= quantity, Sku.is_active.is_(True))
        .values(stock=Sku.stock - quantity).execution_options(synchronize_session=False)
    ).rowcount == 1


def release_stock(order):
    """Give an order's quantities back to stock (called once, by the transition that cancels).
    Joins the caller's transaction."""
    return_to_stock([(line.sku_id, line.quantity) for line in order.lines if line.stock_from_sku])


def return_to_stock(quantities):
    """Add [(sku_id, quantity)] back to stock, one UPDATE per SKU in SKU-id order (the lock order of
    place_order); lines whose SKU is gone are skipped. Exactly once is the caller's transition.
    Joins the caller's transaction."""
    for sku_id, quantity in sorted((pair for pair in quantities if pair[0]), key=lambda pair: pair[0]):
        db.session.execute(update(Sku).where(Sku.id == sku_id).values(stock=Sku.stock + quantity)
                           .execution_options(synchronize_session=False))


def place_order(user, items, address_id, note="", from_cart=False, choice=None, seen=None):
    """Create an unpaid order priced as quote() says for the shopper's `choice`: reserve stock, snapshot lines,
    discounts and address (到店自提: the chosen store, no address, no shipping fee); the marketing tools reserve what they gave on order_placed. Remembers where the member
    ordered from (`seen` = (device id, IP), a sighting the fraud signals compare with the referrers' at payment).
    Owns its transaction."""
    with transaction():
        store = pickup_store(choice.store) if choice is not None and choice.pickup else None
        address = None if store is not None else _delivery_address(user, address_id)
        q = quote(items, user, choice)
        # A fixed lock order (by SKU id) keeps concurrent multi-line orders free of deadlocks.
        for line in sorted(q.lines, key=lambda ln: ln.sku.id):
            if line.stock_from_sku and not reserve_stock(line.sku.id, line.quantity):
                raise ServiceError(_("「%(title)s」库存不足", title=line.sku.product.title))
        order = _new_order(user, address, q, note)
        if store is not None:
            pickup_snapshot(order, store)
        db.session.add(order)
        db.session.flush()
        order_placed.send(current_app._get_current_object(), order=order, quote=q, user=user)
        record_sighting(user.id, "order", seen, now=order.created_at)
        if from_cart:
            remove_lines(user, [line.sku.id for line in q.lines])
    return order


def _delivery_address(user, address_id):
    try:
        return get_address(user, address_id)
    except NotFound:
        raise ServiceError(_("请选择收货地址"))


def _recipient(user, address):
    """Who receives the order: the delivery address, or (到店自提, no address) the buyer, who picks it up."""
    if address is None:
        return {"recipient": user.display_name[:40], "recipient_phone": user.phone, "address_text": ""}
    return {"recipient": address.recipient, "recipient_phone": address.phone, "address_text": address.full_text,
            "ship_province": address.province, "ship_city": address.city, "ship_district": address.district}


def _new_order(user, address, q, note):
    upline = upline_snapshot(user.id)
    order = Order(
        order_no=new_order_no(), user_id=user.id, status=st.PENDING,
        items_total_fen=q.items_total_fen, shipping_fen=q.shipping_fen, discount_fen=q.discount_fen,
        pay_total_fen=q.pay_total_fen, **_recipient(user, address), note=(note or "").strip()[:200], created_at=utcnow(),
        upline=upline, referrer_id=snapshot_referrer(upline), rule_version_id=current_version().id,
        discount_detail=q.detail() or None,
    )
    for line in q.lines:
        sku, product = line.sku, line.sku.product
        order.lines.append(OrderLine(
            product_id=product.id, sku_id=sku.id, title=product.title, spec_text=sku.spec_text[:200],
            image_path=product.cover_path, unit_price_fen=line.unit_price_fen, quantity=line.quantity,
            line_total_fen=line.line_total_fen, paid_amount_fen=line.paid_fen,
            discount_detail=dict(line.discounts) or None, activity_kind=line.activity and line.activity[0],
            activity_id=line.activity and line.activity[1], commissionable=line.commissionable,
            stock_from_sku=line.stock_from_sku))
    return order


def get_user_order(user, order_no):
    """The member's own order by number; anyone else's is a 404. Reads only."""
    order = db.session.scalar(select(Order).where(Order.order_no == str(order_no)[:32])
                              .options(selectinload(Order.lines)))
    if order is None or order.user_id != user.id:
        raise NotFound(_("订单不存在"))
    return order


def list_user_orders(user, status=None, page=1, per_page=10):
    """A page of the member's orders, newest first, optionally of one status. Reads only."""
    stmt = select(Order).where(Order.user_id == user.id).options(selectinload(Order.lines))
    if status in st.ALL:
        stmt = stmt.where(Order.status == status)
    return db.paginate(stmt.order_by(Order.id.desc()), page=page, per_page=per_page, error_out=False)


def status_counts(user):
    """{status: count} of the member's orders, for the badges in 我的. Reads only."""
    rows = db.session.execute(select(Order.status, func.count()).where(Order.user_id == user.id)
                              .group_by(Order.status)).all()
    return dict(rows)


def cancel_order(order, reason="buyer"):
    """Cancel an unpaid order and release its stock, exactly once. Owns its transaction."""
    with transaction():
        st.move(order, st.CANCELLED, cancelled_at=utcnow(), cancel_reason=reason[:100])
        release_stock(order)
        order_released.send(current_app._get_current_object(), order=order, reason=reason)
    return order


def confirm_receipt(order, now=None):
    """The shopper confirms a shipped order arrived (or auto-confirm does, N days after shipping).
    Owns its transaction."""
    now = now or utcnow()
    with transaction():
        st.move(order, st.COMPLETED, completed_at=now)
        order_completed.send(current_app._get_current_object(), order=order, now=now)
    return order


def missing_shipping(company, tracking_no):
    """What a shipment lacks, as the message to show; None when it has its carrier and its tracking number."""
    company, tracking_no = (company or "").strip(), (tracking_no or "").strip()
    if company and tracking_no:
        return None
    if tracking_no:
        return _("填写了运单号，但没有选择物流公司")
    return _("没有填写运单号") if company else _("请填写物流公司和运单号")


def ship_order(order, company, tracking_no):
    """The merchant ships a paid order. Owns its transaction."""
    company, tracking_no = (company or "").strip()[:40], (tracking_no or "").strip()[:64]
    if missing_shipping(company, tracking_no):
        raise ServiceError(missing_shipping(company, tracking_no))
    with transaction():
        if order.is_pickup:
            raise ServiceError(_("到店自提订单不发货，由门店核销提货"), status=409)
        if not can_ship(order):
            raise ServiceError(_("拼团未成功，暂不能发货"), status=409)
        st.move(order, st.SHIPPED, shipped_at=utcnow(), shipping_company=company, tracking_no=tracking_no)
    return order


#: `flask shop expire-orders` and `auto-confirm` run on one host at a time (shop.database.single_runner): each order
#: is guarded by its status anyway, but two hosts would walk the same list and both log every order.
EXPIRE_LOCK_KEY = 7_301_017
AUTO_CONFIRM_LOCK_KEY = 7_301_018


def expire_orders(now=None, minutes=None, echo=None):
    """Cancel unpaid orders older than the configured minutes; safe to run twice or on two hosts.
    Owns one transaction per order (cancel_order); refused inside another transaction()."""
    require_outermost()
    minutes = minutes if minutes is not None else expire_minutes()
    cutoff = (now or utcnow()) - timedelta(minutes=minutes)
    ids = db.session.scalars(select(Order.id).where(Order.status == st.PENDING, Order.created_at < cutoff)
                             .order_by(Order.id)).all()
    db.session.rollback()  # end the read: each order below is cancelled in its own transaction
    cancelled = skipped = 0
    for order_id in ids:
        order = db.session.get(Order, order_id)
        try:
            cancel_order(order, reason="timeout")
            cancelled += 1
            if echo:
                echo(f"cancelled {order.order_no}, released {order.quantity} item(s)")
        except st.IllegalTransition:
            skipped += 1  # paid or cancelled meanwhile, perhaps by another host
    return cancelled, skipped


def expire_minutes():
    """Minutes an unpaid order waits for payment: the merchant's setting, or SHOP_ORDER_EXPIRE_MINUTES until they
    set one. A read."""
    return int(get_setting("order_expire_minutes") or current_app.config["ORDER_EXPIRE_MINUTES"])


def order_deadline(order):
    """When an unpaid order will be cancelled. A read (the merchant's setting)."""
    return order.created_at + timedelta(minutes=expire_minutes())


def auto_confirm(now=None, days=None, echo=None):
    """Complete shipped orders `days` after shipping (default: the merchant's auto_confirm_days).
    Owns one transaction per order (confirm_receipt); refused inside another transaction()."""
    require_outermost()
    days = days if days is not None else int(get_setting("auto_confirm_days"))
    cutoff = (now or utcnow()) - timedelta(days=days)
    ids = db.session.scalars(select(Order.id).where(Order.status == st.SHIPPED, Order.shipped_at <= cutoff)
                             .order_by(Order.id)).all()
    db.session.rollback()  # end the read: each order below is confirmed in its own transaction
    done = 0
    for order_id in ids:
        try:
            confirm_receipt(db.session.get(Order, order_id), now=now)
            done += 1
            if echo:
                echo(f"completed order {order_id}")
        except st.IllegalTransition:
            pass  # confirmed or refunded meanwhile
    return done
