"""Demo flash sales: a slot running now and the next one, each with a few of the demo catalog's SKUs."""
from datetime import timedelta

from sqlalchemy import select

from ..catalog.models import Product, Sku
from ..clock import period_start, utcnow
from ..database import transaction
from ..extensions import db
from .models import FlashItem, FlashSlot

#: (title, hours from the start of the current 2-hour block, hours long, [(product index, share of price, stock)])
SLOTS = [("限时秒杀 · 本场", 0, 2, [(0, 59, 50), (1, 49, 30), (2, 69, 20)]),
         ("限时秒杀 · 下一场", 2, 2, [(3, 55, 40), (4, 45, 25)])]


def seed_demo(echo=print):
    """A running slot and the next one, unless slots with these titles exist around now; running it again
    duplicates nothing. Owns its transaction."""
    skus = db.session.scalars(select(Sku).join(Sku.product).where(Product.on_shelf.is_(True), Sku.is_active.is_(True))
                              .order_by(Product.id, Sku.id)).all()
    firsts = list({sku.product_id: sku for sku in reversed(skus)}.values())[::-1]
    if not firsts:
        echo("flash sales: no products yet, nothing seeded")
        return
    now = utcnow()
    block = period_start("day", now) + timedelta(hours=(now - period_start("day", now)).seconds // 7200 * 2)
    with transaction():
        for title, offset, hours, items in SLOTS:
            starts = block + timedelta(hours=offset)
            if db.session.scalar(select(FlashSlot.id).where(FlashSlot.title == title, FlashSlot.ends_at > now)):
                echo(f"flash slot {title}: already there")
                continue
            slot = FlashSlot(title=title, starts_at=starts, ends_at=starts + timedelta(hours=hours))
            for index, share, stock in items:
                sku = firsts[index % len(firsts)]
                if any(item.sku_id == sku.id for item in slot.items):
                    continue
                slot.items.append(FlashItem(product_id=sku.product_id, sku_id=sku.id, stock=stock, sold=0,
                                            price_fen=max(sku.price_fen * share // 100, 1), per_member_limit=2))
            db.session.add(slot)
            echo(f"flash slot {title}: created with {len(slot.items)} item(s)")
