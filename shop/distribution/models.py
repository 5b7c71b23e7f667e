"""Distributors, the referral tree (closure table), grades, applications and rule versions."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.ext.hybrid import hybrid_property

from ..accounts.models import User
from ..clock import utcnow
from ..extensions import db
from ..vocabulary import Labels, one_of
from . import commission as engine

# Distributor.status
ACTIVE, DISABLED = "active", "disabled"
DISTRIBUTOR_STATUSES = Labels({ACTIVE: _l("正常"), DISABLED: _l("已停用")})
#: How a member became a distributor (Distributor.source).
DISTRIBUTOR_SOURCES = Labels({"everyone": _l("人人分销"), "apply": _l("申请审核"), "threshold": _l("消费门槛"),
                              "admin": _l("后台添加")})
#: Where a binding came from (ReferralNode.bind_source, pending_source, BindingLog.source).
BIND_SOURCES = Labels({"link": _l("推广链接"), "share": _l("商品分享链接"), "qr": _l("推广海报二维码"),
                       "code": _l("注册时填写邀请码"), "admin": _l("后台调整")})


class Distributor(db.Model):
    """A member with distribution rights. Joining never costs money."""
    __tablename__ = "distributors"
    __table_args__ = (one_of("status", DISTRIBUTOR_STATUSES), one_of("source", DISTRIBUTOR_SOURCES))
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    #: Short, unique, non-sequential code used in /i/<code> and ?ref=<code>.
    invite_code = db.Column(db.String(12), nullable=False, unique=True)
    status = db.Column(db.String(10), nullable=False, default=ACTIVE)
    grade_id = db.Column(db.Integer, db.ForeignKey("distributor_grades.id", ondelete="SET NULL"))
    #: How they became a distributor: DISTRIBUTOR_SOURCES.
    source = db.Column(db.String(12), nullable=False)
    joined_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    disabled_at = db.Column(db.DateTime)

    user = db.relationship("User")
    grade = db.relationship("Grade")

    @property
    def is_active(self):
        return self.status == ACTIVE


#: The member's invite code while they are an active distributor (their share links), else None; in the "page"
#: group loaded with the member (accounts/sessions.py), so a share link sends no statement of its own.
User.share_code = db.column_property(
    select(Distributor.invite_code).where(Distributor.user_id == User.id, Distributor.status == ACTIVE)
    .correlate_except(Distributor).scalar_subquery(), deferred=True, group="page")


class ReferralNode(db.Model):
    """A member's place in the referral tree, their binding and the figures pages read.

    The tree itself is the closure table `referral_paths`; this row holds the direct referrer (for
    display and moves), the binding's provenance, a pending referral (when binding waits for the
    first paid order) and counters kept current by the services so team pages never count rows.
    """
    __tablename__ = "referral_nodes"
    #: The invitee leaderboard counts bindings made in a period.
    __table_args__ = (db.Index("ix_referral_nodes_bound_at", "bound_at"),
                      # The admin's member list: members who paid at least an amount.
                      db.Index("ix_referral_nodes_own_paid", "own_paid_fen"),
                      one_of("bind_source", BIND_SOURCES), one_of("pending_source", BIND_SOURCES))
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    referrer_id = db.Column(db.Integer, db.ForeignKey("users.id"), index=True)
    bound_at = db.Column(db.DateTime)
    bind_source = db.Column(db.String(10))
    bind_code = db.Column(db.String(12))
    #: Last paid order; with bind_valid_days > 0 the binding lapses this many days after it (or bound_at).
    last_paid_at = db.Column(db.DateTime)
    # A referral waiting for the member's first paid order (bind_moment = "paid").
    pending_referrer_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    pending_source = db.Column(db.String(10))
    pending_code = db.Column(db.String(12))
    pending_at = db.Column(db.DateTime)
    # Figures kept current by the services.
    direct_count = db.Column(db.Integer, nullable=False, default=0)
    level2_count = db.Column(db.Integer, nullable=False, default=0)
    level3_count = db.Column(db.Integer, nullable=False, default=0)
    #: Paid spending of the whole downline (every depth).
    team_sales_fen = db.Column(db.BigInteger, nullable=False, default=0)
    own_paid_fen = db.Column(db.BigInteger, nullable=False, default=0)
    own_paid_orders = db.Column(db.Integer, nullable=False, default=0)
    #: Commission totals by status (kept by the payments domain).
    commission_frozen_fen = db.Column(db.BigInteger, nullable=False, default=0)
    commission_settled_fen = db.Column(db.BigInteger, nullable=False, default=0)
    commission_reversed_fen = db.Column(db.BigInteger, nullable=False, default=0)

    user = db.relationship("User", foreign_keys=[user_id])
    referrer = db.relationship("User", foreign_keys=[referrer_id])


class ReferralPath(db.Model):
    """Closure table: one row per (ancestor, descendant) at any depth, plus a depth-0 row for each node.

    Why a closure table: "ancestors up to 3 levels" is one index range scan on
    (descendant_id, depth); "level-N members of X" is one on (ancestor_id, depth); the cycle check
    for a new binding is a single primary-key lookup (is the would-be referrer a descendant?),
    whatever the depth; and moving a subtree is two set-based statements. Real referral trees are
    wide and shallow, so the rows per member stay close to its depth.
    """
    __tablename__ = "referral_paths"
    __table_args__ = (
        db.Index("ix_referral_paths_ancestor_depth", "ancestor_id", "depth", "descendant_id"),
        db.Index("ix_referral_paths_descendant_depth", "descendant_id", "depth", "ancestor_id"),
        db.CheckConstraint("depth >= 0", name="depth_not_negative"),
    )
    ancestor_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    descendant_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    depth = db.Column(db.Integer, nullable=False)


class BindingLog(db.Model):
    """Every binding and rebinding, with where it came from (append-only)."""
    __tablename__ = "binding_logs"
    __table_args__ = (one_of("source", BIND_SOURCES),)
    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    old_referrer_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    new_referrer_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    source = db.Column(db.String(10), nullable=False)
    code = db.Column(db.String(12))
    reason = db.Column(db.String(200))
    actor_id = db.Column(db.Integer, db.ForeignKey("staff.id"))
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)


class Grade(db.Model):
    """A distributor grade (普通 / 银牌 / 金牌) with its own rates and upgrade conditions."""
    __tablename__ = "distributor_grades"
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(20), nullable=False, unique=True)
    #: Higher rank = better grade; upgrades only go up.
    rank = db.Column(db.Integer, nullable=False, unique=True)
    #: Per-level rates in bp; None falls back to the global rate.
    rate1_bp = db.Column(db.Integer)
    rate2_bp = db.Column(db.Integer)
    rate3_bp = db.Column(db.Integer)
    # Upgrade conditions; all that are set (non-zero) must be met.
    min_direct = db.Column(db.Integer, nullable=False, default=0)
    min_team_sales_fen = db.Column(db.BigInteger, nullable=False, default=0)
    min_own_paid_fen = db.Column(db.BigInteger, nullable=False, default=0)
    min_commission_fen = db.Column(db.BigInteger, nullable=False, default=0)

    @property
    def rates(self):
        return (self.rate1_bp, self.rate2_bp, self.rate3_bp)


class GradeChange(db.Model):
    """A grade change: an automatic upgrade (actor None) or staff's change with their reason."""
    __tablename__ = "grade_changes"
    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    from_grade_id = db.Column(db.Integer, db.ForeignKey("distributor_grades.id", ondelete="SET NULL"))
    to_grade_id = db.Column(db.Integer, db.ForeignKey("distributor_grades.id", ondelete="SET NULL"))
    reason = db.Column(db.String(200), nullable=False)
    #: The staff member who changed it by hand; None for an automatic upgrade.
    actor_id = db.Column(db.Integer, db.ForeignKey("staff.id"))
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)


#: Application.status
APPLICATION_PENDING, APPLICATION_APPROVED, APPLICATION_REJECTED = "pending", "approved", "rejected"
APPLICATION_STATUSES = Labels({APPLICATION_PENDING: _l("待审核"), APPLICATION_APPROVED: _l("已通过"),
                               APPLICATION_REJECTED: _l("已拒绝")})


class Application(db.Model):
    """A member's application to become a distributor (mode "apply")."""
    __tablename__ = "distributor_applications"
    __table_args__ = (db.Index("ix_distributor_applications_status", "status", "id"),
                      one_of("status", APPLICATION_STATUSES))
    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    real_name = db.Column(db.String(40), nullable=False)
    phone = db.Column(db.String(20), nullable=False)
    status = db.Column(db.String(10), nullable=False, default="pending")
    reason = db.Column(db.String(200))
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    decided_at = db.Column(db.DateTime)
    decided_by = db.Column(db.Integer, db.ForeignKey("staff.id"))

    user = db.relationship("User", foreign_keys=[user_id])


class CommissionSettings(db.Model):
    """The current global commission rules (one row, id = 1); every change also writes a RuleVersion."""
    __tablename__ = "commission_settings"
    id = db.Column(db.Integer, primary_key=True)
    levels = db.Column(db.Integer, nullable=False, default=2)
    rate1_bp = db.Column(db.Integer, nullable=False, default=1000)
    rate2_bp = db.Column(db.Integer, nullable=False, default=500)
    rate3_bp = db.Column(db.Integer, nullable=False, default=0)
    self_purchase = db.Column(db.Boolean, nullable=False, default=False)
    #: Guard: the total across levels may not exceed this share of the base.
    cap_bp = db.Column(db.Integer, nullable=False, default=5000)

    __table_args__ = (db.CheckConstraint("levels BETWEEN 1 AND 3", name="levels_at_most_3"),)


class ProductCommission(db.Model):
    """A per-product, per-level override: percent (bp of the paid line) or fixed fen per unit."""
    __tablename__ = "product_commissions"
    __table_args__ = (db.CheckConstraint("level BETWEEN 1 AND 3", name="level_range"),
                      db.CheckConstraint("value >= 0", name="value_not_negative"),
                      one_of("mode", (engine.PERCENT, engine.FIXED)))
    product_id = db.Column(db.Integer, db.ForeignKey("products.id", ondelete="CASCADE"), primary_key=True)
    level = db.Column(db.Integer, primary_key=True)
    #: "percent" or "fixed"
    mode = db.Column(db.String(8), nullable=False)
    value = db.Column(db.BigInteger, nullable=False)


class RuleVersion(db.Model):
    """An immutable snapshot of all commission rules; commissions record the version they used."""
    __tablename__ = "commission_rule_versions"
    id = db.Column(db.Integer, primary_key=True)
    rules = db.Column(db.JSON, nullable=False)
    reason = db.Column(db.String(200), nullable=False, default="")
    actor_id = db.Column(db.Integer, db.ForeignKey("staff.id"))
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)


# Commission.status
FROZEN, SETTLED, REVERSED, CLAWED_BACK = "frozen", "settled", "reversed", "clawed_back"
COMMISSION_STATUSES = Labels({FROZEN: _l("冻结中"), SETTLED: _l("已结算"), REVERSED: _l("已退回"),
                              CLAWED_BACK: _l("已追回")})
#: Commission.level (and every level of the rules).
LEVELS = Labels({1: _l("一级"), 2: _l("二级"), 3: _l("三级")})
#: Commission.source: which rule gave the rate or amount (the engine's precedence, highest first).
RULE_SOURCES = Labels({engine.PRODUCT: _l("商品单独设置"), engine.GRADE: _l("分销等级比例"),
                       engine.GLOBAL: _l("全局比例")})


class Commission(db.Model):
    """One share of one order line for one beneficiary at one level, created frozen inside the
    payment notification's transaction. Unique per (line, level, beneficiary): a duplicate
    notification can never pay twice."""
    __tablename__ = "commissions"
    __table_args__ = (
        db.UniqueConstraint("order_line_id", "level", "beneficiary_id", name="uq_commissions_line_level_beneficiary"),
        db.Index("ix_commissions_beneficiary_status", "beneficiary_id", "status", "id"),
        db.Index("ix_commissions_status_order", "status", "order_id"),
        # The distributor center's pages: earnings by period, the team's per-member sums, promotion
        # orders, and the shop-wide leaderboard by period.
        db.Index("ix_commissions_beneficiary_created", "beneficiary_id", "created_at"),
        db.Index("ix_commissions_beneficiary_buyer", "beneficiary_id", "buyer_id"),
        db.Index("ix_commissions_beneficiary_order", "beneficiary_id", "order_id"),
        db.Index("ix_commissions_created_at", "created_at"),
        db.CheckConstraint("amount_fen > 0", name="amount_positive"),
        db.CheckConstraint("reversed_fen >= 0 AND clawed_back_fen >= 0 AND reversed_fen + clawed_back_fen <= amount_fen",
                           name="adjustments_within_amount"),
        db.CheckConstraint("level BETWEEN 1 AND 3", name="level_range"),
        db.CheckConstraint("quantity > 0", name="quantity_positive"),
        one_of("status", COMMISSION_STATUSES),
        one_of("source", RULE_SOURCES),
    )
    id = db.Column(db.Integer, primary_key=True)
    order_id = db.Column(db.Integer, db.ForeignKey("orders.id"), nullable=False, index=True)
    order_line_id = db.Column(db.Integer, db.ForeignKey("order_lines.id"), nullable=False)
    level = db.Column(db.Integer, nullable=False)
    beneficiary_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)
    buyer_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)
    #: What the engine computed.
    amount_fen = db.Column(db.BigInteger, nullable=False)
    #: Taken back before settlement (refunds while frozen).
    reversed_fen = db.Column(db.BigInteger, nullable=False, default=0)
    #: Taken back after settlement (a debt on the available balance).
    clawed_back_fen = db.Column(db.BigInteger, nullable=False, default=0)
    status = db.Column(db.String(12), nullable=False, default=FROZEN)
    base_fen = db.Column(db.BigInteger, nullable=False)
    rate_bp = db.Column(db.Integer)
    fixed_fen = db.Column(db.BigInteger)
    #: Units on the line: a fixed amount is per unit (shop.distribution.explain rebuilds the sentence).
    quantity = db.Column(db.Integer, nullable=False)
    source = db.Column(db.String(8), nullable=False)
    rule_version_id = db.Column(db.Integer, db.ForeignKey("commission_rule_versions.id"), nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    settled_at = db.Column(db.DateTime)

    #: The line it was earned on: its discounts explain the base.
    order_line = db.relationship("OrderLine", lazy="select")

    @hybrid_property
    def net_fen(self):
        """What the commission pays after reversals and clawbacks: a number on a row, SQL on the class."""
        return self.amount_fen - self.reversed_fen - self.clawed_back_fen
