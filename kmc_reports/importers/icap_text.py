"""Read an iCAP standard printed as text: web-table copies (tab-separated, with <p>/<u>/<b>),
markdown conversions and pdftotext output (cells wrapped over lines, page markers,
repeated header rows).

The text is cut into sections (title, versions, profile, table, attitudes, notes); the table is
turned into rows by the reader for its layout and assembled by :mod:`.table`.
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from dataclasses import dataclass, field
from pathlib import PurePath

from ..errors import KmcError
from ..model import (Attitude, Categories, Category, Footnote, FootnoteRef, Notes, Qualification,
                     Standard, Version, squash)
from .table import COLUMNS, Row, TableBuilder
from .text import (CODE_RES, QUAL_HEAD, clean, drop_font_gaps, flat, join_cjk, parse_level,
                   split_cjk_gaps, split_items, strip_markup, take_markers, width)

STD_CODE = r"[A-Z]{3}\d{4}-\d{3}(?:v\d+)?(?![\w])"
_PAGE = re.compile(r"^\s*第\s*(\d+)\s*頁\s*[，,]?\s*(?:總共|共)\s*(\d+)\s*頁\s*$")
_HEADER_WORDS = re.compile(
    r"主要職責|工作任務|工作活動|工作產出|行為指標|職能內涵|職能\s*級別|職能|級別|"
    r"[（(]\s*[KS]\s*=\s*(?:knowledge|skills?)\s*[^)）]*[)）]|[（(]\s*[KS]\s*=?\s*[)）]")
_ATT_HEADER = re.compile(r"職能內涵\s*[（(]\s*A\s*[=＝]\s*(?:attitudes?)?\s*態度\s*[)）]|^\s*態度\s*$",
                         re.I)
_NOTES_HEADER = re.compile(r"^\s*說明與補充事項\s*[:：]?")
# The provenance line kmc-reports prints at the end of its own documents (wrapped over lines
# in a PDF): reading one of them back stops there.
_OUR_FOOTER = re.compile(r"^[^\S\n]*資料來源：職能基準[^\n]*(?:\n[^\n]*){0,2}?本\s*文\s*件\s*由\s*kmc-reports",
                         re.M)


@dataclass
class _Line:
    no: int
    text: str
    page_break: bool = False  # a page break (marker, form feed or repeated header) came before
    gap: bool = False  # pages are missing before it: nothing carries over


@dataclass
class _Sections:
    head: list[_Line] = field(default_factory=list)
    table: list[_Line] = field(default_factory=list)
    header: str = ""
    attitudes: list[_Line] = field(default_factory=list)
    notes: list[_Line] = field(default_factory=list)
    pages: list[tuple[int, int]] = field(default_factory=list)  # 「第 N 頁，總共 M 頁」 seen
    form_feeds: bool = False  # pages end in form feeds, as pdftotext prints them


def _check_pages(pages: list[tuple[int, int]], warn) -> None:
    """Pages missing, doubled or out of order (a page lost when the file was put together):
    what joins across such a break cannot be trusted."""
    if not pages:
        return
    numbers = [n for n, _ in pages]
    total = max(m for _, m in pages)
    # only between markers seen: copies often keep the first page's marker alone
    missing = [n for n in range(min(numbers), max(numbers) + 1) if n not in numbers]
    doubled = sorted({n for n in numbers if numbers.count(n) > 1})
    if missing:
        warn(f"頁碼顯示共 {total} 頁，缺第 {'、'.join(map(str, missing))} 頁；"
             f"缺頁前後的內容可能不完整或接錯，請以完整的檔案重新匯入")
    if doubled:
        warn(f"第 {'、'.join(map(str, doubled))} 頁重複出現；重複的內容可能接錯，請檢查來源")
    elif numbers != sorted(numbers):
        warn("頁面順序錯亂（頁碼不是遞增）；跨頁的內容可能接錯，請檢查來源")


def read_icap_text(text: str, path: str, warn) -> Standard:
    sections = _split(text, path)
    head = [flat(ln.text) for ln in sections.head]
    profile = " ".join(h for h in head if h)
    code = _search(rf"職能基準代碼\s*[:：]?\s*({STD_CODE})", profile)
    if not code:
        raise KmcError("不是 iCAP 職能基準：找不到職能基準代碼", path)

    def w(msg: str) -> None:
        warn(f"{code}：{msg}")

    level, printed_level = parse_level(_search(r"基準級別\s*[:：]?\s*(\S+)", profile))
    if level is None:
        w(f"基準級別「{printed_level}」不是 1–6 級；不推定級別" if printed_level
          else "找不到基準級別；不推定級別")
    builder = TableBuilder(w)
    _check_pages(sections.pages, w)
    if _side_by_side(sections.table):
        raise KmcError(f"{code}：這是並排版面的文字（如 pdftotext -layout），各欄文字無法可靠分開；"
                       f"請直接匯入 PDF 檔，或改用 pdftotext -raw", path)
    rows = _rows(sections, path, w)
    if not rows:
        raise KmcError(f"{code}：主要職責與工作任務的表格缺漏或空白（檔案不完整？若是 pdftotext "
                       f"的輸出，請加 -raw，或直接匯入 PDF 檔）", path)
    if not sections.attitudes and not sections.notes:
        raise KmcError(f"{code}：內容在表格中就結束了，缺少職能內涵（A）與說明與補充事項"
                       f"（檔案不完整？）", path)
    if not sections.notes:  # every iCAP standard ends with this section, if only 「無」
        raise KmcError(f"{code}：內容在「說明與補充事項」（每項職能基準的最後一節）之前就結束了"
                       f"（檔案不完整？）", path)
    for row in rows:
        builder.add(row)
    duties = builder.duties_model()
    if not duties:
        raise KmcError(f"{code}：表格中找不到任何工作任務（檔案不完整？）", path)
    refs = builder.footnote_refs()

    description, desc_markers = clean(_search(
        r"工作描述\s*[:：]?\s*(.*?)\s*(?:基準級別|版本沿革|版本\s+職能基準代碼|$)", profile)
                                      or "")
    for m in desc_markers:
        refs.setdefault(m.number, []).append(_ref("description", m.text))
    attitudes = _attitudes(sections.attitudes, refs)
    if not attitudes:
        w("找不到職能內涵（A＝態度）")
    notes = _notes(sections.notes, refs, w)
    std = Standard(
        code=code,
        name=_name(profile, head) or code,
        level=level,
        printed_level=printed_level,
        categories=_categories(profile),
        description=description,
        versions=_versions(sections.head),
        duties=duties,
        attitudes=attitudes,
        notes=notes,
    )
    # pdftotext output: its pages end in form feeds, its table comes as a stream of lines
    return drop_font_gaps(std) if sections.form_feeds and _is_stream(sections) else std


_COLUMN_GAP = re.compile(r"\S {3,}\S")


def _side_by_side(lines: list[_Line]) -> bool:
    """Columns printed side by side on each line, separated by runs of spaces (pdftotext
    -layout): no reader can tell where one cell's wrapped text continues."""
    text = [ln.text for ln in lines if ln.text.strip() and "\t" not in ln.text
            and not ln.text.lstrip().startswith("|")]
    return len(text) >= 10 and sum(1 for t in text if len(_COLUMN_GAP.findall(t)) >= 2) \
        >= 0.4 * len(text)


def _ref(place: str, text: str) -> FootnoteRef:
    return FootnoteRef(place=place, text=text)


def _search(pattern: str, text: str) -> str:
    m = re.search(pattern, text, re.S)
    return m.group(1).strip() if m else ""


# -- sections -------------------------------------------------------------------------------


def _is_table_header(text: str) -> bool:
    t = flat(text)
    return "行為指標" in t and ("工作任務" in t or "主要職責" in t)


def _is_header_rest(text: str) -> bool:
    """A line made only of header words (pdftotext prints a header cell over many lines)."""
    t = flat(text)
    return bool(_HEADER_WORDS.search(t)) and not _HEADER_WORDS.sub("", t).strip(" ()（）")


# What the header row's cells are made of; a wrapped header cell leaves pieces such as
# 「（K=knowledge 知」 and 「識）」 on lines of their own.
_HEADER_CHARS = set("主要職責工作任務活動產出行為指標職能級別內涵知識技能態度（）()[]KSA=knowledgeskillsattitude"
                    "KNOWLEDGESKILLS ")
_HEADER_END = re.compile(r"(?:技能|skills?)\s*[)）]\s*$|[（(]\s*S\s*[)）]\s*$", re.I)


def _header_piece(text: str) -> bool:
    t = flat(text)
    return bool(t) and set(t) <= _HEADER_CHARS


def _split(text: str, path: str) -> _Sections:
    s = _Sections()
    part = "head"
    pending_break = pending_gap = False
    in_header = False
    footer = _OUR_FOOTER.search(text)
    raw_lines = text[:footer.start() if footer else len(text)].split("\n")
    for no, raw in enumerate(raw_lines, 1):
        if "\f" in raw:
            pending_break = s.form_feeds = True
            raw = raw.replace("\f", "")
        if page := _PAGE.match(raw):
            pending_break = True
            pending_gap = bool(s.pages) and int(page.group(1)) != s.pages[-1][0] + 1
            s.pages.append((int(page.group(1)), int(page.group(2))))
            continue
        if not raw.strip():
            continue
        stripped = flat(raw)
        if part in ("head", "table") and _is_table_header(raw):
            if part == "table":
                pending_break = True
            else:
                s.header = raw
            part = "table"
            in_header = not _HEADER_END.search(flat(raw))
            continue
        if in_header and (_is_header_rest(raw) or _header_piece(raw)):
            in_header = not _HEADER_END.search(flat(raw))
            continue
        in_header = False
        att = _ATT_HEADER.search(stripped) if part in ("table", "attitudes") else None
        notes = _NOTES_HEADER.match(stripped) if part != "head" else None
        if att or notes:  # a section heading, perhaps with the first line of its text
            pending_break = pending_break or (att is not None and part == "attitudes")
            part = "attitudes" if att else "notes"
            raw = (_ATT_HEADER if att else _NOTES_HEADER).sub("", flat(raw), count=1)
            if not raw.strip():
                continue
        getattr(s, part).append(_Line(no, raw, pending_break, pending_gap))
        pending_break = pending_gap = False
    return s


# -- table rows by layout -----------------------------------------------------------------


def _is_stream(s: _Sections) -> bool:
    """Is the table printed line by line (pdftotext), not as tab or pipe cells?"""
    return "\t" not in s.header and not s.header.lstrip().startswith("|")


def _rows(s: _Sections, path: str, warn=lambda _: None) -> list[Row]:
    if not s.table:
        return []
    if "\t" in s.header:
        return _cell_rows(s, lambda ln: ln.text.split("\t"), s.header.split("\t"))
    if s.header.lstrip().startswith("|"):
        cut = lambda ln: [c for c in ln.text.strip().strip("|").split("|")]  # noqa: E731
        lines = [ln for ln in s.table if not re.fullmatch(r"[\s|:\-]+", ln.text)]
        return _cell_rows(_Sections(table=lines), cut, s.header.strip().strip("|").split("|"))
    reader = _StreamReader(s.table)
    rows = reader.rows()
    for line, text, codes in reader.unsure:
        warn(f"{PurePath(path).name} 第 {line} 行起：跨頁接續的文字（「{text}」起）無法確定分屬 "
             f"{'、'.join(dict.fromkeys(codes))} 的哪一格，已依欄寬推定；請對照原始 PDF 檢查")
    return rows


def _header_columns(cells: list[str]) -> list[str | None]:
    """Which model column each printed column holds (older standards: 工作任務/工作活動)."""
    names = [flat(c) for c in cells]
    old_style = any("工作活動" in n for n in names)
    cols: list[str | None] = []
    for n in names:
        if "主要職責" in n or (old_style and "工作任務" in n):
            cols.append("duty")
        elif "工作任務" in n or "工作活動" in n:
            cols.append("task")
        elif "產出" in n:
            cols.append("output")
        elif "行為指標" in n:
            cols.append("indicator")
        elif "K" in n and "=" in n or "知識" in n:
            cols.append("knowledge")
        elif "S" in n and "=" in n or "技能" in n:
            cols.append("skill")
        elif "級別" in n:
            cols.append("level")
        else:
            cols.append(None)
    return cols


def _cell_rows(s: _Sections, cut, header: list[str]) -> list[Row]:
    cols = _header_columns(header)
    rows = []
    for ln in s.table:
        cells = cut(ln)
        if len([c for c in cells if c.strip()]) == 0:
            continue
        row = Row({}, ln.no)
        for col, cell in zip(cols, cells):
            if col:
                row.cells[col] = (row.cells.get(col, "") + "\n" + cell).strip()
        if len(cells) > len(cols):
            extra = join_cjk(strip_markup(" ".join(cells[len(cols):])))
            if extra:
                row.cells["skill"] = row.cells.get("skill", "") + "\n" + " ".join(
                    cells[len(cols):])
        rows.append(row)
    return rows


# A level cell: a lone digit on its line, or before the first K/S item it shares a line with.
_LEVEL = re.compile(r"(?:^|(?<=\s))[1-6](?=\s+[KS]\d|\s*$)")
_ORDER = {c: i for i, c in enumerate(COLUMNS)}


@dataclass
class _Cell:
    col: str
    lines: list[str]
    coded: bool


class _StreamReader:
    """pdftotext without -layout: a row's cells come one after another, each wrapped over
    several lines; after a page break the unfinished cells of the row continue, in column
    order, often several on one line.  A cell is unfinished when its last line fills the
    column's width, which is measured from the text itself."""

    def __init__(self, lines: list[_Line]):
        self.lines = lines

    def _pieces(self):
        """Split lines into (line, col or None, text, page_break) pieces; None = no code."""
        for ln in self.lines:
            brk = ln.page_break
            for col, chunk in _split_codes(ln.text.strip()):
                yield ln, col, chunk, brk
                brk = False

    def _widths(self) -> dict[tuple[str, bool], int]:
        """How wide each column's first lines and further lines run, from the text.

        First lines carry the code (in a hanging indent in some columns), so the two are
        measured apart.  Only rows no page break has cut are measured, and only lines inside
        a cell (not its last), which are full lines: their median is the column's width."""
        cells: list[tuple[str, list[str]]] = []
        cut = False
        for _, col, chunk, brk in self._pieces():
            cut = (cut or brk) and col not in ("duty", "task")
            if cut:
                continue
            if col:
                cells.append((col, [chunk]))
            elif cells:
                cells[-1][1].append(chunk)
        samples: dict[tuple[str, bool], list[int]] = {}
        for col, lines in cells:
            if len(lines) > 1:
                samples.setdefault((col, True), []).append(width(lines[0]))
            for line in lines[1:-1]:
                samples.setdefault((col, False), []).append(width(line))
        wid = {k: statistics.median_high(v) for k, v in samples.items()}
        for col, _ in cells:  # a column whose cells never wrap: its widest line
            if (col, True) not in wid:
                wid[(col, True)] = max(width(ls[0]) for c, ls in cells if c == col)
            widest = max((width(ls[-1]) for c, ls in cells if c == col and len(ls) > 1),
                         default=0)
            if (col, False) not in wid and widest >= wid[(col, True)] * 3 // 4:
                # no cell of three lines: a last line nearly as wide as the first lines
                # shows how wide further lines run (they may be indented less)
                wid[(col, False)] = widest
        # the widest line each column holds: no line of it is wider
        self.cap = {}
        for col, lines in cells:
            for i, line in enumerate(lines):
                key = (col, i == 0)
                self.cap[key] = max(self.cap.get(key, 0), _print_width(line))
        return wid

    def rows(self) -> list[Row]:
        self.wid = self._widths()
        self.rows_: list[list[_Cell]] = [[]]
        self.open: list[_Cell] = []  # cells a page break left unfinished
        self.buf: list[str] = []  # lines not yet placed
        self.buf_lines: list[int] = []  # their line numbers in the file
        # lines carried over a page break and placed by a guess: line number, text, cells
        self.unsure: list[tuple[int, str, list[str]]] = []
        self.last: str | None = None  # column of the last coded cell since the break
        cur: _Cell | None = None
        for ln, col, chunk, brk in self._pieces():
            if brk:
                self._flush(None)
                prev = self.rows_[-1]
                lines = _lines_per_column(prev)
                room = max(lines.values(), default=0)
                self.open = [c for c in prev if c.col != "level"
                             and (self._full(c) or _ends_in_code(c))
                             and _last_of_col(prev, c) and lines[c.col] == room
                             and not ln.gap]
                self.rows_.append([])
                cur, self.last = None, None
            if col is None:
                if cur is not None and not self.buf and self._continues(cur, chunk):
                    cur.lines.append(chunk)
                else:
                    self.buf.append(chunk)
                    self.buf_lines.append(ln.no)
                continue
            if col in ("duty", "task"):  # a new row, unless a task follows its duty
                self._flush(None)
                row = self.rows_[-1]
                if col == "duty" and row and all(c.col == "duty" for c in row) and \
                        chunk.split()[0] == row[0].lines[0].split()[0]:
                    col = "task"  # the duty's code again: a task printed with it
                if col == "task" and row and row[-1].col == "task":
                    # nothing printed between two tasks: one cell holds a block of tasks
                    row[-1].lines.append(chunk)
                    cur, self.last = row[-1], col
                    continue
                if row and not (col == "task" and all(c.col == "duty" for c in row)):
                    self.rows_.append([])
                    self.open, self.last = [], None
            else:
                self._flush(col)
                row = self.rows_[-1]
                if col in ("output", "indicator", "level") and \
                        any(c.coded and _ORDER[c.col] > _ORDER[col] for c in row):
                    # an earlier column after later ones: the task's next row (another band)
                    self.rows_.append([])
                    self.open = []
            cur = _Cell(col, [chunk], True)
            self.rows_[-1].append(cur)
            self.open = [c for c in self.open if _ORDER[c.col] > _ORDER[col]]
            self.last = col
        self._flush(None)
        out = []
        for cells in self.rows_:
            row = Row({}, self.lines[0].no)
            for c in cells:
                row.cells[c.col] = (row.cells.get(c.col, "") + "\n" + "\n".join(c.lines)).strip()
            out.append(row)
        return out

    def _full(self, cell: _Cell, line: str | None = None) -> bool:
        """Does the cell's last line (or `line`, as a further line) fill its column?"""
        first = line is None and len(cell.lines) == 1 and cell.coded
        ref = self.wid.get((cell.col, first)) or self.wid.get((cell.col, not first), 0)
        return width(cell.lines[-1] if line is None else line) >= ref - max(2, ref // 8)

    def _wraps(self, col: str, first: bool, line: str, nxt: str) -> bool:
        """Was `line` (a first line of its cell or a further one) broken before `nxt`, the text
        of the line after it?  Only when what starts `nxt` (a character with the punctuation
        that may not begin a line, or a whole Latin word) would not have fitted on it: the
        widest line of the column shows what fits."""
        cap = self.cap.get((col, first)) or self.cap.get((col, not first))
        return cap is None or _print_width(line) + _print_width(_lead(nxt)) > cap

    def _fits(self, col: str, line: str) -> bool:
        return width(line) <= max(self.wid.get((col, True), 0),
                                  self.wid.get((col, False), 0)) + 1

    def _continues(self, cell: _Cell, line: str) -> bool:
        """Is a line without a code the next line of the cell above it?  Yes when the cell's
        last line is full and the line fits the column; a short last line still goes on unless
        a cell left open by a page break waits in a later column, or the cell is a task name
        (the line may be an output printed without a code)."""
        if not self._fits(cell.col, line):
            return False
        waiting = any(_ORDER[c.col] > _ORDER[cell.col] for c in self.open)
        if waiting:
            # a cell a page break left open waits for its text: only a line the cell's last
            # line was broken before is the cell's own
            return self._wraps(cell.col, len(cell.lines) == 1 and cell.coded, cell.lines[-1],
                               line)
        return self._full(cell) or cell.col not in ("duty", "task")

    def _flush(self, next_col: str | None) -> None:
        """Place the lines that came without a code, before a cell of `next_col` (None: before
        a new row or page).  They continue unfinished cells in column order, the last ones
        the cell nearest to `next_col`: a cell's tail comes right before the cell's next item.
        Line by line they stay in one cell while a line fills that cell's column, as long as
        every waiting cell can still get a line."""
        if not self.buf:
            return
        lo = _ORDER[self.last] if self.last else -1
        hi = _ORDER[next_col] if next_col else len(COLUMNS)
        eligible = [c for c in self.open if lo < _ORDER[c.col] <= hi]
        pieces = [(p, i) for i, line in enumerate(self.buf) for p in split_cjk_gaps(line)]
        waiting = list(eligible)
        head: list[_Cell | str] = []
        if len(pieces) > 1 and pieces[1][1] == 0:
            # cells' first lines joined on one baseline: one piece per cell, in column order.
            # A cell whose last line only looked full has no piece: when the pieces do not
            # fit the first cells, they are those nearest the next item.
            first = [text for text, line_no in pieces if line_no == 0][:len(eligible)]
            left, right = eligible[:len(first)], eligible[len(eligible) - len(first):]
            head = left if all(self._fits(c.col, t) for c, t in zip(left, first)) or \
                not all(self._fits(c.col, t) for c, t in zip(right, first)) else right
            eligible = eligible[eligible.index(head[-1]):] if head else eligible
        targets: list[_Cell | str] = []
        k = len(eligible)
        for i in reversed(range(len(head), len(pieces))):
            text, line_no = pieces[i]
            nxt = targets[0] if targets else None
            # more lines left than cells still waiting for one (a head cell got its line)
            spare = i - len(head) + 1 > k - (1 if head else 0)
            if isinstance(nxt, _Cell) and line_no != pieces[i + 1][1] and spare and \
                    self._wraps(nxt.col, False, text, pieces[i + 1][0]) and \
                    self._fits(nxt.col, text):
                targets.insert(0, nxt)
                continue
            while k > 0 and not self._fits(eligible[k - 1].col, text):
                k -= 1
            if k > 0:
                k -= 1
                targets.insert(0, eligible[k])
            elif (col := self._new_column(lo, hi)) in ("duty", "task") and \
                    isinstance(nxt, _Cell) and self._fits(nxt.col, text):
                # no cell waits for it, and a duty or task never starts without its code:
                # the line above of the same cell
                targets.insert(0, nxt)
            else:
                targets.insert(0, col)
        targets = head + targets
        if len(waiting) > 1 and all(isinstance(t, _Cell) for t in targets):
            _, way = self._placements(pieces, waiting)
            if way is not None:
                targets = [waiting[j] for j in way]  # the only placement that fits
            else:
                self.unsure.append((self.buf_lines[0] if self.buf_lines else 0, self.buf[0],
                                    [_cell_code(self.rows_, c) for c in waiting]))
        placed: dict[int, _Cell] = {}
        for (text, _), target in zip(pieces, targets):
            if isinstance(target, str):  # an uncoded cell of its own (e.g. an output)
                row = self.rows_[-1]
                same = [c for c in row if c.col == target]
                cell = same[-1] if same else None
                if cell is None:
                    cell = _Cell(target, [], False)
                    row.append(cell)
                cell.lines.append(text)
                continue
            cell = placed.get(id(target))
            if cell is None:
                cell = placed[id(target)] = _Cell(target.col, [], False)
                self.rows_[-1].append(cell)
                self.open.remove(target)
            cell.lines.append(text)
        self.buf, self.buf_lines = [], []

    def _placements(self, pieces: list[tuple[str, int]],
                    cells: list[_Cell]) -> tuple[int, list[int] | None]:
        """In how many ways (0, 1 or 2 for more) the lines carried over a page break can go to
        the waiting cells, and the way when there is one (the cell index of each piece).  The
        cells' lines come one cell after another in column order; within a cell every line
        but the last is broken where the next one's start would not fit, and a cell's first
        carried line is what its last line before the break was broken before; the page's top
        line holds the first lines of several cells when pdftotext joined them (one baseline),
        one piece each, and such a cell has no further line."""
        n = len(pieces)
        if n > 200:  # not a page's worth of lines: nothing to check it against
            return 2, None

        def starts(j: int, text: str) -> bool:
            c = cells[j]
            return self._fits(c.col, text) and self._wraps(
                c.col, len(c.lines) == 1 and c.coded, c.lines[-1], text)

        def options(i: int, j: int, part: str):
            """Where piece i can go after piece i-1 went to cell j, whose text on that line is
            `part`.  Only the page's top line holds several cells (one piece each); pieces of
            a line below are one cell's text with a space in it."""
            text, line_no = pieces[i]
            col = cells[j].col
            if line_no == pieces[i - 1][1] and line_no != pieces[0][1]:
                if self._fits(col, f"{part} {text}"):
                    yield j, f"{part} {text}"
                return
            if line_no != pieces[i - 1][1] and self._wraps(col, False, part, text) and \
                    self._fits(col, text):
                yield j, text
            for j2 in range(j + 1, len(cells)):
                if starts(j2, text):
                    yield j2, text

        memo: dict[tuple, int] = {}

        def count(i: int, j: int, part: str) -> int:
            if i == n:
                return 1
            key = (i, j, part)
            if key not in memo:
                total = 0
                for option in options(i, j, part):
                    total += count(i + 1, *option)
                    if total >= 2:
                        break
                memo[key] = min(total, 2)
            return memo[key]

        first = [(j, pieces[0][0]) for j in range(len(cells)) if starts(j, pieces[0][0])]
        total = min(2, sum(count(1, *o) for o in first))
        if total != 1:
            return total, None
        way, choices = [], first
        for i in range(1, n + 1):
            option = next(o for o in choices if count(i, *o))
            way.append(option[0])
            if i < n:
                choices = list(options(i, *option))
        return 1, way

    def _new_column(self, lo: int, hi: int) -> str:
        """The column a line belongs to when no cell is waiting for it: the first empty
        column after the last coded one (an output printed without a code), else that one."""
        row_cols = {c.col for c in self.rows_[-1]}
        for col in COLUMNS[lo + 1:hi]:
            if col != "level" and col not in row_cols:
                return col
        return COLUMNS[lo] if lo >= 0 else "task"


_COLUMN_NAMES = {"duty": "主要職責", "task": "工作任務", "output": "工作產出",
                 "indicator": "行為指標", "level": "職能級別", "knowledge": "知識", "skill": "技能"}


def _cell_code(rows: list[list[_Cell]], cell: _Cell) -> str:
    """The code of the item a cell's last text belongs to (its column's last code up to it)."""
    for row in reversed(rows):
        if cell in row:
            for c in reversed(row[:row.index(cell) + 1]):
                if c.col == cell.col and c.coded:
                    return c.lines[0].split()[0]
            break
    return _COLUMN_NAMES[cell.col]


def _lines_per_column(cells: list[_Cell]) -> dict[str, int]:
    """How many lines each column of a row fills on its page.  A page break cuts a row's cells
    at one height: only the cells that fill the row's full height there can go on."""
    out: dict[str, int] = {}
    for c in cells:
        out[c.col] = out.get(c.col, 0) + len(c.lines)
    return out


_NO_LINE_START = set("，。、；：？！）」』】〉》,.;:!?)]}%")
_NO_LINE_END = set("（「『【〈《([{")
_CODE_AT_END = re.compile(r"(?:^|\s)(?:T\d+(?:\.\d+)?|[OP]\.?\d+(?:\.\d+){1,2}|[KSA]\d+)$")


# Widths of Latin characters in a proportional sans font (DejaVu Sans, Arial and the like
# differ little), in ems; CJK characters are 1 em.  `width` counts every Latin character as
# half a CJK one, which misjudges lines with codes or Latin words by a character or more.
_LATIN_EM = {**dict.fromkeys("0123456789", .64), **dict.fromkeys(" .,", .32),
             **dict.fromkeys(":;/\\'|!", .34), **dict.fromkeys("()[]{}-", .38),
             **dict.fromkeys("IJijl", .28), **dict.fromkeys("ftr", .38),
             **dict.fromkeys("MWmw", .9), **dict.fromkeys("&%@#", .9)}


def _print_width(text: str) -> float:
    """How wide `text` prints, in the units of `width` (a CJK character is 2)."""
    total = 0.0
    for ch in text:
        if ch.isascii():
            total += _LATIN_EM.get(ch, .7 if ch.isupper() else .6)
        else:
            total += 1 if unicodedata.east_asian_width(ch) in "WF" else .6
    return 2 * total


def _lead(text: str) -> str:
    """What a line break could not have separated from the start of `text`: its first
    character (with an opening bracket, the next one too) and the punctuation that may not
    begin a line, or its first Latin word."""
    text = text.strip()
    if not text:
        return ""
    if text[0].isascii() and not text[0].isspace():
        return re.match(r"[!-~]+", text).group()
    n = 2 if text[0] in _NO_LINE_END else 1
    while n < len(text) and text[n] in _NO_LINE_START:
        n += 1
    return text[:n]


def _ends_in_code(cell: _Cell) -> bool:
    """A cell whose last line ends with a bare code: its text is still to come."""
    return bool(_CODE_AT_END.search(cell.lines[-1].strip()))


def _last_of_col(cells: list[_Cell], cell: _Cell) -> bool:
    return [c for c in cells if c.col == cell.col][-1] is cell


def _split_codes(text: str):
    """Cut a line where a code starts a new cell: at its start, or after a space for the
    same or a later column (pdftotext puts cells that share a baseline on one line)."""
    cuts = [(m.start(), "level") for m in _LEVEL.finditer(text)]
    for col in ("duty", "task", "output", "indicator", "knowledge", "skill"):
        for i, m in enumerate(CODE_RES[col].finditer(text)):
            if m.start() == 0 or text[m.start() - 1].isspace():
                # a second duty code on a duty's line is a task printed with the duty's code
                cuts.append((m.start(), "task" if col == "duty" and i else col))
    cuts.sort()
    kept: list[tuple[int, str]] = []
    for pos, col in cuts:
        if pos == 0 or (kept and _ORDER[col] >= _ORDER[kept[-1][1]]):
            kept.append((pos, col))
    if not kept or kept[0][0] != 0:
        first_end = kept[0][0] if kept else len(text)
        yield None, text[:first_end].strip()
    for i, (pos, col) in enumerate(kept):
        end = kept[i + 1][0] if i + 1 < len(kept) else len(text)
        yield col, text[pos:end].strip()


# -- profile --------------------------------------------------------------------------------


def _name(profile: str, head: list[str]) -> str:
    m = re.search(r"職類(?!別)\s*(.*?)\s*職業(?!別)\s*(.*?)\s*所屬", profile)
    if m and (m.group(2) or m.group(1)):
        return join_cjk(m.group(2) or m.group(1))
    m = re.search(r"職能基準名稱\s*(?:[（(]\s*擇一填寫\s*[)）])?\s*[:：]?\s*(.+?)\s+"
                  r"(?:基準級別|職類別|所屬)", profile)
    name = re.sub(r"^(?:職類(?!別)\s*)?(?:職業(?!別)\s*)?", "", m.group(1)) if m else ""
    if name:
        return join_cjk(name)
    for h in head:  # the title, perhaps after the code in a running header
        h = re.sub(rf"^{STD_CODE}\s*", "", h)
        if h.endswith("職能基準") and len(h) > 4:
            return h[: -len("職能基準")].strip()
    return ""


def _categories(profile: str) -> Categories:
    """職類別/職業別/行業別 with their codes.  Several categories print their codes joined
    (「SET／SET」); the names are then split at the same mark, never at 「/」 inside a name."""
    def find(label: str) -> list[Category]:
        if f"{label}代碼" not in profile:  # 「職類別 名稱（代碼）」, as profiles print it
            m = re.search(rf"(?<!\S){label}\s+(.*?)(?=\s(?:職類別|職業別|行業別|工作描述|基準級別|"
                          rf"版本沿革)\s|$)", profile)
            return [Category(name=join_cjk(n), code=c) for n, c in re.findall(
                r"\s*(.+?)[（(]([A-Z0-9]+)[)）](?=\s|$)", m.group(1))] if m else []
        out = []
        pat = (rf"(?<!\S){label}\s+(.*?)\s*{label}代碼\s*[:：]?\s*"
               r"([A-Z0-9]+(?:\s*[、,，/／]\s*[A-Z0-9]+)*)?")
        for m in re.finditer(pat, profile):
            name = join_cjk(m.group(1))
            sep = re.search(r"\s*([、,，/／])\s*", m.group(2) or "")
            codes = [c for c in re.split(r"\s*[、,，/／]\s*", m.group(2) or "") if c]
            names = [name]
            if sep and len(codes) > 1:
                mark = sep.group(1)
                marks = mark if mark in "/／" else "、,，；;"
                names = [n.strip() for n in re.split(rf"\s*[{marks}]\s*", name, len(codes) - 1)]
            if len(codes) > 1 and len(names) == len(codes):
                out += [Category(name=n, code=c) for n, c in zip(names, codes)]
            elif name:
                out.append(Category(name=name, code="、".join(codes)))
        return out

    return Categories(job_categories=find("職類別"), occupations=find("職業別"),
                      industries=find("行業別"))


_VERSION = re.compile(rf"^(V\d+|{STD_CODE})\s+({STD_CODE})\s+(.*?)\s+(\S*版本|\S*停用|廢止)\s+"
                      r"(.*?)\s*(\d{4}[/.\-]\d{1,2}[/.\-]\d{1,2}|Unknown|不詳|未載明)\s*$")
_VERSION_START = re.compile(rf"^(?:V\d+|{STD_CODE})\s+{STD_CODE}\s")


def _versions(head: list[_Line]) -> list[Version]:
    """Rows of the version table: tab/pipe cells, or text rows that a PDF wraps over lines
    (a row starts with its version and code and ends with its date)."""
    out = []
    record = ""
    for ln in head + [_Line(0, "")]:
        cells = [flat(c) for c in re.split(r"\t|\|", ln.text.strip().strip("|"))]
        cells = [c for c in cells if c]
        if len(cells) == 6 and _VERSION_START.match(" ".join(cells[:2]) + " "):
            out.append(_version(*cells))
            continue
        text = flat(ln.text)
        if record and not _VERSION_START.match(text) and not _VERSION.match(record) and \
                text and not text.startswith("職能基準代碼"):
            record += " " + text
            continue
        if record and (m := _VERSION.match(record)):
            out.append(_version(*m.groups()))
        record = text if _VERSION_START.match(text) else ""
    return out


def _version(v: str, c: str, n: str, st: str, note: str, d: str) -> Version:
    # 「未載明」: how kmc-reports prints a version without a date (reading its profile back)
    return Version(version=v, code=c, name=join_cjk(n), status=st, note=join_cjk(note),
                   date="" if d == "未載明" else d)


# -- attitudes and notes -------------------------------------------------------------------

_BULLET = re.compile(r"^[\s\-*•●⚫◆◇■□▪·‧–\uf000-\uf8ff]+")


_ATT_TABLE_HEAD = re.compile(r"(?:\s*(?:代碼|態度|說明)\s*)+")
_NO_ATTITUDES = re.compile(r"^\s*(?:無|本職能基準未列態度項目。?)\s*$")


def _attitudes(lines: list[_Line], refs) -> list[Attitude]:
    rows = [[flat(c) for c in ln.text.split("\t")] for ln in lines]
    if rows and all(len(r) == 3 for r in rows) and any(CODE_RES["attitude"].fullmatch(r[0])
                                                       for r in rows):
        # a table of code | name | description (as profiles print it); its header row skipped
        lines = [_Line(ln.no, f"{r[0]} {r[1]}：{r[2]}" if r[2] else f"{r[0]} {r[1]}")
                 for ln, r in zip(lines, rows) if CODE_RES["attitude"].fullmatch(r[0])]
    lines = [ln for ln in lines if not _ATT_TABLE_HEAD.fullmatch(flat(ln.text))
             and not _NO_ATTITUDES.search(flat(ln.text))]
    text = "\n".join(_BULLET.sub("", flat(ln.text)) for ln in lines)
    lead, items = split_items(text, "attitude")
    out = []
    if not items and lead.strip():
        items = [(None, ln) for ln in lead.split("\n") if ln.strip()]
    for code, raw in items:
        body, markers = take_markers(raw)
        for m in markers:
            refs.setdefault(m.number, []).append(_ref(code or "attitudes", m.text))
        body = join_cjk(body)
        sep = re.search(r"[：:]", body)
        name, desc = (body[:sep.start()], body[sep.end():]) if sep else (body, "")
        name, desc = name.strip(), desc.strip()
        if name:
            out.append(Attitude(code=code, name=name, description=desc))
    return out


def _is_note_heading(text: str) -> bool:
    return bool(QUAL_HEAD.match(text) or _OTHER_HEAD.match(text))


def _note_lines(lines: list[_Line]) -> list[tuple[int, str]]:
    """(depth, text) for each note line, from HTML lists, markdown bullets or PDF bullets.
    Where the notes carry bullets (•, ⚫), a line without one continues the bulleted line
    above it: a PDF wraps long items."""
    out: list[tuple[int, str]] = []
    continued = False
    for ln in lines:
        raw = ln.text
        if "<li" in raw or "<ul" in raw:
            depth = 0
            for tok in re.split(r"(<\s*/?\s*(?:ul|li)\b[^>]*>)", raw):
                t = tok.strip().lower()
                if t.startswith("<ul"):
                    depth += 1
                elif t.startswith("</ul"):
                    depth -= 1
                elif t.startswith("<"):
                    continue
                else:
                    text = _BULLET.sub("", flat(tok))
                    if text:
                        out.append((depth, text))
            continue
        indent = len(raw) - len(raw.lstrip(" \t"))
        bullet = _BULLET.match(raw)
        text = _BULLET.sub("", flat(raw))
        marked = bool(bullet and bullet.group().strip())
        if text and not marked and not _is_note_heading(text) and out and continued:
            out[-1] = (out[-1][0], join_cjk(out[-1][1] + " " + text))  # a wrapped line
            continue
        continued = marked and not _is_note_heading(text)
        if text:
            # 「–」 marks a nested item under 「•」 (as our PDFs print lists)
            mark = bullet.group() if bullet else ""
            depth = 1 + indent // 2 + (2 if "–" in mark else
                                       1 if re.search(r"[\uf000-\uf8ff•]", mark) else 0)
            out.append((depth, text))
    return out


_OTHER_HEAD = re.compile(r"^其他補充說明\s*[:：]?\s*")
_FOOTNOTE = re.compile(r"^【\s*註\s*(\d+)\s*】\s*(.*)$")
_NUMBERED = re.compile(r"^\(?\d+[.、)）]")


_NOTE_HEADINGS = ("建議擔任此職類/職業之學歷/經驗/或能力條件", "建議擔任此職類／職業之學歷／經驗／或能力條件",
                  "其他補充說明")


def _notes(lines: list[_Line], refs, warn) -> Notes:
    notes = Notes()
    section = "remarks"
    qual_depth = None
    items = _note_lines(lines)
    last = squash(items[-1][1]) if items else ""
    if last and any(h.startswith(last) and h != last for h in _NOTE_HEADINGS):
        warn(f"說明與補充事項停在標題的一半「{last}」（檔案不完整？）；之後的內容缺漏")
        items = items[:-1]
    for depth, text in items:
        text = join_cjk(text)
        head = QUAL_HEAD.match(text) or _OTHER_HEAD.match(text)
        if head:  # a heading, perhaps followed by its first line
            section, qual_depth = ("qual" if head.re is QUAL_HEAD else "remarks"), None
            text = text[head.end():]
            if not text:
                continue
        m = _FOOTNOTE.match(text)
        if m:
            notes.footnotes.append(Footnote(number=int(m.group(1)), text=m.group(2).strip(),
                                            refs=_dedupe(refs.get(int(m.group(1)), []))))
            continue
        if section == "qual":
            if notes.qualifications and (
                    (qual_depth is not None and depth > qual_depth) or _NUMBERED.match(text)):
                notes.qualifications[-1].items.append(text)
            else:
                qual_depth = depth if qual_depth is None else qual_depth
                notes.qualifications.append(Qualification(text=text))
        else:
            notes.remarks.append(text)
    numbers = {f.number for f in notes.footnotes}
    for n in sorted(set(refs) - numbers):
        warn(f"【註{n}】（{refs[n][0].place}）沒有對應的註解內容")
    return notes


def _dedupe(refs):
    seen, out = set(), []
    for r in refs:
        if (r.place, r.text) not in seen:
            seen.add((r.place, r.text))
            out.append(r)
    return out
