"""Becoming a distributor (everyone / apply / threshold), invite codes, disabling, team pages."""
import secrets

from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from ..accounts.models import User
from ..accounts.services import normalize_phone
from ..clock import utcnow
from ..errors import NotFound, ServiceError
from ..extensions import db
from ..settings import get_setting
from . import tree
from .models import (
    ACTIVE,
    APPLICATION_APPROVED,
    APPLICATION_PENDING,
    APPLICATION_REJECTED,
    DISABLED,
    Application,
    Distributor,
    ReferralNode,
    ReferralPath,
)
from .rules import default_grade

#: No 0/O, 1/I/L: codes are read aloud and typed from posters.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 6


def new_invite_code():
    """A random 6-character code not used yet (31^6 ≈ 887 million possibilities). Reads only."""
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if not db.session.scalar(select(Distributor.user_id).where(Distributor.invite_code == code)):
            return code


def get_distributor(user_id):
    """The member's Distributor row, or None. Reads only."""
    return db.session.get(Distributor, user_id)


def become_distributor(user_id, source):
    """Give a member distribution rights (idempotent; re-enables nothing that was disabled).
    Joins the caller's transaction."""
    distributor = db.session.get(Distributor, user_id)
    if distributor is not None:
        return distributor
    grade = default_grade()
    distributor = Distributor(user_id=user_id, invite_code=new_invite_code(), status=ACTIVE, source=source,
                              grade_id=grade.id if grade else None, joined_at=utcnow())
    db.session.add(distributor)
    tree.ensure_node(user_id)
    db.session.flush()
    return distributor


def on_sign_in(user_id, is_new_member=False):
    """Log-in and registration hook: a new member gets their place in the tree; in "everyone" mode every
    member is a distributor (one who is not yet becomes one now). Joins the caller's transaction."""
    if is_new_member:
        tree.ensure_node(user_id)
    if get_setting("distribution_mode") == "everyone":
        become_distributor(user_id, "everyone")


def check_threshold(user_id):
    """Threshold mode: a member whose paid spending reached the amount becomes a distributor.
    Joins the caller's transaction (the payment's)."""
    if get_setting("distribution_mode") != "threshold" or db.session.get(Distributor, user_id):
        return None
    node = db.session.get(ReferralNode, user_id, populate_existing=True)  # the figures a Core UPDATE just changed
    if node is not None and node.own_paid_fen >= int(get_setting("distribution_threshold_fen")):
        return become_distributor(user_id, "threshold")
    return None


def pending_application(user_id):
    """The member's latest application (whatever its status), or None. Reads only."""
    return db.session.scalar(select(Application).where(Application.user_id == user_id)
                             .order_by(Application.id.desc()).limit(1))


def apply(user, real_name, phone):
    """Apply for distribution rights (mode "apply"); one open application at a time.
    Joins the caller's transaction (the center's)."""
    if get_setting("distribution_mode") != "apply":
        raise ServiceError(_("当前无需申请"))
    if db.session.get(Distributor, user.id):
        raise ServiceError(_("你已经是分销商了"))
    last = pending_application(user.id)
    if last is not None and last.status == APPLICATION_PENDING:
        raise ServiceError(_("你的申请正在审核中，请耐心等待"))
    real_name = (real_name or "").strip()
    if not real_name or len(real_name) > 40:
        raise ServiceError(_("请填写真实姓名"))
    application = Application(user_id=user.id, real_name=real_name, phone=normalize_phone(phone))
    db.session.add(application)
    db.session.flush()
    return application


def _open_application(application_id):
    application = db.session.get(Application, application_id)
    if application is None:
        raise NotFound()
    if application.status != APPLICATION_PENDING:
        raise ServiceError(_("该申请已处理"))
    return application


def approve(application_id, actor):
    """Approve an application: the member becomes a distributor. Joins the caller's transaction (the admin's)."""
    application = _open_application(application_id)
    application.status, application.decided_at, application.decided_by = APPLICATION_APPROVED, utcnow(), actor.id
    become_distributor(application.user_id, "apply")
    return application


def reject(application_id, actor, reason):
    """Reject with a reason the member sees. Joins the caller's transaction (the admin's)."""
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("请填写拒绝原因"))
    application = _open_application(application_id)
    application.status, application.reason = APPLICATION_REJECTED, reason[:200]
    application.decided_at, application.decided_by = utcnow(), actor.id
    return application


def set_active(user_id, active):
    """Disable (history stays, nothing new is earned) or re-enable a distributor.
    Joins the caller's transaction (the admin's)."""
    distributor = db.session.get(Distributor, user_id)
    if distributor is None:
        raise NotFound()
    distributor.status = ACTIVE if active else DISABLED
    distributor.disabled_at = None if active else utcnow()
    db.session.flush()
    return distributor


def team_page(user_id, level, page=1, per_page=20, q=None):
    """Members exactly `level` below user_id, newest first, with their figures; one query per page.

    The page of ids is taken first from the (ancestor_id, depth) index in a LIMITed subquery, and
    only then joined to users and nodes: PostgreSQL cannot flatten a LIMITed subquery, so it never
    walks the users table for a big team (bench/tree_bench.py measured 7.4 ms -> flat at the root
    of 100,000). A search has to filter users first and keeps the plain join. Reads only.
    """
    page = max(1, int(page or 1))
    q = (q or "").strip()[:20]
    if q:
        stmt = (select(User, ReferralNode).join(ReferralPath, ReferralPath.descendant_id == User.id)
                .join(ReferralNode, ReferralNode.user_id == User.id)
                .where(ReferralPath.ancestor_id == user_id, ReferralPath.depth == level,
                       or_(User.nickname.contains(q, autoescape=True), User.phone.contains(q, autoescape=True)))
                .order_by(ReferralPath.descendant_id.desc()).limit(per_page).offset((page - 1) * per_page))
        return db.session.execute(stmt).all()
    ids = (tree.level_members_query(user_id, level).order_by(ReferralPath.descendant_id.desc())
           .limit(per_page).offset((page - 1) * per_page).subquery())
    stmt = (select(User, ReferralNode).join(ids, ids.c.descendant_id == User.id)
            .join(ReferralNode, ReferralNode.user_id == User.id).order_by(User.id.desc()))
    return db.session.execute(stmt).all()


def team_counts(user_id):
    """Members by level, read from the node's counters (no counting). Reads only."""
    node = db.session.get(ReferralNode, user_id)
    if node is None:
        return {1: 0, 2: 0, 3: 0}
    return {1: node.direct_count, 2: node.level2_count, 3: node.level3_count}


def search_count(user_id, level, q):
    """How many level members match a search (only used when searching). Reads only."""
    stmt = (select(func.count()).select_from(ReferralPath).join(User, User.id == ReferralPath.descendant_id)
            .where(ReferralPath.ancestor_id == user_id, ReferralPath.depth == level,
                   or_(User.nickname.contains(q, autoescape=True), User.phone.contains(q, autoescape=True))))
    return db.session.scalar(stmt)
