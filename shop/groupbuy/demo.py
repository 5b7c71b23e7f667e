"""Demo 拼团 activities on the demo catalog's first products (idempotent)."""
from datetime import timedelta

from sqlalchemy import select

from ..catalog.models import Product
from ..clock import utcnow
from ..database import transaction
from ..extensions import db
from .models import GroupActivity, GroupPrice

DEMO = (("两人拼团 · 限时特惠", 2, 24, 80, False), ("三人团 · 满三人成团", 3, 48, 70, True))


def seed_demo(echo=print):
    """A two-person and a three-person (模拟成团) activity on the first products on shelf, group prices 80% and
    70% of the SKU prices; nothing when there are already activities. Owns its transaction."""
    if db.session.scalar(select(GroupActivity.id).limit(1)):
        echo("groupbuy: activities already there")
        return
    products = db.session.scalars(select(Product).where(Product.on_shelf.is_(True)).order_by(Product.id)
                                  .limit(len(DEMO))).all()
    now = utcnow()
    with transaction():
        for product, (title, size, hours, share, simulate) in zip(products, DEMO):
            activity = GroupActivity(title=title, product_id=product.id, group_size=size, hours_limit=hours,
                                     starts_at=now - timedelta(hours=1), ends_at=now + timedelta(days=30),
                                     per_member_limit=3, max_quantity=2, simulate=simulate)
            activity.prices = [GroupPrice(sku_id=sku.id, price_fen=max(1, sku.price_fen * share // 100))
                               for sku in product.skus if sku.is_active]
            db.session.add(activity)
            echo(f"groupbuy: {title} on {product.title}")
