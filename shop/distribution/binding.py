"""Binding (锁粉): who referred whom, by the merchant's rules.

Never to oneself, never to one's own descendant at any depth, never replacing a valid binding.
A referral seen before the member is known waits in the session until registration or login.
"""
from datetime import timedelta

from flask import session
from sqlalchemy import Integer, bindparam, case, cast, select, union_all, update

from ..clock import utcnow
from ..database import transaction
from ..extensions import db
from ..settings import get_setting
from ..statements import run
from . import tree
from .models import BindingLog, Distributor, ReferralNode, ReferralPath

SESSION_KEY = "ref"

# Outcomes of bind_referrer, for callers and tests.
BOUND, PENDING = "bound", "pending"
REFUSED_SELF, REFUSED_CYCLE, REFUSED_ALREADY = "self", "cycle", "already_bound"
REFUSED_NOT_NEW, REFUSED_UNKNOWN = "not_new_member", "unknown_code"


def find_active_distributor(code):
    """The active distributor with this invite code, or None (unknown or disabled codes are ignored).
    Reads only."""
    code = (code or "").strip().upper()[:12]
    if not code or not code.isalnum():
        return None
    d = db.session.scalar(select(Distributor).where(Distributor.invite_code == code))
    return d if d is not None and d.is_active else None


def remember_referral(code, source):
    """Keep a valid code in the visitor's session until they register or log in. Reads only."""
    distributor = find_active_distributor(code)
    if distributor is None:
        return None
    session[SESSION_KEY] = {"code": distributor.invite_code, "source": source}
    return distributor


def remembered_referral():
    """The referral ({"code", "source"}) waiting in the visitor's session, or None; it stays there.
    No database access."""
    return session.get(SESSION_KEY)


def take_referral():
    """The referral waiting in the visitor's session, removed from it (None if there is none). No database access."""
    return session.pop(SESSION_KEY, None)


def binding_is_valid(node, now=None):
    """A binding holds while it exists and, with bind_valid_days > 0, a paid order renewed it in time.
    Reads only."""
    if node is None or node.referrer_id is None:
        return False
    days = int(get_setting("bind_valid_days") or 0)
    if days <= 0:
        return True
    last = max(t for t in (node.bound_at, node.last_paid_at) if t is not None)
    return (now or utcnow()) - last <= timedelta(days=days)


def bind_referrer(user_id, referrer_id, source, code=None, is_new_member=False, now=None):
    """Bind user_id to referrer_id if the rules allow; returns an outcome constant.

    With bind_moment = "paid" a member without a paid order gets a pending referral instead,
    bound by `bind_pending` on their first paid order. Joins the caller's transaction.
    """
    now = now or utcnow()
    if user_id == referrer_id:
        return REFUSED_SELF
    tree.lock_tree()
    node = tree.ensure_node(user_id)
    if binding_is_valid(node, now):
        return REFUSED_ALREADY
    if get_setting("bind_scope") == "new" and not is_new_member:
        return REFUSED_NOT_NEW
    if tree.is_in_subtree(user_id, referrer_id):
        return REFUSED_CYCLE
    if get_setting("bind_moment") == "paid" and node.own_paid_orders == 0:
        if node.pending_referrer_id is None:
            node.pending_referrer_id, node.pending_source, node.pending_code, node.pending_at = (
                referrer_id, source, code, now)
        return PENDING
    _attach(node, referrer_id, source, code, now)
    return BOUND


def _attach(node, referrer_id, source, code, now, reason=None, actor_id=None):
    old = node.referrer_id
    tree.move_subtree(node.user_id, referrer_id)
    db.session.refresh(node)
    node.bound_at, node.bind_source, node.bind_code, node.last_paid_at = now, source, code, None
    node.pending_referrer_id = node.pending_source = node.pending_code = node.pending_at = None
    db.session.add(BindingLog(user_id=node.user_id, old_referrer_id=old, new_referrer_id=referrer_id,
                              source=source, code=code, reason=reason, actor_id=actor_id, created_at=now))
    db.session.flush()
    if source != "admin":
        from ..growth.fraud import check_binding
        from ..stores.services import attribute_member

        check_binding(node.user_id, referrer_id, now)
        # A member brought in by a store clerk's link belongs to the clerk's store.
        attribute_member(node.user_id, referrer_id, now)
    from .grades import check_upgrade

    if referrer_id is not None:
        check_upgrade(referrer_id, "direct invitees")


def bind_pending(user_id, now=None):
    """On the first paid order: turn a pending referral into a binding (rules checked again).
    Joins the caller's transaction (the payment's)."""
    node = db.session.get(ReferralNode, user_id)
    if node is None or node.pending_referrer_id is None:
        return None
    referrer_id, source, code = node.pending_referrer_id, node.pending_source, node.pending_code
    now = now or utcnow()
    tree.lock_tree()
    node = tree.ensure_node(user_id)
    if binding_is_valid(node, now) or tree.is_in_subtree(user_id, referrer_id):
        node.pending_referrer_id = node.pending_source = node.pending_code = node.pending_at = None
        return REFUSED_CYCLE
    _attach(node, referrer_id, source, code, now)
    return BOUND


def bind_from_code(user, code, source, is_new_member=False):
    """Bind a known member through an invite code; unknown or disabled codes are ignored.
    Joins the caller's transaction."""
    distributor = find_active_distributor(code)
    if distributor is None:
        return REFUSED_UNKNOWN
    return bind_referrer(user.id, distributor.user_id, source, distributor.invite_code, is_new_member)


def bind_referral(user, referral, is_new_member=False):
    """Bind the member through a referral remembered from a link ({"code", "source"}); None without one.
    Owns its transaction (joins the sign-in's)."""
    if not referral:
        return None
    with transaction():
        return bind_from_code(user, referral.get("code"), referral.get("source", "link"), is_new_member)


def admin_move(user_id, new_referrer_id, actor, reason):
    """Merchant moves a member (with their team) under another member, or to the top with None.
    Joins the caller's transaction (the admin's)."""
    from flask_babel import gettext as _

    from ..errors import ServiceError

    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("请填写调整原因"))
    if new_referrer_id == user_id:
        raise ServiceError(_("不能绑定到自己"))
    tree.lock_tree()
    node = tree.ensure_node(user_id)
    if new_referrer_id is not None and tree.is_in_subtree(user_id, new_referrer_id):
        raise ServiceError(_("不能绑定到自己的下级（会形成循环）"))
    _attach(node, new_referrer_id, "admin", None, utcnow(), reason=reason[:200], actor_id=actor.id if actor else None)
    return node


# A paid order's figures in one Core UPDATE (no ORM-enabled UPDATE evaluating the identity map; the grade check
# reads the nodes again): the buyer's own, the uplines' team sales and the beneficiaries' frozen commissions
# (u<i> gains a<i>). Built once per number of beneficiaries, with bound parameters only.
_nodes = ReferralNode.__table__
_OWN_PAID = (update(_nodes).where(_nodes.c.user_id == bindparam("buyer")).values(
    own_paid_fen=_nodes.c.own_paid_fen + bindparam("amount"), own_paid_orders=_nodes.c.own_paid_orders + 1,
    last_paid_at=bindparam("now")).returning(_nodes.c.own_paid_orders, _nodes.c.pending_referrer_id))
_PAID_ORDER_UPDATES = {}


def _paid_order_update(n):
    """The paid order's UPDATE of the nodes for n beneficiaries. Its rows are picked by one IN over a UNION (the
    buyer's paths, depth 0 included, and the beneficiaries), which PostgreSQL joins by primary key; an OR of the
    three would scan the whole table."""
    if n in _PAID_ORDER_UPDATES:
        return _PAID_ORDER_UPDATES[n]
    c = _nodes.c
    buyer, amount = c.user_id == bindparam("buyer"), bindparam("amount", type_=c.own_paid_fen.type)
    paths = select(ReferralPath.ancestor_id).where(ReferralPath.descendant_id == bindparam("buyer"))
    upline = c.user_id.in_(paths.where(ReferralPath.depth > 0))
    users = [bindparam(f"u{i}", type_=c.user_id.type) for i in range(n)]
    earned = case(*[(users[i], bindparam(f"a{i}", type_=c.commission_frozen_fen.type)) for i in range(n)],
                  value=c.user_id, else_=0) if n else 0
    rows = union_all(paths.where(ReferralPath.depth >= 0), *[select(cast(u, Integer)) for u in users])
    # Locked in ascending user id through the sub-SELECT (as wallet/ledger.py locks accounts): two payments whose
    # buyers share uplines take those rows in one order, so they wait for each other instead of deadlocking.
    locked = _nodes.alias("locked")
    in_order = select(locked.c.user_id).where(locked.c.user_id.in_(rows)).order_by(locked.c.user_id).with_for_update()
    stmt = _PAID_ORDER_UPDATES[n] = update(_nodes).where(c.user_id.in_(in_order)).values(
        own_paid_fen=c.own_paid_fen + case((buyer, amount), else_=0),
        own_paid_orders=c.own_paid_orders + case((buyer, 1), else_=0),
        last_paid_at=case((buyer, bindparam("now", type_=c.last_paid_at.type)), else_=c.last_paid_at),
        team_sales_fen=c.team_sales_fen + case((upline, amount), else_=0),
        commission_frozen_fen=c.commission_frozen_fen + earned,
    ).returning(c.user_id, c.own_paid_orders, case((upline, True), else_=False), c.pending_referrer_id)
    return stmt


def record_paid_order(user_id, amount_fen, now=None, check_grades=True, earned=None):
    """A member paid an order: update their and their uplines' figures and the beneficiaries' frozen commission
    (`earned`: {user_id: amount}) in one UPDATE, renew the binding, bind a pending referral, and check threshold
    membership and grades.

    Returns {user_id: reason} of the members whose grades the change may affect; with
    check_grades=False the caller checks them (the payment path batches them with its own).
    Joins the caller's transaction (the payment's).
    """
    from .grades import check_upgrades
    from .services import check_threshold

    now, earned = now or utcnow(), earned or {}
    values = {"buyer": user_id, "amount": amount_fen, "now": now}
    params = dict(values, **{f"u{i}": u for i, u in enumerate(sorted(earned))},
                  **{f"a{i}": earned[u] for i, u in enumerate(sorted(earned))})
    rows = run(_paid_order_update(len(earned)), params)
    row = next(((r[1], r[3]) for r in rows if r[0] == user_id), None)
    if row is None:  # a member outside the tree so far (no uplines either: nobody else was counted twice)
        tree.ensure_node(user_id)
        row = run(_OWN_PAID, values)[0]
    ancestor_ids = [r[0] for r in rows if r[2]]
    if row[0] == 1 and row[1] is not None:  # the first paid order, with a referral pending (the node says so)
        bind_pending(user_id, now)
    check_threshold(user_id)
    reasons = {user_id: "own spending"}
    for ancestor_id in ancestor_ids:
        reasons.setdefault(ancestor_id, "team sales")
    if check_grades:
        check_upgrades(reasons)
    return reasons
