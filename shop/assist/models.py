"""The products enabled for 助力免单, the members' campaigns and the helps they received."""
from flask_babel import lazy_gettext as _l

from ..clock import utcnow
from ..extensions import db
from ..vocabulary import Labels, one_of

# AssistCampaign.status as stored; an open campaign past its deadline shows as EXPIRED (AssistCampaign.state).
OPEN, SUCCEEDED, EXPIRED = "open", "succeeded", "expired"
CAMPAIGN_STATES = Labels({OPEN: _l("助力中"), SUCCEEDED: _l("已成功"), EXPIRED: _l("已结束")})


class AssistProduct(db.Model):
    """A product the merchant enabled for 助力免单: how many new members must help, within how many hours."""
    __tablename__ = "assist_products"
    __table_args__ = (db.CheckConstraint("helps_needed >= 1 AND hours >= 1", name="rule_positive"),)
    id = db.Column(db.Integer, primary_key=True)
    product_id = db.Column(db.Integer, db.ForeignKey("products.id", ondelete="CASCADE"), nullable=False, unique=True)
    helps_needed = db.Column(db.Integer, nullable=False, default=3)
    hours = db.Column(db.Integer, nullable=False, default=24)
    enabled = db.Column(db.Boolean, nullable=False, default=True)
    #: The reward: a fixed-amount coupon template for this product, worth its price (replaced when the price changes).
    template_id = db.Column(db.Integer, db.ForeignKey("coupon_templates.id"))
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    product = db.relationship("Product")


class AssistCampaign(db.Model):
    """A member's campaign: helps counted by a guarded UPDATE (helps < needed, before the deadline)."""
    __tablename__ = "assist_campaigns"
    __table_args__ = (db.Index("ix_assist_campaigns_starter", "starter_id", "id"),
                      one_of("status", (OPEN, SUCCEEDED)),
                      db.CheckConstraint("helps >= 0 AND helps <= helps_needed", name="helps_within_needed"))
    id = db.Column(db.Integer, primary_key=True)
    assist_product_id = db.Column(db.Integer, db.ForeignKey("assist_products.id", ondelete="CASCADE"), nullable=False)
    starter_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    #: The merchant's rule when the campaign started (later edits never change a running campaign).
    helps_needed = db.Column(db.Integer, nullable=False)
    helps = db.Column(db.Integer, nullable=False, default=0)
    status = db.Column(db.String(10), nullable=False, default=OPEN)
    started_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    deadline = db.Column(db.DateTime, nullable=False)
    succeeded_at = db.Column(db.DateTime)
    coupon_id = db.Column(db.Integer, db.ForeignKey("coupons.id"))

    assist_product = db.relationship("AssistProduct")
    starter = db.relationship("User")

    def state(self, now=None):
        """open, succeeded, or expired (open past its deadline)."""
        if self.status == OPEN and (now or utcnow()) >= self.deadline:
            return EXPIRED
        return self.status


class AssistHelp(db.Model):
    """One new member's help: each member helps once, ever (the unique helper)."""
    __tablename__ = "assist_helps"
    id = db.Column(db.Integer, primary_key=True)
    campaign_id = db.Column(db.Integer, db.ForeignKey("assist_campaigns.id", ondelete="CASCADE"), nullable=False,
                            index=True)
    helper_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, unique=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    helper = db.relationship("User")
