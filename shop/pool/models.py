"""The dividend pool's records: one row per paid period (its snapshot of the rules), the orders in its base, each
member's share, and each refund that reached a paid period (clawed back or absorbed)."""
from datetime import timedelta

from flask_babel import lazy_gettext as _l

from ..clock import utcnow
from ..extensions import db
from ..vocabulary import Labels, one_of

#: How the pool is split among the eligible members.
SPLITS = Labels({"equal": _l("平均分配"), "sales": _l("按业绩分配")})
#: Pool periods.
PERIOD_KINDS = Labels({"month": _l("按月"), "week": _l("按周")})
#: What a refund after the period was paid does: take the shares back (a debt), or the merchant bears it.
REFUND_POLICIES = Labels({"clawback": _l("追回分红"), "absorb": _l("商家承担")})
#: The label sets, for the pool's templates (as `pool_labels`).
LABELS = {"split": SPLITS, "kind": PERIOD_KINDS, "policy": REFUND_POLICIES}
#: Ledger kinds of the pool (wallet.models.LEDGER_KINDS holds them too).
SHARE_KIND, CLAWBACK_KIND = "pool_share", "pool_clawback"
#: LedgerEntry.ref_type of both: the PoolShare.
REF_TYPE = "pool_share"


class PoolPeriod(db.Model):
    """A paid period (unique: paid once). Holds the rules as they were when it was paid, so later edits of the
    settings never change what it paid; and the totals: shares + remainder == pool."""
    __tablename__ = "pool_periods"
    __table_args__ = (db.CheckConstraint("pool_fen >= 0 AND remainder_fen >= 0", name="amounts_not_negative"),
                      db.CheckConstraint("shares_fen + remainder_fen = pool_fen", name="shares_add_up"),
                      one_of("kind", PERIOD_KINDS), one_of("split", SPLITS))
    id = db.Column(db.Integer, primary_key=True)
    #: "2026-11" or "2026-W48" (ISO week), China time.
    period = db.Column(db.String(10), nullable=False, unique=True)
    kind = db.Column(db.String(8), nullable=False)
    #: [starts_at, ends_at) as naive UTC.
    starts_at = db.Column(db.DateTime, nullable=False)
    ends_at = db.Column(db.DateTime, nullable=False)
    rate_bp = db.Column(db.Integer, nullable=False)
    split = db.Column(db.String(8), nullable=False)
    #: The grade ids that shared it, and their names then.
    grades = db.Column(db.JSON, nullable=False)
    #: Goods paid (net of refunds at payout) of the orders completed in the period.
    base_fen = db.Column(db.BigInteger, nullable=False)
    #: floor(base x rate / 10000)
    pool_fen = db.Column(db.BigInteger, nullable=False)
    shares_fen = db.Column(db.BigInteger, nullable=False)
    #: What the floor split left: stays with the merchant.
    remainder_fen = db.Column(db.BigInteger, nullable=False)
    #: Goods refunded after payout, by what the merchant chose for each refund.
    clawback_base_fen = db.Column(db.BigInteger, nullable=False, default=0)
    absorbed_base_fen = db.Column(db.BigInteger, nullable=False, default=0)
    paid_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    @property
    def last_moment(self):
        """The period's last moment (ends_at is exclusive), to show its last day."""
        return self.ends_at - timedelta(seconds=1)


class PoolOrder(db.Model):
    """An order in a paid period's base (an order is in at most one period's base)."""
    __tablename__ = "pool_orders"
    id = db.Column(db.Integer, primary_key=True)
    period_id = db.Column(db.Integer, db.ForeignKey("pool_periods.id"), nullable=False, index=True)
    order_id = db.Column(db.Integer, db.ForeignKey("orders.id"), nullable=False, unique=True)
    #: The order's goods paid net of refunds at payout; its level-1 distributor (orders.referrer_id).
    base_fen = db.Column(db.BigInteger, nullable=False)
    referrer_id = db.Column(db.Integer, db.ForeignKey("users.id"))


class PoolShare(db.Model):
    """One eligible member's share of a period: basis (1 each for an equal split, their sales for a split by
    sales), the amount credited, and what refunds clawed back since."""
    __tablename__ = "pool_shares"
    __table_args__ = (db.UniqueConstraint("period_id", "user_id"),
                      db.CheckConstraint("amount_fen >= 0 AND clawed_back_fen >= 0 AND clawed_back_fen <= amount_fen",
                                         name="amounts_valid"),
                      db.Index("ix_pool_shares_user_id", "user_id", "period_id"))
    id = db.Column(db.Integer, primary_key=True)
    period_id = db.Column(db.Integer, db.ForeignKey("pool_periods.id"), nullable=False)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)
    grade_id = db.Column(db.Integer, db.ForeignKey("distributor_grades.id"))
    grade_name = db.Column(db.String(20), nullable=False, default="")
    basis_fen = db.Column(db.BigInteger, nullable=False)
    amount_fen = db.Column(db.BigInteger, nullable=False)
    clawed_back_fen = db.Column(db.BigInteger, nullable=False, default=0)

    period = db.relationship("PoolPeriod")
    user = db.relationship("User")

    @property
    def net_fen(self):
        return self.amount_fen - self.clawed_back_fen


class PoolAdjustment(db.Model):
    """A refund of an order in a paid period's base, exactly once per refund: the pool it took (clawback: taken
    from the shares, a ledger entry each; absorb: the merchant bears it, no entry)."""
    __tablename__ = "pool_adjustments"
    __table_args__ = (one_of("policy", REFUND_POLICIES),)
    id = db.Column(db.Integer, primary_key=True)
    period_id = db.Column(db.Integer, db.ForeignKey("pool_periods.id"), nullable=False, index=True)
    refund_id = db.Column(db.Integer, db.ForeignKey("refunds.id"), nullable=False, unique=True)
    order_id = db.Column(db.Integer, db.ForeignKey("orders.id"), nullable=False)
    policy = db.Column(db.String(8), nullable=False)
    #: Goods refunded; the pool they stood for (taken from the shares, or borne by the merchant).
    base_fen = db.Column(db.BigInteger, nullable=False)
    amount_fen = db.Column(db.BigInteger, nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    order = db.relationship("Order")
