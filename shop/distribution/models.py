"""Distributors, the referral tree (closure table), grades, applications and rule versions."""
from sqlalchemy.ext.hybrid import hybrid_property

from ..clock import utcnow
from ..extensions import db

ACTIVE, DISABLED = "active", "disabled"
BIND_SOURCES = ("link", "share", "qr", "code", "admin")


class Distributor(db.Model):
    """A member with distribution rights. Joining never costs money."""
    __tablename__ = "distributors"
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    #: Short, unique, non-sequential code used in /i/<code> and ?ref=<code>.
    invite_code = db.Column(db.String(12), nullable=False, unique=True)
    status = db.Column(db.String(10), nullable=False, default=ACTIVE)
    grade_id = db.Column(db.Integer, db.ForeignKey("distributor_grades.id", ondelete="SET NULL"))
    #: How they became a distributor: everyone / apply / threshold / admin.
    source = db.Column(db.String(12), nullable=False)
    joined_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    disabled_at = db.Column(db.DateTime)

    user = db.relationship("User")
    grade = db.relationship("Grade")

    @property
    def is_active(self):
        return self.status == ACTIVE


class ReferralNode(db.Model):
    """A member's place in the referral tree, their binding and the figures pages read.

    The tree itself is the closure table `referral_paths`; this row holds the direct referrer (for
    display and moves), the binding's provenance, a pending referral (when binding waits for the
    first paid order) and counters kept current by the services so team pages never count rows.
    """
    __tablename__ = "referral_nodes"
    #: The invitee leaderboard counts bindings made in a period.
    __table_args__ = (db.Index("ix_referral_nodes_bound_at", "bound_at"),)
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
    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    old_referrer_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    new_referrer_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    source = db.Column(db.String(10), nullable=False)
    code = db.Column(db.String(12))
    reason = db.Column(db.String(200))
    actor_id = db.Column(db.Integer, db.ForeignKey("users.id"))
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
    __tablename__ = "grade_changes"
    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    from_grade_id = db.Column(db.Integer, db.ForeignKey("distributor_grades.id", ondelete="SET NULL"))
    to_grade_id = db.Column(db.Integer, db.ForeignKey("distributor_grades.id", ondelete="SET NULL"))
    reason = db.Column(db.String(200), nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)


class Application(db.Model):
    """A member's application to become a distributor (mode "apply")."""
    __tablename__ = "distributor_applications"
    __table_args__ = (db.Index("ix_distributor_applications_status", "status", "id"),)
    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    real_name = db.Column(db.String(40), nullable=False)
    phone = db.Column(db.String(20), nullable=False)
    #: pending / approved / rejected
    status = db.Column(db.String(10), nullable=False, default="pending")
    reason = db.Column(db.String(200))
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    decided_at = db.Column(db.DateTime)
    decided_by = db.Column(db.Integer, db.ForeignKey("users.id"))

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
                      db.CheckConstraint("value >= 0", name="value_not_negative"))
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
    actor_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)


# Commission.status
FROZEN, SETTLED, REVERSED, CLAWED_BACK = "frozen", "settled", "reversed", "clawed_back"


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
    #: product / grade / global
    source = db.Column(db.String(8), nullable=False)
    rule_version_id = db.Column(db.Integer, db.ForeignKey("commission_rule_versions.id"), nullable=False)
    explanation = db.Column(db.String(300), nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    settled_at = db.Column(db.DateTime)

    @hybrid_property
    def net_fen(self):
        """What the commission pays after reversals and clawbacks: a number on a row, SQL on the class."""
        return self.amount_fen - self.reversed_fen - self.clawed_back_fen
