"""Agent appointments (one province, city or district each) and their dividends, one per order line and level.

Dividends live in their own table rather than as a `kind` of Commission: commissions.level is CHECKed to 1..3
(the chain's hard cap, which SQLite cannot relax without a batch copy), and every commission read model (team sums,
leaderboards, reports, the admin search) would otherwise count dividends as chain commissions. The money paths
(freeze, settle, reverse, claw back) are the same steps as commissions', on the same ledger, with their own kinds."""
from flask_babel import lazy_gettext as _l
from sqlalchemy.ext.hybrid import hybrid_property

from ..clock import utcnow
from ..distribution.models import COMMISSION_STATUSES, FROZEN
from ..extensions import db
from ..vocabulary import Labels, one_of

PROVINCE, CITY, DISTRICT = "province", "city", "district"
#: Agent.level and AgentDividend.level, the largest region first (the order the cap guard serves them in).
AGENT_LEVELS = Labels({PROVINCE: _l("省级代理"), CITY: _l("市级代理"), DISTRICT: _l("区县代理")})
ACTIVE, ENDED = "active", "ended"
AGENT_STATUSES = Labels({ACTIVE: _l("任职中"), ENDED: _l("已卸任")})
#: The ledger's kinds for dividends (wallet.models.LEDGER_KINDS) and the entries' ref_type.
DIVIDEND_FROZEN, DIVIDEND_SETTLED = "agent_dividend_frozen", "agent_dividend_settled"
DIVIDEND_REVERSED, DIVIDEND_CLAWBACK = "agent_dividend_reversed", "agent_dividend_clawback"
DIVIDEND_REF = "agent_div"


class Agent(db.Model):
    """One appointment of a member as agent of a region. Parts below the level are '' (a province agent has no
    city). At most one active appointment per region and level: a partial unique index."""
    __tablename__ = "agents"
    __table_args__ = (
        db.Index("uq_agents_active_region", "level", "province", "city", "district", unique=True,
                 sqlite_where=db.text("status = 'active'"), postgresql_where=db.text("status = 'active'")),
        db.Index("ix_agents_user", "user_id", "status"),
        db.CheckConstraint("rate_bp BETWEEN 0 AND 10000", name="rate_range"),
        one_of("level", AGENT_LEVELS), one_of("status", AGENT_STATUSES),
    )
    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)
    level = db.Column(db.String(10), nullable=False)
    province = db.Column(db.String(40), nullable=False)
    city = db.Column(db.String(40), nullable=False, default="")
    district = db.Column(db.String(40), nullable=False, default="")
    #: Basis points of each line's goods paid.
    rate_bp = db.Column(db.Integer, nullable=False)
    status = db.Column(db.String(8), nullable=False, default=ACTIVE)
    appointed_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    ended_at = db.Column(db.DateTime)
    end_reason = db.Column(db.String(200))
    actor_id = db.Column(db.Integer, db.ForeignKey("staff.id"))

    user = db.relationship("User")

    @property
    def region_text(self):
        return f"{self.province}{self.city}{self.district}"


class AgentDividend(db.Model):
    """An agent's dividend on one order line, created frozen in the payment transaction. Unique per (line, level):
    one order has one region, so one agent per level; a duplicate notification can never pay twice."""
    __tablename__ = "agent_dividends"
    __table_args__ = (
        db.UniqueConstraint("order_line_id", "level", name="uq_agent_dividends_line_level"),
        db.Index("ix_agent_dividends_agent", "agent_id", "id"),
        db.Index("ix_agent_dividends_beneficiary_status", "beneficiary_id", "status"),
        db.Index("ix_agent_dividends_status_order", "status", "order_id"),
        db.CheckConstraint("amount_fen > 0", name="amount_positive"),
        db.CheckConstraint("reversed_fen >= 0 AND clawed_back_fen >= 0 AND reversed_fen + clawed_back_fen <= amount_fen",
                           name="adjustments_within_amount"),
        one_of("level", AGENT_LEVELS), one_of("status", COMMISSION_STATUSES),
    )
    id = db.Column(db.Integer, primary_key=True)
    order_id = db.Column(db.Integer, db.ForeignKey("orders.id"), nullable=False, index=True)
    order_line_id = db.Column(db.Integer, db.ForeignKey("order_lines.id"), nullable=False)
    agent_id = db.Column(db.Integer, db.ForeignKey("agents.id"), nullable=False)
    beneficiary_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)
    buyer_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)
    level = db.Column(db.String(10), nullable=False)
    #: What the rule gave (after the cap guard's clamp), and the base and rate it came from.
    amount_fen = db.Column(db.BigInteger, nullable=False)
    base_fen = db.Column(db.BigInteger, nullable=False)
    rate_bp = db.Column(db.Integer, nullable=False)
    reversed_fen = db.Column(db.BigInteger, nullable=False, default=0)
    clawed_back_fen = db.Column(db.BigInteger, nullable=False, default=0)
    status = db.Column(db.String(12), nullable=False, default=FROZEN)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    settled_at = db.Column(db.DateTime)

    agent = db.relationship("Agent")
    order = db.relationship("Order")

    @hybrid_property
    def net_fen(self):
        return self.amount_fen - self.reversed_fen - self.clawed_back_fen
