"""The referral tree on a closure table: ancestors, teams, cycle checks and moving a subtree.

Every mutation takes the tree lock first: bindings are rare (once per member), so serializing them
is cheap and makes cycles impossible even when two members try to bind to each other at once.
"""
from sqlalchemy import and_, func, insert, literal, select, true, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..database import is_postgresql, lock_until_commit
from ..extensions import db
from .models import ReferralNode, ReferralPath

#: Counter columns by depth below a node.
LEVEL_COLUMNS = {1: "direct_count", 2: "level2_count", 3: "level3_count"}
TREE_LOCK_KEY = 7_301_001


def lock_tree():
    """Serialize tree changes: an advisory lock on PostgreSQL, the write lock on SQLite.
    Held until the caller's transaction ends."""
    if is_postgresql():
        lock_until_commit(TREE_LOCK_KEY)
    else:
        # Any write takes SQLite's RESERVED lock for the rest of the transaction.
        db.session.execute(update(ReferralNode).where(literal(False)).values(direct_count=0))


def _insert_ignore(model):
    dialect = db.engine.dialect.name
    stmt = (pg_insert if dialect == "postgresql" else sqlite_insert)(model)
    return stmt


def ensure_node(user_id):
    """The member's tree node, created with its depth-0 path on first use (safe under concurrency).
    Joins the caller's transaction."""
    db.session.execute(_insert_ignore(ReferralNode).values(user_id=user_id).on_conflict_do_nothing())
    db.session.execute(_insert_ignore(ReferralPath).values(ancestor_id=user_id, descendant_id=user_id, depth=0)
                       .on_conflict_do_nothing())
    return db.session.get(ReferralNode, user_id, populate_existing=True)


def ancestors(user_id, max_depth=3):
    """[(ancestor_id, depth)] nearest first, up to max_depth: one indexed range scan. Reads only."""
    rows = db.session.execute(
        select(ReferralPath.ancestor_id, ReferralPath.depth)
        .where(ReferralPath.descendant_id == user_id, ReferralPath.depth.between(1, max_depth))
        .order_by(ReferralPath.depth)).all()
    return [(r.ancestor_id, r.depth) for r in rows]


def is_in_subtree(root_id, user_id):
    """True when user_id is root_id or any descendant of it, at any depth. Reads only."""
    return db.session.scalar(select(ReferralPath.depth).where(
        ReferralPath.ancestor_id == root_id, ReferralPath.descendant_id == user_id)) is not None


def level_members_query(user_id, level):
    """Select of descendant ids exactly `level` below user_id (use with a join and a page). No database access."""
    return select(ReferralPath.descendant_id).where(ReferralPath.ancestor_id == user_id,
                                                    ReferralPath.depth == level)


def _subtree_depth_counts(user_id, max_depth=2):
    """{depth: members} of the subtree under user_id for depths 0..max_depth."""
    rows = db.session.execute(
        select(ReferralPath.depth, func.count()).where(ReferralPath.ancestor_id == user_id,
                                                       ReferralPath.depth <= max_depth)
        .group_by(ReferralPath.depth)).all()
    return {depth: count for depth, count in rows}


def _shift_counters(user_id, sign):
    """Add (sign=+1) or remove (sign=-1) the subtree of user_id from its current ancestors' figures."""
    node = db.session.get(ReferralNode, user_id, populate_existing=True)
    sub = _subtree_depth_counts(user_id)
    team_total = node.own_paid_fen + node.team_sales_fen
    for ancestor_id, distance in ancestors(user_id, max_depth=3):
        values = {}
        for below, count in sub.items():
            column = LEVEL_COLUMNS.get(distance + below)
            if column:
                values[column] = getattr(ReferralNode, column) + sign * count
        if values:
            db.session.execute(update(ReferralNode).where(ReferralNode.user_id == ancestor_id).values(**values))
    if team_total:
        db.session.execute(update(ReferralNode).where(ReferralNode.user_id.in_(
            select(ReferralPath.ancestor_id).where(ReferralPath.descendant_id == user_id, ReferralPath.depth > 0)
        )).values(team_sales_fen=ReferralNode.team_sales_fen + sign * team_total))


def move_subtree(user_id, new_parent_id):
    """Re-hang user_id (and everyone below) under new_parent_id, or make it a root with None.

    The caller holds the tree lock and has checked that new_parent_id is not inside the subtree.
    Figures of old and new ancestors are adjusted in the same transaction. Joins the caller's transaction.
    """
    ensure_node(user_id)
    if new_parent_id is not None:
        ensure_node(new_parent_id)
        if is_in_subtree(user_id, new_parent_id):
            raise ValueError("cannot move a member under its own subtree")
    _shift_counters(user_id, -1)
    subtree = select(ReferralPath.descendant_id).where(ReferralPath.ancestor_id == user_id).scalar_subquery()
    old_ancestors = select(ReferralPath.ancestor_id).where(ReferralPath.descendant_id == user_id,
                                                           ReferralPath.depth > 0).scalar_subquery()
    db.session.execute(ReferralPath.__table__.delete().where(
        ReferralPath.descendant_id.in_(subtree), ReferralPath.ancestor_id.in_(old_ancestors)))
    if new_parent_id is not None:
        up = db.aliased(ReferralPath)
        down = db.aliased(ReferralPath)
        db.session.execute(insert(ReferralPath).from_select(
            ["ancestor_id", "descendant_id", "depth"],
            select(up.ancestor_id, down.descendant_id, up.depth + down.depth + 1)
            .select_from(up).join(down, true())  # every ancestor of the new parent x every subtree member
            .where(and_(up.descendant_id == new_parent_id, down.ancestor_id == user_id))))
    db.session.execute(update(ReferralNode).where(ReferralNode.user_id == user_id)
                       .values(referrer_id=new_parent_id))
    _shift_counters(user_id, +1)


def recount(user_id):
    """Recompute a node's level counters from the closure table (for audits and repairs).
    Joins the caller's transaction."""
    counts = _subtree_depth_counts(user_id, max_depth=3)
    return {column: counts.get(depth, 0) for depth, column in LEVEL_COLUMNS.items()}
