"""What every workbook we write shares: text that never becomes a formula, the house style,
print set-up, list validations and byte-identical saving."""

from __future__ import annotations

import io
import zipfile

from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.page import PageMargins
from openpyxl.writer.excel import ExcelWriter

from .layout import FIXED_TIME, MARGINS, TOP_BOTTOM, metadata
from .zipfix import deterministic_zip

THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD_FILL = PatternFill("solid", fgColor="DCE3EA")
INPUT_FILL = PatternFill("solid", fgColor="FFF8E1")
WRAP = Alignment(wrap_text=True, vertical="top")
CENTER = Alignment(horizontal="center", vertical="top", wrap_text=True)


def fill(color: str) -> PatternFill:
    return PatternFill("solid", fgColor=color)


def text(cell, value):
    """Set a value; a string stays a string even if it starts with = + - @ (data never
    becomes a formula), and an empty one leaves the cell empty."""
    cell.value = None if value == "" else value
    if cell.value is not None and isinstance(value, str):
        cell.data_type = "s"
    return cell


def header(ws, row: int, labels: list[str], first_col: int = 1) -> None:
    for col, label in enumerate(labels, first_col):
        cell = text(ws.cell(row, col), label)
        cell.font, cell.fill, cell.border, cell.alignment = Font(bold=True), HEAD_FILL, \
            BORDER, CENTER


def widths(ws, values: list[float], first_col: int = 1) -> None:
    for col, w in enumerate(values, first_col):
        ws.column_dimensions[get_column_letter(col)].width = w


def table(ws, head: int, last_row: int, ncols: int, freeze_col: int = 1) -> None:
    """Frozen header (and first columns), an autofilter over the table."""
    ws.freeze_panes = ws.cell(head + 1, freeze_col)
    ws.auto_filter.ref = f"A{head}:{get_column_letter(ncols)}{max(last_row, head)}"


def validation(ws, col: int, first: int, last: int, choices: list[str], title: str,
               message: str) -> None:
    dv = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True,
                        showErrorMessage=True, errorTitle=title, error=message,
                        showInputMessage=True, promptTitle=title, prompt=message)
    letter = get_column_letter(col)
    dv.add(f"{letter}{first}:{letter}{max(last, first)}")
    ws.add_data_validation(dv)


def print_setup(ws, head: int | None, landscape: bool = True) -> None:
    """A4, fitted to the page width, header row on every page, 第 N 頁，共 M 頁."""
    orientation = "landscape" if landscape else "portrait"
    ws.page_setup.orientation = orientation
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    side, top = MARGINS[orientation] / 25.4, TOP_BOTTOM / 25.4
    ws.page_margins = PageMargins(left=side, right=side, top=top, bottom=top)
    if head:
        ws.print_title_rows = f"{head}:{head}"
    ws.oddFooter.center.text = "第 &P 頁，共 &N 頁"


def save(wb, title: str) -> bytes:
    """The workbook's bytes, the same for the same content."""
    p = wb.properties
    p.creator = p.lastModifiedBy = "kmc-reports"
    p.title, p.language = metadata(title), "zh-TW"
    p.created = p.modified = p.lastPrinted = FIXED_TIME
    out = io.BytesIO()
    # Workbook.save stamps the current time as "modified"; ExcelWriter keeps ours.
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).write_data()
    return deterministic_zip(out.getvalue())
