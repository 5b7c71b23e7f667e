"""Each member's points balance in one row, the append-only entries that explain it, and the daily check-ins."""
from flask_babel import lazy_gettext as _l

from ..clock import utcnow
from ..extensions import db
from ..vocabulary import Labels, one_of

# PointsEntry.kind
EARN_ORDER, CHECKIN, CHECKIN_STREAK, INVITE = "earn_order", "checkin", "checkin_streak", "invite"
SPEND, SPEND_RETURNED, EARN_REVOKED, EXPIRED, STAFF_ADJUST = (
    "spend", "spend_returned", "earn_revoked", "expired", "staff_adjust")
POINTS_KINDS = Labels({EARN_ORDER: _l("购物奖励"), CHECKIN: _l("每日签到"), CHECKIN_STREAK: _l("连续签到奖励"),
                       INVITE: _l("邀请奖励"), SPEND: _l("下单抵扣"), SPEND_RETURNED: _l("抵扣退回"),
                       EARN_REVOKED: _l("退款扣回"), EXPIRED: _l("积分过期"), STAFF_ADJUST: _l("人工调整")})
#: Kinds that bring new points (a lot that may expire); a positive STAFF_ADJUST is one too.
EARNING_KINDS = (EARN_ORDER, CHECKIN, CHECKIN_STREAK, INVITE)


class PointsAccount(db.Model):
    """A member's points balance. Changed only by the guarded UPDATE in points.ledger.post(), each with an entry."""
    __tablename__ = "points_accounts"
    __table_args__ = (db.CheckConstraint("balance >= 0", name="balance_not_negative"),)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    balance = db.Column(db.BigInteger, nullable=False, default=0)


class PointsEntry(db.Model):
    """One change of one member's points: the signed delta and the balance after. Never updated or deleted."""
    __tablename__ = "points_entries"
    __table_args__ = (db.Index("ix_points_entries_user", "user_id", "id"),
                      db.Index("ix_points_entries_order", "order_id", "kind"),
                      db.Index("ix_points_entries_kind_created", "kind", "created_at"),
                      db.CheckConstraint("delta <> 0 OR unrecovered > 0", name="delta_not_zero"),
                      db.CheckConstraint("balance_after >= 0", name="balance_after_not_negative"),
                      one_of("kind", POINTS_KINDS))
    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)
    kind = db.Column(db.String(16), nullable=False)
    delta = db.Column(db.BigInteger, nullable=False)
    balance_after = db.Column(db.BigInteger, nullable=False)
    #: What it refers to: order / checkin / user (the invitee) / staff / expiry, and its id.
    ref_type = db.Column(db.String(12), nullable=False)
    ref_id = db.Column(db.Integer, nullable=False)
    order_id = db.Column(db.Integer, db.ForeignKey("orders.id"))
    actor_id = db.Column(db.Integer, db.ForeignKey("staff.id"))
    memo = db.Column(db.String(200), nullable=False, default="")
    #: The memo's values when `memo` is a message id, translated for whoever reads it (memos.points_memo); None: the
    #: memo is staff's own words, shown as written.
    memo_args = db.Column(db.JSON)
    #: earn_order: the paid goods amount (fen, net of refunds so far) the points were earned on; refunds after
    #: completion take back the same share of it.
    basis_fen = db.Column(db.BigInteger)
    #: earn_revoked: points that were due back but exceeded the balance (never taken: the balance stays >= 0).
    unrecovered = db.Column(db.BigInteger, nullable=False, default=0)
    #: A one-time entry's key (earn:<order>, spend:<order>, invite:<invitee>): unique, so it can never happen twice.
    once_key = db.Column(db.String(40), unique=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)


class Checkin(db.Model):
    """签到: at most one per member per China day (the unique key makes double clicks and races give one)."""
    __tablename__ = "points_checkins"
    __table_args__ = (db.UniqueConstraint("user_id", "day", name="uq_points_checkins_user_day"),)
    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    #: The China-time calendar day.
    day = db.Column(db.Date, nullable=False)
    #: Consecutive days up to and including this one.
    streak = db.Column(db.Integer, nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
