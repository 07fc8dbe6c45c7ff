"""What people filled in: ratings of a standard's behaviour indicators, read from the
workbooks HR hands back and checked against the standard before anything is computed.

Two kinds of workbook are read, in any mix:

- the self-assessment checklist `kmc-reports checklist` writes (one person; the name is
  written beside 姓名 on its 填表說明 sheet; 自評 and, since format 2, 主管評 columns);
- a team workbook: one row per person × indicator (a header with 姓名, 代碼 and 自評 and/or
  主管評, found by its labels anywhere in the first rows; other columns are ignored; a blank
  姓名 means the person of the row above, so a name is written once per person; rows of one
  name are one person wherever they are in the sheet, so a sorted sheet reads the same, and
  a 行為指標 column, if any, tells apart indicators printed under one code), or one
  sheet per person (the sheet's name is the person; no 姓名 column).  `team_template`
  writes the first shape, with a hidden _meta sheet naming the standard and its version.

Ratings are the 1–5 scale of the checklists (`views.RATING_SCALE`): Excel may hand back 3,
3.0 or "3", all the same; a blank cell is not rated.  Every person must rate every
behaviour indicator in each column they use (a person with self ratings has all of them,
and the same for supervisor ratings; either column may be left out whole); a person with no
rating at all, a code the standard does not have, a rating off the scale, a workbook of
another standard or version, one person in two sheets or files, or one indicator rated
twice by one person is an error naming the file, the sheet and the cell.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from openpyxl.utils import get_column_letter

from .errors import KmcError
from .model import Band, Duty, Standard, Task
from .views import block_tasks, named, task_list
from .workbook import Cell, Column, Print, Validation, Workbook
from .writers.checklist_xlsx import FORMAT as CHECKLIST_FORMAT
from .writers.checklist_xlsx import GUIDE as CHECKLIST_GUIDE
from .writers.checklist_xlsx import (META, RATINGS, SCALE_TEXT, checklist_ratings,
                                     meta_sheet, open_workbook, parse_choice, workbook_meta)
from .writers.xlsx import INPUT_FILL

FORMAT, FORMAT_VERSION = "kmc-reports ratings", 1
SHEET, GUIDE = "評分", "說明"
HEADERS = ["姓名", "代碼", "工作任務", "行為指標", "職能級別", "自評(1–5)", "主管評(1–5)",
           "說明／佐證"]
WIDTHS = [12, 9, 24, 50, 9, 10, 11, 24]
INPUTS = {1, 6, 7, 8}  # the columns people fill in
HEAD = 1
HEADER_SEARCH = 20  # rows a team sheet's header is looked for in
NOT_RATINGS = "不是評分活頁簿"
# Header labels as people write them, compared without spaces, case or a bracketed note
# such as (1–5).
LABELS = {
    "person": {"姓名", "人員", "員工", "員工姓名", "受評者", "受評人員", "員工編號", "工號",
               "name"},
    "code": {"代碼", "指標代碼", "行為指標代碼", "項目代碼", "code"},
    "self": {"自評", "自評分數", "自我評分", "自評分", "評分", "self"},
    "supervisor": {"主管評", "主管評分", "主管評分數", "主管", "supervisor"},
    "text": {"行為指標", "行為指標內容", "指標內容"},
}
KINDS = {"P", "K", "S", "A"}


@dataclass(frozen=True)
class Rating:
    """One rated item of one person.  ``nth`` tells apart two indicators the standard
    prints under one code (0 for the first or only one)."""

    person: str            # the person's name (or staff ID) as written
    code: str              # indicator code (P1.1.1 …); K/S/A rows of a checklist are kept too
    kind: str              # "P", "K", "S" or "A"
    self: int | None       # self rating on the 1–5 scale, None = not given
    supervisor: int | None  # supervisor rating, None = not given
    where: str             # "file, 工作表「…」第 N 列" — for messages
    nth: int = 0


@dataclass
class Ratings:
    standard: str          # e.g. "KMC2432-001v4"
    version: str           # the standard's version the workbooks were made for
    people: list[str] = field(default_factory=list)   # unique, in input order
    rows: list[Rating] = field(default_factory=list)
    files: list[str] = field(default_factory=list)    # the input files, in order

    def of(self, person: str) -> list[Rating]:
        return [r for r in self.rows if r.person == person]


@dataclass(frozen=True)
class Slot:
    """One behaviour indicator as people rate it, in the standard's order.  ``tasks`` are
    the tasks it counts for: its own, or every task of a block whose indicators name no
    task (the source printed them together)."""

    code: str
    nth: int
    text: str
    duty: Duty
    band: Band
    tasks: tuple[Task, ...]


def indicator_slots(std: Standard) -> list[Slot]:
    slots: list[Slot] = []
    seen: Counter = Counter()
    for duty, task in std.tasks():
        for band in task.bands:
            tasks = tuple(block_tasks(duty, band, task))
            for p in band.indicators:
                slots.append(Slot(p.code, seen[p.code], p.text, duty, band, tasks))
                seen[p.code] += 1
    return slots


# -- the team template ---------------------------------------------------------------------

def team_template(std: Standard, people: int = 0) -> Workbook:
    """The team workbook HR fills in: 說明, 評分 (every behaviour indicator with its task,
    text and level, once per person: ``people`` blocks, at least one) and the hidden _meta
    the reader checks the standard and version by."""
    version = std.latest_version()
    title = f"{std.name} 職能評鑑評分表"
    source = f"職能基準：{named(std.code, std.name, version.printed_version, version.printed_date)}"
    book = Workbook(title, active=0)

    guide = book.sheet(GUIDE, [Column(64)])
    guide.add([title], "title")
    guide.add([source], "subtitle")
    guide.blank()
    for text in GUIDE_TEXT:
        guide.add([text.format(sheet=SHEET)], "note")
    guide.add([SCALE_TEXT], "note")
    guide.print = Print(landscape=False, header=title)

    ws = book.sheet(SHEET, [Column(w, "center" if i in (2, 5, 6, 7) else "left",
                                   fill=INPUT_FILL if i in INPUTS else None)
                            for i, w in enumerate(WIDTHS, 1)])
    ws.head(HEADERS)
    slots = indicator_slots(std)
    for n in range(max(people, 1)):
        for i, s in enumerate(slots):
            tasks = task_list(s.tasks)
            level = s.band.level if s.band.level is not None else s.band.printed_level
            name = Cell("", bold=True) if i == 0 else ""
            ws.add([name, s.code, tasks, s.text, level, "", "", ""],
                   fill=None if n % 2 == 0 else "F7F9FB")
    last = ws.last
    ws.validations += [
        Validation(col, HEAD + 1, last, list(RATINGS), label,
                   "請選擇 1 到 5 的整數。" + SCALE_TEXT)
        for col, label in ((6, "自評"), (7, "主管評"))]
    ws.freeze, ws.filter = (HEAD + 1, 3), (HEAD, len(HEADERS), last)
    ws.print = Print(title_rows=(HEAD, HEAD), header=f"{title}　{std.code}")

    meta_sheet(book, FORMAT, FORMAT_VERSION, std, HEAD)
    return book


GUIDE_TEXT = [
    "填寫方式：「{sheet}」工作表每位人員一段，每段列出本職能基準的全部行為指標。請在每段第一列的"
    "「姓名」欄填寫受評者姓名（或員工編號）；姓名空白的列視為與上一列同一人，因此每人只需填寫一次。",
    "「自評」欄由本人填寫，「主管評」欄由直屬主管填寫，均為 1 到 5 的整數；兩欄可只填其中一欄，"
    "但填寫的那一欄每項行為指標都要評分。沒有填寫姓名且沒有評分的段落不計。",
    "人數不足時，可複製一整段貼到最後一列之下再填寫姓名；也可以每人一個工作表（工作表名稱為姓名），"
    "表頭含「代碼」與「自評」或「主管評」欄即可。請勿修改代碼欄。要依篩選排序時，請先在每一列"
    "填上姓名；同一人的同一項行為指標不可評兩次，同一人也不可出現在兩個檔案或工作表。",
    "職能缺口：任務分數（其行為指標評分的平均）低於門檻（預設 3＝大致具備）即為缺口；"
    "同時有自評與主管評時，預設以主管評判定。",
]


# -- reading -------------------------------------------------------------------------------

def read_ratings(paths: Sequence[Path], library, code: str | None = None
                 ) -> tuple[Standard, Ratings]:
    """The ratings in ``paths`` (checklists and team workbooks), checked against the
    standard: ``code`` (--standard), else the one the workbooks' _meta names.  Raises
    KmcError naming file, sheet and cell."""
    if not paths:
        raise KmcError("沒有指定評分活頁簿")
    books = []
    try:
        for path in paths:
            wb = open_workbook(path, NOT_RATINGS)
            books.append((str(path), wb, workbook_meta(wb)))
        std = _standard(books, library, code)
        reader = _Reader(std)
        for where, wb, meta in books:
            if meta.get("format") == CHECKLIST_FORMAT:
                reader.checklist(where, checklist_ratings(wb, meta, where))
            else:
                reader.team(where, wb)
        return std, reader.finish([p for p, _, _ in books])
    finally:
        for _, wb, _ in books:
            wb.close()


def _meta_cell(meta: dict, key: str) -> str:
    row = list(meta).index(key) + 1 if key in meta else 1
    return f"工作表「{META}」B{row}"


def _standard(books, library, code: str | None) -> Standard:
    """The standard every workbook must be of: --standard, else the first one's _meta."""
    claims = []
    for where, _, meta in books:
        if meta.get("format") not in (FORMAT, CHECKLIST_FORMAT):
            if meta:
                raise KmcError(f"{_meta_cell(meta, 'format')}：{NOT_RATINGS}"
                               f"（_meta 的 format 為「{meta.get('format')}」）", where)
            continue
        if meta.get("format") == FORMAT and meta.get("format_version") != FORMAT_VERSION:
            raise KmcError(f"{_meta_cell(meta, 'format_version')}：評分活頁簿格式版本 "
                           f"{meta.get('format_version')} 無法讀取（此版本讀取 {FORMAT_VERSION}）",
                           where)
        claims.append((where, meta))
    if code is None:
        if not claims:
            where, wb, _ = books[0]
            next(rating_sheets(wb, where))  # a workbook that is not one of ratings says so
            raise KmcError("活頁簿沒有註明職能基準（沒有 _meta 工作表）；請以 --standard 指定",
                           books[0][0])
        code = str(claims[0][1].get("standard_code"))
        if code not in library.codes():
            where, meta = claims[0]
            raise KmcError(f"{_meta_cell(meta, 'standard_code')}：{_not_in_library(code, library)}",
                           where)
    std = library.get(code)
    version = std.latest_version().version
    for where, meta in claims:
        theirs = str(meta.get("standard_code"))
        if theirs != std.code:
            raise KmcError(f"{_meta_cell(meta, 'standard_code')}：此活頁簿屬職能基準 {theirs}，"
                           f"不是 {std.code}", where)
        if str(meta.get("version") or "") != version:
            raise KmcError(f"{_meta_cell(meta, 'version')}：此活頁簿依 {std.code} 的 "
                           f"{meta.get('version')} 版製作，資料夾中的版本為 {version}；"
                           "請以新版範本重新填寫", where)
    return std


def _not_in_library(code: str, library) -> str:
    base = re.sub(r"v\d+$", "", code)
    others = [c for c in library.codes() if re.sub(r"v\d+$", "", c) == base]
    if others:
        return (f"此活頁簿依職能基準 {code} 製作，資料夾中為其他版本 {'、'.join(others)}；"
                "請以新版範本重新填寫")
    return f"資料夾中沒有職能基準 {code}"


def _label(value) -> str:
    text = unicodedata.normalize("NFKC", str(value or ""))
    return re.sub(r"\s+|\(.*?\)", "", text).casefold()


def _person_key(name: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", name)).strip().casefold()


def _text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "" if value is None else str(value).strip()


@dataclass
class _Person:
    name: str
    where: str            # file
    sheet: str            # the sheet of the ratings
    named: str            # 工作表「…」B4: where the name is written (or the sheet's header)
    code_col: str
    rows: list = field(default_factory=list)   # (Rating, row, self ref, supervisor ref)
    blank: list = field(default_factory=list)  # (code, cell) of rows left unrated


class _Reader:
    """Collects people and their ratings, file by file, checking as it goes."""

    def __init__(self, std: Standard):
        self.std = std
        self.slots = indicator_slots(std)
        self.indicators = Counter(s.code for s in self.slots)
        self.kinds = {c: "P" for c in self.indicators}
        for kind in "KS":
            self.kinds.update((c, kind) for c in std.catalogue(kind))
        self.kinds.update((a.code, "A") for a in std.attitudes if a.code)
        self.people: dict[str, _Person] = {}

    # each person starts here: a name seen before is an error
    def _start(self, name: str, where: str, sheet: str, named: str, code_col: str) -> _Person:
        key = _person_key(name)
        seen = self.people.get(key)
        if seen is not None:
            raise KmcError(f"{named}：「{name}」重複出現（已見於 {seen.where} {seen.named}）；"
                           "同一人只能有一份評分", where)
        person = self.people[key] = _Person(name, where, sheet, named, code_col)
        return person

    def checklist(self, where: str, got) -> None:
        if not got.person:
            cell = got.person_cell or "B4"
            raise KmcError(f"工作表「{CHECKLIST_GUIDE}」{cell}：未填姓名"
                           "（每份自我檢核表須註明受評者）", where)
        person = self._start(got.person, where, got.sheet,
                             f"工作表「{CHECKLIST_GUIDE}」{got.person_cell}", "B")
        for row in got.rows:
            if row.kind in ("P", "K", "S") and row.code not in self.kinds:
                raise KmcError(f"工作表「{got.sheet}」B{row.row}：代碼「{row.code}」不在 "
                               f"{self.std.code} 中", where)
            self._add(person, row.code, row.kind, row.rating, row.supervisor, row.row,
                      f"F{row.row}", f"G{row.row}")
        self._check(person)

    def team(self, where: str, wb) -> None:
        before, first = len(self.people), None
        for ws, head, cols, rows in rating_sheets(wb, where):
            first = first or (ws.title, head, cols)
            self._sheet(where, ws.title, head, cols, rows)
        if len(self.people) == before:
            sheet, head, cols = first
            col = get_column_letter(cols.get("person", cols["code"]) + 1)
            raise KmcError(f"工作表「{sheet}」{col}{head + 1}：沒有任何人員的評分"
                           "（姓名欄全部空白）", where)

    def _sheet(self, where: str, sheet: str, head: int, cols: dict, rows) -> None:
        """One sheet of a team workbook: rows of people × indicators, or one person's.  Rows
        of one name are gathered wherever they are (a sorted sheet); a blank 姓名 is the
        person of the row above."""
        letter = {k: get_column_letter(c + 1) for k, c in cols.items()}
        code_col = letter["code"]
        by_sheet = "person" not in cols
        here: dict[str, _Person] = {}   # the people of this sheet, by _person_key
        person, stretch = None, None    # stretch: the name cell the person's rows restart at
        if by_sheet:
            person = self._start(sheet.strip(), where, sheet,
                                 f"工作表「{sheet}」{code_col}{head}", code_col)
            here[_person_key(person.name)] = person
        for r, values in enumerate(rows, head + 1):
            def get(key):
                return values[cols[key]] if key in cols and cols[key] < len(values) else None
            code, name = _text(get("code")), _text(get("person"))
            self_v, sup_v = get("self"), get("supervisor")
            rated = bool(_text(self_v) or _text(sup_v))
            key = _person_key(name)
            if name and (person is None or key != _person_key(person.name)):
                cell = f"工作表「{sheet}」{letter['person']}{r}"
                person = here.get(key)
                if person is None:
                    person = here[key] = self._start(name, where, sheet, cell, code_col)
                stretch = None if cell == person.named else f"{letter['person']}{r}"
            if not code:
                if rated:
                    raise KmcError(f"工作表「{sheet}」{code_col}{r}：有評分但代碼空白", where)
                continue
            if person is None:
                if rated:
                    raise KmcError(f"工作表「{sheet}」{letter['person']}{r}：未填姓名"
                                   "（每位人員的第一列須填寫姓名）", where)
                continue
            self_ref = f"{letter.get('self', letter.get('supervisor'))}{r}"
            if not rated:  # not counted; named if the person lacks this indicator
                person.blank.append((code, self_ref))
                continue
            kind = self.kinds.get(code)
            if kind is None:
                raise KmcError(f"工作表「{sheet}」{code_col}{r}：代碼「{code}」不在 "
                               f"{self.std.code} 中", where)
            self._add(person, code, kind,
                      self._score(self_v, sheet, f"{letter.get('self')}{r}", "自評", where),
                      self._score(sup_v, sheet, f"{letter.get('supervisor')}{r}", "主管評",
                                  where),
                      r, self_ref, f"{letter.get('supervisor', '')}{r}",
                      inherited=not name and not by_sheet, stretch=stretch,
                      text=_text(get("text")))
        for person in here.values():
            self._check(person)

    @staticmethod
    def _score(value, sheet: str, ref: str, what: str, where: str) -> int | None:
        return parse_choice(value, RATINGS, f"工作表「{sheet}」{ref}：{what}", "應為 1–5 的整數",
                            where)

    def _add(self, person: _Person, code: str, kind: str, self_v, sup_v, row: int,
             self_ref: str, sup_ref: str, inherited: bool = False, stretch: str | None = None,
             text: str = "") -> None:
        """One rated row.  ``stretch``: the name cell where the person's rows start again
        after other people's (named when the row repeats an indicator); ``text``: the
        indicator's words, which pick one of two indicators printed under one code."""
        mine = [x for x in person.rows if x[0].code == code and x[0].kind == kind]
        nth = len(mine)
        if kind == "P":
            taken = {x[0].nth: x[1] for x in mine}
            words = _label(text)
            same = [s.nth for s in self.slots if s.code == code and words
                    and _label(s.text) == words] if self.indicators[code] > 1 else []
            free = [n for n in (same or range(self.indicators[code])) if n not in taken]
            if not free:
                ref = f"{person.code_col}{taken[same[0]] if same else mine[0][1]}"
                this = f"{person.code_col}{row}"
                if stretch:
                    raise KmcError(
                        f"工作表「{person.sheet}」{stretch}：「{person.name}」重複出現，{code} "
                        f"重複評分（{ref} 與 {this}）；同一人每項行為指標只能評一次，若 "
                        f"{stretch} 起是另一人，請更正姓名", person.where)
                hint = (f"；此列姓名空白，視為上方的「{person.name}」——若是另一人，請填寫姓名"
                        if inherited else "")
                raise KmcError(f"工作表「{person.sheet}」{this}：「{person.name}」的 {code} "
                               f"重複評分（已評於 {ref}）{hint}", person.where)
            nth = free[0]
        rating = Rating(person.name, code, kind, self_v, sup_v,
                        f"{person.where}, 工作表「{person.sheet}」第 {row} 列", nth)
        person.rows.append((rating, row, self_ref, sup_ref))

    def _check(self, person: _Person) -> None:
        """Every indicator rated in each column the person uses; at least one column."""
        mine = [x for x in person.rows if x[0].kind == "P"]
        rows = sorted(x[1] for x in person.rows)
        span = person.named  # where the name is, unless the rows are one block
        if rows and rows[-1] - rows[0] + 1 == len(rows):
            cells = dict.fromkeys(f"{person.code_col}{r}" for r in (rows[0], rows[-1]))
            span = f"工作表「{person.sheet}」{':'.join(cells)}"
        if not any(x[0].self is not None or x[0].supervisor is not None for x in mine):
            raise KmcError(f"{person.named}：「{person.name}」沒有任何行為指標的評分",
                           person.where)
        have = {(x[0].code, x[0].nth) for x in mine}
        missing = [s for s in self.slots if (s.code, s.nth) not in have]
        blank = next((ref for code, ref in person.blank
                      if any(s.code == code for s in missing)), None)
        if blank:
            code = next(c for c, ref in person.blank if ref == blank)
            raise KmcError(f"工作表「{person.sheet}」{blank}：「{person.name}」的 {code} "
                           "未評分（每項行為指標都要評分）", person.where)
        if missing:
            codes = "、".join(s.code for s in missing[:5]) + ("…" if len(missing) > 5 else "")
            raise KmcError(f"{span}：「{person.name}」缺少 "
                           f"{len(missing)} 項行為指標的評分列（{codes}）", person.where)
        for attr, what, ref in (("self", "自評", 2), ("supervisor", "主管評", 3)):
            given = [x for x in mine if getattr(x[0], attr) is not None]
            if given and len(given) < len(mine):
                blank = next(x for x in mine if getattr(x[0], attr) is None)
                raise KmcError(f"工作表「{person.sheet}」{blank[ref]}：「{person.name}」的 "
                               f"{blank[0].code} 未填{what}（此人已填其他行為指標的{what}，"
                               "每項都要評分）", person.where)

    def finish(self, files: list[str]) -> Ratings:
        version = self.std.latest_version().version
        if not self.people:
            raise KmcError("沒有任何人員的評分", files[0])
        people = list(self.people.values())
        # each person's indicators in the standard's order, however the sheet was sorted
        # (a checklist's K/S/A rows after them, as read)
        order = {(s.code, s.nth): i for i, s in enumerate(self.slots)}
        return Ratings(self.std.code, version, [p.name for p in people],
                       [x[0] for p in people for x in sorted(
                           p.rows, key=lambda x: order.get((x[0].code, x[0].nth), len(order)))],
                       files)


def rating_sheets(wb, where: str):
    """(sheet, header row, columns, the rows under it) of each sheet with a rating header;
    none is an error: the workbook is empty or not one of ratings."""
    found = False
    for ws in wb.worksheets:
        if ws.title in (META, GUIDE):
            continue
        ws.reset_dimensions()  # some programs write a wrong <dimension>; read every cell
        rows = ws.iter_rows(values_only=True)
        head, cols = _header(rows)
        if cols is not None:
            found = True
            yield ws, head, cols, rows
    if found:
        return
    name = wb.worksheets[0].title if wb.worksheets else ""
    if not any(v is not None for ws in wb.worksheets
               for row in ws.iter_rows(values_only=True) for v in row):
        raise KmcError(f"工作表「{name}」A1：活頁簿是空的", where)
    raise KmcError(f"工作表「{name}」第 1–{HEADER_SEARCH} 列：找不到評分表頭"
                   f"（需有「代碼」欄，以及「自評」或「主管評」欄）；{NOT_RATINGS}", where)


def _header(rows) -> tuple[int, dict | None]:
    """The first row (of the first HEADER_SEARCH) naming a code column and a rating column:
    its number and the column index of each label found.  ``rows`` is consumed up to it."""
    for r, values in enumerate(rows, 1):
        if r > HEADER_SEARCH:
            break
        cols: dict[str, int] = {}
        for c, value in enumerate(values):
            label = _label(value)
            for key, names in LABELS.items():
                if label in names and key not in cols:
                    cols[key] = c
        if "code" in cols and ("self" in cols or "supervisor" in cols):
            return r, cols
    return 0, None
