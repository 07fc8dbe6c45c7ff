"""The import report (`kmc-reports import … --report FILE.xlsx`): the summary table, one row
per file, and every warning on a sheet of its own.  Text is stored as text, never a formula."""

from __future__ import annotations

from openpyxl import Workbook

from ..batch import COLUMNS, Imported
from .xlsx import BORDER, CENTER, WRAP, fill, header, print_setup, save, table, text, widths

RESULTS, WARNINGS = "匯入結果", "警告"
TINTS = {"refused": fill("F8DEDE"), "imported_with_warnings": fill("FFF2CC")}
NUMBERS = (4, 5)  # 工作任務數, 警告數


def write_import_xlsx(rows: list[Imported]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = RESULTS
    header(ws, 1, COLUMNS)
    for r, row in enumerate(rows, 2):
        for col, value in enumerate(row.cells(), 1):
            cell = text(ws.cell(r, col), value)
            cell.border = BORDER
            cell.alignment = CENTER if col in NUMBERS else WRAP
        if row.status in TINTS:
            ws.cell(r, len(COLUMNS)).fill = TINTS[row.status]
    widths(ws, [36, 16, 26, 11, 8, 60])
    table(ws, 1, len(rows) + 1, len(COLUMNS))
    print_setup(ws, 1)

    warned = wb.create_sheet(WARNINGS)
    header(warned, 1, ["檔案", "代碼", "警告"])
    r = 1
    for row in rows:
        for warning in row.warnings:
            r += 1
            for col, value in enumerate([row.file, row.code, warning], 1):
                cell = text(warned.cell(r, col), value)
                cell.border, cell.alignment = BORDER, WRAP
    widths(warned, [36, 16, 90])
    table(warned, 1, r, 3)
    print_setup(warned, 1)
    return save(wb, "職能基準匯入結果")
