"""The version diff as an Excel workbook: a summary sheet and one filterable row per change.

Rows are tinted by change (added green, removed red, the rest amber) in tints light enough
that black text stays readable on a grey printer.  Text is stored as text, never a formula.
"""

from __future__ import annotations

from ..analyses.diff import CHANGES, KINDS, StandardDiff
from ..workbook import Cell, Column, Print, Workbook
from .xlsx import write_workbook

SUMMARY, DETAIL = "摘要", "變更明細"
HEADERS = ["類別", "變更", "位置", "舊內容", "新內容"]
WIDTHS = [10, 8, 18, 55, 55]
TINTS = {"added": "E2F0D9", "removed": "F8DEDE", "changed": "FFF2CC"}  # moved/renamed: amber


def write_diff_xlsx(d: StandardDiff) -> bytes:
    return write_workbook(diff_workbook(d))


def diff_workbook(d: StandardDiff) -> Workbook:
    title = f"職能基準版本比較 {d.old.code} → {d.new.code}"
    book = Workbook(title)
    _summary(book, d, title)
    _detail(book, d, title)
    return book


def _summary(book: Workbook, d: StandardDiff, title: str) -> None:
    ws = book.sheet(SUMMARY, [Column(10), *[Column(w, "center") for w in (16, 16, 12, 13, 10,
                                                                          10)]])
    ws.add(["職能基準版本比較"], "title")
    ws.blank()
    ws.head(["", "職能基準代碼", "職能基準名稱", "版次", "發展更新日期"])
    for label, std in (("舊版", d.old), ("新版", d.new)):
        version = std.latest_version()
        ws.add([label, std.code, std.name, version.printed_version, version.printed_date])
    ws.blank()
    for warning in d.warnings:
        ws.add([Cell(f"注意：{warning}", bold=True)], "note")
    ws.blank()
    counts = d.counts()
    ws.head(["類別", *CHANGES.values(), "合計"])
    for kind, label in KINDS.items():
        values = list(counts[kind].values())
        ws.add([label, *values, sum(values)])
    totals = [sum(counts[k][c] for k in KINDS) for c in CHANGES]
    ws.add(["合計", *totals, sum(totals)], "total")
    ws.print = Print(landscape=False, header=title)


def _detail(book: Workbook, d: StandardDiff, title: str) -> None:
    ws = book.sheet(DETAIL, [Column(10, "center"), Column(8, "center"), Column(18),
                             Column(55), Column(55)])
    ws.head(HEADERS)
    for c in d.changes:
        ws.add([KINDS[c.kind], CHANGES[c.change], c.where, c.old, c.new],
               fill=TINTS.get(c.change, TINTS["changed"]))
    ws.freeze, ws.filter = (2, 1), (1, len(HEADERS), ws.last)
    ws.print = Print(title_rows=(1, 1), header=title)
