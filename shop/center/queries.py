"""The distributor center's read models: only ever the logged-in distributor's own records, each page in a
fixed number of statements whatever the size of the team (a page of ids first, then one grouped query for
the figures of that page). Reads only: nothing here writes, so no function owns or joins a transaction
(the center's writes are center/services.py's)."""
from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import joinedload, selectinload

from ..accounts.models import User
from ..catalog.models import Product
from ..clock import period_start
from ..distribution import grades, rules
from ..distribution import services as distribution
from ..distribution.models import (
    ACTIVE,
    CLAWED_BACK,
    FROZEN,
    REVERSED,
    SETTLED,
    Commission,
    Distributor,
    ReferralNode,
    RuleVersion,
)
from ..distribution.settlement import availability
from ..errors import NotFound, found
from ..extensions import db
from ..orders.models import Order, OrderLine
from ..pagination import PER_PAGE, Window, window
from ..payments.models import SUCCEEDED, Refund, RefundLine
from ..settings import get_setting
from ..wallet import withdrawals
from ..wallet.models import LEDGER_KINDS, W_APPROVED, Account, LedgerEntry, Withdrawal
from ..wallet.transfers import NAME_REQUIRED_FROM_FEN
from .masking import mask_name
from .models import PromoMaterial

#: Rows on a leaderboard.
LEADERBOARD_SIZE = 20
#: Commission filters, in tab order ("withdrawn" is a wallet bucket, not a commission status).
COMMISSION_STATUSES = (FROZEN, SETTLED, REVERSED, CLAWED_BACK)
BOARDS = ("commission", "invitees")
PERIODS = ("week", "month")


# ---- who is asking ---------------------------------------------------------------------------------------

def center_distributor(user_id):
    """The member's Distributor with its grade, or None."""
    return db.session.scalar(select(Distributor).where(Distributor.user_id == user_id)
                             .options(joinedload(Distributor.grade)))


def join_status(user_id):
    """What a member who is not a distributor (yet) sees: the merchant's mode, their application and their
    progress toward the spending threshold (a member without a tree node has paid nothing yet)."""
    node = db.session.get(ReferralNode, user_id)
    threshold = int(get_setting("distribution_threshold_fen"))
    paid = node.own_paid_fen if node is not None else 0
    return {"mode": get_setting("distribution_mode"), "application": distribution.pending_application(user_id),
            "threshold": threshold, "still_needed": max(threshold - paid, 0)}


# ---- overview --------------------------------------------------------------------------------------------

def balances(user_id):
    """The wallet's buckets (zero before the first commission)."""
    account = db.session.get(Account, user_id)
    if account is None:
        return {"available": 0, "frozen": 0, "withdrawing": 0, "withdrawn": 0}
    return {"available": account.available_fen, "frozen": account.frozen_fen,
            "withdrawing": account.withdrawing_fen, "withdrawn": account.withdrawn_fen}


def earnings(user_id, now=None):
    """Net commission created today and this month (China time), in one query."""
    today, month = period_start("day", now), period_start("month", now)
    net = Commission.net_fen
    # Today is always inside this month, so one range scan on (beneficiary_id, created_at) covers both.
    row = db.session.execute(
        select(func.coalesce(func.sum(case((Commission.created_at >= today, net), else_=0)), 0),
               func.coalesce(func.sum(net), 0))
        .where(Commission.beneficiary_id == user_id, Commission.created_at >= month)).one()
    return {"today": int(row[0]), "month": int(row[1])}


def overview(distributor, now=None):
    """Balances, earnings, team size by level, the grade and the progress toward the next one."""
    node = db.session.get(ReferralNode, distributor.user_id)
    next_grade, progress = grades.next_grade_progress(distributor, node) if node is not None else (None, {})
    return {"balances": balances(distributor.user_id), "earnings": earnings(distributor.user_id, now),
            "counts": distribution.team_counts(distributor.user_id), "levels": team_levels(),
            "next_grade": next_grade, "progress": progress}


# ---- my team ---------------------------------------------------------------------------------------------

def team_levels():
    """The team tabs: levels 1 and 2, and 3 when the merchant's rules pay three levels."""
    return [1, 2, 3] if rules.current_settings().levels >= 3 else [1, 2]


def earned_from_members(user_id, member_ids):
    """{member id: my net commission on their orders} for a page of members, in one grouped query."""
    if not member_ids:
        return {}
    rows = db.session.execute(
        select(Commission.buyer_id, func.sum(Commission.net_fen))
        .where(Commission.beneficiary_id == user_id, Commission.buyer_id.in_(member_ids))
        .group_by(Commission.buyer_id)).all()
    return {buyer_id: int(total) for buyer_id, total in rows}


def team(user_id, level, page=1, q=None):
    """A page of members exactly `level` below the distributor, with what each earned them.

    The page comes from distribution.services.team_page (ids first from the closure index), the total
    from the node's counters (or one count when searching), the amounts from one grouped query."""
    q = (q or "").strip()[:20]
    counts = distribution.team_counts(user_id)
    total = distribution.search_count(user_id, level, q) if q else counts.get(level, 0)
    rows = distribution.team_page(user_id, level, page=page, per_page=PER_PAGE, q=q) if total else []
    earned = earned_from_members(user_id, [user.id for user, _node in rows])
    members = [{"user": user, "node": node, "earned": earned.get(user.id, 0)} for user, node in rows]
    return Window(members, page, PER_PAGE, total=total), counts


# ---- commissions -----------------------------------------------------------------------------------------

def commissions(user_id, status=None, page=1):
    """A page of my commissions, newest first, optionally of one status, with order number, line and buyer."""
    stmt = (select(Commission, Order.order_no, OrderLine.title, User)
            .join(Order, Order.id == Commission.order_id)
            .join(OrderLine, OrderLine.id == Commission.order_line_id)
            .join(User, User.id == Commission.buyer_id)
            .where(Commission.beneficiary_id == user_id))
    if status in COMMISSION_STATUSES:
        stmt = stmt.where(Commission.status == status).order_by(Commission.id.desc())
    else:
        stmt = stmt.order_by(Commission.created_at.desc(), Commission.id.desc())
    return window(stmt, page)


def commission_totals(user_id):
    """Net amounts by status from the member's node counters (no summing)."""
    node = db.session.get(ReferralNode, user_id)
    if node is None:
        return {"frozen": 0, "settled": 0, "taken_back": 0}
    return {"frozen": node.commission_frozen_fen, "settled": node.commission_settled_fen,
            "taken_back": node.commission_reversed_fen}


def get_commission(user_id, commission_id):
    """One of my commissions with its order, line, buyer, rule version and when it settles; another's is 404."""
    row = db.session.execute(
        select(Commission, Order, OrderLine, User, RuleVersion)
        .join(Order, Order.id == Commission.order_id)
        .join(OrderLine, OrderLine.id == Commission.order_line_id)
        .join(User, User.id == Commission.buyer_id)
        .join(RuleVersion, RuleVersion.id == Commission.rule_version_id)
        .where(Commission.id == commission_id, Commission.beneficiary_id == user_id)).first()
    if row is None:
        raise NotFound(_("佣金记录不存在"))
    commission, order, line, buyer, version = row
    return {"commission": commission, "order": order, "line": line, "buyer": buyer, "version": version,
            "availability": availability(commission, order), "refunds": line_refunds(line.id)}


def line_refunds(order_line_id):
    """The refunds that took quantities of a line back, oldest first: when, how many, and the shopper's reason
    (why the commission on it went down). One statement."""
    return db.session.execute(
        select(Refund.succeeded_at, RefundLine.quantity, Refund.reason)
        .join(RefundLine, RefundLine.refund_id == Refund.id)
        .where(RefundLine.order_line_id == order_line_id, Refund.status == SUCCEEDED)
        .order_by(Refund.succeeded_at, Refund.id)).all()


# ---- promotion orders ------------------------------------------------------------------------------------

def promotion_orders(user_id, page=1):
    """A page of the orders that earned me commission, newest first, with my share of each.

    The orders are grouped and paged on the (beneficiary_id, order_id) index first; only that page is
    joined to orders and buyers; the lines come in one more query."""
    mine = (select(Commission.order_id.label("order_id"), func.sum(Commission.net_fen).label("net_fen"),
                   func.sum(Commission.amount_fen).label("amount_fen"), func.min(Commission.level).label("level"))
            .where(Commission.beneficiary_id == user_id).group_by(Commission.order_id)
            .order_by(Commission.order_id.desc()).limit(PER_PAGE + 1).offset((page - 1) * PER_PAGE).subquery())
    rows = db.session.execute(
        select(Order, User, mine.c.net_fen, mine.c.amount_fen, mine.c.level)
        .join(mine, mine.c.order_id == Order.id).join(User, User.id == Order.user_id)
        .options(selectinload(Order.lines)).order_by(Order.id.desc())).all()
    items = [{"order": order, "buyer": buyer, "net": int(net), "amount": int(amount), "level": level}
             for order, buyer, net, amount, level in rows[:PER_PAGE]]
    return Window(items, page, PER_PAGE, has_next=len(rows) > PER_PAGE)


def promotion_order(user_id, order_no):
    """An order that earned me commission, with my commissions on it; any other order is 404."""
    order = db.session.scalar(select(Order).where(Order.order_no == str(order_no)[:32])
                              .options(selectinload(Order.lines), joinedload(Order.user)))
    mine = db.session.scalars(select(Commission).where(Commission.order_id == order.id,
                                                       Commission.beneficiary_id == user_id)
                              .order_by(Commission.order_line_id)).all() if order is not None else []
    if not mine:
        raise NotFound(_("推广订单不存在"))
    lines = {line.id: line for line in order.lines}
    return {"order": order, "commissions": [(c, lines.get(c.order_line_id)) for c in mine],
            "net": sum(c.net_fen for c in mine)}


# ---- the balance statement (资金明细) ---------------------------------------------------------------------

#: The statement's filters: entries by what moved the money (every kind falls in one).
LEDGER_GROUPS = {
    "earnings": tuple(k for k in LEDGER_KINDS if k.startswith(("commission_", "agent_dividend_", "pool_"))),
    "withdrawals": tuple(k for k in LEDGER_KINDS if k.startswith("withdrawal_")),
    "adjustments": ("adjustment",),
}


def ledger(user_id, group=None, page=1):
    """A page of my ledger entries, newest first, optionally of one LEDGER_GROUPS group, each with the number of the
    order it concerns (or None): one query on the (user_id, id) index."""
    stmt = (select(LedgerEntry, Order.order_no).outerjoin(Order, Order.id == LedgerEntry.order_id)
            .where(LedgerEntry.user_id == user_id))
    if group in LEDGER_GROUPS:
        stmt = stmt.where(LedgerEntry.kind.in_(LEDGER_GROUPS[group]))
    return window(stmt.order_by(LedgerEntry.id.desc()), page)


# ---- withdrawals -----------------------------------------------------------------------------------------

def withdraw_terms(user_id, now=None):
    """What the form shows: balances, the merchant's limits and what is left of today's."""
    limits = withdrawals.limits()
    count, total = withdrawals.today_usage(user_id, now)
    return {"balances": balances(user_id), "limits": limits,
            "count_left": max(limits["daily_count"] - count, 0),
            "amount_left": max(limits["daily_amount_fen"] - total, 0),
            "real_name_from_fen": NAME_REQUIRED_FROM_FEN}


def quote_withdrawal(amount_fen):
    """(fee, what arrives) for an amount, as the service will charge it."""
    fee = withdrawals.fee_for(amount_fen)
    return fee, amount_fen - fee


def confirm_step(withdrawal, in_wechat):
    """How the distributor confirms a transfer waiting for them (确认收款), or None: "sandbox" (the sandbox's confirm
    page at `url`), "wechat" (inside WeChat: requestMerchantTransfer with mch_id, app_id and package) or "outside"
    (the real gateway outside WeChat: open the page in WeChat)."""
    from ..payments.gateways import configured_gateway_name, get_gateway

    if withdrawal.status != W_APPROVED or withdrawal.transfer_state != "WAIT_USER_CONFIRM":
        return None
    if configured_gateway_name() == "sandbox":
        return {"mode": "sandbox", "url": url_for("payments.sandbox_transfer", out_bill_no=withdrawal.out_bill_no)}
    if not in_wechat:
        return {"mode": "outside"}
    gateway = get_gateway()
    return {"mode": "wechat", "mch_id": gateway.mchid, "app_id": gateway.appid, "package": withdrawal.package_info}


def withdrawal_history(user_id, page=1):
    """My withdrawals, newest first."""
    return window(select(Withdrawal).where(Withdrawal.user_id == user_id)
                  .order_by(Withdrawal.created_at.desc(), Withdrawal.id.desc()), page, scalars=True)


def get_withdrawal(user_id, withdrawal_id):
    """One of my withdrawals; another's is 404."""
    return found(db.session.scalar(select(Withdrawal).where(Withdrawal.id == withdrawal_id,
                                                            Withdrawal.user_id == user_id)),
                 _("提现记录不存在"))


# ---- leaderboards ----------------------------------------------------------------------------------------

def leaderboard(board, period, now=None):
    """The top active distributors of the period: by net commission created in it, or by members bound
    to them in it (admin moves not counted). One grouped query; names masked."""
    start = period_start(period, now)
    if board == "invitees":
        value = func.count().label("value")
        grouped = (select(ReferralNode.referrer_id.label("user_id"), value)
                   .join(Distributor, and_(Distributor.user_id == ReferralNode.referrer_id,
                                           Distributor.status == ACTIVE))
                   .where(ReferralNode.bound_at >= start, ReferralNode.referrer_id.is_not(None),
                          func.coalesce(ReferralNode.bind_source, "") != "admin")
                   .group_by(ReferralNode.referrer_id))
    else:
        value = func.sum(Commission.net_fen).label("value")
        grouped = (select(Commission.beneficiary_id.label("user_id"), value)
                   .join(Distributor, and_(Distributor.user_id == Commission.beneficiary_id,
                                           Distributor.status == ACTIVE))
                   .where(Commission.created_at >= start)
                   .group_by(Commission.beneficiary_id).having(func.sum(Commission.net_fen) > 0))
    top = grouped.order_by(value.desc(), grouped.selected_columns.user_id).limit(LEADERBOARD_SIZE).subquery()
    rows = db.session.execute(select(User, top.c.value).join(top, top.c.user_id == User.id)
                              .order_by(top.c.value.desc(), User.id)).all()
    return [{"rank": i, "user_id": user.id, "name": mask_name(user), "value": int(value)}
            for i, (user, value) in enumerate(rows, start=1)]


# ---- promotion materials ---------------------------------------------------------------------------------

def materials(page=1, product_id=None):
    """Materials of on-shelf products, the merchant's order (larger sort first), newest first within it."""
    stmt = (select(PromoMaterial).join(Product, Product.id == PromoMaterial.product_id)
            .where(Product.on_shelf.is_(True)).options(joinedload(PromoMaterial.product))
            .order_by(PromoMaterial.sort.desc(), PromoMaterial.id.desc()))
    if product_id:
        stmt = stmt.where(PromoMaterial.product_id == product_id)
    return window(stmt, page, scalars=True)


def shop_product(product_id):
    """An on-shelf product (posters and materials are only for what the shop sells), or 404."""
    product = db.session.get(Product, product_id)
    if product is None or not product.on_shelf:
        raise NotFound(_("商品不存在或已下架"))
    return product
