"""`flask shop seed-demo`: fills an empty database, prints the accounts, duplicates nothing."""
from sqlalchemy import func, select

from shop.accounts.models import User
from shop.catalog.models import Category, Product, ProductImage, Sku
from shop.distribution.models import Distributor, Grade, ReferralNode
from shop.staff.models import Staff


def table_counts(db):
    return {m.__name__: db.session.scalar(select(func.count()).select_from(m))
            for m in (User, Category, Product, ProductImage, Sku, Distributor, Grade)}


def test_seed_demo_is_idempotent(app, db):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["shop", "seed-demo"])
    assert first.exit_code == 0, first.output
    assert "13800000000 / admin123" in first.output and "[21/21]" in first.output
    counts = table_counts(db)
    # three shoppers, the demo store clerk (shop/stores/demo.py) and the city agent (shop/agents/demo.py)
    assert counts["Product"] == 21 and counts["User"] == 5 and counts["Sku"] >= 21
    assert "13900000009 / demo123" in first.output and "13900000010 / demo123" in first.output
    second = runner.invoke(args=["shop", "seed-demo"])
    assert second.exit_code == 0 and "0 product(s) created" in second.output
    assert table_counts(db) == counts
    chain = {n.user_id: n.referrer_id for n in db.session.scalars(select(ReferralNode))}
    phones = {u.phone: u.id for u in db.session.scalars(select(User))}
    assert chain[phones["13900000002"]] == phones["13900000001"]
    assert chain[phones["13900000003"]] == phones["13900000002"]
    owner = db.session.scalar(select(Staff).where(Staff.login == "13800000000"))
    assert owner.role == "owner" and owner.check_password("admin123")
    assert db.session.scalar(select(User.id).where(User.phone == "13800000000")) is None
