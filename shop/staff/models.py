"""Staff accounts with a role, and the operation log (操作日志) of every change made in the admin."""
from flask_babel import lazy_gettext as _l
from werkzeug.security import check_password_hash, generate_password_hash

from ..clock import utcnow
from ..extensions import db
from ..vocabulary import Labels, one_of

# Staff.role; what each may do is the table in shop/admin/permissions.py.
OWNER, OPERATOR, SERVICE, FINANCE, VIEWER = "owner", "operator", "service", "finance", "viewer"
ROLES = Labels({OWNER: _l("店主"), OPERATOR: _l("运营"), SERVICE: _l("客服"), FINANCE: _l("财务"),
                VIEWER: _l("只读")})


class Staff(db.Model):
    """A merchant staff member: logs in at /admin/login, acts in the admin with one role."""
    __tablename__ = "staff"
    __table_args__ = (one_of("role", ROLES),)
    id = db.Column(db.Integer, primary_key=True)
    #: The login name (demo: the owner's phone number).
    login = db.Column(db.String(40), nullable=False, unique=True)
    display_name = db.Column(db.String(40), nullable=False, default="")
    password_hash = db.Column(db.String(255), nullable=False)
    role = db.Column(db.String(10), nullable=False)
    disabled = db.Column(db.Boolean, nullable=False, default=False)
    #: Bumped when the password changes or the account is disabled: every session holding the old value ends.
    session_version = db.Column(db.Integer, nullable=False, default=1)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    last_login_at = db.Column(db.DateTime)

    is_authenticated = True

    @property
    def is_owner(self):
        return self.role == OWNER

    def set_password(self, password):
        self.password_hash = generate_password_hash(password)

    def check_password(self, password):
        return check_password_hash(self.password_hash, password)


class AnonymousStaff:
    """Nobody is logged in to the admin."""
    id = role = None
    display_name = ""
    is_authenticated = is_owner = False


class OperationLog(db.Model):
    """One committed admin change (append-only): who, when, from where, the request, and every row changed
    with its values before and after (shop/staff/oplog.py)."""
    __tablename__ = "operation_logs"
    __table_args__ = (db.Index("ix_operation_logs_staff_created", "staff_id", "created_at"),
                      db.Index("ix_operation_logs_area_created", "area", "created_at"))
    id = db.Column(db.Integer, primary_key=True)
    staff_id = db.Column(db.Integer, db.ForeignKey("staff.id"), nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow, index=True)
    ip = db.Column(db.String(45), nullable=False, default="")
    #: The admin area (products, refunds, staff...) and the endpoint, e.g. admin.refunds.approve.
    area = db.Column(db.String(30), nullable=False)
    endpoint = db.Column(db.String(80), nullable=False)
    #: The object the URL names (e.g. "refund_no=R2026…"), and the form sent, secrets left out.
    target = db.Column(db.String(200), nullable=False, default="")
    form = db.Column(db.JSON, nullable=False, default=dict)
    #: [{"table", "id", "action" (insert/update/delete), "values": {column: [before, after]}}]
    changes = db.Column(db.JSON, nullable=False, default=list)

    staff = db.relationship(Staff)
