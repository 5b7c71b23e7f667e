"""A seeded random simulation: thousands of orders, partial and full refunds before and after
settlement, settlements and withdrawals, and a gateway that misbehaves (refund calls that time out,
workers that die before or after the gateway heard of a refund, notifications that arrive late or
twice). Reconcile finishes what was left open; at the end the audit (the shopper's side included) is
clean and every balance is explained by its commissions and withdrawals."""
import random
from collections import defaultdict
from datetime import timedelta

from sqlalchemy import select

from shop.accounts.models import Address, User
from shop.clock import utcnow
from shop.distribution import binding, rules, services
from shop.distribution.models import CLAWED_BACK, FROZEN, REVERSED, SETTLED, Commission
from shop.distribution.settlement import settle_due_commissions
from shop.errors import ServiceError
from shop.orders import services as orders
from shop.orders.models import Order
from shop.payments import refunds
from shop.payments.gateways import GatewayError, get_gateway
from shop.payments.gateways.base import PaymentNotice
from shop.payments.models import OPEN_REFUND_STATUSES, Refund
from shop.payments.reconcile import reconcile_refunds
from shop.payments.services import apply_payment
from shop.staff.models import Staff
from shop.wallet import withdrawals
from shop.wallet.audit import run_audit
from shop.wallet.models import W_APPROVED, W_PAID, W_REQUESTED, Account, Withdrawal
from shop.wallet.transfers import reconcile_transfers
from tests.conftest import cheap_hash

ORDERS = int(__import__("os").environ.get("SIM_ORDERS", "2500"))
ALIPAY = {"account": "sim@example.com", "name": "模拟"}
#: Refund faults the sandbox imitates (see SandboxGateway.refund_fault).
FAULTS = ("timeout", "crash", "crash_before")


def build_shop(db, make_product, rnd):
    rules.update_global_rules(levels=3, rate1_bp=800, rate2_bp=400, rate3_bp=200)
    rules.save_grade(name="普通", rank=1)
    rules.save_grade(name="银牌", rank=2, rate1_bp=1000, min_direct=3)
    products = [make_product(f"商品{i}", skus=[(price, 10**6, ["默认", "M"])])
                for i, price in enumerate((9900, 1999, 33333, 100))]
    rules.set_product_commission(products[1].id, {1: ("fixed", 300)})
    admin = Staff(login="owner", display_name="店主", role="owner", password_hash=cheap_hash("x"))
    db.session.add(admin)
    members = []
    for i in range(90):
        user = User(phone=f"1390000{i:04d}", password_hash=cheap_hash("x"), nickname=f"m{i}",
                    wechat_openid=f"o-sim-{i}")
        db.session.add(user)
        db.session.flush()
        # Each member's own phone and door: members sharing them with their referrer would be held as fraud.
        db.session.add(Address(user_id=user.id, recipient="r", phone=user.phone, province="p", city="c",
                               district="d", detail=f"{i} 号", is_default=True))
        if i < 40:
            services.become_distributor(user.id, "admin")
        if i > 0:
            binding.bind_referrer(user.id, rnd.choice(members[:min(len(members), 40)]), "link")
        members.append(user.id)
    db.session.commit()
    return admin, products, members


def test_random_simulation_ends_with_a_clean_audit(db, make_product):
    rnd = random.Random(20261123)
    admin, products, members = build_shop(db, make_product, rnd)
    addresses = dict(db.session.execute(select(Address.user_id, Address.id)).all())
    distributors = members[:40]
    start = utcnow() - timedelta(days=60)
    paid = []
    stats = defaultdict(int)
    for n in range(ORDERS):
        clock = start + timedelta(minutes=20 * n)  # the simulation spans ~35 days
        buyer = db.session.get(User, rnd.choice(members))
        items = [(p.skus[0].id, rnd.randint(1, 3)) for p in rnd.sample(products, rnd.randint(1, 2))]
        order = orders.place_order(buyer, items, addresses[buyer.id])
        apply_payment(PaymentNotice(gateway="sandbox", order_no=order.order_no, transaction_id=f"SIM{n:08d}",
                                    amount_fen=order.pay_total_fen, trade_state="SUCCESS", paid_at=clock))
        paid.append(order.id)
        roll = rnd.random()
        if roll < 0.6:  # shipped and received some days ago
            order = db.session.get(Order, order.id)
            orders.ship_order(order, "顺丰", f"SF{n}")
            orders.confirm_receipt(order, now=clock + timedelta(days=rnd.randint(1, 3)))
        if rnd.random() < 0.15:  # a refund while still frozen
            order = db.session.get(Order, rnd.choice(paid[-50:]))
            _random_refund(db, rnd, order, admin, stats)
        if n % 100 == 99:
            result = settle_due_commissions(now=clock + timedelta(days=5))
            stats["settled"] += result[0]
            if rnd.random() < 0.5:  # a refund after settlement: clawback
                order = db.session.get(Order, rnd.choice(paid[:-200] or paid))
                _random_refund(db, rnd, order, admin, stats)
            _random_withdrawals(db, rnd, distributors, admin, stats)
            _late_answers(db, rnd, stats)
            stats["transfers reconciled"] += sum(reconcile_transfers(minutes=0).values())
    _late_answers(db, rnd, stats, everything=True)
    # Bills nobody confirmed are cancelled past their deadline, and their money goes back.
    stats["transfers reconciled"] += sum(reconcile_transfers(now=utcnow() + timedelta(days=2), minutes=0).values())
    assert db.session.scalar(select(Withdrawal.id).where(Withdrawal.status == W_APPROVED)) is None
    assert db.session.scalar(select(Refund.id).where(Refund.status.in_(OPEN_REFUND_STATUSES))) is None
    settle_due_commissions(now=utcnow() + timedelta(days=30))
    report = run_audit()
    assert report.problems == []
    _every_figure_explained(db)
    assert stats["refunds"] > 100 and stats["paid"] > 10 and stats["settled"] > 500, dict(stats)
    assert min(stats[f"fault {f}"] for f in FAULTS) > 3 and stats["reconciled"] > 5, dict(stats)
    assert min(stats[f"transfer {f}"] for f in ("confirmed", "failed", "held", "left", "timeout", "crash")) > 0, stats
    assert stats["transfers reconciled"] > 3, dict(stats)
    print("simulation:", dict(stats))  # shown with -s
    assert db.session.scalar(select(Commission.id).where(Commission.status == CLAWED_BACK)) is not None
    assert db.session.scalar(select(Commission.id).where(Commission.status == REVERSED)) is not None


def _random_refund(db, rnd, order, admin, stats):
    if order.status not in ("paid", "shipped", "completed"):
        return
    left = {ln.id: ln.quantity - q for ln, q in
            ((ln, refunds.refunded_quantities(order.id).get(ln.id, 0)) for ln in order.lines)}
    choices = {lid: rnd.randint(0, q) for lid, q in left.items() if q > 0}
    quantities = None if rnd.random() < 0.3 else choices
    gateway = get_gateway("sandbox")
    gateway.refund_fault = rnd.choice(FAULTS) if rnd.random() < 0.2 else None
    try:
        refunds.merchant_refund(order, "模拟退款", admin, quantities)
        stats["refunds"] += 1
    except ServiceError:
        db.session.rollback()
    except (GatewayError, RuntimeError):  # the injected fault: the refund is left open for a late answer
        db.session.rollback()
        stats["refunds"] += 1
        stats[f"fault {gateway.refund_fault}"] += 1
    finally:
        gateway.refund_fault = None


def _late_answers(db, rnd, stats, everything=False):
    """What the gateway says later about refunds left open by a fault: a notification (sometimes twice) for some,
    reconcile's query (or its resend, when the gateway never heard of one) for the rest."""
    gateway = get_gateway("sandbox")
    for refund in db.session.scalars(select(Refund).where(Refund.status.in_(OPEN_REFUND_STATUSES))).all():
        if not everything and rnd.random() < 0.5:
            continue  # left for a later round
        if rnd.random() < 0.5 and _known_to_sandbox(db, refund.refund_no):
            for _ in range(rnd.choice((1, 2))):
                assert gateway.deliver_refund(refund.refund_no)
            stats["notified late"] += 1
    db.session.rollback()
    stats["reconciled"] += sum(reconcile_refunds(minutes=0).values())


def _known_to_sandbox(db, refund_no):
    from shop.payments.models import SandboxRefund
    return db.session.scalar(select(SandboxRefund.id).where(SandboxRefund.refund_no == refund_no)) is not None


def _random_withdrawals(db, rnd, distributors, admin, stats):
    for user_id in rnd.sample(distributors, 8):
        account = db.session.get(Account, user_id, populate_existing=True)
        if account is None or account.available_fen < 100:
            continue
        wechat = rnd.random() < 0.4
        try:
            w = withdrawals.request_withdrawal(user_id, rnd.randint(100, account.available_fen),
                                               "wechat" if wechat else "alipay", {} if wechat else ALIPAY)
            db.session.commit()
        except ServiceError:
            db.session.rollback()
            continue
        if wechat:
            _wechat_transfer(db, rnd, w, admin, stats)
            continue
        fate = rnd.random()
        if fate < 0.6:
            withdrawals.approve(w.id, admin)
            withdrawals.mark_paid(w.id, admin, f"SIM-{w.id}")
            stats["paid"] += 1
        elif fate < 0.8:
            withdrawals.reject(w.id, admin, "模拟拒绝")
        db.session.commit()


def _wechat_transfer(db, rnd, w, admin, stats):
    """An approved WeChat withdrawal's transfer, with what can go wrong: our call times out or dies after WeChat made
    the bill; the payee confirms, WeChat fails the bill, its notification is held back (reconcile's query finds the
    end), or nobody confirms (reconcile cancels it past the deadline)."""
    gateway = get_gateway("sandbox")
    gateway.transfer_fault = rnd.choice((None, None, None, "timeout", "crash"))
    try:
        withdrawals.approve(w.id, admin)
    except (GatewayError, RuntimeError):
        db.session.rollback()
        stats[f"transfer {gateway.transfer_fault}"] += 1
    finally:
        gateway.transfer_fault = None
    fate = rnd.random()
    if fate < 0.45:
        gateway.confirm_transfer(w.withdrawal_no)
        stats["transfer confirmed"] += 1
    elif fate < 0.6:
        gateway.fail_transfer(w.withdrawal_no)
        stats["transfer failed"] += 1
    elif fate < 0.8:
        gateway.hold_transfer_notices = True
        try:
            gateway.confirm_transfer(w.withdrawal_no)
        finally:
            gateway.hold_transfer_notices = False
        stats["transfer held"] += 1
    else:
        stats["transfer left"] += 1
    db.session.rollback()


def _every_figure_explained(db):
    """Per distributor: each bucket equals what its commissions and withdrawals say it should be."""
    want = defaultdict(lambda: [0, 0, 0, 0])
    for c in db.session.scalars(select(Commission)):
        net = c.amount_fen - c.reversed_fen - c.clawed_back_fen
        if c.status == FROZEN:
            want[c.beneficiary_id][0] += net
        elif c.status in (SETTLED, CLAWED_BACK):
            want[c.beneficiary_id][1] += net
    for w in db.session.scalars(select(Withdrawal)):
        if w.status in (W_REQUESTED, W_APPROVED):
            want[w.user_id][1] -= w.amount_fen
            want[w.user_id][2] += w.amount_fen
        elif w.status == W_PAID:
            want[w.user_id][1] -= w.amount_fen
            want[w.user_id][3] += w.amount_fen
    for acc in db.session.scalars(select(Account)):
        got = [acc.frozen_fen, acc.available_fen, acc.withdrawing_fen, acc.withdrawn_fen]
        assert got == want[acc.user_id], (acc.user_id, got, want[acc.user_id])
