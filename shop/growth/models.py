"""Visit counters, sightings (where a member was seen: device cookie and IP) and fraud flags."""
from flask_babel import lazy_gettext as _l

from ..clock import utcnow
from ..extensions import db
from ..vocabulary import Labels, one_of

#: Where a visit came from (VisitCounter.source): the `src` of invite links, QR codes, posters and product shares.
VISIT_SOURCES = Labels({"link": _l("推广链接"), "qr": _l("二维码"), "poster": _l("推广海报"), "share": _l("商品分享")})
#: When a member was seen (Sighting.kind).
SIGHTING_KINDS = Labels({"register": _l("注册"), "login": _l("登录"), "order": _l("下单")})
#: Why a binding or a commission was flagged (FraudFlag.reasons holds these, comma-separated).
FLAG_REASONS = Labels({"device": _l("与上级使用同一设备"), "ip": _l("与上级一小时内使用同一 IP"),
                       "phone": _l("与上级手机号相同"), "address": _l("与上级收货地址相同"),
                       "burst": _l("同一 IP 短时间内大量注册")})
FLAG_KINDS = Labels({"binding": _l("绑定"), "commission": _l("佣金")})
# FraudFlag.status
HELD, CLEARED, VOIDED = "held", "cleared", "voided"
FLAG_STATUSES = Labels({HELD: _l("待审核"), CLEARED: _l("已放行"), VOIDED: _l("已作废")})


class VisitCounter(db.Model):
    """Visits of one distributor's links from one source on one China-time day: one row, counted up by an upsert."""
    __tablename__ = "visit_counters"
    __table_args__ = (db.Index("ix_visit_counters_day", "day", "distributor_id"), one_of("source", VISIT_SOURCES))
    distributor_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    source = db.Column(db.String(8), primary_key=True)
    day = db.Column(db.Date, primary_key=True)
    visits = db.Column(db.Integer, nullable=False, default=0)


class Sighting(db.Model):
    """A member seen at registration, login or ordering: the app's long-lived device cookie and the IP."""
    __tablename__ = "member_sightings"
    __table_args__ = (db.Index("ix_member_sightings_user", "user_id", "id"),
                      db.Index("ix_member_sightings_device", "device_id"),
                      db.Index("ix_member_sightings_ip", "ip", "created_at"),
                      one_of("kind", SIGHTING_KINDS))
    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    kind = db.Column(db.String(10), nullable=False)
    device_id = db.Column(db.String(32))
    ip = db.Column(db.String(45))
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)


class FraudFlag(db.Model):
    """A binding or a commission whose invitee and referrer look like one person. A held commission is not
    settled until staff clear it (it settles as usual) or void it (a reversal on the ledger), with a reason."""
    __tablename__ = "fraud_flags"
    __table_args__ = (db.Index("ix_fraud_flags_kind_status", "kind", "status", "id"),
                      db.Index("ix_fraud_flags_pair", "user_id", "referrer_id"),
                      one_of("kind", FLAG_KINDS), one_of("status", FLAG_STATUSES))
    id = db.Column(db.Integer, primary_key=True)
    kind = db.Column(db.String(10), nullable=False)
    #: The invitee (binding) or the buyer (commission), and the referrer or the commission's beneficiary.
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    referrer_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    commission_id = db.Column(db.Integer, db.ForeignKey("commissions.id"), unique=True)
    order_id = db.Column(db.Integer, db.ForeignKey("orders.id"), index=True)
    #: FLAG_REASONS codes, comma-separated, and what matched (the shared IP, phone, ...), for staff.
    reasons = db.Column(db.String(60), nullable=False)
    detail = db.Column(db.String(300), nullable=False, default="")
    status = db.Column(db.String(10), nullable=False, default=HELD)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    decided_at = db.Column(db.DateTime)
    #: Staff who decided (an id and a name: staff accounts live apart from members).
    decided_by_id = db.Column(db.Integer)
    decided_by_name = db.Column(db.String(40))
    decision_reason = db.Column(db.String(200))

    user = db.relationship("User", foreign_keys=[user_id])
    referrer = db.relationship("User", foreign_keys=[referrer_id])
    commission = db.relationship("Commission")

    @property
    def reason_codes(self):
        return [code for code in self.reasons.split(",") if code]
