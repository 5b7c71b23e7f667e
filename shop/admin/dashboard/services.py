"""Dashboard figures: today's orders, orders waiting on someone, catalog size, low stock. Reads only."""
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ...catalog.models import Product, Sku
from ...clock import today_start
from ...extensions import db
from ...orders import status as st
from ...orders.models import Order
from ..orders.services import order_status_counts

#: SKUs at or below this stock are listed on the dashboard.
LOW_STOCK = 5


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
