"""Members, their addresses and one-time SMS codes."""
from flask_login import UserMixin
from werkzeug.security import check_password_hash, generate_password_hash

from ..clock import utcnow
from ..extensions import db


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (db.Index("uq_users_wechat_openid", "wechat_openid", unique=True),
                      # The admin's member list: registered between two dates.
                      db.Index("ix_users_created_at", "created_at"))
    id = db.Column(db.Integer, primary_key=True)
    #: Mainland mobile number, the login name.
    phone = db.Column(db.String(20), nullable=False, unique=True)
    #: None for members who only ever logged in by SMS code.
    password_hash = db.Column(db.String(255))
    nickname = db.Column(db.String(40), nullable=False, default="")
    #: Unused since revision 0008: staff are accounts of their own (shop/staff); a member never opens /admin.
    is_admin = db.Column(db.Boolean, nullable=False, default=False)
    disabled = db.Column(db.Boolean, nullable=False, default=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    last_login_at = db.Column(db.DateTime)
    #: The member's openid for our 公众号 (WeChat web authorization): JSAPI payments and WeChat withdrawals.
    wechat_openid = db.Column(db.String(64))
    #: Carried by the member's sessions and remember-me cookies (`get_id`); moved on at login, logout and password
    #: change, so every session holding an older value ends (accounts/sessions.py).
    session_version = db.Column(db.Integer, nullable=False, default=1, server_default="1")

    @property
    def is_active(self):
        return not self.disabled

    def get_id(self):
        """What Flask-Login keeps in the session and the remember-me cookie: the id and the session version."""
        return f"{self.id}:{self.session_version}"

    def set_password(self, password):
        self.password_hash = generate_password_hash(password)

    def check_password(self, password):
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    @property
    def masked_phone(self):
        return mask_phone(self.phone)

    @property
    def display_name(self):
        return self.nickname or self.masked_phone


def mask_phone(phone):
    """13812345678 -> 138****5678."""
    if not phone or len(phone) < 7:
        return phone or ""
    return f"{phone[:3]}****{phone[-4:]}"


class Address(db.Model):
    __tablename__ = "addresses"
    __table_args__ = (
        # At most one default address per member, enforced by the database.
        db.Index("uq_addresses_default", "user_id", unique=True,
                 sqlite_where=db.text("is_default"), postgresql_where=db.text("is_default")),
    )
    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    recipient = db.Column(db.String(40), nullable=False)
    phone = db.Column(db.String(20), nullable=False)
    province = db.Column(db.String(40), nullable=False)
    city = db.Column(db.String(40), nullable=False)
    district = db.Column(db.String(40), nullable=False)
    detail = db.Column(db.String(200), nullable=False)
    is_default = db.Column(db.Boolean, nullable=False, default=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    @property
    def full_text(self):
        return full_address(self.province, self.city, self.district, self.detail)


def full_address(province, city, district, detail):
    """An address as one line of text (Address.full_text; the fraud check compares it read as plain columns)."""
    return f"{province}{city}{district}{detail}"


class SmsCode(db.Model):
    __tablename__ = "sms_codes"
    id = db.Column(db.Integer, primary_key=True)
    phone = db.Column(db.String(20), nullable=False)
    purpose = db.Column(db.String(20), nullable=False, default="login")
    #: Only the hash is stored; the code itself goes to the sender.
    code_hash = db.Column(db.String(255), nullable=False)
    ip = db.Column(db.String(64))
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    expires_at = db.Column(db.DateTime, nullable=False)
    attempts = db.Column(db.Integer, nullable=False, default=0)
    consumed_at = db.Column(db.DateTime)

    __table_args__ = (db.Index("ix_sms_codes_phone_created", "phone", "created_at"),)
