"""The one XLSX writer: a `kmc_reports.workbook.Workbook` to bytes.

Every format quirk of our workbooks lives here and nowhere else:

- row heights computed from the text, the column width and the font (CJK characters count
  double width, explicit line breaks, merged cells spread over their columns) — LibreOffice
  Calc does not fit the rows of files openpyxl writes, so wrapped text would overlap;
- text never becomes a formula (a value starting with = + - @ stays text); only a
  `Formula` the report builds is written as one;
- the house style (fonts, borders, header tint), dates as dates;
- print set-up a person can read: A4, landscape where wide, fit to the page width unless that
  would shrink the type below a readable size (then split across pages, repeating the title
  rows and first columns), 第 N 頁，共 M 頁 in the footer;
- fixed timestamps and a deterministic zip: the same workbook gives the same bytes.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import math
import unicodedata
import zipfile

from openpyxl import Workbook as _Workbook
from openpyxl.chart import BarChart as _BarChart
from openpyxl.chart import Reference
from openpyxl.formatting.rule import ColorScaleRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.page import PageMargins
from openpyxl.writer.excel import ExcelWriter

from ..workbook import Cell, Formula, Row, Sheet, Workbook
from .layout import FIXED_TIME, MARGINS, PAGE, TOP_BOTTOM, metadata
from .zipfix import deterministic_zip

FONT_NAME = "Calibri"  # Office's default; Calc and Excel take a CJK font for Chinese
SIZE = 11.0            # column widths are counted in characters of this font
SIZES = {"title": 14.0, "subtitle": 11.0, "note": 10.0}
LINE = 1.3             # line height ÷ font size of the CJK fonts Calc and Excel fall back to
PAD = 4.0              # points above and below the text of a cell
MAX_HEIGHT = 409.0     # Excel's highest row
THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD_FILL = "DCE3EA"
GROUP_FILL = "F2F5F8"
TOTAL_FILL = "EEF1F4"
INPUT_FILL = "FFF8E1"
SPANNING = {"title", "subtitle", "note", "group"}  # a lone cell spans the sheet's width


def write_workbook(book: Workbook) -> bytes:
    """The workbook's bytes, the same for the same content."""
    wb = _Workbook()
    wb.remove(wb.active)
    styles: dict = {}  # see _row
    for sheet in book.sheets:
        _sheet(wb.create_sheet(sheet.title), sheet, styles)
    for i, ws in enumerate(wb.worksheets):  # one selected tab, or Excel groups the sheets
        ws.sheet_view.tabSelected = i == book.active
    wb.active = book.active
    p = wb.properties
    p.creator = p.lastModifiedBy = "kmc-reports"
    p.title, p.language = metadata(book.title), "zh-TW"
    p.created = p.modified = p.lastPrinted = FIXED_TIME
    out = io.BytesIO()
    # Workbook.save stamps the current time as "modified"; ExcelWriter keeps ours.
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).write_data()
    return deterministic_zip(out.getvalue())


# -- text measures ----------------------------------------------------------------------

def text_width(text: str) -> float:
    """Width in characters of the default font: East Asian wide characters count two."""
    return sum(2.0 if unicodedata.east_asian_width(ch) in "WF" else
               1.1 if ch.isupper() else 1.0 for ch in text)


def lines_needed(text: str, width: float, size: float = SIZE, bold: bool = False) -> int:
    """Lines a wrapped cell of `width` characters takes for `text` at `size` points."""
    room = max((width - 0.5) * SIZE / size * (0.93 if bold else 1.0), 1.0)
    return sum(max(1, math.ceil(text_width(line) / room)) for line in text.split("\n"))


def line_height(size: float = SIZE) -> float:
    return size * LINE


def row_height(lines: int, size: float = SIZE) -> float:
    return min(MAX_HEIGHT, round(lines * line_height(size) + PAD, 1))


def _shown(value) -> str:
    if value is None or isinstance(value, Formula):
        return ""
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, (dt.date, dt.datetime)):
        return "0000/00/00"
    return str(value)


# -- sheets -----------------------------------------------------------------------------

def _sheet(ws, sheet: Sheet, styles: dict) -> None:
    ncols = max([len(sheet.columns)] + [_span_count(r) for r in sheet.rows])
    widths = [c.width for c in sheet.columns] + [10.0] * (ncols - len(sheet.columns))
    for i, col in enumerate(sheet.columns, 1):
        dim = ws.column_dimensions[get_column_letter(i)]
        dim.width = col.width
        dim.hidden = col.hidden
    for r, row in enumerate(sheet.rows, 1):
        _row(ws, sheet, r, row, widths, ncols, styles)
    if sheet.freeze:
        ws.freeze_panes = f"{get_column_letter(sheet.freeze[1])}{sheet.freeze[0]}"
    if sheet.filter:
        head, last_col, last_row = sheet.filter
        ws.auto_filter.ref = f"A{head}:{get_column_letter(last_col)}{max(last_row, head)}"
    for s in sheet.scales:
        mid = {} if s.mid is None else {"mid_type": "num", "mid_value": s.mid,
                                        "mid_color": s.mid_color}
        ws.conditional_formatting.add(s.ref, ColorScaleRule(
            start_type="num", start_value=s.low, start_color=s.low_color,
            end_type="num", end_value=s.high, end_color=s.high_color, **mid))
    for v in sheet.validations:
        dv = DataValidation(type="list", formula1='"' + ",".join(v.choices) + '"',
                            allow_blank=True, showErrorMessage=True, errorTitle=v.title,
                            error=v.message, showInputMessage=True, promptTitle=v.title,
                            prompt=v.message)
        letter = get_column_letter(v.column)
        dv.add(f"{letter}{v.first_row}:{letter}{max(v.last_row, v.first_row)}")
        ws.add_data_validation(dv)
    for chart in sheet.charts:
        _chart(ws, sheet, chart)
    if sheet.hidden:
        ws.sheet_state = "hidden"
    else:
        _print(ws, sheet, widths)


def _span_count(row: Row) -> int:
    return sum(c.span if isinstance(c, Cell) else 1 for c in row.cells)


def _row(ws, sheet: Sheet, r: int, row: Row, widths: list[float], ncols: int,
         styles: dict) -> None:
    """`styles`: the workbook's style index arrays by what made them.  openpyxl files a
    cell's font, alignment, fill, border and number format in the workbook's lists (hashing
    each style object, ~20 µs); a cell styled like an earlier one gets a copy of that cell's
    index array instead, which is what the same assignments would give."""
    size = SIZES.get(row.style, SIZE)
    bold = row.style in ("head", "title", "group", "total")
    cells = [c if isinstance(c, Cell) else Cell(c) for c in row.cells]
    if len(cells) == 1 and row.style in SPANNING and cells[0].span == 1:
        cells[0] = Cell(**{**cells[0].__dict__, "span": ncols})
    lines, col = 1, 1
    for cell in cells:
        span = max(1, min(cell.span, ncols - col + 1))
        xc = ws.cell(r, col)
        _value(xc, cell.value)
        column = sheet.columns[col - 1] if col <= len(sheet.columns) else None
        cell_bold = bold if cell.bold is None else cell.bold
        in_table = column is not None and row.style in ("data", "total", "group")
        align = cell.align or ("center" if row.style == "head" else
                               column.align if in_table else "left")
        vertical = "center" if row.style == "head" else "top"
        tint = cell.fill or row.fill or {"head": HEAD_FILL, "group": GROUP_FILL,
                                         "total": TOTAL_FILL}.get(row.style) or (
            column.fill if column and row.style == "data" else None)
        fmt = cell.number_format or (column.number_format if column else None)
        if isinstance(cell.value, (dt.date, dt.datetime)):
            fmt = fmt or "yyyy/mm/dd"
        if not (fmt and isinstance(cell.value, (int, float, dt.date, Formula))):
            fmt = None
        bordered = row.style in ("data", "head", "group", "total")
        key = (size, cell_bold, align, vertical, tint, fmt, bordered)
        if key in styles:
            xc._style = copy.copy(styles[key])
        else:
            xc.font = Font(name=FONT_NAME, size=size, bold=cell_bold)
            xc.alignment = Alignment(horizontal=align, vertical=vertical, wrap_text=True)
            if tint:
                xc.fill = PatternFill("solid", fgColor=tint)
            if fmt:
                xc.number_format = fmt
            if bordered:
                xc.border = BORDER
            styles[key] = copy.copy(xc._style)
        if bordered and span > 1:  # the cells under a merge
            if "covered" not in styles:
                ws.cell(r, col + 1).border = BORDER
                styles["covered"] = copy.copy(ws.cell(r, col + 1)._style)
            for c in range(col + 1, col + span):
                ws.cell(r, c)._style = copy.copy(styles["covered"])
        if span > 1:
            ws.merge_cells(start_row=r, start_column=col, end_row=r, end_column=col + span - 1)
        width = sum(w for i, w in enumerate(widths[col - 1:col - 1 + span], col)
                    if not (i <= len(sheet.columns) and sheet.columns[i - 1].hidden))
        shown = _shown(cell.value)
        if shown and width:
            lines = max(lines, lines_needed(shown, width, size, cell_bold))
        col += span
    if row.cells or row.style != "plain":
        ws.row_dimensions[r].height = row_height(lines, size)


def _value(xc, value) -> None:
    """Text stays text even if it starts with = + - @; an empty string leaves the cell empty."""
    if value == "" or value is None:
        xc.value = None
    elif isinstance(value, Formula):
        xc.value = str(value)
        xc.data_type = "f"
    elif isinstance(value, str):
        xc.value = value
        xc.data_type = "s"
    else:
        xc.value = value


def _chart(ws, sheet: Sheet, spec) -> None:
    chart = _BarChart()
    chart.type = "col"
    if spec.stacked:
        chart.grouping, chart.overlap = "stacked", 100
    chart.title = spec.title
    chart.x_axis.title, chart.y_axis.title = spec.x_title, spec.y_title
    chart.x_axis.delete = chart.y_axis.delete = False  # openpyxl hides both axes by default
    chart.y_axis.scaling.min = 0
    chart.y_axis.majorGridlines = None
    first, last = spec.data_columns
    chart.add_data(Reference(ws, min_col=first, max_col=last, min_row=spec.header_row,
                             max_row=spec.last_row), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=spec.category_column,
                                   min_row=spec.header_row + 1, max_row=spec.last_row))
    chart.legend.position = "b"
    chart.height, chart.width = 9, 22
    ws.add_chart(chart, f"B{spec.anchor_row or sheet.last + 3}")


# -- printing ---------------------------------------------------------------------------

def column_mm(width: float) -> float:
    """Printed width of a column `width` characters wide (7 px a character at 96 dpi)."""
    return (7 * width + 5) * 25.4 / 96


def _print(ws, sheet: Sheet, widths: list[float]) -> None:
    p = sheet.print
    orientation = "landscape" if p.landscape else "portrait"
    ws.page_setup.orientation = orientation
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    side, top = MARGINS[orientation] / 25.4, TOP_BOTTOM / 25.4
    ws.page_margins = PageMargins(left=side, right=side, top=top, bottom=top)
    shown = [w for i, w in enumerate(widths) if not (
        i < len(sheet.columns) and sheet.columns[i].hidden)]
    total = sum(column_mm(w) for w in shown)
    page = (PAGE[1] if p.landscape else PAGE[0]) - 2 * MARGINS[orientation]
    repeat = sum(column_mm(w) for w in widths[p.title_columns[0] - 1:p.title_columns[1]]) \
        if p.title_columns else 0.0
    room = page * 100 / p.min_scale  # what a page holds at the smallest readable scale
    pages = 1 if total <= room else max(1, math.ceil((total - repeat) / max(room - repeat,
                                                                           room / 4)))
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = pages, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    if pages > 1:
        ws.page_setup.pageOrder = "overThenDown"  # the same rows side by side, then on
    if p.title_rows:
        ws.print_title_rows = f"{p.title_rows[0]}:{p.title_rows[1]}"
    if p.title_columns:
        ws.print_title_cols = (f"{get_column_letter(p.title_columns[0])}:"
                               f"{get_column_letter(p.title_columns[1])}")
    ws.print_options.gridLines = False
    if p.header:
        ws.oddHeader.center.text = p.header.replace("&", "&&")
        ws.oddHeader.center.size = 9
    ws.oddFooter.center.text = "第 &P 頁，共 &N 頁"
    ws.oddFooter.center.size = 9
