"""Each distributor's balances in one row, and the append-only ledger that explains them."""
from flask_babel import lazy_gettext as _l

from ..clock import utcnow
from ..extensions import db
from ..vocabulary import Labels, one_of


class Account(db.Model):
    """Balances by bucket. Changed only by a guarded UPDATE in wallet.ledger.post(), each with an entry."""
    __tablename__ = "accounts"
    __table_args__ = (
        db.CheckConstraint("frozen_fen >= 0", name="frozen_not_negative"),
        db.CheckConstraint("withdrawing_fen >= 0", name="withdrawing_not_negative"),
        db.CheckConstraint("withdrawn_fen >= 0", name="withdrawn_not_negative"),
    )
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    frozen_fen = db.Column(db.BigInteger, nullable=False, default=0)
    #: May go below zero: a clawback after settlement is a debt that later earnings repay.
    available_fen = db.Column(db.BigInteger, nullable=False, default=0)
    withdrawing_fen = db.Column(db.BigInteger, nullable=False, default=0)
    withdrawn_fen = db.Column(db.BigInteger, nullable=False, default=0)


class LedgerEntry(db.Model):
    """One change of one account: signed deltas per bucket and the balances after. Never updated or
    deleted (database triggers refuse it)."""
    __tablename__ = "ledger_entries"
    __table_args__ = (db.Index("ix_ledger_entries_user_id", "user_id", "id"),
                      db.Index("ix_ledger_entries_ref", "ref_type", "ref_id"))
    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)
    #: LEDGER_KINDS (no CHECK: the table's append-only triggers would not survive SQLite's batch copy)
    kind = db.Column(db.String(24), nullable=False)
    d_frozen = db.Column(db.BigInteger, nullable=False, default=0)
    d_available = db.Column(db.BigInteger, nullable=False, default=0)
    d_withdrawing = db.Column(db.BigInteger, nullable=False, default=0)
    d_withdrawn = db.Column(db.BigInteger, nullable=False, default=0)
    frozen_after = db.Column(db.BigInteger, nullable=False)
    available_after = db.Column(db.BigInteger, nullable=False)
    withdrawing_after = db.Column(db.BigInteger, nullable=False)
    withdrawn_after = db.Column(db.BigInteger, nullable=False)
    #: What it refers to: order / commission / refund / withdrawal / adjustment, and its id.
    ref_type = db.Column(db.String(12), nullable=False)
    ref_id = db.Column(db.Integer, nullable=False)
    order_id = db.Column(db.Integer, db.ForeignKey("orders.id"))
    actor_id = db.Column(db.Integer, db.ForeignKey("staff.id"))
    memo = db.Column(db.String(200), nullable=False, default="")
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)


#: LedgerEntry.kind. ADJUSTMENT is staff's manual adjustment (人工调整), one entry per Adjustment row.
ADJUSTMENT = "adjustment"
LEDGER_KINDS = Labels({"commission_frozen": _l("佣金入账（冻结）"), "commission_reversed": _l("佣金退回"),
                       "commission_settled": _l("佣金结算"), "commission_clawback": _l("佣金追回"),
                       "withdrawal_requested": _l("申请提现"), "withdrawal_rejected": _l("提现退回"),
                       "withdrawal_paid": _l("提现到账"), "withdrawal_failed": _l("提现失败退回"), ADJUSTMENT: _l("人工调整"),
                       "pool_share": _l("分红池分红"), "pool_clawback": _l("分红追回"),
                       "agent_dividend_frozen": _l("代理分红入账（冻结）"), "agent_dividend_reversed": _l("代理分红退回"),
                       "agent_dividend_settled": _l("代理分红结算"), "agent_dividend_clawback": _l("代理分红追回")})


class Adjustment(db.Model):
    """A manual commission adjustment (人工调整佣金), plus or minus, with its required reason. Its money is the one
    ledger entry of kind ADJUSTMENT that refers to it (ref_type "adjustment"); the audit checks the pair."""
    __tablename__ = "commission_adjustments"
    __table_args__ = (db.CheckConstraint("amount_fen <> 0", name="amount_not_zero"),
                      db.Index("ix_commission_adjustments_user_id", "user_id", "id"))
    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)
    #: Signed: added to (or taken from) the available balance.
    amount_fen = db.Column(db.BigInteger, nullable=False)
    reason = db.Column(db.String(200), nullable=False)
    actor_id = db.Column(db.Integer, db.ForeignKey("staff.id"))
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)


# Withdrawal.status
W_REQUESTED, W_APPROVED, W_PAID, W_REJECTED, W_FAILED = "requested", "approved", "paid", "rejected", "failed"
WITHDRAWAL_STATUSES = Labels({W_REQUESTED: _l("审核中"), W_APPROVED: _l("打款中"), W_PAID: _l("已到账"),
                              W_REJECTED: _l("已拒绝"), W_FAILED: _l("打款失败")})
#: Withdrawal.transfer_state: WeChat 商家转账's bill state, as WeChat spells it (None: no transfer sent).
TRANSFER_STATES = Labels({"ACCEPTED": _l("转账已受理"), "PROCESSING": _l("转账处理中"),
                          "WAIT_USER_CONFIRM": _l("待确认收款"), "TRANSFERING": _l("转账中"),
                          "SUCCESS": _l("转账成功"), "FAIL": _l("转账失败"), "CANCELING": _l("撤销中"),
                          "CANCELLED": _l("已撤销")})
#: Withdrawal.fail_reason: WeChat's codes (a bill's fail_reason) and ours, in words; any other reason (a gateway's
#: refusal message) shows as itself.
TRANSFER_UNCONFIRMED, TRANSFER_UNFINISHED, TRANSFER_SANDBOX_FAIL = "UNCONFIRMED_TIMEOUT", "UNFINISHED", "SANDBOX_FAIL"
TRANSFER_FAIL_REASONS = Labels({
    TRANSFER_UNCONFIRMED: _l("超时未确认收款，转账已撤销"), TRANSFER_UNFINISHED: _l("转账未完成"),
    TRANSFER_SANDBOX_FAIL: _l("模拟转账失败"),
    "PAYEE_ACCOUNT_ABNORMAL": _l("收款账户异常"), "ACCOUNT_FROZEN": _l("收款账户已冻结"),
    "ACCOUNT_NOT_EXIST": _l("收款账户不存在"), "REAL_NAME_CHECK_FAIL": _l("收款人未实名认证"),
    "NAME_NOT_CORRECT": _l("收款人姓名与实名信息不符"), "OPENID_INVALID": _l("收款微信账号无效"),
    "TRANSFER_QUOTA_EXCEED": _l("超过收款人单笔收款额度"), "DAY_RECEIVED_QUOTA_EXCEED": _l("超过收款人当日收款额度"),
    "MONTH_RECEIVED_QUOTA_EXCEED": _l("超过收款人当月收款额度"), "TRANSFER_RISK": _l("转账存在风险，已被微信拦截"),
    "BLOCK_B2C_USERLIMITAMOUNT_MONTH": _l("收款人当月收款超限"), "OTHER_FAIL_REASON_TYPE_1": _l("微信转账失败"),
})
#: Withdrawal.method
METHODS = Labels({"wechat": _l("微信零钱"), "alipay": _l("支付宝"), "bank": _l("银行卡")})


class Withdrawal(db.Model):
    __tablename__ = "withdrawals"
    __table_args__ = (db.CheckConstraint("amount_fen > 0", name="amount_positive"),
                      db.CheckConstraint("fee_fen >= 0 AND fee_fen <= amount_fen", name="fee_within_amount"),
                      db.Index("ix_withdrawals_user_created", "user_id", "created_at"),
                      db.Index("ix_withdrawals_status", "status", "id"),
                      db.Index("ix_withdrawals_transfer_open", "transfer_state", "transfer_sent_at"),
                      db.Index("uq_withdrawals_out_bill_no", "out_bill_no", unique=True),
                      one_of("status", WITHDRAWAL_STATUSES), one_of("method", METHODS),
                      one_of("transfer_state", TRANSFER_STATES))
    id = db.Column(db.Integer, primary_key=True)
    withdrawal_no = db.Column(db.String(32), nullable=False, unique=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)
    amount_fen = db.Column(db.BigInteger, nullable=False)
    fee_fen = db.Column(db.BigInteger, nullable=False, default=0)
    #: What arrives: amount - fee.
    net_fen = db.Column(db.BigInteger, nullable=False)
    method = db.Column(db.String(8), nullable=False)
    #: wechat: {"openid", "real_name" (when given: required from ¥2,000 net)}; alipay: {"account", "name"}; bank: {"bank", "card_no", "name"}
    payee = db.Column(db.JSON, nullable=False)
    status = db.Column(db.String(10), nullable=False, default=W_REQUESTED)
    reject_reason = db.Column(db.String(200))
    #: Manual payout reference, or the gateway's transfer id.
    pay_reference = db.Column(db.String(64))
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    decided_at = db.Column(db.DateTime)
    decided_by = db.Column(db.Integer, db.ForeignKey("staff.id"))
    paid_at = db.Column(db.DateTime)
    #: WeChat transfers: the out-bill number, stored (committed) before the first call and reused on every retry,
    #: WeChat's bill number, its state, the package the payee confirms with, and when the transfer went out.
    out_bill_no = db.Column(db.String(32))
    transfer_bill_no = db.Column(db.String(64))
    transfer_state = db.Column(db.String(20))
    package_info = db.Column(db.String(1024))
    transfer_sent_at = db.Column(db.DateTime)
    #: Why a transfer failed or was cancelled (shown to the distributor).
    fail_reason = db.Column(db.String(200))

    user = db.relationship("User", foreign_keys=[user_id])
