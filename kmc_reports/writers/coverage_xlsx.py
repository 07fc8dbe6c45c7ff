"""coverage.xlsx: the syllabus's traceability matrix — every task, indicator, K and S of the
selected standards against the units that cover them — for editing and audit."""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.styles import Font

from ..analyses.syllabus import Plan, coverage
from .xlsx import BORDER, CENTER, WRAP, fill, header, print_setup, save, table, text, widths

KINDS = (("T", "工作任務"), ("P", "行為指標"), ("K", "知識"), ("S", "技能"))
COVERED = fill("E2EFDA")
GAP = fill("F8DEDE")


def write_coverage_xlsx(plan: Plan) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "涵蓋矩陣"
    versions = {s.code: s.version for s in plan.standards}
    text(ws.cell(1, 1), f"{plan.spec.name}　涵蓋矩陣（職能內涵 × 課程單元）").font = Font(bold=True, size=14)
    text(ws.cell(2, 1), "● 表示該單元涵蓋此項目；紅底表示沒有任何單元涵蓋。單元欄標題列出單元名稱與時數。")
    head = 4
    units = [f"{i}. {u.name}\n（{u.hours:g} 小時）" for i, u in enumerate(plan.units, 1)]
    labels = ["來源職能基準", "版本", "類別", "代碼", "內容", *units, "涵蓋單元數"]
    header(ws, head, labels)
    ws.row_dimensions[head].height = 60
    kinds = dict(KINDS)
    row = head
    for standard, kind, code, words, hits in coverage(plan):
        row += 1
        values = [standard, versions.get(standard, ""), kinds[kind], code, words,
                  *["●" if h else "" for h in hits], sum(hits)]
        for col, value in enumerate(values, 1):
            cell = text(ws.cell(row, col), value)
            cell.border = BORDER
            cell.alignment = WRAP if col == 5 else CENTER
            if 5 < col <= 5 + len(hits) and hits[col - 6]:
                cell.fill = COVERED
        if not any(hits):
            ws.cell(row, len(values)).fill = GAP
    widths(ws, [15, 6, 8, 8, 48, *[11] * len(units), 9])
    table(ws, head, row, len(labels), freeze_col=6)
    print_setup(ws, head)
    return save(wb, f"{plan.spec.name} 涵蓋矩陣")
