"""The import report (`kmc-reports import … --report FILE.xlsx`): the summary table, one row
per file, and every warning on a sheet of its own.  Text is stored as text, never a formula."""

from __future__ import annotations

from ..batch import COLUMNS, Imported
from ..workbook import Cell, Column, Print, Workbook
from .xlsx import write_workbook

RESULTS, WARNINGS = "匯入結果", "警告"
TINTS = {"refused": "F8DEDE", "imported_with_warnings": "FFF2CC"}
NUMBERS = (4, 5)  # 工作任務數, 警告數


def write_import_xlsx(rows: list[Imported]) -> bytes:
    return write_workbook(import_workbook(rows))


def import_workbook(rows: list[Imported]) -> Workbook:
    book = Workbook("職能基準匯入結果")
    ws = book.sheet(RESULTS, [Column(w, "center" if i in NUMBERS else "left")
                              for i, w in enumerate([36, 16, 26, 11, 8, 60], 1)])
    ws.head(COLUMNS)
    for row in rows:
        cells = list(row.cells())
        if row.status in TINTS:
            cells[-1] = Cell(cells[-1], fill=TINTS[row.status])
        ws.add(cells)
    ws.freeze, ws.filter = (2, 1), (1, len(COLUMNS), ws.last)
    ws.print = Print(title_rows=(1, 1), header="職能基準匯入結果")

    warned = book.sheet(WARNINGS, [Column(36), Column(16), Column(90)])
    warned.head(["檔案", "代碼", "警告"])
    for row in rows:
        for warning in row.warnings:
            warned.add([row.file, row.code, warning])
    warned.freeze, warned.filter = (2, 1), (1, 3, warned.last)
    warned.print = Print(title_rows=(1, 1), header="職能基準匯入結果　警告")
    return book
