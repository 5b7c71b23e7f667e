"""The withdrawal queue as an Excel workbook (openpyxl), built in memory for the filtered rows.

Amounts are written in yuan as exact decimals (Decimal(fen) / 100, never a float), formatted with two decimals,
so a spreadsheet sums them to the fen."""
import io
from decimal import Decimal

from flask_babel import gettext as _
from openpyxl import Workbook

from ...center.masking import mask_real_name
from ...clock import local_time
from ...wallet.models import METHODS, TRANSFER_FAIL_REASONS, TRANSFER_STATES, W_FAILED, WITHDRAWAL_STATUSES

YUAN_FORMAT = "0.00"


def yuan(fen):
    """12345 -> Decimal('123.45'), exactly."""
    return Decimal(int(fen)).scaleb(-2)


def payee_text(withdrawal):
    """The whole payee (the merchant pays by hand from it): name, bank and account; for WeChat the real name masked
    (WeChat checks it; nobody pays by hand from it) and the openid."""
    payee = withdrawal.payee or {}
    parts = (payee.get("name"), mask_real_name(payee.get("real_name")), payee.get("bank"),
             payee.get("account") or payee.get("card_no") or payee.get("openid"))
    return " ".join(part for part in parts if part)


def headers():
    """The header row; the columns whose header ends in （元） hold amounts."""
    return [_("提现单号"), _("申请时间"), _("分销商"), _("手机号"), _("提现方式"), _("收款账户"), _("提现金额（元）"),
            _("手续费（元）"), _("实际到账（元）"), _("状态"), _("付款凭证"), _("拒绝原因"), _("可提现余额（元）"),
            _("冻结（元）"), _("提现中（元）"), _("欠款（元）"), _("转账状态"), _("微信转账单号"), _("转账失败原因")]


def row(withdrawal, account):
    """One withdrawal's cells, amounts as Decimal yuan."""
    available, frozen, withdrawing = ((account.available_fen, account.frozen_fen, account.withdrawing_fen)
                                      if account is not None else (0, 0, 0))
    return [withdrawal.withdrawal_no, local_time(withdrawal.created_at), withdrawal.user.display_name,
            withdrawal.user.phone, str(METHODS[withdrawal.method]), payee_text(withdrawal), yuan(withdrawal.amount_fen),
            yuan(withdrawal.fee_fen), yuan(withdrawal.net_fen), str(WITHDRAWAL_STATUSES[withdrawal.status]),
            withdrawal.pay_reference or "", withdrawal.reject_reason or "", yuan(available), yuan(frozen),
            yuan(withdrawing), yuan(max(0, -available)), *transfer_cells(withdrawal)]


def transfer_cells(withdrawal):
    """The WeChat transfer's state, bill number and failure reason (blank for other methods)."""
    state = str(TRANSFER_STATES[withdrawal.transfer_state]) if withdrawal.transfer_state else ""
    reason = str(TRANSFER_FAIL_REASONS[withdrawal.fail_reason or ""]) if withdrawal.status == W_FAILED else ""
    return [state, withdrawal.transfer_bill_no or "", reason]


def workbook_bytes(withdrawals, accounts):
    """The .xlsx file of these withdrawals, as bytes."""
    book = Workbook()
    sheet = book.active
    sheet.title = _("提现")
    sheet.append(headers())
    for withdrawal in withdrawals:
        sheet.append(row(withdrawal, accounts.get(withdrawal.user_id)))
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            if isinstance(cell.value, Decimal):
                cell.number_format = YUAN_FORMAT
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
