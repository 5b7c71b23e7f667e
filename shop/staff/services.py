"""Staff use cases: logging in, and the owner's management of staff (create, change role, reset password,
disable / enable). Each one that writes owns its transaction (or joins the caller's)."""
from flask_babel import gettext as _
from sqlalchemy import func, select
from werkzeug.security import check_password_hash

from ..accounts.passwords import common_passwords, dummy_hash
from ..clock import utcnow
from ..database import transaction
from ..errors import ServiceError, found
from ..extensions import db
from .models import OWNER, ROLES, Staff

MIN_PASSWORD = 8


def log_in(login, password):
    """The Staff whose login and password these are (last_login_at noted), or ServiceError. Owns its
    transaction."""
    staff = db.session.scalar(select(Staff).where(Staff.login == (login or "").strip()))
    if staff is None:
        check_password_hash(dummy_hash(), password or "")  # as long as a real check: the time names no login
        raise ServiceError(_("账号或密码错误"), 401)
    if not staff.check_password(password or ""):
        raise ServiceError(_("账号或密码错误"), 401)
    if staff.disabled:
        raise ServiceError(_("该员工账号已停用"), 403)
    with transaction():
        staff.last_login_at = utcnow()
    return staff


def log_out(staff):
    """End every session of this staff member (a copied cookie opens nothing afterwards). Owns its transaction."""
    with transaction():
        staff.session_version += 1


def get_staff(staff_id):
    """Reads only: the staff member, or 404."""
    return found(db.session.get(Staff, staff_id))


def create_staff(login, display_name, password, role):
    """A new staff member. Owns its transaction (joins the caller's)."""
    login = (login or "").strip()
    _check_role(role)
    _check_password(password)
    if db.session.scalar(select(Staff.id).where(Staff.login == login)):
        raise ServiceError(_("登录名已被使用"))
    with transaction():
        staff = Staff(login=login, display_name=(display_name or login).strip()[:40], role=role)
        staff.set_password(password)
        db.session.add(staff)
    return staff


def update_staff(staff, display_name, role, actor):
    """Change a staff member's name and role; the last active owner stays an owner. Owns its transaction."""
    _check_role(role)
    if staff.role == OWNER and role != OWNER:
        _keep_an_owner(staff, actor)
    with transaction():
        staff.display_name, staff.role = (display_name or staff.login).strip()[:40], role
    return staff


def reset_password(staff, password):
    """A new password; every session of this staff member ends. Owns its transaction."""
    _check_password(password)
    with transaction():
        staff.set_password(password)
        staff.session_version += 1
    return staff


def set_disabled(staff, disabled, actor):
    """Disable (every session ends) or enable a staff member; nobody disables themself or the last owner.
    Owns its transaction."""
    if disabled and staff.id == actor.id:
        raise ServiceError(_("不能停用自己的账号"))
    if disabled and staff.role == OWNER:
        _keep_an_owner(staff, actor)
    with transaction():
        staff.disabled = disabled
        staff.session_version += 1
    return staff


def _keep_an_owner(staff, actor):
    others = db.session.scalar(select(func.count()).select_from(Staff).where(
        Staff.role == OWNER, Staff.disabled.is_(False), Staff.id != staff.id))
    if not others:
        raise ServiceError(_("至少要保留一位可用的店主"))
    if staff.id == actor.id:
        raise ServiceError(_("不能取消自己的店主身份"))


def _check_role(role):
    if role not in ROLES:
        raise ServiceError(_("请选择角色"))


def _check_password(password):
    if len(password or "") < MIN_PASSWORD:
        raise ServiceError(_("密码至少 %(n)d 位", n=MIN_PASSWORD))
    if password.lower() in common_passwords():
        raise ServiceError(_("这个密码太常见，很容易被猜中，请换一个"))
