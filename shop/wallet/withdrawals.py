"""Withdrawals: available -> withdrawing in one guarded statement; approve -> pay -> withdrawn;
reject with a reason -> back to available; a WeChat transfer that fails -> failed, back to available. Two requests
at once never take more than the balance. The WeChat transfer itself (商家转账) is wallet/transfers.py."""
from flask_babel import gettext as _
from sqlalchemy import func, select, update

from ..clock import today_start, utcnow
from ..database import transaction
from ..errors import NotFound, ServiceError, found
from ..extensions import db
from ..money import format_fen
from ..numbers import new_number
from ..settings import get_setting
from . import ledger
from .models import METHODS, W_APPROVED, W_FAILED, W_PAID, W_REJECTED, W_REQUESTED, Withdrawal

PENDING = (W_REQUESTED, W_APPROVED)
#: What may still be rejected (a WeChat withdrawal also only while no transfer is out: transfers.refuse_rejection).
REJECTABLE = {"wechat": PENDING, "alipay": PENDING, "bank": PENDING}
#: The payee details each method needs, and those it may carry (a WeChat payee's real name, for large transfers).
PAYEE_KEYS = {"wechat": (("openid",), ("real_name",)), "alipay": (("account", "name"), ()),
              "bank": (("bank", "card_no", "name"), ())}


def fee_for(amount_fen):
    """The fee in fen: floor(amount x fee bp / 10000). A read."""
    return amount_fen * int(get_setting("withdraw_fee_bp")) // 10000


def limits():
    """The merchant's withdrawal rules, for the form. A read."""
    return {"min_fen": int(get_setting("withdraw_min_fen")), "daily_count": int(get_setting("withdraw_daily_count")),
            "daily_amount_fen": int(get_setting("withdraw_daily_amount_fen")),
            "fee_bp": int(get_setting("withdraw_fee_bp")), "methods": list(get_setting("withdraw_methods"))}


def _check_payee(method, payee):
    payee = {k: str(v or "").strip()[:64] for k, v in (payee or {}).items()}
    required, optional = PAYEE_KEYS[method]
    if not all(payee.get(k) for k in required):
        raise ServiceError(_("请填写完整的收款信息"))
    return {k: payee[k] for k in required + optional if payee.get(k)}


def _wechat_payee(user_id, payee, net_fen):
    """A WeChat payee is the member's bound openid (never typed in), with their real name from ¥2,000 on."""
    from ..accounts.models import User
    from .transfers import NAME_REQUIRED_FROM_FEN

    openid = db.session.get(User, user_id).wechat_openid
    if not openid:
        raise ServiceError(_("请先绑定微信（微信授权登录）后再提现到微信零钱"), status=409)
    real_name = str((payee or {}).get("real_name") or "").strip()[:32]
    if net_fen >= NAME_REQUIRED_FROM_FEN and not real_name:
        raise ServiceError(_("单笔到账 %(m)s 及以上需填写收款人真实姓名", m=format_fen(NAME_REQUIRED_FROM_FEN)))
    return {"openid": openid, **({"real_name": real_name} if real_name else {})}


def today_usage(user_id, now=None):
    """(count, amount) of the member's withdrawals today (China time) that count toward the daily limits:
    every one but the rejected and the failed (their money came back). A read."""
    count, total = db.session.execute(
        select(func.count(), func.coalesce(func.sum(Withdrawal.amount_fen), 0))
        .where(Withdrawal.user_id == user_id, Withdrawal.created_at >= today_start(now),
               Withdrawal.status.notin_((W_REJECTED, W_FAILED)))).one()
    return int(count), int(total)


def request_withdrawal(user_id, amount_fen, method, payee, now=None):
    """Ask to withdraw; every refusal names its reason. Joins the caller's transaction. The account row is locked
    for the checks and the move itself is a guarded UPDATE, so concurrent requests cannot overdraw."""
    now = now or utcnow()
    rules = limits()
    if method not in METHODS or method not in rules["methods"]:
        raise ServiceError(_("不支持这种提现方式"))
    if not isinstance(amount_fen, int) or amount_fen <= 0:
        raise ServiceError(_("请输入正确的提现金额"))
    if amount_fen < rules["min_fen"]:
        raise ServiceError(_("最低提现金额为 %(m)s", m=format_fen(rules["min_fen"])))
    fee = fee_for(amount_fen)
    payee = _wechat_payee(user_id, payee, amount_fen - fee) if method == "wechat" else _check_payee(method, payee)
    account = ledger.lock_account(user_id)
    if account.available_fen < 0:
        raise ServiceError(_("你有 %(d)s 的退款欠款，后续佣金结算抵扣后才能提现", d=format_fen(-account.available_fen)),
                           status=409)
    if db.session.scalar(select(Withdrawal.id).where(Withdrawal.user_id == user_id,
                                                     Withdrawal.status.in_(PENDING))):
        raise ServiceError(_("你有一笔提现正在处理中，请等它完成后再申请"), status=409)
    count, total = today_usage(user_id, now)
    if count >= rules["daily_count"]:
        raise ServiceError(_("每天最多提现 %(n)s 次", n=rules["daily_count"]), status=409)
    if total + amount_fen > rules["daily_amount_fen"]:
        raise ServiceError(_("超过每日提现额度 %(m)s（今日已提 %(t)s）", m=format_fen(rules["daily_amount_fen"]),
                             t=format_fen(total)), status=409)
    if amount_fen > account.available_fen:
        raise ServiceError(_("可提现余额不足（可提现 %(a)s）", a=format_fen(account.available_fen)), status=409)
    withdrawal = Withdrawal(withdrawal_no=new_number("W", Withdrawal.withdrawal_no),
                            user_id=user_id, amount_fen=amount_fen, fee_fen=fee, net_fen=amount_fen - fee,
                            method=method, payee=payee, status=W_REQUESTED, created_at=now)
    db.session.add(withdrawal)
    db.session.flush()
    ledger.post(user_id, "withdrawal_requested", available=-amount_fen, withdrawing=amount_fen,
                ref_type="withdrawal", ref_id=withdrawal.id)
    return withdrawal


def _move(withdrawal_id, allowed, **values):
    changed = db.session.execute(update(Withdrawal).where(Withdrawal.id == withdrawal_id,
                                                          Withdrawal.status.in_(allowed))
                                 .values(**values).execution_options(synchronize_session=False)).rowcount
    if changed != 1:
        if db.session.get(Withdrawal, withdrawal_id) is None:
            raise NotFound()
        raise ServiceError(_("该提现申请已处理"), status=409)
    return db.session.get(Withdrawal, withdrawal_id, populate_existing=True)


def approve(withdrawal_id, actor):
    """Approve; a WeChat withdrawal is then paid through 商家转账, others are paid by hand. Joins the caller's
    transaction, except for WeChat: then it owns its transactions (refused inside another transaction()), the
    approval and the transfer's out-bill number committed before the transfer call (wallet/transfers.py)."""
    from . import transfers

    withdrawal = db.session.get(Withdrawal, withdrawal_id)
    if withdrawal is None or withdrawal.method != "wechat":
        return _approve(withdrawal_id, actor)
    # The out-bill number (the withdrawal number) is stored before the money moves: after a timeout, a late answer
    # or a crash during the call, the transfer is queried or sent again under that same number, never paid twice.
    with transaction(outermost=True):
        transfers.prepare(_approve(withdrawal_id, actor))
    return transfers.send(withdrawal_id)


def _refuse_while_in_debt(user_id):
    """Withdrawals wait while available is below zero (a clawback debt): nothing is approved or paid by hand."""
    account = ledger.lock_account(user_id)
    if account.available_fen < 0:
        raise ServiceError(_("该分销商有 %(d)s 的退款欠款，欠款还清前不能审核或打款",
                             d=format_fen(-account.available_fen)), status=409)


def _approve(withdrawal_id, actor):
    withdrawal = found(db.session.get(Withdrawal, withdrawal_id))
    _refuse_while_in_debt(withdrawal.user_id)
    return _move(withdrawal_id, (W_REQUESTED,), status=W_APPROVED, decided_at=utcnow(),
                 decided_by=actor.id if actor else None)


def mark_paid(withdrawal_id, actor, reference):
    """Staff paid an approved Alipay or bank withdrawal outside (a transfer made by hand, with its reference):
    refused while the distributor is in debt, and for WeChat, whose transfer is the gateway's to confirm. Joins the
    caller's transaction."""
    reference = (reference or "").strip()[:64]
    if not reference:
        raise ServiceError(_("请填写付款凭证号"))
    withdrawal = found(db.session.get(Withdrawal, withdrawal_id))
    if withdrawal.method == "wechat":
        raise ServiceError(_("微信零钱提现由微信转账结果确认到账，不能手动标记"), status=409)
    _refuse_while_in_debt(withdrawal.user_id)
    return record_payment(withdrawal_id, actor, reference)


def record_payment(withdrawal_id, actor, reference):
    """The money went out (a gateway's transfer SUCCESS, or a payment by hand): withdrawing -> withdrawn. No debt
    check: money already paid is recorded whatever happened since. Joins the caller's transaction."""
    reference = (reference or "").strip()[:64]
    withdrawal = _move(withdrawal_id, (W_APPROVED,), status=W_PAID, paid_at=utcnow(), pay_reference=reference)
    ledger.post(withdrawal.user_id, "withdrawal_paid", withdrawing=-withdrawal.amount_fen,
                withdrawn=withdrawal.amount_fen, ref_type="withdrawal", ref_id=withdrawal.id,
                actor_id=actor.id if actor else None, memo=reference)
    return withdrawal


def record_failure(withdrawal_id, reason):
    """The WeChat transfer failed or was cancelled: approved -> failed with the reason the distributor reads, and
    the money goes back (withdrawing -> available). Joins the caller's transaction."""
    reason = (reason or "").strip()[:200]
    withdrawal = _move(withdrawal_id, (W_APPROVED,), status=W_FAILED, fail_reason=reason)
    ledger.post(withdrawal.user_id, "withdrawal_failed", withdrawing=-withdrawal.amount_fen,
                available=withdrawal.amount_fen, ref_type="withdrawal", ref_id=withdrawal.id, memo=reason)
    return withdrawal


def reject(withdrawal_id, actor, reason):
    """Refuse with a reason: the money goes back to available. Refused while a WeChat transfer is out (WeChat may
    still pay it). Joins the caller's transaction."""
    from .transfers import refuse_rejection

    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("请填写拒绝原因"))
    withdrawal = found(db.session.get(Withdrawal, withdrawal_id))
    refuse_rejection(withdrawal)
    withdrawal = _move(withdrawal_id, REJECTABLE[withdrawal.method], status=W_REJECTED, reject_reason=reason[:200], decided_at=utcnow(),
                       decided_by=actor.id if actor else None)
    ledger.post(withdrawal.user_id, "withdrawal_rejected", withdrawing=-withdrawal.amount_fen,
                available=withdrawal.amount_fen, ref_type="withdrawal", ref_id=withdrawal.id,
                actor_id=actor.id if actor else None, memo=reason[:200])
    return withdrawal
