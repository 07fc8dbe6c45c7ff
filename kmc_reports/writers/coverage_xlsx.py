"""coverage.xlsx: the syllabus's traceability matrix — every task, indicator, K and S of the
selected standards against the units that cover them — for editing and audit."""

from __future__ import annotations

from ..analyses.syllabus import Plan, coverage
from ..workbook import Cell, Column, Print, Workbook
from .xlsx import write_workbook

KINDS = (("T", "工作任務"), ("P", "行為指標"), ("K", "知識"), ("S", "技能"))
COVERED = "E2EFDA"
GAP = "F8DEDE"
HEAD = 4


def write_coverage_xlsx(plan: Plan) -> bytes:
    return write_workbook(coverage_workbook(plan))


def coverage_workbook(plan: Plan) -> Workbook:
    book = Workbook(f"{plan.spec.name} 涵蓋矩陣")
    units = [f"{i}. {u.name}\n（{u.hours:g} 小時）" for i, u in enumerate(plan.units, 1)]
    ws = book.sheet("涵蓋矩陣", [
        Column(14, "center"), Column(5, "center"), Column(8, "center"), Column(7, "center"),
        Column(36), *[Column(11, "center") for _ in units], Column(9, "center")])
    versions = {s.code: s.version for s in plan.standards}
    ws.add([f"{plan.spec.name}　涵蓋矩陣（職能內涵 × 課程單元）"], "title")
    ws.add(["● 表示該單元涵蓋此項目（知識、技能：首次講授）；○ 表示該單元複習與應用先前講授的知識、技能；"
            "紅底表示沒有任何單元涵蓋。單元欄標題列出單元名稱與時數。列印時每頁重複表頭與左側五欄。"], "note")
    ws.blank()
    ws.head(["來源職能基準", "版本", "類別", "代碼", "內容", *units, "涵蓋單元數"])
    kinds = dict(KINDS)
    for standard, kind, code, words, hits in coverage(plan):
        ws.add([standard, versions.get(standard, ""), kinds[kind], code, words,
                *[Cell(h, fill=COVERED) if h else "" for h in hits],
                Cell(sum(map(bool, hits)), fill=None if any(hits) else GAP)])
    ncols = len(ws.columns)
    ws.freeze = (HEAD + 1, 6)
    ws.filter = (HEAD, ncols, ws.last)
    ws.print = Print(landscape=True, title_rows=(HEAD, HEAD), title_columns=(1, 5),
                     header=f"{plan.spec.name}　涵蓋矩陣")
    return book
