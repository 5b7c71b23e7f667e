"""The demo flash sales: a running slot and the next one, seeded once."""
from sqlalchemy import select

from shop.clock import utcnow
from shop.flash.demo import seed_demo
from shop.flash.models import COMING, RUNNING, FlashSlot


def test_the_demo_seeds_a_running_and_a_coming_slot_once(db, make_product):
    for i in range(2):
        make_product(f"演示{i}", skus=[(9900, 10, ["红", "M"])])
    said = []
    seed_demo(said.append)
    seed_demo(said.append)
    slots = db.session.scalars(select(FlashSlot).order_by(FlashSlot.starts_at)).all()
    assert [s.state(utcnow()) for s in slots] == [RUNNING, COMING]
    assert [len(s.items) for s in slots] == [2, 2] and sum("already there" in line for line in said) == 2
