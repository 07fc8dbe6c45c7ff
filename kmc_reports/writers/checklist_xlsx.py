"""職能自我檢核表 as an Excel workbook: a person fills it in, kmc-reports reads it back.

The hidden 「_meta」 sheet marks the file as ours and says where the table starts, so the
reader does not depend on the rows above the table.  Everything the data supplies is
written as text, never as a formula.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from ..errors import KmcError
from ..model import Standard
from ..views import RATING_SCALE, block_tasks, competencies, named
from .xlsx import BORDER as _BORDER
from .xlsx import CENTER as _CENTER
from .xlsx import INPUT_FILL as _INPUT
from .xlsx import WRAP as _WRAP
from .xlsx import fill, header, print_setup, save, validation, widths
from .xlsx import text as _text

SHEET, META = "自我檢核", "_meta"
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

_DUTY = fill("F2F5F8")  # the duty shade of checklist.xml.j2


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
    title = f"{std.name} 職能自我檢核表"
    version = std.latest_version()
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    head = _top(ws, std, version, title, org_name)
    header(ws, head, HEADERS)
    rows = list(_rows(std))
    last = head + len(rows)
    for row, values in enumerate(rows, head + 1):
        if isinstance(values, str):
            _duty(ws, row, values)
        else:
            _item(ws, row, values)
    widths(ws, WIDTHS)
    validation(ws, RATING_COL, head + 1, last, list(RATINGS), "評分",
               "請選擇 1 到 5 的整數。" + SCALE_TEXT)
    validation(ws, ACHIEVED_COL, head + 1, last, list(ACHIEVED), "達成",
               "請選擇「達成」或「未達成」。")
    ws.freeze_panes = ws.cell(head + 1, 1)
    ws.auto_filter.ref = f"A{head}:H{last}"
    print_setup(ws, head)

    meta = wb.create_sheet(META)
    meta.sheet_state = "hidden"
    for i, (key, value) in enumerate([
            ("format", FORMAT), ("format_version", FORMAT_VERSION), ("standard_code", std.code),
            ("standard_name", std.name), ("version", version.version),
            ("header_row", head)], 1):
        _text(meta.cell(i, 1), key)
        _text(meta.cell(i, 2), value)

    return save(wb, title)


def _top(ws, std: Standard, version, title: str, org_name: str) -> int:
    """Title, source, the fill-in cells and the scale; returns the table's header row."""
    source = f"資料來源：職能基準 {named(std.code, std.name, version.version, version.date)}"
    _banner(ws, 1, title, Font(bold=True, size=16))
    ws.row_dimensions[1].height = 24  # merged cells do not grow their row for a large font
    _banner(ws, 2, source, Font(size=11))
    for row, (label, value) in enumerate([("姓名", ""), ("單位", org_name), ("填表日期", "")], 4):
        cell = _text(ws.cell(row, 1), label)
        cell.font, cell.border = Font(bold=True), _BORDER
        ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=4)
        cell = _text(ws.cell(row, 2), value)
        cell.fill, cell.border = _INPUT, _BORDER
    _banner(ws, 7, SCALE_TEXT, Font(size=10))
    _banner(ws, 8, "請於每一列的「評分」欄選一個分數，並於「達成」欄選「達成」或「未達成」；"
                   "說明欄可填寫具體事例或佐證資料。", Font(size=10))
    return 10


def _rows(std: Standard):
    """The table: a duty heading as a string, else the first five cells of an item row."""
    for duty in std.duties:
        yield f"{duty.code} {duty.name}"
        for task in duty.tasks:
            for band in task.bands:
                tasks = "、".join(f"{t.code} {t.name}".strip() for t in block_tasks(duty, band, task))
                for p in band.indicators:
                    yield ["行為指標", p.code, tasks, p.text,
                           band.level if band.level is not None else band.printed_level]
    for kind, label in (("K", "知識"), ("S", "技能")):
        for c in competencies(std, kind):
            level = int(c.level_text) if c.level_text.isdigit() else c.level_text
            yield [label, c.code, "、".join(c.tasks), c.name, level]
    for a in std.attitudes:
        yield ["態度", a.code or "", "", a.name, None]


def _banner(ws, row: int, text: str, font: Font) -> None:
    _text(ws.cell(row, 1), text).font = font
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(HEADERS))


def _duty(ws, row: int, text: str) -> None:
    cell = _text(ws.cell(row, 1), text)
    cell.font, cell.fill, cell.border = Font(bold=True), _DUTY, _BORDER
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(HEADERS))


def _item(ws, row: int, values: list) -> None:
    for col, value in enumerate(values + ["", "", ""], 1):
        cell = _text(ws.cell(row, col), value)
        cell.border = _BORDER
        cell.alignment = _CENTER if col in CENTERED else _WRAP
        if col >= RATING_COL:
            cell.fill = _INPUT


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
