"""Editing stores, their photos and clerks; the store list with each store's figures and a store's members and
pickup sales. Reads only, except the functions that say they own their transaction."""
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from ...accounts.models import User
from ...catalog.images import save_upload
from ...database import transaction
from ...errors import ServiceError, found
from ...extensions import db
from ...orders import status as st
from ...orders.models import Order
from ...pagination import paginate, window
from ...stores.models import Store, StoreClerk, StoreMember
from ..sorting import Sorting

MAX_PHOTOS = 6
#: Pickup orders that count as sales: paid and not cancelled or wholly refunded.
SALES_STATUSES = (st.PAID, st.SHIPPED, st.COMPLETED)
SORTING = Sorting({"created": Store.created_at, "name": Store.name,
                   "region": (Store.province, Store.city, Store.district)}, default="created", tiebreak=Store.id)


@dataclass(frozen=True)
class StoreFigures:
    clerks: int = 0
    members: int = 0
    pickup_count: int = 0
    pickup_fen: int = 0


def store_page(args, sort, page):
    """A page of stores filtered by name or address text (q), city and open or closed."""
    stmt = select(Store)
    text = (args.get("q") or "").strip()[:40]
    if text:
        like = f"%{text}%"
        stmt = stmt.where(or_(Store.name.ilike(like), Store.detail.ilike(like), Store.district.ilike(like)))
    if args.get("city"):
        stmt = stmt.where(Store.city == args.get("city")[:40])
    if args.get("open") in ("1", "0"):
        stmt = stmt.where(Store.is_open.is_(args.get("open") == "1"))
    return paginate(stmt.order_by(*sort.order_by()), page)


def _counts(column, ids):
    return dict(db.session.execute(select(column, func.count()).where(column.in_(ids)).group_by(column)).all())


def store_figures(store_ids):
    """{store id: StoreFigures} for a page of stores, in three statements whatever the page's size."""
    if not store_ids:
        return {}
    clerks = _counts(StoreClerk.store_id, store_ids)
    members = _counts(StoreMember.store_id, store_ids)
    sales = {row[0]: row[1:] for row in db.session.execute(
        select(Order.pickup_store_id, func.count(), func.coalesce(func.sum(Order.pay_total_fen - Order.refunded_fen), 0))
        .where(Order.pickup_store_id.in_(store_ids), Order.status.in_(SALES_STATUSES))
        .group_by(Order.pickup_store_id)).all()}
    return {sid: StoreFigures(clerks.get(sid, 0), members.get(sid, 0), *map(int, sales.get(sid, (0, 0))))
            for sid in store_ids}


def store_cities():
    """Every city that has a store (open or not), for the list's filter."""
    return db.session.scalars(select(Store.city).distinct().order_by(Store.city)).all()


def get_store(store_id):
    """A store, or 404."""
    return found(db.session.get(Store, store_id), _("门店不存在"))


def members_page(store, page):
    """A page of the members attributed to the store, newest first, with who brought them in."""
    stmt = (select(StoreMember, User).join(User, User.id == StoreMember.user_id)
            .where(StoreMember.store_id == store.id).order_by(StoreMember.created_at.desc(), StoreMember.user_id.desc()))
    return window(stmt, page)


def save_store(data, store=None):
    """Create or change a store. Owns its transaction.

    data: name, province, city, district, detail, lat_e6, lng_e6 (micro-degrees), hours, phone, is_open."""
    with transaction():
        if data.get("lat_e6") is None or data.get("lng_e6") is None:
            raise ServiceError(_("请填写正确的经纬度"))
        if not all((data.get(key) or "").strip() for key in ("name", "province", "city", "district", "detail")):
            raise ServiceError(_("门店名称和地址必填"))
        if store is None:
            store = Store(photos=[])
            db.session.add(store)
        for key in ("name", "province", "city", "district", "detail", "lat_e6", "lng_e6"):
            setattr(store, key, data[key])
        store.hours, store.phone = data.get("hours") or "", data.get("phone") or ""
        store.is_open = bool(data.get("is_open"))
    return store


def add_photo(store, upload):
    """Add an uploaded photo (checked like product images). Owns its transaction."""
    with transaction():
        if len(store.photo_list) >= MAX_PHOTOS:
            raise ServiceError(_("门店照片最多%(n)s张", n=MAX_PHOTOS))
        path = save_upload(upload)
        if path not in store.photo_list:
            store.photos = [*store.photo_list, path]
    return store


def remove_photo(store, index):
    """Take a photo off the store. Owns its transaction."""
    with transaction():
        photos = store.photo_list
        if index is None or not 0 <= index < len(photos):
            raise ServiceError(_("照片不存在"))
        store.photos = photos[:index] + photos[index + 1:]
    return store


def add_clerk(store, phone):
    """Give the member with this phone the store-clerk role of the store. Owns its transaction."""
    with transaction():
        user = db.session.scalar(select(User).where(User.phone == (phone or "").strip()[:20]))
        if user is None:
            raise ServiceError(_("没有手机号为 %(p)s 的会员，请先让他注册", p=(phone or "").strip()[:20]))
        current = db.session.get(StoreClerk, user.id)
        if current is not None:
            raise ServiceError(_("%(n)s 已是「%(s)s」的店员", n=user.display_name, s=current.store.name))
        db.session.add(StoreClerk(user_id=user.id, store_id=store.id))
    return user


def remove_clerk(store, user_id):
    """Take the store-clerk role away (the member stays a member). Owns its transaction."""
    with transaction():
        clerk = db.session.get(StoreClerk, user_id)
        if clerk is None or clerk.store_id != store.id:
            raise ServiceError(_("该会员不是本店店员"), status=404)
        db.session.delete(clerk)
    return clerk
