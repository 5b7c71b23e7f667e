"""Stores for their clerks: who is a clerk of which store, the members a clerk's invite link brought in, the
store's pickup orders and its figures for today and this month (China time)."""
from dataclasses import dataclass

from flask import abort
from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import selectinload

from ..clock import period_start
from ..extensions import db
from ..orders import status as st
from ..orders.models import Order
from ..pagination import window
from .models import StoreClerk, StoreMember

#: The clerk page's tabs: waiting for pickup (paid, not handed over) and redeemed.
WAITING, REDEEMED = "waiting", "redeemed"


def clerk_of(user):
    """The member's store-clerk role (StoreClerk), or None. Reads only."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return db.session.get(StoreClerk, user.id)


def clerk_store(user):
    """The store this member is a clerk of; anyone else is refused with 403. Reads only."""
    clerk = clerk_of(user)
    if clerk is None:
        abort(403)
    return clerk.store


def attribute_member(user_id, referrer_id, now):
    """A member bound through a clerk's invite link belongs to the clerk's store, from the first such binding on.
    Joins the caller's transaction (the binding's)."""
    clerk = db.session.get(StoreClerk, referrer_id) if referrer_id else None
    if clerk is None or db.session.get(StoreMember, user_id) is not None:
        return None
    member = StoreMember(user_id=user_id, store_id=clerk.store_id, clerk_id=referrer_id, created_at=now)
    db.session.add(member)
    return member


def pickup_orders(store, tab, page):
    """A page of the store's pickup orders: waiting (paid, not yet handed over) or redeemed, newest first."""
    stmt = select(Order).where(Order.pickup_store_id == store.id).options(
        selectinload(Order.lines), selectinload(Order.user))
    if tab == REDEEMED:
        stmt = stmt.where(Order.redeemed_at.is_not(None)).order_by(Order.redeemed_at.desc(), Order.id.desc())
    else:
        stmt = stmt.where(Order.status == st.PAID, Order.redeemed_at.is_(None)).order_by(Order.id.desc())
    return window(stmt, page, per_page=10, scalars=True)


@dataclass(frozen=True)
class Figures:
    paid_count: int
    paid_fen: int
    redeemed_count: int


def _since(start):
    paid = Order.paid_at >= start
    return (func.coalesce(func.sum(case((paid, 1), else_=0)), 0),
            func.coalesce(func.sum(case((paid, Order.pay_total_fen - Order.refunded_fen), else_=0)), 0),
            func.coalesce(func.sum(case((Order.redeemed_at >= start, 1), else_=0)), 0))


def store_figures(store, now=None):
    """{"today": Figures, "month": Figures} of the store's pickup orders, by China day and month: orders paid
    (count, amount paid net of refunds) and orders handed over. One statement."""
    today, month = period_start("day", now), period_start("month", now)
    row = db.session.execute(select(*_since(today), *_since(month)).where(
        Order.pickup_store_id == store.id, or_(Order.paid_at >= month, Order.redeemed_at >= month))).one()
    return {"today": Figures(*map(int, row[:3])), "month": Figures(*map(int, row[3:]))}
