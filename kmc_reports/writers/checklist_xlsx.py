"""職能自我檢核表 as an Excel workbook: a person fills it in, kmc-reports reads it back.

The hidden 「_meta」 sheet marks the file as ours and says where the table starts, so the
reader does not depend on the rows above the table.  Everything the data supplies is
written as text, never as a formula.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from ..errors import KmcError
from ..model import Standard
from ..views import (RATING_SCALE, block_tasks, competencies, duty_label, named, printed_text,
                     task_label, task_list)
from ..workbook import Cell, Column, Formula, Print, Sheet, Validation, Workbook
from .xlsx import INPUT_FILL, write_workbook

SHEET, GUIDE, META = "自我檢核", "填表說明", "_meta"
FORMAT, FORMAT_VERSION = "kmc-reports checklist", 2
HEADERS = ["類別", "代碼", "工作任務", "項目", "職能級別", "自評(1–5)", "主管評(1–5)", "達成",
           "說明／佐證"]
WIDTHS = [10, 9, 24, 60, 10, 11, 12, 10, 30]
KINDS = {"行為指標": "P", "知識": "K", "技能": "S", "態度": "A"}
ACHIEVED = {"達成": True, "未達成": False}
RATINGS = {str(score): score for score, _ in RATING_SCALE}
RATING_COL, SUPERVISOR_COL, ACHIEVED_COL, NOTE_COL = 6, 7, 8, 9
CENTERED = {2, 5, RATING_COL, SUPERVISOR_COL, ACHIEVED_COL}  # 代碼, 職能級別, 評分, 達成
# Version 1 had no 主管評 column; its files are still read.
V1_HEADERS = ["類別", "代碼", "工作任務", "項目", "職能級別", "評分(1–5)", "達成", "說明／佐證"]
SCALE_TEXT = "評分說明：" + "；".join(f"{s}＝{label}" for s, label in RATING_SCALE) + "。"
NOT_OURS = "不是 kmc-reports 產生的自我檢核表"
HEAD = 1  # the table's header row: the only frozen row
BLANKS = [""] * (len(HEADERS) - 5)  # the columns a person fills in
SECTIONS = (("K", "知識", "知識（K）"), ("S", "技能", "技能（S）"), ("A", "態度", "態度（A）"))


class ChecklistRow(NamedTuple):
    """One filled-in row.  ``kind`` is P, K, S or A; ``item`` tells apart two names printed
    under one K/S code and attitudes without a code; ``rating`` is the self rating,
    ``supervisor`` the supervisor's; ``row`` is the sheet row, for messages."""

    kind: str
    code: str
    rating: int | None
    achieved: bool | None
    note: str
    item: str
    supervisor: int | None = None
    row: int = 0


@dataclass
class ChecklistRatings:
    code: str
    version: str
    rows: list[ChecklistRow]
    person: str = ""          # 姓名 on 填表說明
    person_cell: str = ""     # where it is written, e.g. B4
    sheet: str = SHEET


def write_checklist_xlsx(std: Standard, org_name: str = "") -> bytes:
    return write_workbook(checklist_workbook(std, org_name))


def checklist_workbook(std: Standard, org_name: str = "") -> Workbook:
    """自我檢核 (the table, header in row 1, averages per task, per duty and in all), 填表說明
    (title, source, the person's fields, the scale) and the hidden _meta the reader needs."""
    title = f"{std.name} 職能自我檢核表"
    version = std.latest_version()
    source = f"資料來源：職能基準 {named(std.code, std.name, version.printed_version, version.printed_date)}"
    book = Workbook(title, active=1)
    ws = book.sheet(SHEET, [Column(w, "center" if i in CENTERED else "left",
                                   fill=INPUT_FILL if i >= RATING_COL else None)
                            for i, w in enumerate(WIDTHS, 1)])
    ws.head(HEADERS)
    items: list[int] = []
    for duty in std.duties:
        duty_row = ws.add([Cell(duty_label(duty), span=RATING_COL - 1), None, None,
                           None, None], "group")
        in_duty: list[int] = []
        for task in duty.tasks:
            rows = [ws.add(r) for r in _indicators(duty, task)]
            if rows:
                ws.add([Cell(f"{_rated(duty, task)}　平均", span=RATING_COL - 1),
                        *_averages(rows), None, None], "total")
            in_duty += rows
        _set(ws, duty_row, _averages(in_duty))
        items += in_duty
    for kind, label, heading in SECTIONS:
        found = list(_items(std, kind, label))
        if found:
            group = ws.add([Cell(heading, span=RATING_COL - 1), None, None, None, None],
                           "group")
            rows = [ws.add(r) for r in found]
            _set(ws, group, _averages(rows))
            items += rows
    last = ws.last
    ws.add([Cell("全部項目：評分平均（自評、主管評欄）、達成項數（達成欄）", span=RATING_COL - 1),
            *_averages(items), Formula(f'=COUNTIF(H{HEAD + 1}:H{last},"達成")'),
            None], "total")
    ws.validations += [
        Validation(RATING_COL, HEAD + 1, last, list(RATINGS), "自評",
                   "請選擇 1 到 5 的整數。" + SCALE_TEXT),
        Validation(SUPERVISOR_COL, HEAD + 1, last, list(RATINGS), "主管評",
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
    guide.add([f"請於「{SHEET}」工作表每一列的「自評」欄選一個分數，並於「達成」欄選「達成」"
               "或「未達成」；說明欄可填寫具體事例或佐證資料。「主管評」欄由直屬主管填寫（可留白）。"
               "各工作任務、主要職責與知識、技能、態度的平均分數，以及全部項目的平均與達成項數"
               "會自動計算。"], "note")
    guide.print = Print(landscape=False, header=title)

    meta_sheet(book, FORMAT, FORMAT_VERSION, std, HEAD)
    return book


def meta_sheet(book: Workbook, fmt: str, fmt_version: int, std: Standard, head: int) -> None:
    """The hidden _meta sheet of a workbook kmc-reports reads back: its format and that
    format's version, the standard and its version, and the table's header row."""
    meta = book.sheet(META, [Column(16), Column(40)])
    meta.hidden = True
    for key, value in [("format", fmt), ("format_version", fmt_version),
                       ("standard_code", std.code), ("standard_name", std.name),
                       ("version", std.latest_version().version), ("header_row", head)]:
        meta.add([key, value], "plain")


def _rated(duty, task) -> str:
    """What a task's average row averages: the task, or (a block printed for several tasks,
    whose indicators name no task) every task of the block, by code."""
    codes = list(dict.fromkeys(t.code for band in task.bands
                               for t in block_tasks(duty, band, task)))
    return task_label(task) if len(codes) == 1 else "、".join(codes)


def _indicators(duty, task):
    for band in task.bands:
        tasks = printed_text(task_list(block_tasks(duty, band, task)))
        for p in band.indicators:
            yield ["行為指標", p.code, tasks, printed_text(p.text),
                   band.level if band.level is not None else band.printed_level, *BLANKS]


def _items(std: Standard, kind: str, label: str):
    if kind == "A":
        for a in std.attitudes:
            yield ["態度", a.code or "", "", printed_text(a.name), None, *BLANKS]
        return
    for c in competencies(std, kind):
        level = int(c.level_text) if c.level_text.isdigit() else c.level_text
        yield [label, c.code, "、".join(c.tasks), printed_text(c.name), level, *BLANKS]


def _ranges(rows: list[int], col: int) -> list[str]:
    """Rows as few column ranges as they make: [3, 4, 5, 8] → F3:F5, F8."""
    letter = get_column_letter(col)
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


def _averages(rows: list[int]) -> list[Formula | None]:
    """The means of the self and of the supervisor ratings given in these rows; each empty
    until one is given."""
    if not rows:
        return [None, None]
    return [Formula(f'=IFERROR(AVERAGE({",".join(_ranges(rows, col))}),"")')
            for col in (RATING_COL, SUPERVISOR_COL)]


def _set(ws: Sheet, row: int, values: list) -> None:
    ws.rows[row - 1].cells[1:3] = values


def read_checklist_xlsx(path) -> ChecklistRatings:
    """The ratings of a filled-in checklist; duty rows and empty rows are skipped."""
    wb = open_workbook(path, NOT_OURS)
    try:
        return checklist_ratings(wb, workbook_meta(wb), str(path))
    finally:
        wb.close()


def open_workbook(path, not_ours: str):
    """The workbook at ``path``, read-only with the values Excel last computed."""
    try:
        return load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError:
        raise KmcError("檔案不存在", str(path)) from None
    except Exception:  # openpyxl raises many kinds for files that are not workbooks
        raise KmcError(not_ours + "（無法以 Excel 活頁簿讀取）", str(path)) from None


def workbook_meta(wb) -> dict:
    """The hidden _meta sheet's keys and values ({} without one)."""
    if META not in wb.sheetnames:
        return {}
    return {str(r[0]): r[1] for r in wb[META].iter_rows(max_col=2, values_only=True)
            if r and r[0] is not None}


def checklist_ratings(wb, meta: dict, where: str) -> ChecklistRatings:
    """The rows of an open checklist workbook whose _meta is ``meta``."""
    if meta.get("format") != FORMAT or not isinstance(meta.get("header_row"), int):
        raise KmcError(NOT_OURS, where)
    version = meta.get("format_version")
    if version not in (1, FORMAT_VERSION):
        raise KmcError(f"自我檢核表格式版本 {version} 無法讀取"
                       f"（此版本讀取 1 與 {FORMAT_VERSION}）", where)
    headers = HEADERS if version == FORMAT_VERSION else V1_HEADERS
    ws, head = wb.worksheets[0], meta["header_row"]
    found = next(ws.iter_rows(min_row=head, max_row=head, max_col=len(headers),
                              values_only=True), ())
    if list(found) != headers:
        raise KmcError(f"工作表「{ws.title}」第 {head} 列不是檢核表的表頭"
                       "（請勿在表格上方插入或刪除列）", where)
    col = {h: i for i, h in enumerate(headers)}
    rating, achieved, note = col[headers[5]], col["達成"], col["說明／佐證"]
    supervisor = col.get("主管評(1–5)")

    def choice(row: int, i: int | None, choices: dict, what: str, expected: str, values):
        if i is None:
            return None
        ref = f"{get_column_letter(i + 1)}{row}"
        return parse_choice(values[i], choices, f"工作表「{ws.title}」{ref}：{what}", expected,
                            where)

    rows = []
    for r, values in enumerate(ws.iter_rows(min_row=head + 1, max_col=len(headers),
                                            values_only=True), head + 1):
        values = tuple(values) + (None,) * (len(headers) - len(values))
        kind = KINDS.get(values[0])
        if kind is None:  # a duty heading or a blank row
            continue
        rows.append(ChecklistRow(
            kind, values[1] or "",
            choice(r, rating, RATINGS, "自評" if supervisor else "評分", "應為 1–5 的整數",
                   values),
            choice(r, achieved, ACHIEVED, "達成欄", "應為「達成」或「未達成」", values),
            "" if values[note] is None else str(values[note]).strip(), values[3] or "",
            choice(r, supervisor, RATINGS, "主管評", "應為 1–5 的整數", values), r))
    person, cell = _person(wb)
    return ChecklistRatings(str(meta.get("standard_code")), str(meta.get("version") or ""),
                            rows, person, cell, ws.title)


def _person(wb) -> tuple[str, str]:
    """The name written beside 姓名 on 填表說明, and its cell."""
    if GUIDE not in wb.sheetnames:
        return "", ""
    for r, values in enumerate(wb[GUIDE].iter_rows(max_col=2, values_only=True), 1):
        if values and values[0] == "姓名":
            value = values[1] if len(values) > 1 else None
            return ("" if value is None else str(value).strip()), f"B{r}"
    return "", ""


def parse_choice(value, choices: dict, what: str, expected: str, where: str):
    """The meaning of a list cell; Excel may hand back a rating as 3, 3.0 or "3".  ``what``
    names the cell in a message."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = "" if value is None else str(value).strip()
    if not text:
        return None
    if text not in choices:
        raise KmcError(f"{what}「{value}」{expected}", where)
    return choices[text]
