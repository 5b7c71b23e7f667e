"""The filtered orders as an Excel workbook or a CSV file, streamed: rows are fetched in batches
(queries.export_orders) and written as they come, so an export of a million orders holds one batch in memory.

- CSV is sent as it is written, UTF-8 with a byte-order mark so Excel opens the Chinese text.
- Excel uses openpyxl's write-only mode (each row goes straight to a temporary file); the finished .xlsx is then
  sent from disk in chunks.

Amounts are yuan as exact decimals (Decimal(fen) / 100, never a float), like the withdrawal export. Text a
shopper typed that a spreadsheet would run as a formula (=, +, -, @) is written with a leading apostrophe."""
import csv
import io
import tempfile

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from ...clock import local_time
from ...orders import status as st
from ..withdrawals.export import YUAN_FORMAT, yuan
from . import queries

CHUNK = 64 * 1024
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def headers():
    """The header row; the columns whose header ends in （元） hold amounts."""
    return [_("订单号"), _("下单时间"), _("付款时间"), _("状态"), _("买家"), _("买家手机号"), _("收货人"),
            _("收货人手机号"), _("收货地址"), _("商品"), _("件数"), _("商品金额（元）"), _("优惠（元）"),
            _("运费（元）"), _("实付（元）"), _("已退款（元）"), _("推广分销商"), _("分销商手机号"), _("物流公司"),
            _("运单号"), _("买家备注")]


def safe(text):
    """Text a spreadsheet shows as it is, never runs as a formula (control characters dropped)."""
    text = ILLEGAL_CHARACTERS_RE.sub("", text or "")
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def lines_text(order):
    """'卫衣 红,M ×2；袜子 ×1'."""
    return "；".join(f"{line.title} {line.spec_text} ×{line.quantity}".replace("  ", " ") for line in order.lines)


def where_to(order):
    """The delivery address, or for 到店自提 the store the order is picked up at (its name and address then)."""
    if order.is_pickup and not order.address_text:
        return _("到店自提：%(store)s（%(address)s）", store=order.pickup_store_name or "",
                 address=order.pickup_store_address or "")
    return order.address_text


def row(order):
    """One order's cells: text made safe, amounts as Decimal yuan."""
    user, referrer = order.user, order.referrer
    text = [order.order_no, local_time(order.created_at), local_time(order.paid_at), str(st.LABELS[order.status]),
            user.nickname if user else "", user.phone if user else "", order.recipient, order.recipient_phone,
            where_to(order), lines_text(order)]
    money = [order.items_total_fen, order.discount_fen, order.shipping_fen, order.pay_total_fen, order.refunded_fen]
    tail = [referrer.nickname if referrer else "", referrer.phone if referrer else "", order.shipping_company or "",
            order.tracking_no or "", order.note]
    return [safe(t) for t in text] + [order.quantity] + [yuan(fen) for fen in money] + [safe(t) for t in tail]


def rows(filters, sort):
    """Every filtered order's cells in the list's order, one batch of orders fetched at a time."""
    for order in queries.export_orders(filters, sort):
        yield row(order)


def csv_chunks(filters, sort=queries.SORTING.standard):
    """The CSV file, a batch of rows per chunk: a BOM, the header, then the rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers())
    yield "\ufeff" + _drain(buffer)
    for i, cells in enumerate(rows(filters, sort), 1):
        writer.writerow(cells)
        if i % queries.EXPORT_BATCH == 0:
            yield _drain(buffer)
    yield _drain(buffer)


def _drain(buffer):
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def xlsx_chunks(filters, sort=queries.SORTING.standard):
    """The .xlsx file in chunks of bytes, written row by row in write-only mode, then read back from disk."""
    with tempfile.TemporaryFile() as file:
        workbook_to(file, rows(filters, sort))
        file.seek(0)
        while chunk := file.read(CHUNK):
            yield chunk


def workbook_to(file, cells_of_rows):
    """Write the header and the rows to `file` as an .xlsx in write-only mode."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("订单"))
    sheet.freeze_panes = "A2"
    sheet.append(headers())
    for cells in cells_of_rows:
        sheet.append([_cell(sheet, value) for value in cells])
    book.save(file)


def _cell(sheet, value):
    cell = WriteOnlyCell(sheet, value=value)
    if not isinstance(value, (str, int)):
        cell.number_format = YUAN_FORMAT
    return cell
