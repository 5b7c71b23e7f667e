"""Points and orders: spent at placement, returned at a cancel, earned at completion, returned and taken back in
proportion on refunds, and the referrer's reward for an invitee's first paid order. Each runs inside the order's
own transaction (an order event's receiver) and joins it; each is exactly once per order, by its once_key or by
the cumulative amounts already on the ledger (the order's transitions are serialized by its row)."""
from sqlalchemy import bindparam, func, select

from ..clock import today_start, utcnow
from ..extensions import db
from ..orders.models import Order
from ..payments.models import AUTO, SUCCEEDED, Refund
from ..settings import get_setting
from ..statements import scalar
from . import rules
from .ledger import has_entry, lock_account, post
from .memos import N_
from .models import EARN_ORDER, EARN_REVOKED, INVITE, SPEND, SPEND_RETURNED, PointsEntry


def applied_points(quote_or_detail):
    """The points a placed order used, from its applied discounts ({"kind": "points", "points": n}). No database."""
    return sum(int(a.get("points", 0)) for a in quote_or_detail or () if a.get("kind") == "points")


def order_sums(order_id):
    """{kind: (sum of delta, sum of unrecovered)} of the order's points entries. Reads only."""
    rows = db.session.execute(select(PointsEntry.kind, func.sum(PointsEntry.delta), func.sum(PointsEntry.unrecovered))
                              .where(PointsEntry.order_id == order_id).group_by(PointsEntry.kind)).all()
    return {kind: (int(delta or 0), int(unrecovered or 0)) for kind, delta, unrecovered in rows}


def spend_for_order(order, points):
    """Take the points the order used from the buyer's balance; InsufficientPoints (a ServiceError, so the
    placement rolls back) when the balance no longer has them. Joins the caller's transaction."""
    if points > 0:
        post(order.user_id, SPEND, -points, ref_type="order", ref_id=order.id, order_id=order.id,
             once_key=f"spend:{order.id}", memo=N_("订单 %(no)s 抵扣"), memo_args={"no": order.order_no})


def return_all_spent(order):
    """Give back every point the order spent and has not yet returned (an unpaid order cancelled or expired).
    Joins the caller's transaction."""
    sums = order_sums(order.id)
    due = -sums.get(SPEND, (0, 0))[0] - sums.get(SPEND_RETURNED, (0, 0))[0]
    if due > 0:
        post(order.user_id, SPEND_RETURNED, due, ref_type="order", ref_id=order.id, order_id=order.id,
             memo=N_("订单 %(no)s 取消，退回抵扣积分"), memo_args={"no": order.order_no})


def paid_goods_fen(order):
    """What the shopper paid for the order's goods (shipping excluded). No database beyond its lines."""
    return sum(line.paid_amount_fen for line in order.lines)


def refunded_goods_fen(order_id):
    """Goods money refunded on the order so far (succeeded after-sale refunds, shipping excluded). Reads only."""
    return int(db.session.scalar(select(func.coalesce(func.sum(Refund.amount_fen - Refund.shipping_fen), 0))
                                 .where(Refund.order_id == order_id, Refund.status == SUCCEEDED,
                                        Refund.kind != AUTO)) or 0)


def earn_for_order(order, now=None):
    """At completion: points_per_yuan for each whole yuan of the paid goods net of refunds so far, exactly once.
    Joins the caller's transaction."""
    basis = paid_goods_fen(order) - refunded_goods_fen(order.id)
    points = rules.earned_for(basis, int(get_setting("points_per_yuan")))
    if points <= 0 or has_entry(f"earn:{order.id}"):
        return None
    return post(order.user_id, EARN_ORDER, points, ref_type="order", ref_id=order.id, order_id=order.id,
                basis_fen=basis, once_key=f"earn:{order.id}", now=now,
                memo=N_("订单 %(no)s 完成"), memo_args={"no": order.order_no})


def settle_refund(order, whole=False):
    """After a refund succeeded: return the spent points and take back the earned ones, each in proportion to the
    goods refunded so far (cumulative, so all of them once everything is refunded). Earned points are taken back
    at most down to a zero balance: the rest is recorded on the entry as unrecovered, never a debt.
    Joins the caller's transaction."""
    lock_account(order.user_id)
    sums, paid = order_sums(order.id), paid_goods_fen(order)
    refunded = paid if whole else refunded_goods_fen(order.id)
    spent, returned = -sums.get(SPEND, (0, 0))[0], sums.get(SPEND_RETURNED, (0, 0))[0]
    due = rules.share_due(spent, refunded, paid) - returned
    if due > 0:
        post(order.user_id, SPEND_RETURNED, due, ref_type="order", ref_id=order.id, order_id=order.id,
             memo=N_("订单 %(no)s 退款，退回抵扣积分"), memo_args={"no": order.order_no})
    _take_back_earned(order, paid - refunded, sums)


def _take_back_earned(order, remaining_fen, sums):
    earned = db.session.scalar(select(PointsEntry).where(PointsEntry.once_key == f"earn:{order.id}"))
    if earned is None:
        return None
    taken, unrecovered = sums.get(EARN_REVOKED, (0, 0))
    due = rules.revoke_due(earned.delta, earned.basis_fen or 0, remaining_fen) - (-taken + unrecovered)
    if due <= 0:
        return None
    balance = lock_account(order.user_id)
    take = min(due, balance)
    return post(order.user_id, EARN_REVOKED, -take, ref_type="order", ref_id=order.id, order_id=order.id,
                unrecovered=due - take, memo=N_("订单 %(no)s 退款，扣回购物奖励"), memo_args={"no": order.order_no})


def reward_inviter(order, now=None):
    """When an invitee's first paid order is paid, its referrer gets invite_points, at most
    invite_points_daily_cap a China day, exactly once per invitee (the referrer's points row is locked while the
    day's total is counted). Joins the caller's transaction."""
    points, cap = int(get_setting("invite_points")), int(get_setting("invite_points_daily_cap"))
    referrer_id, now = order.referrer_id, now or utcnow()
    if not referrer_id or points <= 0 or _paid_before(order):
        return None
    lock_account(referrer_id)
    if has_entry(f"invite:{order.user_id}"):
        return None
    today = scalar(_INVITED_TODAY, {"referrer_id": referrer_id, "since": today_start(now)}) or 0
    award = min(points, cap - int(today))
    if award <= 0:
        return None
    return post(referrer_id, INVITE, award, ref_type="user", ref_id=order.user_id, order_id=order.id,
                once_key=f"invite:{order.user_id}", now=now, memo=N_("邀请的新会员首单付款"), memo_args={})


def _paid_before(order):
    """Whether the buyer had another order paid before this one."""
    return scalar(_PAID_BEFORE, {"user_id": order.user_id, "order_id": order.id}) is not None


_INVITED_TODAY = select(func.coalesce(func.sum(PointsEntry.delta), 0)).where(
    PointsEntry.user_id == bindparam("referrer_id"), PointsEntry.kind == INVITE,
    PointsEntry.created_at >= bindparam("since"))  # built once: every invitee's first paid order asks
_PAID_BEFORE = select(Order.id).where(Order.user_id == bindparam("user_id"), Order.id != bindparam("order_id"),
                                      Order.paid_at.is_not(None)).limit(1)  # built once: every payment asks
