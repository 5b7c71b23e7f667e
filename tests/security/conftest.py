"""The security suite's helpers: every route read from the URL map, a snapshot of all money, and a victim whose
records a stranger tries to open."""
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from werkzeug.routing import IntegerConverter

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def fill(rule, arg):
    """A URL value for `arg` of `rule` that matches nothing: a large id, an unknown string, a gateway's name."""
    converter = rule._converters[arg]
    if isinstance(converter, IntegerConverter):
        return 999999
    if hasattr(converter, "items"):
        return sorted(converter.items)[0]
    return "sandbox" if arg == "gateway" else "X999"


def routes(app, methods=None, values=None):
    """(method, rule, url) for every rule of the URL map (but static files), optionally only these methods;
    URL arguments from `values` (name -> value) where given, else `fill`."""
    adapter = app.url_map.bind("localhost")
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        args = {arg: (values or {}).get(arg, fill(rule, arg)) for arg in rule.arguments}
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if methods is None or method in methods:
                found.append((method, rule, adapter.build(rule.endpoint, args, method=method)))
    return sorted(found, key=lambda r: (r[2], r[0]))


def money():
    """Every figure a money move changes: the ledger (rows and sums), the accounts, paid orders, applied payments,
    refunds and transfers."""
    from shop.extensions import db
    from shop.orders.models import Order
    from shop.payments.models import Payment, Refund
    from shop.wallet.models import Account, LedgerEntry, Withdrawal

    def one(*columns):
        return tuple(db.session.execute(select(*columns)).one())

    db.session.expire_all()
    return (one(func.count(LedgerEntry.id), func.sum(LedgerEntry.d_frozen), func.sum(LedgerEntry.d_available),
                func.sum(LedgerEntry.d_withdrawing), func.sum(LedgerEntry.d_withdrawn)),
            one(func.sum(Account.frozen_fen), func.sum(Account.available_fen), func.sum(Account.withdrawing_fen),
                func.sum(Account.withdrawn_fen)),
            one(func.count(Order.paid_at)), one(func.count(Payment.id), func.sum(Payment.amount_fen)),
            one(func.count(Refund.id)), one(func.count(Withdrawal.id)))


@dataclass
class Victim:
    """Distributor Z and the member Y who bought through Z: records that belong to them, not to the stranger."""
    distributor: object
    member: object
    paid_order: object
    unpaid_order: object
    address: object
    commission: object
    withdrawal: object
    pickup_order: object  #: paid, for pickup in a store of its own (its pickup code is the clerk's URL)
    pool_period: object  #: a paid 分红池 period in which Z has a share


def make_store(name="人民广场店"):
    """A store (committed), for pickup orders and clerks."""
    from shop.extensions import db
    from shop.stores.models import Store

    store = Store(name=name, province="上海市", city="上海市", district="黄浦区", detail="南京东路1号", lat_e6=31230416,
                  lng_e6=121473701, hours="9:00-21:00", phone="021-12345678", photos=[], is_open=True)
    db.session.add(store)
    db.session.commit()
    return store


@pytest.fixture
def victim(db, make_user, make_distributor, make_product, make_address, pay, settings):
    from shop.distribution import binding, rules
    from shop.distribution.models import Commission
    from shop.orders.pricing import Choice
    from shop.orders.services import place_order
    from shop.wallet import ledger, withdrawals

    rules.update_global_rules(levels=2, rate1_bp=1000, rate2_bp=500)
    z = make_distributor(nickname="别人Z").user
    y = make_user(nickname="Y")
    assert binding.bind_referrer(y.id, z.id, "link") == binding.BOUND
    db.session.commit()
    product = make_product("别家好物", skus=[(20000, 100, ["蓝", "L"])])
    address = make_address(y)
    paid = pay(place_order(y, [(product.skus[0].id, 1)], address.id))
    pickup = pay(place_order(y, [(product.skus[0].id, 1)], address.id, choice=Choice(store=make_store().id)))
    unpaid = place_order(y, [(product.skus[0].id, 1)], address.id)
    ledger.post(z.id, "adjustment", available=5000, ref_type="adjustment", ref_id=1, memo="test")
    withdrawal = withdrawals.request_withdrawal(z.id, 1000, "alipay", {"account": "z@example.com", "name": "Z"})
    withdrawal.out_bill_no = withdrawal.withdrawal_no
    db.session.commit()
    commission = db.session.scalar(select(Commission).where(Commission.beneficiary_id == z.id))
    period = pool_share_for(z, pay(place_order(y, [(product.skus[0].id, 1)], address.id)), settings)
    return Victim(z, y, paid, unpaid, address, commission, withdrawal, pickup, period)


def pool_share_for(distributor, order, settings):
    """The pool of the last payable month paid, with a share for `distributor` (the only member of its grade), from
    `order` completed in that month."""
    from shop.distribution.models import Distributor, Grade
    from shop.extensions import db
    from shop.orders.services import confirm_receipt, ship_order
    from shop.pool.services import pay_dividends
    from tests.pool.conftest import payable_month

    grade = Grade(name="分红等级", rank=9)
    db.session.add(grade)
    db.session.flush()
    db.session.get(Distributor, distributor.id).grade_id = grade.id
    db.session.commit()
    settings(pool_rate_bp=1000, pool_period="month", pool_grade_ids=[grade.id], pool_split="equal")
    month = payable_month()
    ship_order(order, "顺丰", "SF1")
    confirm_receipt(order, now=month.starts_at + timedelta(days=1))
    db.session.commit()
    return pay_dividends(month.label)


@pytest.fixture
def stranger(db, client, make_distributor, login):
    """Another member, a distributor and a clerk of another store too, logged in on the client."""
    from shop.stores.models import StoreClerk

    user = make_distributor(nickname="陌生人").user
    db.session.add(StoreClerk(user_id=user.id, store_id=make_store("别的店").id))
    db.session.commit()
    login(user)
    return user
