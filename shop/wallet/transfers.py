"""WeChat 商家转账 for withdrawals: the transfer bill's state machine.

An approved WeChat withdrawal gets its out-bill number (its withdrawal number), the "sending" state ACCEPTED and
the moment it went out, all committed *before* the gateway is called; every retry reuses that number, so a
timeout, a crash or a late answer can never make a second transfer. The gateway's answers (the call's answer, a
MCHTRANSFER.BILL.FINISHED notification, a query) all go through `apply_transfer_result`, which locks the
withdrawal row and applies each end state exactly once: SUCCESS pays the withdrawal (withdrawing -> withdrawn),
FAIL or CANCELLED returns the money (withdrawing -> available, entry "withdrawal_failed"). `reconcile_transfers`
asks about every open bill, sends again a bill the gateway never saw, cancels a bill the payee did not confirm in
time and alerts the merchant (once) about a bill open too long.
"""
import logging
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import select, update

from ..clock import utcnow
from ..database import require_outermost, transaction
from ..errors import ServiceError, found
from ..extensions import db
from ..ops import notices
from ..payments.alerts import PaymentRefused, record_alert, refused_with_alert
from ..payments.models import AMOUNT_MISMATCH, AUDIT_FAILED, TRANSFER_STUCK, PaymentAlert
from ..settings import get_setting
from . import withdrawals
from .models import TRANSFER_UNCONFIRMED, TRANSFER_UNFINISHED, W_APPROVED, W_PAID, Withdrawal

log = logging.getLogger("shop.wallet")

#: The state a bill has from the moment we commit to sending it (WeChat's first answer is ACCEPTED too).
SENDING = "ACCEPTED"
#: WeChat's end states; anything else is still open.
END_STATES = ("SUCCESS", "FAIL", "CANCELLED")
#: WeChat refuses a payee's real name below ¥0.30 and requires it from ¥2,000 (on the amount transferred: net).
NAME_ALLOWED_FROM_FEN, NAME_REQUIRED_FROM_FEN = 30, 200_000
#: Outcomes of reconcile_transfers besides a state.
UNCHANGED, SENT_AGAIN, REFUSED, ERROR = "unchanged", "sent_again", "refused", "error"
#: `flask shop reconcile-transfers` runs on one host at a time (shop.database.single_runner).
RECONCILE_LOCK_KEY = 7_301_003


def is_out(withdrawal):
    """Whether a transfer of this withdrawal may be on its way at WeChat (so it must not be rejected): an approved
    WeChat withdrawal, whose approval stored its bill number, until the bill ends. A read."""
    return withdrawal.method == "wechat" and withdrawal.status == W_APPROVED


def own_transfer(user_id, out_bill_no):
    """The member's own withdrawal sent under this out-bill number; anyone else's (or none) is 404. A read."""
    return found(db.session.scalar(select(Withdrawal).where(Withdrawal.out_bill_no == out_bill_no,
                                                            Withdrawal.user_id == user_id)), _("提现记录不存在"))


def prepare(withdrawal):
    """Give an approved WeChat withdrawal its out-bill number (kept on retries), the SENDING state and the moment it
    went out. Joins the caller's transaction, which must commit before the gateway is called."""
    withdrawal.out_bill_no = withdrawal.out_bill_no or withdrawal.withdrawal_no
    withdrawal.transfer_state = withdrawal.transfer_state or SENDING
    withdrawal.transfer_sent_at = withdrawal.transfer_sent_at or utcnow()
    db.session.flush()
    return withdrawal


def send(withdrawal_id):
    """Call the gateway for a prepared (committed) withdrawal and apply its answer. Owns its transactions; refused
    inside another transaction(). A retryable GatewayError (a timeout) is raised again, the bill left open for
    reconcile_transfers; a refusal of a bill the gateway does not hold fails the withdrawal (its money back to
    available) and returns it."""
    from ..payments.gateways import GatewayError, external_url, get_gateway

    require_outermost()
    withdrawal = found(db.session.get(Withdrawal, withdrawal_id))
    args = transfer_args(withdrawal)
    db.session.rollback()  # end the read: no transaction is held open across the call
    gateway = get_gateway()
    try:
        notice = gateway.transfer(notify_url=external_url("payments.notify", gateway=gateway.name), **args)
    except GatewayError as err:
        log.warning("transfer %s: %s", args["transfer_no"], err.message)
        if err.retryable:
            raise
        return _after_refusal(gateway, withdrawal_id, args["transfer_no"], err.message)
    return apply_transfer_result(notice)


def transfer_args(withdrawal):
    """What the gateway's transfer() takes for a withdrawal: its number, the bound openid, the net amount and the
    real name where WeChat takes one. A read."""
    name = (withdrawal.payee or {}).get("real_name")
    if withdrawal.net_fen < NAME_ALLOWED_FROM_FEN:
        name = None
    return {"transfer_no": withdrawal.out_bill_no, "openid": withdrawal.payee["openid"],
            "amount_fen": withdrawal.net_fen, "description": _("佣金提现"), "user_name": name or None}


def _after_refusal(gateway, withdrawal_id, out_bill_no, message):
    """The gateway refused the bill: failed only when it holds no bill by this number (an earlier attempt may have
    made one, which then decides); when it cannot say, the bill stays open for reconcile_transfers."""
    from ..payments.gateways import GatewayError

    try:
        notice = gateway.query_transfer(out_bill_no)
    except GatewayError as err:
        raise GatewayError(f"{message}; {err.message}", retryable=True) from None
    if notice is not None:
        return apply_transfer_result(notice)
    with transaction():
        return withdrawals.record_failure(withdrawal_id, message)


def apply_transfer_result(notice):
    """Apply a transfer bill's state (answer, notification or query) exactly once; returns the withdrawal. Owns its
    transaction, the withdrawal row locked.

    Raises PaymentRefused (nothing changed) for an unknown bill, or an amount other than the withdrawal's net
    (the merchant is alerted). Once the bill has ended, a duplicate or a late intermediate state changes nothing."""
    with refused_with_alert():
        withdrawal = _lock(notice.transfer_no)
        if withdrawal is None:
            raise PaymentRefused(f"unknown transfer {notice.transfer_no!r}", status=404)
        _check_amount(withdrawal, notice)
        if withdrawal.status != W_APPROVED:
            return _settled_already(withdrawal, notice)
        return _apply(withdrawal, notice)


def _lock(out_bill_no):
    return db.session.execute(select(Withdrawal).where(Withdrawal.out_bill_no == out_bill_no).with_for_update()
                              .execution_options(populate_existing=True)).scalar_one_or_none()


def _check_amount(withdrawal, notice):
    if notice.amount_fen is not None and notice.amount_fen != withdrawal.net_fen:
        raise PaymentRefused("transfer amount does not match the withdrawal", status=400, alert=transfer_alert(
            AMOUNT_MISMATCH, f"withdrawal {withdrawal.withdrawal_no} transfers {withdrawal.net_fen} fen but the "
                             f"gateway reports {notice.amount_fen} fen", notice))


def _settled_already(withdrawal, notice):
    """Paid or failed already: a duplicate changes nothing. WeChat paying a withdrawal we gave back is refused and
    alerted (the money went out twice: staff must look)."""
    if notice.succeeded and withdrawal.status != W_PAID:
        raise PaymentRefused("transfer paid for a withdrawal no longer open", status=409, alert=transfer_alert(
            AUDIT_FAILED, f"withdrawal {withdrawal.withdrawal_no} is {withdrawal.status} but its transfer "
                          f"{notice.transfer_bill_no} reports SUCCESS", notice))
    notices.duplicate()
    return withdrawal


def _apply(withdrawal, notice):
    withdrawal.transfer_bill_no = notice.transfer_bill_no or withdrawal.transfer_bill_no
    withdrawal.transfer_state = notice.state
    if notice.succeeded:
        withdrawal.fail_reason = None  # a deadline cancel the payee beat by confirming
        return withdrawals.record_payment(withdrawal.id, None, withdrawal.transfer_bill_no or notice.transfer_no)
    if notice.failed:
        why = notice.fail_reason or withdrawal.fail_reason or TRANSFER_UNFINISHED
        return withdrawals.record_failure(withdrawal.id, why)
    withdrawal.package_info = notice.package_info or withdrawal.package_info
    db.session.flush()
    return withdrawal


def transfer_alert(kind, message, notice):
    """A PaymentAlert (not yet added) about a transfer bill: the withdrawal's number in place of an order's."""
    return PaymentAlert(kind=kind, message=message[:300], order_no=notice.transfer_no, gateway=notice.gateway,
                        transaction_id=notice.transfer_bill_no or None, amount_fen=notice.amount_fen)


def refuse_rejection(withdrawal):
    """A withdrawal whose transfer is out cannot be rejected: WeChat may still pay it. Raises ServiceError."""
    if is_out(withdrawal):
        raise ServiceError(_("微信转账已发起，不能再拒绝；请等待转账结果"), status=409)


# --- reconcile -------------------------------------------------------------------------------------

def reconcile_transfers(now=None, echo=None, minutes=5):
    """Ask the gateway about every WeChat withdrawal whose transfer is open (sent over `minutes` ago) and apply the
    answer like a notification; send again a bill it never saw (same number); cancel a bill waiting for the
    payee longer than the `transfer_confirm_hours` setting; alert once about a bill open longer than
    `stuck_after_hours`. Returns counts by outcome. Owns one transaction per withdrawal; refused inside another
    transaction()."""
    require_outermost()
    now = now or utcnow()
    rows = db.session.execute(select(Withdrawal.id, Withdrawal.withdrawal_no, Withdrawal.out_bill_no,
                                     Withdrawal.transfer_state, Withdrawal.transfer_sent_at, Withdrawal.decided_at)
                              .where(Withdrawal.method == "wechat", Withdrawal.status == W_APPROVED)
                              .order_by(Withdrawal.id)).all()
    db.session.rollback()  # end the read: each withdrawal below is applied in its own transaction
    counts = {}
    for row in rows:
        if _sent_at(row) > now - timedelta(minutes=minutes):
            continue
        outcome = _reconcile(row, now)
        counts[outcome] = counts.get(outcome, 0) + 1
        _alert_if_stuck(row, now)
        if echo and outcome != UNCHANGED:
            echo(f"transfer {row.out_bill_no or row.withdrawal_no}: {outcome}")
    return counts


def _sent_at(row):
    return row.transfer_sent_at or row.decided_at


def _reconcile(row, now):
    from ..payments.gateways import get_gateway

    try:
        if row.out_bill_no is None:  # approved before bills were numbered here: it was sent as its withdrawal number
            with transaction():
                prepare(db.session.get(Withdrawal, row.id))
        gateway = get_gateway()
        notice = gateway.query_transfer(row.out_bill_no or row.withdrawal_no)
        if notice is None:
            return _send_again(row)
        if notice.waiting and _sent_at(row) <= now - timedelta(hours=int(get_setting("transfer_confirm_hours"))):
            notice = _cancel(gateway, row.id, notice.transfer_no)
        withdrawal = apply_transfer_result(notice)
        return UNCHANGED if withdrawal.transfer_state == row.transfer_state else withdrawal.transfer_state
    except PaymentRefused as err:
        log.warning("reconcile transfer %s refused: %s", row.withdrawal_no, err.reason)
        return REFUSED
    except Exception as err:  # one bill's trouble must not stop the others
        db.session.rollback()
        log.exception("reconcile transfer %s failed: %s", row.withdrawal_no, err)
        return ERROR


def _cancel(gateway, withdrawal_id, out_bill_no):
    """Cancel a bill the payee did not confirm in time; the reason is stored first, since the CANCELLED
    notification may be applied before the cancel call even answers."""
    with transaction():
        db.session.execute(update(Withdrawal).where(Withdrawal.id == withdrawal_id, Withdrawal.status == W_APPROVED)
                           .values(fail_reason=TRANSFER_UNCONFIRMED))
    return gateway.cancel_transfer(out_bill_no)


def _send_again(row):
    """The gateway never saw the bill (a crash before or during the call): sent again under the same number."""
    with transaction():
        prepare(db.session.get(Withdrawal, row.id))
    send(row.id)
    return SENT_AGAIN


def _alert_if_stuck(row, now):
    hours = int(get_setting("stuck_after_hours"))
    withdrawal = db.session.get(Withdrawal, row.id, populate_existing=True)
    prefix = f"transfer {withdrawal.withdrawal_no} "
    stuck = withdrawal.status == W_APPROVED and _sent_at(row) <= now - timedelta(hours=hours)
    known = stuck and db.session.scalar(select(PaymentAlert.id).where(
        PaymentAlert.kind == TRANSFER_STUCK, PaymentAlert.message.startswith(prefix))) is not None
    message = prefix + f"is still {withdrawal.transfer_state or 'unsent'} after more than {hours} hours"
    no = withdrawal.withdrawal_no
    db.session.rollback()  # the read ends before the alert's own transaction
    if stuck and not known:
        record_alert(PaymentAlert(kind=TRANSFER_STUCK, message=message, order_no=no))
