"""Coupon templates (what the merchant offers) and member coupons (one row per coupon a member holds)."""
from flask_babel import lazy_gettext as _l

from ..clock import utcnow
from ..extensions import db
from ..vocabulary import Labels, one_of

# CouponTemplate.kind: a fixed amount off, or a percent off (basis points) up to a maximum.
FIXED, PERCENT = "fixed", "percent"
TEMPLATE_KINDS = Labels({FIXED: _l("满减券"), PERCENT: _l("折扣券")})
# CouponTemplate.scope: which lines a coupon applies to (scope_ids holds the category or product ids).
ALL, CATEGORIES, PRODUCTS = "all", "categories", "products"
SCOPES = Labels({ALL: _l("全部商品"), CATEGORIES: _l("指定分类"), PRODUCTS: _l("指定商品")})
# CouponTemplate.validity: fixed dates, or N days from the moment it is claimed.
DATES, DAYS = "dates", "days"
VALIDITIES = Labels({DATES: _l("固定日期"), DAYS: _l("领取后N天")})
# CouponTemplate.obtain: claimable (coupon centre and product pages), or given as a reward / by staff only.
CLAIMABLE, REWARD_ONLY = "claim", "reward"
OBTAIN_WAYS = Labels({CLAIMABLE: _l("领券中心和商品页可领"), REWARD_ONLY: _l("仅奖励或后台发放")})
# Coupon.status
UNUSED, LOCKED, USED, EXPIRED = "unused", "locked", "used", "expired"
COUPON_STATUSES = Labels({UNUSED: _l("未使用"), LOCKED: _l("待支付订单占用"), USED: _l("已使用"),
                          EXPIRED: _l("已过期")})
# Coupon.source
CLAIM, REGISTER, INVITE, STAFF, ASSIST = "claim", "register", "invite", "staff", "assist"
COUPON_SOURCES = Labels({CLAIM: _l("领取"), REGISTER: _l("注册奖励"), INVITE: _l("邀请奖励"), STAFF: _l("后台发放"),
                         ASSIST: _l("助力免单")})


class CouponTemplate(db.Model):
    """What a coupon gives, to which lines, for how long, how many there are and how members get one."""
    __tablename__ = "coupon_templates"
    __table_args__ = (one_of("kind", TEMPLATE_KINDS), one_of("scope", SCOPES), one_of("validity", VALIDITIES),
                      one_of("obtain", OBTAIN_WAYS),
                      db.CheckConstraint("issued >= 0 AND issued <= total", name="issued_within_total"),
                      db.CheckConstraint("amount_fen >= 0 AND threshold_fen >= 0 AND max_discount_fen >= 0",
                                         name="amounts_not_negative"),
                      db.CheckConstraint("percent_bp >= 0 AND percent_bp <= 10000", name="percent_in_range"),
                      db.CheckConstraint("per_member >= 1", name="per_member_positive"))
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(40), nullable=False)
    kind = db.Column(db.String(10), nullable=False, default=FIXED)
    #: FIXED: the amount off.
    amount_fen = db.Column(db.BigInteger, nullable=False, default=0)
    #: PERCENT: the share taken off (2000 = 20% off, 八折), at most max_discount_fen (0 = no maximum).
    percent_bp = db.Column(db.Integer, nullable=False, default=0)
    max_discount_fen = db.Column(db.BigInteger, nullable=False, default=0)
    #: The eligible lines' amount must reach this (0 = no threshold).
    threshold_fen = db.Column(db.BigInteger, nullable=False, default=0)
    scope = db.Column(db.String(12), nullable=False, default=ALL)
    #: Category ids (a top category covers its children) or product ids, by scope.
    scope_ids = db.Column(db.JSON, nullable=False, default=list)
    validity = db.Column(db.String(8), nullable=False, default=DAYS)
    starts_at = db.Column(db.DateTime)
    ends_at = db.Column(db.DateTime)
    valid_days = db.Column(db.Integer, nullable=False, default=7)
    total = db.Column(db.Integer, nullable=False, default=0)
    #: Coupons given out so far: raised by a guarded UPDATE (issued < total), never past total.
    issued = db.Column(db.Integer, nullable=False, default=0)
    per_member = db.Column(db.Integer, nullable=False, default=1)
    obtain = db.Column(db.String(8), nullable=False, default=CLAIMABLE)
    enabled = db.Column(db.Boolean, nullable=False, default=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    @property
    def left(self):
        return max(self.total - self.issued, 0)


class Coupon(db.Model):
    """A coupon a member holds. `seq` numbers a member's coupons of one template (1, 2, ...): the unique key
    (template, user, seq) keeps the per-member limit even if two grants raced past their check."""
    __tablename__ = "coupons"
    __table_args__ = (db.UniqueConstraint("template_id", "user_id", "seq"),
                      db.UniqueConstraint("source", "ref"),
                      db.Index("ix_coupons_user_status", "user_id", "status", "valid_to"),
                      db.Index("ix_coupons_status_valid_to", "status", "valid_to"),
                      one_of("status", COUPON_STATUSES), one_of("source", COUPON_SOURCES))
    id = db.Column(db.Integer, primary_key=True)
    template_id = db.Column(db.Integer, db.ForeignKey("coupon_templates.id"), nullable=False)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    seq = db.Column(db.Integer, nullable=False)
    status = db.Column(db.String(10), nullable=False, default=UNUSED)
    valid_from = db.Column(db.DateTime, nullable=False)
    valid_to = db.Column(db.DateTime, nullable=False)
    source = db.Column(db.String(10), nullable=False, default=CLAIM)
    #: What a reward was for ("invitee:12", "campaign:3"): one coupon per (source, ref); NULL for claims.
    ref = db.Column(db.String(40))
    #: The order holding (locked) or having used it.
    order_id = db.Column(db.Integer, db.ForeignKey("orders.id", ondelete="SET NULL"), index=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    used_at = db.Column(db.DateTime)

    template = db.relationship("CouponTemplate")
    user = db.relationship("User")
    order = db.relationship("Order")
