"""Seed a load-test mall through the app's own services, in-process: commission rules over 3 levels, chains of 3
distributors (each with an available balance to withdraw from), shoppers bound under the chains (so every order
pays commissions), products with stock (one scarce, so some orders are refused for stock), an owner and a
finance staff member. Returns plain values (ids, phones, passwords) for the load client."""
import itertools
from dataclasses import dataclass, field

from werkzeug.security import generate_password_hash

PASSWORD = "Load-pass-2024"
#: Cheap to check, so the load measures the mall rather than password hashing.
PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"
RATES_BP = (1000, 500, 200)
BALANCE_FEN = 1_000_000  # each distributor's opening balance (an adjustment), for withdrawals


@dataclass
class Seeded:
    products: list = field(default_factory=list)  # (product_id, sku_id, price_fen)
    scarce_sku: int = 0
    category_ids: list = field(default_factory=list)
    shoppers: list = field(default_factory=list)  # (user_id, phone, address_id)
    distributors: list = field(default_factory=list)  # (user_id, phone)
    chains: list = field(default_factory=list)  # [top, middle, bottom] user ids
    staff: dict = field(default_factory=dict)  # role -> login


def _user(db, phone, nickname):
    from shop.accounts.models import User

    user = User(phone=phone, nickname=nickname, wechat_openid=f"o-{phone}")
    user.password_hash = generate_password_hash(PASSWORD, method=PASSWORD_HASH_METHOD)
    db.session.add(user)
    db.session.flush()
    return user


def _staff(db, role):
    from shop.staff.models import Staff

    staff = Staff(login=f"load-{role}", display_name=f"load {role}", role=role)
    staff.password_hash = generate_password_hash(PASSWORD, method=PASSWORD_HASH_METHOD)
    db.session.add(staff)
    return staff.login


def _catalog(db, out, products, stock, scarce_stock):
    from shop.catalog.models import Category
    from shop.catalog.services import save_product

    categories = [Category(name=name) for name in ("服装", "数码", "食品")]
    db.session.add_all(categories)
    db.session.flush()
    out.category_ids = [c.id for c in categories]
    for i in range(products):
        scarce = i == 0
        price = 1990 + 1000 * (i % 5)
        product = save_product({"title": f"压测好物 {i}", "spec_names": ["颜色"],
                                "category_id": categories[i % len(categories)].id,
                                "skus": [{"price_fen": price, "stock": scarce_stock if scarce else stock,
                                          "spec_values": ["红"], "original_price_fen": price}]})
        db.session.flush()
        out.products.append((product.id, product.skus[0].id, price))
        if scarce:
            out.scarce_sku = product.skus[0].id


def _chains(db, out, phones, chains):
    from shop.distribution import binding, services
    from shop.wallet.adjustments import adjust

    for c in range(chains):
        users = [_user(db, str(next(phones)), f"分销{c}-{k}") for k in range(3)]
        ids = [u.id for u in users]
        for uid in ids:
            services.become_distributor(uid, "admin")
            adjust(uid, BALANCE_FEN, "压测期初余额")
        binding.bind_referrer(ids[1], ids[0], "link")
        binding.bind_referrer(ids[2], ids[1], "link")
        out.chains.append(ids)
        out.distributors += [(u.id, u.phone) for u in users]


def _shoppers(db, out, phones, shoppers):
    from shop.accounts.services import save_address
    from shop.distribution import binding

    for s in range(shoppers):
        user = _user(db, str(next(phones)), f"买家{s}")
        binding.bind_referrer(user.id, out.chains[s % len(out.chains)][2], "link")
        address = save_address(user, {"recipient": f"买家{s}", "phone": "13900001111", "province": "浙江省",
                                      "city": "杭州市", "district": "西湖区", "detail": f"文三路 {s} 号"})
        db.session.flush()
        out.shoppers.append((user.id, user.phone, address.id))


def seed(app, shoppers=16, chains=4, products=8, stock=100_000, scarce_stock=6):
    """Build the mall in one transaction per part; returns a Seeded."""
    from shop.database import transaction
    from shop.distribution import rules
    from shop.extensions import db
    from shop.settings import set_setting

    out = Seeded()
    phones = itertools.count(13_500_000_000)
    with app.app_context():
        with transaction():
            rules.update_global_rules(levels=3, rate1_bp=RATES_BP[0], rate2_bp=RATES_BP[1], rate3_bp=RATES_BP[2])
            set_setting("withdraw_daily_count", 100)
            out.staff = {role: _staff(db, role) for role in ("owner", "finance")}
            _catalog(db, out, products, stock, scarce_stock)
        with transaction():
            _chains(db, out, phones, chains)
        with transaction():
            _shoppers(db, out, phones, shoppers)
        db.session.remove()
    return out
