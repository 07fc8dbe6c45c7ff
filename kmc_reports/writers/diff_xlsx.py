"""The version diff as an Excel workbook: a summary sheet and one filterable row per change.

Rows are tinted by change (added green, removed red, the rest amber) in tints light enough
that black text stays readable on a grey printer.  Text is stored as text, never a formula.
"""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.styles import Font

from ..analyses.diff import CHANGES, KINDS, StandardDiff
from .xlsx import BORDER, CENTER, WRAP, fill, header, print_setup, save, table, text, widths

SUMMARY, DETAIL = "摘要", "變更明細"
HEADERS = ["類別", "變更", "位置", "舊內容", "新內容"]
WIDTHS = [10, 8, 18, 55, 55]
TINTS = {"added": "E2F0D9", "removed": "F8DEDE", "changed": "FFF2CC"}  # moved/renamed: amber


def write_diff_xlsx(d: StandardDiff) -> bytes:
    wb = Workbook()
    _summary(wb.active, d)
    _detail(wb.create_sheet(DETAIL), d)
    return save(wb, f"職能基準版本比較 {d.old.code} → {d.new.code}")


def _summary(ws, d: StandardDiff) -> None:
    ws.title = SUMMARY
    text(ws.cell(1, 1), "職能基準版本比較").font = Font(bold=True, size=16)
    header(ws, 3, ["", "職能基準代碼", "職能基準名稱", "版次", "發展更新日期"])
    for row, (label, std) in enumerate((("舊版", d.old), ("新版", d.new)), 4):
        version = std.latest_version()
        _row(ws, row, [label, std.code, std.name, version.version,
                       version.date])
    row = 7
    for warning in d.warnings:
        text(ws.cell(row, 1), f"注意：{warning}").font = Font(bold=True)
        row += 1
    head = row + 1
    counts = d.counts()
    header(ws, head, ["類別", *CHANGES.values(), "合計"])
    for r, (kind, label) in enumerate(KINDS.items(), head + 1):
        values = list(counts[kind].values())
        _row(ws, r, [label, *values, sum(values)])
    totals = [sum(counts[k][c] for k in KINDS) for c in CHANGES]
    _row(ws, head + len(KINDS) + 1, ["合計", *totals, sum(totals)], bold=True)
    widths(ws, [10, 16, 16, 12, 13, 10, 10])


def _detail(ws, d: StandardDiff) -> None:
    header(ws, 1, HEADERS)
    for row, c in enumerate(d.changes, 2):
        tint = fill(TINTS.get(c.change, TINTS["changed"]))
        for col, value in enumerate([KINDS[c.kind], CHANGES[c.change], c.where, c.old, c.new],
                                    1):
            cell = text(ws.cell(row, col), value)
            cell.fill, cell.border = tint, BORDER
            cell.alignment = CENTER if col <= 2 else WRAP
    widths(ws, WIDTHS)
    table(ws, 1, len(d.changes) + 1, len(HEADERS))
    print_setup(ws, 1)
    ws.oddHeader.center.text = f"職能基準版本比較 {d.old.code} → {d.new.code}"


def _row(ws, row: int, values: list, bold: bool = False) -> None:
    for col, value in enumerate(values, 1):
        cell = text(ws.cell(row, col), value)
        cell.border, cell.font = BORDER, Font(bold=bold)
        cell.alignment = WRAP if col == 1 else CENTER
