"""Account use cases: register, authenticate, SMS codes, address book."""
import re
import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value
from werkzeug.security import check_password_hash, generate_password_hash

from ..clock import utcnow
from ..database import transaction
from ..errors import NotFound, ServiceError
from ..extensions import db
from .models import Address, SmsCode, User
from .passwords import check_new_password, matches
from .sessions import rotate
from .sms import get_sender

PHONE_RE = re.compile(r"^1[3-9]\d{9}$")


def normalize_phone(phone):
    """Strip spaces and a +86 prefix; refuse anything but a mainland mobile number. No database access."""
    phone = re.sub(r"[\s-]", "", phone or "")
    if phone.startswith("+86"):
        phone = phone[3:]
    if not PHONE_RE.match(phone):
        raise ServiceError(_("请输入正确的11位手机号"))
    return phone


def find_user_by_phone(phone):
    """The member with this (normalized) phone, or None. Reads only."""
    return db.session.scalar(select(User).where(User.phone == phone))


def register(phone, password, nickname=""):
    """Create a member with a hashed password; refuses a phone already registered.
    Joins the caller's transaction (signin.sign_up)."""
    phone = normalize_phone(phone)
    check_new_password(password)
    if find_user_by_phone(phone):
        raise ServiceError(_("该手机号已注册，请直接登录"))
    user = User(phone=phone, nickname=(nickname or "").strip()[:40])
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(phone, password):
    """The member for phone + password, or a ServiceError that does not say which was wrong. Reads only."""
    try:
        phone = normalize_phone(phone)
    except ServiceError:
        raise ServiceError(_("手机号或密码错误"))
    user = find_user_by_phone(phone)
    if not matches(user, password):  # as slow for an unknown phone: the time tells nobody who is a member
        raise ServiceError(_("手机号或密码错误"))
    if user.disabled:
        raise ServiceError(_("该账号已被停用"))
    return user


def send_login_code(phone, ip=None):
    """Send a 6-digit code, at most one per minute and a few per day per phone. Owns its transaction."""
    phone = normalize_phone(phone)
    cfg = current_app.config
    now = utcnow()
    with transaction():
        last = db.session.scalar(select(func.max(SmsCode.created_at)).where(SmsCode.phone == phone))
        if last and now - last < timedelta(seconds=cfg["SMS_RESEND_SECONDS"]):
            raise ServiceError(_("验证码发送太频繁，请稍后再试"), status=429)
        today = db.session.scalar(select(func.count()).select_from(SmsCode).where(
            SmsCode.phone == phone, SmsCode.created_at >= now - timedelta(days=1)))
        if today >= cfg["SMS_DAILY_LIMIT_PER_PHONE"]:
            raise ServiceError(_("今日验证码次数已用完"), status=429)
        code = f"{secrets.randbelow(10**6):06d}"
        db.session.add(SmsCode(phone=phone, code_hash=generate_password_hash(code), ip=ip,
                               created_at=now, expires_at=now + timedelta(seconds=cfg["SMS_CODE_TTL_SECONDS"])))
        db.session.flush()
        get_sender().send(phone, _("您的登录验证码是 %(code)s，5分钟内有效。", code=code))
    return phone


def check_login_code(phone, code):
    """Count an attempt at the newest live code for phone; returns the code's id when it matches.

    Owns its transaction, committed before a wrong code is refused: the attempt counts even though
    the login fails. Refused inside another transaction() (a refusal there would roll the count back).
    """
    phone = normalize_phone(phone)
    code = (code or "").strip()
    with transaction(outermost=True):
        sms = db.session.scalar(select(SmsCode).where(
            SmsCode.phone == phone, SmsCode.consumed_at.is_(None), SmsCode.expires_at > utcnow(),
        ).order_by(SmsCode.created_at.desc(), SmsCode.id.desc()).limit(1))
        if sms is None:
            raise ServiceError(_("验证码已失效，请重新获取"))
        limit = current_app.config["SMS_CODE_MAX_ATTEMPTS"]
        # Count the attempt in one guarded statement so parallel guesses cannot exceed the limit.
        counted = db.session.execute(update(SmsCode).where(
            SmsCode.id == sms.id, SmsCode.attempts < limit, SmsCode.consumed_at.is_(None),
        ).values(attempts=SmsCode.attempts + 1)).rowcount
        matches = len(code) == 6 and code.isdigit() and check_password_hash(sms.code_hash, code)
    if not counted:
        raise ServiceError(_("验证码错误次数过多，请重新获取"))
    if not matches:
        raise ServiceError(_("验证码错误"))
    return sms.id


def use_login_code(sms_id):
    """Use a checked code (once); the member for its phone is created on first login. Returns (user, created).
    Joins the caller's transaction (signin.log_in_with_code)."""
    sms = db.session.get(SmsCode, sms_id)
    used = db.session.execute(update(SmsCode).where(
        SmsCode.id == sms_id, SmsCode.consumed_at.is_(None)).values(consumed_at=utcnow())).rowcount
    if not used:
        raise ServiceError(_("验证码已失效，请重新获取"))
    user = find_user_by_phone(sms.phone)
    created = user is None
    if created:
        user = User(phone=sms.phone)
        db.session.add(user)
        db.session.flush()
    if user.disabled:
        raise ServiceError(_("该账号已被停用"))
    return user, created


def record_login(user):
    """Remember when the member last logged in, and end the sessions issued before this login. Joins the caller's
    transaction (signin.start_session)."""
    user.last_login_at = utcnow()
    rotate(user)


def update_profile(user, nickname):
    """Change the member's nickname. Owns its transaction."""
    with transaction():
        user.nickname = (nickname or "").strip()


def change_password(user, old_password, new_password):
    """Set a new password; the old one must match when the member has one; every session ends (the view renews
    the member's own). Owns its transaction."""
    if user.password_hash and not user.check_password(old_password or ""):
        raise ServiceError(_("原密码错误"))
    check_new_password(new_password)
    with transaction():
        user.set_password(new_password)
        rotate(user)  # every other session and remember-me cookie ends; the view renews this browser's


# --- addresses ---------------------------------------------------------------

ADDRESS_FIELDS = ("recipient", "phone", "province", "city", "district", "detail")


def get_address(user, address_id):
    """The member's own address, or 404 for anyone else's. Reads only."""
    address = db.session.get(Address, address_id) if isinstance(address_id, int) else None
    if address is None or address.user_id != user.id:
        raise NotFound()
    return address


def list_addresses(user):
    """The member's addresses, the default first. Reads only."""
    return db.session.scalars(select(Address).where(Address.user_id == user.id)
                              .order_by(Address.is_default.desc(), Address.id.desc())).all()


def default_address(user):
    """The member's default address (or their newest), or None. Reads only."""
    return db.session.scalar(select(Address).where(Address.user_id == user.id)
                             .order_by(Address.is_default.desc(), Address.id.desc()).limit(1))


def save_address(user, data, address=None, make_default=False):
    """Create or update an address; the first address becomes the default. Owns its transaction."""
    values = {k: (data.get(k) or "").strip() for k in ADDRESS_FIELDS}
    values["phone"] = normalize_phone(values["phone"])
    if not all(values.values()):
        raise ServiceError(_("请把收货地址填写完整"))
    with transaction():
        if address is None:
            make_default = make_default or default_address(user) is None
            address = Address(user_id=user.id, **values)
            db.session.add(address)
        else:
            for key, value in values.items():
                setattr(address, key, value)
        db.session.flush()
        if make_default:
            set_default_address(user, address)
    return address


def set_default_address(user, address):
    """Make address the one default (clear the old one first: the unique index allows one).
    Owns its transaction."""
    with transaction():
        db.session.execute(update(Address).where(Address.user_id == user.id, Address.id != address.id)
                           .values(is_default=False))
        address.is_default = True
        db.session.flush()


def delete_address(user, address):
    """Delete an address; another one inherits the default. Owns its transaction."""
    with transaction():
        was_default = address.is_default
        db.session.delete(address)
        db.session.flush()
        if was_default:
            other = default_address(user)
            if other is not None:
                set_default_address(user, other)


def bind_wechat_openid(user, openid):
    """Bind the member's 公众号 openid (网页授权); True when it was bound now, False when it already was.
    Owns its transaction. One openid per member: an openid bound to another member, or a member already bound
    to another openid, is refused (ServiceError 409) and nothing changes."""
    if user.wechat_openid == openid:
        return False
    try:
        with transaction():
            _refuse_conflicting_openid(user, openid)
            _claim_openid(user, openid)
    except IntegrityError:  # another member took this openid at the same moment (uq_users_wechat_openid)
        raise ServiceError(_("这个微信号已绑定其他账号，不能重复绑定"), status=409) from None
    return True


def _refuse_conflicting_openid(user, openid):
    owner = db.session.scalar(select(User.id).where(User.wechat_openid == openid))
    if owner is not None and owner != user.id:
        raise ServiceError(_("这个微信号已绑定其他账号，不能重复绑定"), status=409)


def _claim_openid(user, openid):
    """A guarded UPDATE: only a member with no openid yet gets one (two tabs racing bind once)."""
    claimed = db.session.execute(update(User).where(User.id == user.id, User.wechat_openid.is_(None))
                                 .values(wechat_openid=openid).execution_options(synchronize_session=False))
    if claimed.rowcount != 1:
        raise ServiceError(_("你的账号已绑定另一个微信号，如需更换请联系商家"), status=409)
    set_committed_value(user, "wechat_openid", openid)  # what the row now holds; nothing left to flush
