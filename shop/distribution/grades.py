"""Grade upgrades: checked on the events that change the figures; never downgraded automatically (staff may set
any grade by hand, with a reason)."""
from collections import namedtuple

from flask_babel import gettext as _
from sqlalchemy import bindparam, select

from ..clock import utcnow
from ..errors import ServiceError, found
from ..extensions import db
from ..statements import run
from .models import Distributor, Grade, GradeChange, ReferralNode


def meets(grade, node):
    """True when the node's figures satisfy every condition the grade sets. No database access."""
    earned = node.commission_frozen_fen + node.commission_settled_fen
    return (node.direct_count >= grade.min_direct and node.team_sales_fen >= grade.min_team_sales_fen
            and node.own_paid_fen >= grade.min_own_paid_fen and earned >= grade.min_commission_fen)


def check_upgrade(user_id, reason):
    """Move an active distributor up to the best grade whose conditions they meet; returns the change.
    Joins the caller's transaction."""
    distributor = db.session.get(Distributor, user_id)
    node = db.session.get(ReferralNode, user_id)
    if distributor is None or not distributor.is_active or node is None:
        return None
    current_rank = distributor.grade.rank if distributor.grade else -1
    better = db.session.scalars(select(Grade).where(Grade.rank > current_rank).order_by(Grade.rank.desc())).all()
    for grade in better:
        if meets(grade, node):
            change = GradeChange(user_id=user_id, from_grade_id=distributor.grade_id, to_grade_id=grade.id,
                                 reason=f"{reason}: direct {node.direct_count}, team {node.team_sales_fen}, "
                                        f"own {node.own_paid_fen}"[:200], created_at=utcnow())
            distributor.grade_id = grade.id
            db.session.add(change)
            db.session.flush()
            return change
    return None


# The payment's reads, built once (bound parameters only). The nodes are read again: Core UPDATEs changed them.
#: A grade as the upgrade check compares it (a row, not a loaded object).
GradeBar = namedtuple("GradeBar", "id rank min_direct min_team_sales_fen min_own_paid_fen min_commission_fen")
_GRADES_DOWN = select(*[getattr(Grade, name) for name in GradeBar._fields]).order_by(Grade.rank.desc())
_DISTRIBUTORS = select(Distributor).where(Distributor.user_id.in_(bindparam("ids", expanding=True)))
_NODES = (select(ReferralNode).where(ReferralNode.user_id.in_(bindparam("ids", expanding=True)))
          .execution_options(populate_existing=True))


def check_upgrades(reasons):
    """check_upgrade for several members at once: {user_id: reason}; grades, distributors and
    nodes are read in three queries whatever the number of members (the payment path's batch).
    Joins the caller's transaction."""
    if not reasons:
        return []
    ids = list(reasons)
    grades = [GradeBar._make(row) for row in run(_GRADES_DOWN)]
    if not grades:
        return []
    rank_of = {g.id: g.rank for g in grades}
    distributors = {d.user_id: d for d in db.session.scalars(_DISTRIBUTORS, {"ids": ids})}
    nodes = {n.user_id: n for n in db.session.scalars(_NODES, {"ids": ids})}
    changes = []
    for user_id in ids:
        distributor, node = distributors.get(user_id), nodes.get(user_id)
        if distributor is None or not distributor.is_active or node is None:
            continue
        current_rank = rank_of.get(distributor.grade_id, -1)
        for grade in grades:
            if grade.rank <= current_rank:
                break
            if meets(grade, node):
                change = GradeChange(user_id=user_id, from_grade_id=distributor.grade_id, to_grade_id=grade.id,
                                     reason=f"{reasons[user_id]}: direct {node.direct_count}, team "
                                            f"{node.team_sales_fen}, own {node.own_paid_fen}"[:200],
                                     created_at=utcnow())
                distributor.grade_id = grade.id
                db.session.add(change)
                changes.append(change)
                break
    if changes:
        db.session.flush()
    return changes


def next_grade_progress(distributor, node):
    """The next grade up and, per condition it sets, (current, required) — for the center's progress bar. Reads only."""
    current_rank = distributor.grade.rank if distributor.grade else -1
    grade = db.session.scalar(select(Grade).where(Grade.rank > current_rank).order_by(Grade.rank).limit(1))
    if grade is None:
        return None, {}
    earned = node.commission_frozen_fen + node.commission_settled_fen
    figures = {"direct": (node.direct_count, grade.min_direct), "team_sales": (node.team_sales_fen,
                                                                             grade.min_team_sales_fen),
               "own_paid": (node.own_paid_fen, grade.min_own_paid_fen), "commission": (earned,
                                                                                      grade.min_commission_fen)}
    return grade, {k: v for k, v in figures.items() if v[1]}


def set_grade(user_id, grade_id, reason, actor_id=None):
    """Staff set a distributor's grade by hand (up, down, or none with grade_id None) with the required reason;
    returns the GradeChange. Later automatic upgrades still move them up when they meet a higher grade.
    Joins the caller's transaction."""
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("请填写调整原因"))
    distributor = found(db.session.get(Distributor, user_id), _("分销商不存在"))
    if grade_id is not None and db.session.get(Grade, grade_id) is None:
        raise ServiceError(_("分销等级不存在"))
    if grade_id == distributor.grade_id:
        raise ServiceError(_("该分销商已经是这个等级"))
    change = GradeChange(user_id=user_id, from_grade_id=distributor.grade_id, to_grade_id=grade_id,
                         reason=reason[:200], actor_id=actor_id, created_at=utcnow())
    distributor.grade_id = grade_id
    db.session.add(change)
    db.session.flush()
    return change
