"""Excel workbooks (openpyxl) built in memory from header and row lists: amounts are Decimal yuan (exact, never a
float), shown with two decimals so a spreadsheet sums them to the fen. The withdrawal export's `yuan` is the one
conversion."""
import io
from decimal import Decimal

from openpyxl import Workbook

from .withdrawals.export import YUAN_FORMAT, yuan

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

__all__ = ["XLSX", "workbook_bytes", "yuan"]


def workbook_bytes(title, headers, rows):
    """One sheet: the header row, frozen, then the rows; Decimal cells formatted as yuan. Returns the .xlsx bytes."""
    book = Workbook()
    sheet = book.active
    sheet.title = title
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            if isinstance(cell.value, Decimal):
                cell.number_format = YUAN_FORMAT
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
