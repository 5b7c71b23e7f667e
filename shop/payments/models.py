"""Payments received, alerts for the merchant, refunds (after-sale), and the sandbox gateway's store."""
from flask_babel import lazy_gettext as _l

from ..clock import utcnow
from ..extensions import db
from ..vocabulary import Labels, one_of

# Payment.status
APPLIED = "applied"            # counted for its order
TO_REFUND = "to_refund"        # late or duplicate payment that could not be applied: refunded automatically
REFUNDED = "refunded"          # that refund went through
PAYMENT_STATUSES = Labels({APPLIED: _l("已入账"), TO_REFUND: _l("待退款"), REFUNDED: _l("已退款")})


class Payment(db.Model):
    """Money a gateway says it received; unique per (gateway, transaction id)."""
    __tablename__ = "payments"
    __table_args__ = (db.UniqueConstraint("gateway", "transaction_id", name="uq_payments_gateway_txn"),
                      db.CheckConstraint("amount_fen > 0", name="amount_positive"),
                      one_of("status", PAYMENT_STATUSES))
    id = db.Column(db.Integer, primary_key=True)
    order_id = db.Column(db.Integer, db.ForeignKey("orders.id"), nullable=False, index=True)
    gateway = db.Column(db.String(20), nullable=False)
    transaction_id = db.Column(db.String(64), nullable=False)
    amount_fen = db.Column(db.BigInteger, nullable=False)
    status = db.Column(db.String(12), nullable=False, default=APPLIED)
    paid_at = db.Column(db.DateTime)
    payer_openid = db.Column(db.String(64))
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    raw = db.Column(db.JSON)


#: PaymentAlert.kind
AMOUNT_MISMATCH, TRANSACTION_REUSED, AUTO_REFUNDED, REFUND_AMOUNT_MISMATCH = (
    "amount_mismatch", "transaction_reused", "auto_refund", "refund_amount_mismatch")
REFUND_STUCK, TRANSFER_STUCK, AUDIT_FAILED = "refund_stuck", "transfer_stuck", "audit_failed"
FOREIGN_NOTICE, SETTLE_FAILED = "foreign_notice", "settle_failed"
ALERT_KINDS = Labels({AMOUNT_MISMATCH: _l("支付金额与订单不符"), TRANSACTION_REUSED: _l("支付单号重复使用"),
                      AUTO_REFUNDED: _l("付款无法入账，已自动退款"), REFUND_AMOUNT_MISMATCH: _l("退款金额与申请不符"),
                      REFUND_STUCK: _l("退款长时间未完成"), TRANSFER_STUCK: _l("转账长时间未完成"),
                      AUDIT_FAILED: _l("资金对账发现问题"), FOREIGN_NOTICE: _l("非本商户或非人民币的通知"),
                      SETTLE_FAILED: _l("佣金结算失败")})


class PaymentAlert(db.Model):
    """Something about a payment the merchant must look at (amount mismatch, late payment refunded, ...)."""
    __tablename__ = "payment_alerts"
    __table_args__ = (one_of("kind", ALERT_KINDS), db.Index("ix_payment_alerts_resolved_kind", "resolved_at", "kind"))
    id = db.Column(db.Integer, primary_key=True)
    kind = db.Column(db.String(30), nullable=False)
    order_no = db.Column(db.String(32))
    gateway = db.Column(db.String(20))
    transaction_id = db.Column(db.String(64))
    amount_fen = db.Column(db.BigInteger)
    message = db.Column(db.String(300), nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    #: Marked handled by staff, with what they did about it.
    resolved_at = db.Column(db.DateTime)
    resolved_by = db.Column(db.Integer, db.ForeignKey("staff.id"))
    note = db.Column(db.String(300), nullable=False, default="", server_default="")


# Refund.status
REQUESTED, APPROVED, REJECTED, PROCESSING, SUCCEEDED, FAILED = (
    "requested", "approved", "rejected", "processing", "succeeded", "failed")
REFUND_STATUSES = Labels({REQUESTED: _l("待审核"), APPROVED: _l("已同意"), REJECTED: _l("已拒绝"),
                          PROCESSING: _l("退款中"), SUCCEEDED: _l("退款成功"), FAILED: _l("退款失败")})
#: The same statuses as the shopper reads them on their order page (申请中 / 退款中 / 已退款 / 已拒绝).
REFUND_PROGRESS = Labels({REQUESTED: _l("申请中"), APPROVED: _l("退款中"), REJECTED: _l("已拒绝"),
                          PROCESSING: _l("退款中"), SUCCEEDED: _l("已退款"), FAILED: _l("退款失败")})
#: A refund still on its way: one at a time per order, and it keeps the order's commissions from settling.
OPEN_REFUND_STATUSES = (REQUESTED, APPROVED, PROCESSING)
# Refund.kind
FULL, PARTIAL, AUTO = "full", "partial", "auto"
REFUND_KINDS = Labels({FULL: _l("整单退款"), PARTIAL: _l("部分退款"), AUTO: _l("自动退款")})


class Refund(db.Model):
    """An after-sale refund of a whole order or of line quantities, or an automatic refund of a payment."""
    __tablename__ = "refunds"
    __table_args__ = (db.CheckConstraint("amount_fen >= 0", name="amount_not_negative"),
                      db.Index("ix_refunds_order_status", "order_id", "status"),
                      one_of("status", REFUND_STATUSES), one_of("kind", REFUND_KINDS))
    id = db.Column(db.Integer, primary_key=True)
    #: Our number, sent to the gateway as out_refund_no.
    refund_no = db.Column(db.String(32), nullable=False, unique=True)
    order_id = db.Column(db.Integer, db.ForeignKey("orders.id"), nullable=False)
    payment_id = db.Column(db.Integer, db.ForeignKey("payments.id"))
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)
    #: full / partial / auto (a payment that could not be applied)
    kind = db.Column(db.String(10), nullable=False)
    status = db.Column(db.String(12), nullable=False, default=REQUESTED)
    amount_fen = db.Column(db.BigInteger, nullable=False)
    #: Shipping refunded with a full refund.
    shipping_fen = db.Column(db.BigInteger, nullable=False, default=0)
    reason = db.Column(db.String(200), nullable=False)
    reject_reason = db.Column(db.String(200))
    gateway_refund_id = db.Column(db.String(64))
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    decided_at = db.Column(db.DateTime)
    decided_by = db.Column(db.Integer, db.ForeignKey("staff.id"))
    succeeded_at = db.Column(db.DateTime)
    #: Set once the commissions of this refund's lines were reversed (exactly once).
    commissions_adjusted_at = db.Column(db.DateTime)
    #: The refunded quantities went back to stock (the merchant ticked 退回库存).
    restocked = db.Column(db.Boolean, nullable=False, default=False)
    #: Why the gateway did not refund (CLOSED / ABNORMAL, or its error message), shown to staff.
    fail_reason = db.Column(db.String(200))

    lines = db.relationship("RefundLine", cascade="all, delete-orphan", back_populates="refund")
    order = db.relationship("Order")


class RefundLine(db.Model):
    __tablename__ = "refund_lines"
    __table_args__ = (db.CheckConstraint("quantity > 0", name="quantity_positive"),)
    id = db.Column(db.Integer, primary_key=True)
    refund_id = db.Column(db.Integer, db.ForeignKey("refunds.id", ondelete="CASCADE"), nullable=False, index=True)
    order_line_id = db.Column(db.Integer, db.ForeignKey("order_lines.id"), nullable=False, index=True)
    quantity = db.Column(db.Integer, nullable=False)
    amount_fen = db.Column(db.BigInteger, nullable=False)

    refund = db.relationship("Refund", back_populates="lines")


class SandboxTransaction(db.Model):
    """The sandbox gateway's own record of a payment (what WeChat Pay would hold)."""
    __tablename__ = "sandbox_transactions"
    id = db.Column(db.Integer, primary_key=True)
    order_no = db.Column(db.String(32), nullable=False, index=True)
    transaction_id = db.Column(db.String(64), unique=True)
    amount_fen = db.Column(db.BigInteger, nullable=False)
    #: NOTPAY / SUCCESS / PAYERROR / CLOSED / REFUND
    state = db.Column(db.String(12), nullable=False, default="NOTPAY")
    notify_url = db.Column(db.String(300), nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    paid_at = db.Column(db.DateTime)
    delivered_at = db.Column(db.DateTime)
    delivery_attempts = db.Column(db.Integer, nullable=False, default=0)
    last_error = db.Column(db.String(300))


class SandboxRefund(db.Model):
    __tablename__ = "sandbox_refunds"
    id = db.Column(db.Integer, primary_key=True)
    refund_no = db.Column(db.String(32), nullable=False, unique=True)
    refund_id = db.Column(db.String(64), nullable=False, unique=True)
    order_no = db.Column(db.String(32), nullable=False)
    amount_fen = db.Column(db.BigInteger, nullable=False)
    status = db.Column(db.String(12), nullable=False)
    notify_url = db.Column(db.String(300))
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)


class SandboxTransfer(db.Model):
    __tablename__ = "sandbox_transfers"
    id = db.Column(db.Integer, primary_key=True)
    transfer_no = db.Column(db.String(32), nullable=False, unique=True)
    transfer_id = db.Column(db.String(64), nullable=False, unique=True)
    openid = db.Column(db.String(64), nullable=False)
    amount_fen = db.Column(db.BigInteger, nullable=False)
    status = db.Column(db.String(20), nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    notify_url = db.Column(db.String(300))
    package_info = db.Column(db.String(1024))
    fail_reason = db.Column(db.String(100))
    #: Whether the request carried the payee's real name (encrypted; the sandbox only checks it decrypts).
    user_name_given = db.Column(db.Boolean, nullable=False, default=False)
    updated_at = db.Column(db.DateTime)
