"""The merchant's distribution use cases: settings, commission rules, grades, applications and distributors."""
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ...accounts.models import User
from ...accounts.services import find_user_by_phone, normalize_phone
from ...database import transaction
from ...distribution import binding
from ...distribution import grades as distribution_grades
from ...distribution import rules as commission_rules
from ...distribution import services as distribution
from ...distribution import settings as distribution_settings
from ...distribution.models import (
    APPLICATION_PENDING,
    Application,
    BindingLog,
    Distributor,
    Grade,
    GradeChange,
    ReferralNode,
    RuleVersion,
)
from ...errors import ServiceError, found
from ...extensions import db
from ...pagination import PER_PAGE, Window, paginate
from ...staff.models import Staff
from ...wallet.models import Account


def applications_waiting():
    """Distributor applications that wait for the merchant (the menu badge)."""
    return db.session.scalar(select(func.count()).select_from(Application)
                             .where(Application.status == APPLICATION_PENDING))


#: Rule versions listed under the commission rules.
RECENT_VERSIONS = 10
#: Entries of a distributor's grade and binding history shown on their page.
HISTORY_LIMIT = 50


# ---- settings and rules ----------------------------------------------------------------------------------

def save_distribution_settings(values):
    """Store the distribution mode and binding rules (checked by distribution.settings); commits."""
    with transaction():
        distribution_settings.save(values)


def commission_settings():
    """The global commission rules row."""
    return commission_rules.current_settings()


def save_commission_rules(actor, **values):
    """Change the global rules through the guard (refused above 3 levels or over the cap); a new rule version;
    commits."""
    with transaction():
        version = commission_rules.update_global_rules(actor=actor, **values)
    return version


def recent_rule_versions(limit=RECENT_VERSIONS):
    """The newest rule versions, newest first."""
    return db.session.scalars(select(RuleVersion).order_by(RuleVersion.id.desc()).limit(limit)).all()


# ---- grades ----------------------------------------------------------------------------------------------

def grades():
    """Every grade, lowest first."""
    return db.session.scalars(select(Grade).order_by(Grade.rank, Grade.id)).all()


def get_grade(grade_id):
    """A grade; or 404."""
    return found(db.session.get(Grade, grade_id), _("分销等级不存在"))


def save_grade(actor, values, grade=None):
    """Create or edit a grade; names and ranks are unique, rates pass the guard (a new rule version); commits."""
    with transaction():
        others = select(Grade.id).where(Grade.id != grade.id) if grade is not None else select(Grade.id)
        if db.session.scalar(others.where(Grade.name == (values.get("name") or "").strip())):
            raise ServiceError(_("等级名称「%(name)s」已存在", name=values["name"]))
        if values.get("rank") is not None and db.session.scalar(others.where(Grade.rank == values["rank"])):
            raise ServiceError(_("等级高低 %(rank)s 已被其他等级使用", rank=values["rank"]))
        grade = commission_rules.save_grade(actor=actor, grade=grade, **values)
    return grade


# ---- applications ----------------------------------------------------------------------------------------

def applications(status="pending", page=1):
    """Pending applications (oldest first, as they are worked through) or processed ones (newest first)."""
    stmt = select(Application).options(joinedload(Application.user))
    if status == "pending":
        stmt = stmt.where(Application.status == APPLICATION_PENDING).order_by(Application.id)
    else:
        stmt = stmt.where(Application.status != APPLICATION_PENDING).order_by(Application.id.desc())
    return paginate(stmt, page)


def pending_application_count():
    """How many applications wait for the merchant."""
    return db.session.scalar(select(func.count(Application.id)).where(Application.status == APPLICATION_PENDING))


def get_application(application_id):
    """An application; or 404."""
    return found(db.session.get(Application, application_id), _("申请不存在"))


def approve_application(application, actor):
    """Approve: the member becomes a distributor; commits."""
    with transaction():
        distribution.approve(application.id, actor)
    return application


def reject_application(application, actor, reason):
    """Reject with the reason the member reads (required); commits."""
    with transaction():
        distribution.reject(application.id, actor, reason)
    return application


# ---- distributors ----------------------------------------------------------------------------------------

def get_distributor(user_id):
    """A distributor with their member and grade; or 404."""
    return found(db.session.scalar(select(Distributor).where(Distributor.user_id == user_id)
                                   .options(joinedload(Distributor.user), joinedload(Distributor.grade))),
                 _("分销商不存在"))


def _history(model, user_id):
    """The member's newest HISTORY_LIMIT rows of a grade or binding history."""
    return db.session.scalars(select(model).where(model.user_id == user_id)
                              .order_by(model.id.desc()).limit(HISTORY_LIMIT)).all()


def _users_named(node, logs):
    """{id: User} of the referrer and of the members the binding log names."""
    user_ids = {node.referrer_id} if node is not None else set()
    user_ids |= {i for log in logs for i in (log.old_referrer_id, log.new_referrer_id)}
    user_ids.discard(None)
    return {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(user_ids)))} if user_ids else {}


def distributor_detail(distributor, page=1):
    """What the merchant sees about one distributor: binding, figures, level-1 members, grade and binding history."""
    user_id = distributor.user_id
    node = db.session.get(ReferralNode, user_id)
    counts = distribution.team_counts(user_id)
    members = Window(distribution.team_page(user_id, 1, page=page, per_page=PER_PAGE), page, PER_PAGE, counts[1])
    changes, logs = _history(GradeChange, user_id), _history(BindingLog, user_id)
    users = _users_named(node, logs)
    actor_ids = {log.actor_id for log in logs if log.actor_id} | {c.actor_id for c in changes if c.actor_id}
    actors = {s.id: s for s in db.session.scalars(select(Staff).where(Staff.id.in_(actor_ids)))} if actor_ids else {}
    every_grade = grades()
    return {"node": node, "referrer": users.get(node.referrer_id) if node is not None else None,
            "counts": counts, "members": members, "grade_changes": changes, "binding_logs": logs, "users": users,
            "actors": actors, "grades": {g.id: g for g in every_grade}, "all_grades": every_grade,
            "account": db.session.get(Account, user_id)}


def change_grade(distributor, grade_id, reason, actor):
    """调整等级: set the distributor's grade (or none) with the required reason, kept in the grade history;
    commits."""
    with transaction():
        change = distribution_grades.set_grade(distributor.user_id, grade_id, reason, actor.id if actor else None)
    return change


def set_distributor_active(user_id, active):
    """Disable (history stays, nothing new is earned) or re-enable a distributor; commits."""
    with transaction():
        distributor = distribution.set_active(get_distributor(user_id).user_id, active)
    return distributor


def move_referrer(distributor, referrer_phone, reason, actor):
    """调整上级: move the member (with their team) under the member with this phone, or to the top when blank;
    commits."""
    with transaction():
        new_referrer_id = None
        if referrer_phone:
            referrer = find_user_by_phone(normalize_phone(referrer_phone))
            if referrer is None:
                raise ServiceError(_("没有手机号为 %(phone)s 的会员", phone=referrer_phone))
            new_referrer_id = referrer.id
        node = binding.admin_move(distributor.user_id, new_referrer_id, actor, reason)
    return node
