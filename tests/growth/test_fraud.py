"""Fraud flags: each signal (device cookie, IP within the hour, phone, shipping address, a registration burst)
holds the commission of the beneficiary the buyer looks like, with the reason; a clean order is never held;
staff clear (it settles as usual) or void (a reversal on the ledger, the audit clean) with a reason."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from shop.clock import utcnow
from shop.database import transaction
from shop.distribution.models import FROZEN, REVERSED, SETTLED, Commission
from shop.distribution.settlement import settle_due_commissions
from shop.errors import ServiceError
from shop.growth import review
from shop.growth.fraud import BURST_REGISTRATIONS, record_sighting
from shop.growth.models import CLEARED, HELD, VOIDED, FraudFlag
from shop.wallet.audit import run_audit
from shop.wallet.models import LedgerEntry

DEVICE, OTHER_DEVICE = "d" * 32, "e" * 32


def seen_at(db, user, device, ip, minutes_ago=0):
    record_sighting(user.id, "login", (device, ip), now=utcnow() - timedelta(minutes=minutes_ago))
    db.session.commit()


def flags(db, kind="commission"):
    db.session.expire_all()
    return db.session.scalars(select(FraudFlag).where(FraudFlag.kind == kind).order_by(FraudFlag.id)).all()


def commission_of(db, order, user):
    return db.session.scalar(select(Commission).where(Commission.order_id == order.id,
                                                      Commission.beneficiary_id == user.id))


SIGNALS = {
    "device": lambda db, shop, make_address: (seen_at(db, shop.buyer, DEVICE, "10.0.0.1"),
                                              seen_at(db, shop.b, DEVICE, "10.0.0.2")),
    "ip": lambda db, shop, make_address: (seen_at(db, shop.buyer, DEVICE, "10.0.0.9"),
                                          seen_at(db, shop.b, OTHER_DEVICE, "10.0.0.9", minutes_ago=50)),
    "phone": lambda db, shop, make_address: make_address(shop.b, detail="别的路 9 号"),
    "address": lambda db, shop, make_address: make_address(shop.b, phone="13800009999"),
}


@pytest.mark.parametrize("signal", sorted(SIGNALS))
def test_each_signal_holds_the_lookalike_beneficiarys_commission(db, shop, make_address, paid_order, signal):
    SIGNALS[signal](db, shop, make_address)
    order = paid_order()
    [flag] = flags(db)
    assert flag.commission_id == commission_of(db, order, shop.b).id
    assert flag.reason_codes == [signal] and flag.status == HELD and flag.order_id == order.id
    assert flag.detail  # says what matched


def test_an_ip_more_than_an_hour_apart_is_not_a_signal(db, shop, paid_order):
    seen_at(db, shop.buyer, DEVICE, "10.0.0.9")
    seen_at(db, shop.b, OTHER_DEVICE, "10.0.0.9", minutes_ago=61)
    paid_order()
    assert flags(db) == []


def test_a_clean_order_is_never_held(db, shop, make_address, paid_order, complete):
    seen_at(db, shop.buyer, DEVICE, "10.0.0.1")
    seen_at(db, shop.b, OTHER_DEVICE, "10.0.0.2")
    make_address(shop.b, phone="13800009999", detail="别的路 9 号")
    order = complete(paid_order(), days_ago=60)
    db.session.commit()
    assert flags(db) == [] and flags(db, "binding") == []
    settle_due_commissions()
    db.session.expire_all()
    assert {c.status for c in db.session.scalars(select(Commission))} == {SETTLED}
    assert order.id


def test_a_held_commission_waits_until_cleared(db, shop, paid_order, complete):
    seen_at(db, shop.buyer, DEVICE, "10.0.0.1")
    seen_at(db, shop.b, DEVICE, "10.0.0.1")
    order = complete(paid_order(), days_ago=60)
    db.session.commit()
    settle_due_commissions()
    db.session.expire_all()
    assert commission_of(db, order, shop.b).status == FROZEN  # held
    assert commission_of(db, order, shop.a).status == SETTLED  # A shares nothing with the buyer
    [flag] = flags(db)
    with transaction():
        review.clear(flag.id, shop.a, "同住一户，已核实")
    settle_due_commissions()
    db.session.expire_all()
    assert commission_of(db, order, shop.b).status == SETTLED
    assert flags(db)[0].status == CLEARED and flags(db)[0].decision_reason == "同住一户，已核实"


def test_a_void_is_a_reversal_on_the_ledger_and_the_audit_stays_clean(db, shop, paid_order, complete):
    seen_at(db, shop.buyer, DEVICE, "10.0.0.1")
    seen_at(db, shop.b, DEVICE, "10.0.0.1")
    order = complete(paid_order(), days_ago=60)
    db.session.commit()
    [flag] = flags(db)
    with transaction():
        review.void(flag.id, shop.a, "自买自卖")
    db.session.expire_all()
    commission = commission_of(db, order, shop.b)
    assert commission.status == REVERSED and commission.net_fen == 0
    entry = db.session.scalar(select(LedgerEntry).where(LedgerEntry.ref_id == commission.id,
                                                        LedgerEntry.kind == "commission_reversed"))
    assert entry.d_frozen == -1000 and "自买自卖" in entry.memo
    settle_due_commissions()
    assert flags(db)[0].status == VOIDED
    report = run_audit()
    assert report.clean, report.problems


@pytest.mark.parametrize("decide", [review.clear, review.void])
def test_a_decision_needs_a_reason_and_happens_once(db, shop, paid_order, decide):
    seen_at(db, shop.buyer, DEVICE, "10.0.0.1")
    seen_at(db, shop.b, DEVICE, "10.0.0.1")
    paid_order()
    [flag] = flags(db)
    with pytest.raises(ServiceError, match="原因"):
        with transaction():
            decide(flag.id, shop.a, "  ")
    with transaction():
        decide(flag.id, shop.a, "已核实")
    with pytest.raises(ServiceError, match="已处理"):
        with transaction():
            decide(flag.id, shop.a, "再来一次")


def test_self_purchase_commissions_are_not_flagged(db, shop, paid_order, make_distributor, settings):
    from shop.distribution import rules

    rules.update_global_rules(self_purchase=True)
    db.session.commit()
    make_distributor(user=shop.buyer)
    seen_at(db, shop.buyer, DEVICE, "10.0.0.1")
    paid_order()
    assert flags(db) == []


def register(client, phone, ip):
    return client.post("/register", data={"phone": phone, "password": "shop-test-pass-7", "confirm": "shop-test-pass-7"},
                       environ_base={"REMOTE_ADDR": ip})


def test_a_member_registered_on_the_referrers_device_is_a_flagged_binding(client, db, shop, login):
    login(shop.b)  # B's browser gets its device cookie
    client.post("/logout")
    client.get(f"/i/{code_of(db, shop.b)}")
    assert register(client, "13600000001", "10.1.1.1").status_code == 302
    [flag] = flags(db, "binding")
    assert flag.reason_codes == ["device"] and flag.referrer_id == shop.b.id


def code_of(db, user):
    from shop.distribution.models import Distributor

    return db.session.get(Distributor, user.id).invite_code


def test_a_burst_of_registrations_from_one_ip_flags_the_binding_and_its_commissions(
        app, db, shop, place, pay):
    code = code_of(db, shop.b)
    for n in range(BURST_REGISTRATIONS):
        client = app.test_client()
        client.get(f"/i/{code}", environ_base={"REMOTE_ADDR": "10.2.2.2"})
        assert register(client, f"1360000010{n}", "10.2.2.2").status_code == 302
    binding_flags = flags(db, "binding")
    assert [f.reason_codes for f in binding_flags] == [["burst"]]  # the fifth one from the IP within the hour
    from shop.accounts.models import User

    fifth = db.session.get(User, binding_flags[0].user_id)
    pay(place(buyer=fifth))
    [flag] = flags(db)
    assert flag.reason_codes == ["burst"] and flag.referrer_id == shop.b.id


def test_the_distributor_reads_that_a_held_commission_is_under_review(client, db, shop, paid_order, login):
    seen_at(db, shop.buyer, DEVICE, "10.0.0.1")
    seen_at(db, shop.b, DEVICE, "10.0.0.1")
    order = paid_order()
    commission = commission_of(db, order, shop.b)
    login(shop.b)
    assert "正在审核" in client.get(f"/center/commissions/{commission.id}").get_data(as_text=True)
    with transaction():
        review.void(flags(db)[0].id, shop.a, "刷单")
    assert "已作废" in client.get(f"/center/commissions/{commission.id}").get_data(as_text=True)
