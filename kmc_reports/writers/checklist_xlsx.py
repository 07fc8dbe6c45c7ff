"""職能自我檢核表 as an Excel workbook: a person fills it in, kmc-reports reads it back.

The hidden 「_meta」 sheet marks the file as ours and says where the table starts, so the
reader does not depend on the rows above the table.  Everything the data supplies is
written as text, never as a formula.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from openpyxl import load_workbook

from ..errors import KmcError
from ..model import Standard
from ..views import RATING_SCALE, block_tasks, competencies, named
from ..workbook import Cell, Column, Formula, Print, Sheet, Validation, Workbook
from .xlsx import INPUT_FILL, write_workbook

SHEET, GUIDE, META = "自我檢核", "填表說明", "_meta"
FORMAT, FORMAT_VERSION = "kmc-reports checklist", 1
HEADERS = ["類別", "代碼", "工作任務", "項目", "職能級別", "評分(1–5)", "達成", "說明／佐證"]
WIDTHS = [10, 9, 24, 60, 10, 11, 10, 30]
KINDS = {"行為指標": "P", "知識": "K", "技能": "S", "態度": "A"}
ACHIEVED = {"達成": True, "未達成": False}
RATINGS = {str(score): score for score, _ in RATING_SCALE}
RATING_COL, ACHIEVED_COL, NOTE_COL = 6, 7, 8
CENTERED = {2, 5, RATING_COL, ACHIEVED_COL}  # 代碼, 職能級別, 評分, 達成
SCALE_TEXT = "評分說明：" + "；".join(f"{s}＝{label}" for s, label in RATING_SCALE) + "。"
NOT_OURS = "不是 kmc-reports 產生的自我檢核表"
HEAD = 1  # the table's header row: the only frozen row
SECTIONS = (("K", "知識", "知識（K）"), ("S", "技能", "技能（S）"), ("A", "態度", "態度（A）"))


class ChecklistRow(NamedTuple):
    """One filled-in row.  ``kind`` is P, K, S or A; ``item`` tells apart two names printed
    under one K/S code and attitudes without a code."""

    kind: str
    code: str
    rating: int | None
    achieved: bool | None
    note: str
    item: str


@dataclass
class ChecklistRatings:
    code: str
    version: str
    rows: list[ChecklistRow]


def write_checklist_xlsx(std: Standard, org_name: str = "") -> bytes:
    return write_workbook(checklist_workbook(std, org_name))


def checklist_workbook(std: Standard, org_name: str = "") -> Workbook:
    """自我檢核 (the table, header in row 1, averages per task, per duty and in all), 填表說明
    (title, source, the person's fields, the scale) and the hidden _meta the reader needs."""
    title = f"{std.name} 職能自我檢核表"
    version = std.latest_version()
    source = f"資料來源：職能基準 {named(std.code, std.name, version.version, version.date)}"
    book = Workbook(title, active=1)
    ws = book.sheet(SHEET, [Column(w, "center" if i in CENTERED else "left",
                                   fill=INPUT_FILL if i >= RATING_COL else None)
                            for i, w in enumerate(WIDTHS, 1)])
    ws.head(HEADERS)
    items: list[int] = []
    for duty in std.duties:
        duty_row = ws.add([Cell(f"{duty.code} {duty.name}", span=RATING_COL - 1), None, None,
                           None], "group")
        in_duty: list[int] = []
        for task in duty.tasks:
            rows = [ws.add(r) for r in _indicators(duty, task)]
            if rows:
                ws.add([Cell(f"{task.code} {task.name}　平均", span=RATING_COL - 1),
                        _average(rows), None, None], "total")
            in_duty += rows
        _set(ws, duty_row, _average(in_duty))
        items += in_duty
    for kind, label, heading in SECTIONS:
        found = list(_items(std, kind, label))
        if found:
            group = ws.add([Cell(heading, span=RATING_COL - 1), None, None, None], "group")
            rows = [ws.add(r) for r in found]
            _set(ws, group, _average(rows))
            items += rows
    last = ws.last
    ws.add([Cell("全部項目：評分平均（評分欄）、達成項數（達成欄）", span=RATING_COL - 1),
            _average(items), Formula(f'=COUNTIF(G{HEAD + 1}:G{last},"達成")'),
            None], "total")
    ws.validations += [
        Validation(RATING_COL, HEAD + 1, last, list(RATINGS), "評分",
                   "請選擇 1 到 5 的整數。" + SCALE_TEXT),
        Validation(ACHIEVED_COL, HEAD + 1, last, list(ACHIEVED), "達成",
                   "請選擇「達成」或「未達成」。")]
    ws.freeze, ws.filter = (HEAD + 1, 1), (HEAD, len(HEADERS), last)
    ws.print = Print(title_rows=(HEAD, HEAD), header=f"{title}　{std.code}")

    guide = book.sheet(GUIDE, [Column(14), Column(76)])
    guide.add([title], "title")
    guide.add([source], "subtitle")
    guide.blank()
    for label, value in [("姓名", ""), ("單位", org_name), ("填表日期", "")]:
        guide.add([Cell(label, bold=True), Cell(value, fill=INPUT_FILL)])
    guide.blank()
    guide.add([SCALE_TEXT], "note")
    guide.add([f"請於「{SHEET}」工作表每一列的「評分」欄選一個分數，並於「達成」欄選「達成」"
               "或「未達成」；說明欄可填寫具體事例或佐證資料。各工作任務、主要職責與知識、技能、"
               "態度的平均分數，以及全部項目的平均與達成項數會自動計算。"], "note")
    guide.print = Print(landscape=False, header=title)

    meta = book.sheet(META, [Column(16), Column(40)])
    meta.hidden = True
    for key, value in [("format", FORMAT), ("format_version", FORMAT_VERSION),
                       ("standard_code", std.code), ("standard_name", std.name),
                       ("version", version.version), ("header_row", HEAD)]:
        meta.add([key, value], "plain")
    return book


def _indicators(duty, task):
    for band in task.bands:
        tasks = "、".join(f"{t.code} {t.name}".strip() for t in block_tasks(duty, band, task))
        for p in band.indicators:
            yield ["行為指標", p.code, tasks, p.text,
                   band.level if band.level is not None else band.printed_level, "", "", ""]


def _items(std: Standard, kind: str, label: str):
    if kind == "A":
        for a in std.attitudes:
            yield ["態度", a.code or "", "", a.name, None, "", "", ""]
        return
    for c in competencies(std, kind):
        level = int(c.level_text) if c.level_text.isdigit() else c.level_text
        yield [label, c.code, "、".join(c.tasks), c.name, level, "", "", ""]


def _ranges(rows: list[int], col: int) -> list[str]:
    """Rows as few column ranges as they make: [3, 4, 5, 8] → F3:F5, F8."""
    letter = "ABCDEFGH"[col - 1]
    out: list[str] = []
    start = prev = None
    for r in sorted(rows) + [None]:
        if start is not None and r == prev + 1:
            prev = r
            continue
        if start is not None:
            out.append(f"{letter}{start}" if start == prev else f"{letter}{start}:{letter}{prev}")
        start = prev = r
    return out


def _average(rows: list[int]) -> Formula | None:
    """The mean of the ratings given in these rows; empty until one is given."""
    if not rows:
        return None
    return Formula(f'=IFERROR(AVERAGE({",".join(_ranges(rows, RATING_COL))}),"")')


def _set(ws: Sheet, row: int, value) -> None:
    ws.rows[row - 1].cells[1] = value


def read_checklist_xlsx(path) -> ChecklistRatings:
    """The ratings of a filled-in checklist; duty rows and empty rows are skipped."""
    where = str(path)
    try:
        wb = load_workbook(path, read_only=False, data_only=True)
    except FileNotFoundError:
        raise KmcError("檔案不存在", where) from None
    except Exception:  # openpyxl raises many kinds for files that are not workbooks
        raise KmcError(NOT_OURS + "（無法以 Excel 活頁簿讀取）", where) from None
    meta = ({str(r[0]): r[1] for r in wb[META].iter_rows(max_col=2, values_only=True)}
            if META in wb.sheetnames else {})
    if meta.get("format") != FORMAT or not isinstance(meta.get("header_row"), int):
        raise KmcError(NOT_OURS, where)
    if meta.get("format_version") != FORMAT_VERSION:
        raise KmcError(f"自我檢核表格式版本 {meta.get('format_version')} 無法讀取"
                       f"（此版本讀取 {FORMAT_VERSION}）", where)
    ws, head = wb.worksheets[0], meta["header_row"]
    found = [c.value for c in ws[head][:len(HEADERS)]]
    if found != HEADERS:
        raise KmcError(f"工作表「{ws.title}」第 {head} 列不是檢核表的表頭"
                       "（請勿在表格上方插入或刪除列）", where)

    rows = []
    for cells in ws.iter_rows(min_row=head + 1, max_col=len(HEADERS)):
        kind = KINDS.get(cells[0].value)
        if kind is None:  # a duty heading or a blank row
            continue
        rating, achieved, note = (cells[c - 1] for c in (RATING_COL, ACHIEVED_COL, NOTE_COL))
        rows.append(ChecklistRow(
            kind, cells[1].value or "",
            _choice(rating, RATINGS, "評分", "應為 1–5 的整數", where),
            _choice(achieved, ACHIEVED, "達成欄", "應為「達成」或「未達成」", where),
            "" if note.value is None else str(note.value).strip(), cells[3].value or ""))
    return ChecklistRatings(str(meta.get("standard_code")), str(meta.get("version") or ""),
                            rows)


def _choice(cell, choices: dict, what: str, expected: str, where: str):
    """The meaning of a list cell; Excel may hand back a rating as 3, 3.0 or "3"."""
    value = cell.value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = "" if value is None else str(value).strip()
    if not text:
        return None
    if text not in choices:
        raise KmcError(f"工作表「{cell.parent.title}」{cell.coordinate}：{what}「{value}」"
                       f"{expected}", where)
    return choices[text]
