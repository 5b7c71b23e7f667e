"""Grade upgrades: checked on the events that change the figures; never downgraded automatically."""
from sqlalchemy import select

from ..extensions import db
from ..money import utcnow
from .models import Distributor, Grade, GradeChange, ReferralNode


def meets(grade, node):
    """True when the node's figures satisfy every condition the grade sets."""
    earned = node.commission_frozen_fen + node.commission_settled_fen
    return (node.direct_count >= grade.min_direct and node.team_sales_fen >= grade.min_team_sales_fen
            and node.own_paid_fen >= grade.min_own_paid_fen and earned >= grade.min_commission_fen)


def check_upgrade(user_id, reason):
    """Move an active distributor up to the best grade whose conditions they meet; returns the change."""
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


def next_grade_progress(distributor, node):
    """The next grade up and, per condition it sets, (current, required) — for the center's progress bar."""
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
