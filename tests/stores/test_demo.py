"""The demo stores and clerk: seeded once, the clerk reaches /store, the stores are offered nearest first."""
from shop.stores import demo, nearby
from shop.stores.models import Store, StoreClerk


def test_seed_twice_duplicates_nothing(db, client, login):
    lines = []
    demo.seed_demo(lines.append)
    demo.seed_demo(lines.append)
    assert db.session.query(Store).count() == len(demo.STORES)
    assert db.session.query(StoreClerk).count() == 1
    assert any("13900000009 / demo123" in line for line in lines)
    from shop.accounts.models import User
    clerk = db.session.query(User).filter_by(phone=demo.CLERK[0]).one()
    login(clerk, demo.CLERK[1])
    assert "人民广场店" in client.get("/store").get_data(as_text=True)
    # From the Bund the People's Square store is nearest, the Hangzhou ones far behind.
    names = [n.store.name for n in nearby.nearest_stores(31_240_000, 121_490_000)]
    assert names[0] in ("人民广场店", "陆家嘴店") and names[-1] in ("西湖湖滨店", "杭州城西店")
