"""Read a standard printed as a PDF table.

The PDF is read in two steps.  First pdfplumber (pdfminer) gives, per page, the characters
with their boxes and the tables found from the ruling lines, as cell boxes; nothing else of
pdfplumber is used after that, so its exceptions are met in one place (:func:`_load`).  Then,
from geometry only:

- each table becomes a grid: its columns and rows are the distinct edges of its cells, and a
  cell covering several grid rows or columns is a merged cell (its text in its first row and
  column, the places it covers "");
- a cell's text is the characters whose centre lies in its box, in lines by position; a space
  stands where the PDF prints one or leaves a gap as wide as a word space, never between CJK
  characters and not for the narrow gap set between CJK and Latin text;
- a line of a cell goes on in the next one when the next one's first word (a CJK character, a
  Latin word or code) would not have fitted at its end and nothing opens a new paragraph (an
  item code, a bullet, a larger gap); a Latin word or code broken there is joined without a
  space (see :func:`_cell_text`); every other line break stays one;
- a place of the grid that no closed cell covers (a page break can leave a cell without its
  rule below) is a cell of its own, down to the next cell of its column; the table reaches
  as far as its vertical rules go on (a row cut inside by a page break has no rule under it);
- text outside the tables becomes paragraphs in reading order (a line wrapped at the right
  edge of the text is joined to the next); the page header 「第 N 頁，總共 M 頁」, running
  headers and footers are dropped;
- a table that goes on at the top of the next page (same column edges) is one table: the
  header rows repeated there are dropped; a column left without a rule under it at the page
  break goes on in its first cell on the next page, which is appended to that column's cell
  above (a cell merged down over the break); where every column is ruled off, the row a page
  break cut is joined again, each column's continuation appended to the same column of the row
  above (see :func:`_continues`).

Backgrounds (filled rectangles that are not thin enough to be rules) are no ruling lines.

Nothing depends on the page size, margins or column widths: columns are the table's own cell
edges, heights are measured from the text.
"""

from __future__ import annotations

import bisect
import io
import logging
import re
import statistics
from dataclasses import dataclass, field

from ..document import CONTINUED
from ..errors import KmcError
from .layout import Table, as_text
from .text import is_cjk

_CID = re.compile(r"\(cid:\d+\)")
_PAGE_MARK = re.compile(r"^第\d+頁[，,]?(?:總共|共)\d+頁$")
_PAGE_NUMBER = re.compile(r"^(?:第\d+頁|\d+/\d+|[-–]?\d+[-–]?|(?:page|p\.)\d+(?:of\d+)?)$", re.I)
_SPACES = re.compile(r"[\s\u3000]+")
# The start of an item in a cell: a code (T1, T1.1, O1.1.1, P1.1, K01, S01, A01, V1).
_ITEM_START = re.compile(r"^[TOPKSAV]\d+(?:\.\d+)*(?![\d.])")
# A duty or task code opening a line.
_TASK_START = re.compile(r"(?m)^\s*T\d+(?:\.\d+)*(?![\d.])")
# Punctuation a line cannot start with (it goes to the line before with the character it
# follows).
_NO_LINE_START = set("。，、；：！？」』）〕】》〉﹚…‥,.;:!?)]}%")
_BULLET = re.compile(r"^[\s\u3000]*[\-*•●⚫◆◇■□▪·‧\uf000-\uf8ff]")

Box = tuple  # (x0, top, x1, bottom)


# -- what pdfplumber gives ----------------------------------------------------------------


@dataclass
class _Char:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass
class _Page:
    chars: list[_Char]
    tables: list[list[Box]]  # the cell boxes of each table
    images: int
    height: float
    printed: int  # characters other than spaces, upright or not
    hrules: list[tuple[float, float, float]] = field(default_factory=list)  # x0, x1, y
    vrules: list[tuple[float, float, float]] = field(default_factory=list)  # x, top, bottom


def _is_background(obj: dict) -> bool:
    """A filled rectangle without a stroke, wider and taller than a rule: a cell's shading,
    which is no ruling line (a cell merged over a page break may be shaded to the page's end)."""
    return obj.get("object_type") == "rect" and bool(obj.get("fill")) \
        and not obj.get("stroke") and min(obj["width"], obj["height"]) > 2


def _load(data: bytes, path: str) -> list[_Page]:
    """Characters and table cells of every page.  Any error of the PDF library is a problem
    of the file; it becomes one KmcError here."""
    import pdfplumber

    # pdfminer logs what it repairs in a damaged file; with no handler Python would print it
    # on stderr beside our one line.  What matters reaches the user as a KmcError.
    logging.getLogger("pdfminer").addHandler(logging.NullHandler())
    logging.getLogger("pdfminer").propagate = False
    pages: list[_Page] = []
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            for page in pdf.pages:
                printed = sum(1 for c in page.chars if c["text"].strip())
                # a glyph the font cannot map comes as 「(cid:12)」: one unknown character
                chars = [_Char("\ufffd" if _CID.fullmatch(c["text"]) else c["text"],
                               float(c["x0"]),
                               float(c["x1"]), float(c["top"]), float(c["bottom"]),
                               float(c.get("size") or 0.0))
                         for c in page.chars if c.get("upright", True) and c["text"]]
                tables, hrules, vrules = [], [], []
                if chars:
                    ruled = page.filter(lambda o: not _is_background(o)) \
                        if any(_is_background(r) for r in page.rects) else page
                    tables = [[tuple(map(float, cell)) for cell in t.cells]
                              for t in ruled.find_tables()]
                    for e in ruled.edges:
                        if e["orientation"] == "h":
                            hrules.append((float(e["x0"]), float(e["x1"]), float(e["top"])))
                        else:
                            vrules.append((float(e["x0"]), float(e["top"]),
                                           float(e["bottom"])))
                pages.append(_Page(chars, tables, len(page.images), float(page.height),
                                   printed, hrules, vrules))
    except Exception as exc:  # pdfminer and pdfplumber raise many kinds for a bad file
        kind = f"{type(exc).__name__} {exc!r}".lower()
        if "password" in kind or "encrypt" in kind or "decrypt" in kind:
            raise KmcError("無法讀取 PDF：檔案已加密（需要密碼），請先解除保護再匯入",
                           path) from None
        raise KmcError("無法讀取 PDF：檔案損毀或不是有效的 PDF", path) from None
    return pages


# -- lines of characters ------------------------------------------------------------------


def _lines(chars: list[_Char]) -> list[list[_Char]]:
    """Characters in lines, top to bottom, each line left to right: a character joins a line
    when its vertical centre lies within the line's height and it does not overlap another
    character of the line (one printed over itself is kept once)."""
    lines: list[tuple[float, float, list[_Char]]] = []  # top, bottom, chars
    for ch in sorted(chars, key=lambda c: (c.top, c.x0)):
        for k in range(len(lines) - 1, max(-1, len(lines) - 4), -1):
            top, bottom, line = lines[k]
            if not top - 0.5 <= ch.cy <= bottom + 0.5:
                continue
            over = [c for c in line if c.x0 + 0.5 < ch.cx < c.x1 - 0.5]
            if not over:
                line.append(ch)
                lines[k] = (min(top, ch.top), max(bottom, ch.bottom), line)
                break
            if any(c.text == ch.text and abs(c.x0 - ch.x0) < 1 and abs(c.top - ch.top) < 1
                   for c in over):
                break  # printed twice (a made-up bold): once is enough
        else:
            lines.append((ch.top, ch.bottom, [ch]))
    for _, _, line in lines:
        line.sort(key=lambda c: c.x0)
    return [line for _, _, line in sorted(lines, key=lambda t: t[0])]


def _space_gap(a: _Char, b: _Char) -> float:
    """How wide a gap between two characters must be to stand for a space the PDF does not
    print as a character.  Between CJK and Latin text word processors leave about a fifth of
    an em (autospace), which is no space; CJK characters one after another get none."""
    size = max(a.size, b.size, 1.0)
    wide_a, wide_b = is_cjk(a.text[-1]), is_cjk(b.text[0])
    if wide_a and wide_b:
        return 1.0 * size
    if wide_a or wide_b:
        return 0.32 * size
    return 0.15 * size


def _line_text(line: list[_Char]) -> str:
    out: list[str] = []
    prev: _Char | None = None
    for ch in line:
        if prev is not None and not prev.text.isspace() and not ch.text.isspace() \
                and ch.x0 - prev.x1 > _space_gap(prev, ch):
            out.append(" ")
        out.append(ch.text)
        prev = ch
    return "".join(out).rstrip()


def _key(text: str) -> str:
    return _SPACES.sub("", text)


# -- tables as grids ----------------------------------------------------------------------


def _edges(values: list[float], tol: float = 1.5) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > tol:
            out.append(v)
    return out


def _index(edges: list[float], v: float) -> int:
    return min(range(len(edges)), key=lambda i: abs(edges[i] - v))


@dataclass
class _Cell:
    box: Box
    r0: int  # its first grid row and column
    r1: int  # the grid row under it
    c0: int
    lines: list[list[_Char]]


@dataclass
class _Grid:
    """One table on one page."""
    xs: list[float]  # column edges
    top: float
    bottom: float
    rows: list[list[str]]
    # per column, the space under the text of the cell over the last row (None: no text):
    # a cell the page break cut is filled down to the bottom
    room: list[float | None]
    pitch: float  # distance of two lines of text
    # per column: no rule under the last row (the cell there goes on after a page break)
    open: list[bool] = field(default_factory=list)
    # per column: the row where the cell over the last row starts (its text stands there)
    starts: list[int] = field(default_factory=list)
    cells: list[_Cell] = field(default_factory=list)
    leading: float = 0.0  # distance of two lines of one paragraph


def _frame(cells: list[Box], vrules: list,
           others: list[list[Box]] = ()) -> tuple[list[float], list[float]]:
    """The column and row edges of a table: its cells' edges, and as far as its vertical
    rules go on from them, up or down (a page break can leave the last row without a rule
    under it, so without a cell pdfplumber could find), but not into another table."""
    xs = _edges([c[0] for c in cells] + [c[2] for c in cells])
    ys = _edges([c[1] for c in cells] + [c[3] for c in cells])
    mine = [(top, bottom) for x, top, bottom in vrules if any(abs(x - e) <= 1.5 for e in xs)]
    floor = min([min(c[1] for c in t) for t in others if t and min(c[1] for c in t) >= ys[-1] - 1]
                + [float("inf")])
    ceiling = max([max(c[3] for c in t) for t in others if t and max(c[3] for c in t) <= ys[0] + 1]
                  + [float("-inf")])
    low, high = ys[-1], ys[0]
    while True:  # rules joined end to end
        more = [b for t, b in mine if t <= low + 1.5 and b > low and b <= floor + 1]
        if not more:
            break
        low = max(more)
    while True:
        more = [t for t, b in mine if b >= high - 1.5 and t < high and t >= ceiling - 1]
        if not more:
            break
        high = min(more)
    if low > ys[-1] + 2:
        ys.append(low)
    if high < ys[0] - 2:
        ys.insert(0, high)
    return xs, ys


def _ruled_below(xs: list[float], y: float, hrules: list, c: int) -> bool:
    """Is there a rule at height y under (most of) column c?"""
    left, right = xs[c], xs[c + 1]
    covered = sum(max(0.0, min(x1, right) - max(x0, left))
                  for x0, x1, at in hrules if abs(at - y) <= 1.5)
    return covered >= 0.5 * (right - left)


def _grid(cells: list[Box], chars: list[_Char], frame=None, hrules=None) -> _Grid:
    xs, ys = frame or _frame(cells, [])
    nrow, ncol = len(ys) - 1, len(xs) - 1
    boxes: list[tuple[Box, int, int, int]] = []
    owner: dict[tuple[int, int], int] = {}  # grid place -> the box covering it
    for box in cells:
        c0, c1 = _index(xs, box[0]), _index(xs, box[2])
        r0, r1 = _index(ys, box[1]), _index(ys, box[3])
        if c1 > c0 and r1 > r0:
            for r in range(r0, r1):
                for c in range(c0, c1):
                    owner.setdefault((r, c), len(boxes))
            boxes.append((box, r0, r1, c0))
    # Places no cell covers: a cell left open by a page break (no rule under it), from the
    # cell above down to the next cell of its column.
    for c in range(ncol):
        r = 0
        while r < nrow:
            if (r, c) in owner:
                r += 1
                continue
            end = r
            while end < nrow and (end, c) not in owner:
                owner[(end, c)] = len(boxes)
                end += 1
            boxes.append(((xs[c], ys[r], xs[c + 1], ys[end]), r, end, c))
            r = end
    inside: list[list[_Char]] = [[] for _ in boxes]
    for ch in chars:  # in the cell holding its centre (every place has one now)
        r = min(max(bisect.bisect(ys, ch.cy) - 1, 0), nrow - 1)
        c = min(max(bisect.bisect(xs, ch.cx) - 1, 0), ncol - 1)
        inside[owner[(r, c)]].append(ch)
    room: list[float | None] = [None] * ncol
    pitches: list[float] = []
    grid_cells: list[_Cell] = []
    for mine, (box, r0, r1, c0) in zip(inside, boxes):
        lines = [ln for ln in _lines(mine) if _line_text(ln).strip()]
        grid_cells.append(_Cell(box, r0, r1, c0, lines))
        tops = [min(c.top for c in ln) for ln in lines]
        pitches += [b - a for a, b in zip(tops, tops[1:])]
        if r1 == nrow and lines:
            room[c0] = box[3] - max(ch.bottom for ln in lines for ch in ln)
    height = statistics.median([ch.bottom - ch.top for ch in chars] or [9.0])
    pitch = statistics.median(pitches) if pitches else 1.3 * height
    leading = min([p for p in pitches if p >= 0.8 * height] or [pitch])
    opened = [not _ruled_below(xs, ys[-1], hrules or [], c) for c in range(ncol)] \
        if hrules is not None else [False] * ncol
    starts = [boxes[owner[(nrow - 1, c)]][1] for c in range(ncol)]
    grid = _Grid(xs, ys[0], ys[-1], [[""] * ncol for _ in range(nrow)], room, pitch,
                 opened, starts, grid_cells, leading)
    _fill(grid, None)
    return grid


# -- the text of a cell: lines wrapped or paragraphs ---------------------------------------


def _ink(line: list[_Char]) -> list[_Char]:
    return [c for c in line if not c.text.isspace()]


def _padding(grids: list[_Grid]) -> float | None:
    """The room a cell leaves beside its text (left and right padding together): the least
    room beside a line of text in any cell (lines that end in punctuation, which may hang
    past the edge, and lines that run into the padding aside).  None: no line tells."""
    lefts, rooms = [], []
    for grid in grids:
        for cell in grid.cells:
            for ln in cell.lines:
                ink = _ink(ln)
                if not ink:
                    continue
                lefts.append(ink[0].x0 - cell.box[0])
                if ink[-1].text not in _NO_LINE_START:
                    rooms.append((cell.box[2] - cell.box[0]) - (ink[-1].x1 - ink[0].x0))
    if not lefts:
        return None
    least = max(min(lefts), 0.0)
    rooms = [r for r in rooms if r >= least]
    return min(rooms) if rooms else None


def _fill(grid: _Grid, pad: float | None) -> None:
    """The rows' texts: each cell's in its first row and column."""
    if pad is None:
        pad = _padding([grid])
    for cell in grid.cells:
        width = None if pad is None else cell.box[2] - cell.box[0] - pad
        grid.rows[cell.r0][cell.c0] = _cell_text(cell.lines, width, grid.leading)


def _cell_text(lines: list[list[_Char]], width: float | None, leading: float) -> str:
    """The lines of a cell as paragraphs (joined by "\\n"): a line the cell's width wrapped
    goes on in the next one (see :func:`_wrapped`).  `width`: what the cell holds of a line
    (None: unknown, every line a paragraph)."""
    out: list[str] = []
    prev: list[_Char] | None = None
    for ln in lines:
        text = _line_text(ln)
        room = _wrapped(prev, ln, text, width, leading) if prev is not None else None
        if room is None:
            out.append(text)
        else:
            out[-1] = _join_wrapped(out[-1], text, room, _ink(ln)[0])
        prev = ln
    return "\n".join(out)


def _wrapped(line: list[_Char], nxt: list[_Char], text: str, width: float | None,
             leading: float) -> float | None:
    """If `nxt` goes on with the paragraph of `line`, the room `line` left at its end; None
    when `nxt` starts a paragraph: it opens with an item code, a bullet or a space, it stands
    further below than the lines of a paragraph do, or its first word (a CJK character, a
    Latin word or code) would have fitted on `line`."""
    if width is None or _ITEM_START.match(text) or _BULLET.match(text) or text[:1].isspace():
        return None
    ink, ink_next = _ink(line), _ink(nxt)
    if not ink or not ink_next:
        return None
    size = max(c.size for c in ink + ink_next) or 1.0
    if min(c.top for c in nxt) - min(c.top for c in line) > leading + 0.15 * size:
        return None
    room = width - (ink[-1].x1 - ink[0].x0)
    return room if room < _lead(nxt) else None


def _join_wrapped(a: str, b: str, room: float, first: _Char) -> str:
    """A wrapped line and the next one: a space between two Latin words only when the line
    could have taken the next one's first letter (so it was broken at a space); a word or
    code broken where the line ended is one again."""
    b = b.lstrip(" \u3000")
    if a and b and a[-1].isascii() and a[-1].isalnum() and b[0].isascii() and b[0].isalnum() \
            and room >= first.x1 - first.x0:
        return f"{a} {b}"
    return a + b


# -- pages to blocks ----------------------------------------------------------------------


@dataclass
class _Line:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    page: int
    lead: float = 0.0  # width of what opens the line: a CJK character (with the punctuation
    #                    that cannot start a line after it) or a Latin word
    first: bool = False  # the first thing on its page
    last: bool = False  # the last thing on its page


def _page_items(page: _Page, number: int) -> list:
    """The tables (grids) and the lines of text outside them, top to bottom."""
    items: list = []
    rest = list(page.chars)
    for cells in page.tables:
        if not cells:
            continue
        xs, ys = frame = _frame(cells, page.vrules, [t for t in page.tables if t is not cells])
        x0, top, x1, bottom = xs[0] - 1, ys[0] - 1, xs[-1] + 1, ys[-1] + 1
        inside = [x0 <= ch.cx <= x1 and top <= ch.cy <= bottom for ch in rest]
        items.append(_grid(cells, [ch for ch, i in zip(rest, inside) if i], frame,
                           page.hrules))
        rest = [ch for ch, i in zip(rest, inside) if not i]
    for line in _lines(rest):
        text = _line_text(line)
        if text.strip():
            items.append(_Line(text, min(c.x0 for c in line), max(c.x1 for c in line),
                               min(c.top for c in line), max(c.bottom for c in line), number,
                               _lead(line)))
    items.sort(key=lambda it: it.top)
    return items


def _lead(line: list[_Char]) -> float:
    chars = [c for c in line if not c.text.isspace()]
    if not chars:
        return 0.0
    end = 1
    if is_cjk(chars[0].text[0]):
        while end < len(chars) and chars[end].text in _NO_LINE_START:
            end += 1
    else:
        while end < len(chars) and not is_cjk(chars[end].text[0]) and \
                chars[end].x0 - chars[end - 1].x1 <= _space_gap(chars[end - 1], chars[end]):
            end += 1
    return chars[end - 1].x1 - chars[0].x0


def _drop_furniture(pages: list[list], heights: list[float]) -> None:
    """Drop page numbers and running headers and footers: 「第 N 頁，總共 M 頁」 anywhere, and
    lines in the top or bottom margin (above or below every table, in the outer eighth of the
    page) that are a bare page number or come back at the same place on other pages.  One
    that changes from page to page only in its digits is dropped everywhere; one printed the
    same is dropped too, but for its first time above the tables (a running title, also the
    title of the document)."""
    def margin(items: list, height: float) -> list[tuple[_Line, bool]]:
        """(line, above the tables) for the lines in the margins."""
        lines = [it for it in items if isinstance(it, _Line)]
        grids = [it for it in items if isinstance(it, _Grid)]
        top = min([g.top for g in grids] + [height / 8])
        bottom = max([g.bottom for g in grids] + [height * 7 / 8])
        return [(ln, ln.bottom <= top) for ln in lines if ln.bottom <= top or ln.top >= bottom]

    def place(ln: _Line) -> tuple[str, int]:
        return re.sub(r"\d+", "#", _key(ln.text)), round(ln.top / 3)

    margins = [margin(items, h) for items, h in zip(pages, heights)]
    texts: dict[tuple[str, int], set[str]] = {}
    count: dict[tuple[str, int], int] = {}
    for lines in margins:
        for key in {place(ln) for ln, _ in lines}:
            count[key] = count.get(key, 0) + 1
        for ln, _ in lines:
            texts.setdefault(place(ln), set()).add(_key(ln.text))
    kept_once: set[str] = set()
    for items, lines in zip(pages, margins):
        drop = set()
        for ln, above in lines:
            key = place(ln)
            if _PAGE_NUMBER.match(_key(ln.text)):
                drop.add(id(ln))
            elif count[key] > 1:
                if len(texts[key]) == 1 and above and _key(ln.text) not in kept_once:
                    kept_once.add(_key(ln.text))
                else:
                    drop.add(id(ln))
        items[:] = [it for it in items if id(it) not in drop and not (
            isinstance(it, _Line) and _PAGE_MARK.match(_key(it.text)))]


def _same_columns(a: _Grid, b: _Grid) -> bool:
    return len(a.xs) == len(b.xs) and all(abs(p - q) <= 2.0 for p, q in zip(a.xs, b.xs))


@dataclass
class _Table:
    """A table over one or more pages."""
    first: _Grid  # its part on the first page (the columns)
    last: _Grid  # its part on the latest page
    rows: list[list[str]]
    # per column: the row of `rows` where the text of the cell over the last row stands
    anchors: list[int] = field(default_factory=list)

    def header(self) -> list[str]:
        return [_key(c) for c in self.rows[0]] if self.rows else []

    def is_main(self) -> bool:
        """The main table: 主要職責｜工作任務｜工作產出｜行為指標｜職能級別｜K｜S."""
        return any("行為指標" in h for h in self.header())

    def level_column(self) -> int | None:
        if not self.is_main():
            return None
        return next((i for i, h in enumerate(self.header()) if "級別" in h), None)

    def task_columns(self) -> list[int]:
        """The main table's duty and task columns."""
        if not self.is_main():
            return []
        return [i for i, h in enumerate(self.header()) if "主要職責" in h or "工作任務" in h]


def _filled_to_bottom(grid: _Grid) -> set[int]:
    """The columns whose text, in the cell over the last row, goes down as far as the
    tallest one's (less than half a line higher): the cells a page break can have cut."""
    rooms = [r for r in grid.room if r is not None]
    if not rooms:
        return set()
    least = min(rooms)
    return {c for c, r in enumerate(grid.room) if r is not None and r - least < 0.6 * grid.pitch}


def _continues(table: _Table, row: list[str]) -> bool:
    """Does the first row under the header on a new page go on with the last row of the page
    before (a row cut by the page break) rather than start a new one?

    Only the columns whose text filled the cut row down to the page break can go on: a row
    with text in any other column is a new row, and so is a row of the main table that prints
    a level (a level stands at the top of its row) or opens its duty or task cell with a code
    where the cell above holds one duty or task (a cell of several tasks can go on with the
    next).  Then a row whose text in some column does not start with a code goes on.  Left:
    every cell starts with a code (the break fell between two items of a cell) — in the main
    table, whose rows print a level or sit beside a merged one, that is the cut row going on;
    in other tables a new row."""
    filled = [i for i, c in enumerate(row) if c.strip()]
    if not filled:
        return True
    if not any(c.strip() for c in table.rows[-1]):
        return False
    if table.is_main() and len(table.rows) == 1:  # the header row alone
        return False
    if table.level_column() in filled:
        return False
    for i in table.task_columns():
        if i in filled and _TASK_START.match(row[i].strip()):
            above = table.rows[table.anchors[i] if i < len(table.anchors) else -1][i]
            if len(_TASK_START.findall(above)) < 2:
                return False
    cut = _filled_to_bottom(table.last)
    if any(i not in cut for i in filled):
        return False
    if any(not _ITEM_START.match(row[i].strip()) for i in filled):
        return True
    return table.is_main()


def _blocks(pages: list[list]) -> list:
    """The document as tables (:class:`_Table`, parts on following pages joined) and lines
    (:class:`_Line`)."""
    blocks: list = []
    for items in pages:
        for k, it in enumerate(items):
            if isinstance(it, _Line):
                it.first, it.last = k == 0, k == len(items) - 1
                blocks.append(it)
                continue
            prev = blocks[-1] if blocks else None
            if k == 0 and isinstance(prev, _Table) and _same_columns(prev.last, it):
                _join(prev, it)
            else:
                blocks.append(_Table(it, it, [list(r) for r in it.rows],
                                     list(it.starts or [len(it.rows) - 1] * len(it.xs[1:]))))
    return blocks


def _join(table: _Table, part: _Grid) -> None:
    """Add a table's part on the next page: without the header rows it repeats.  Where the
    page break left columns without a rule under them, their cells go on: the first cell of
    each such column on this page is appended to that column's cell above, and the first row
    goes on with the last one if nothing else is in it.  Where every column was ruled off,
    the first row is joined to the last one when it goes on with it (:func:`_continues`)."""
    rows = [list(r) for r in part.rows]
    k = 0
    while k < min(len(rows), len(table.rows)) and \
            [_key(c) for c in rows[k]] == [_key(c) for c in table.rows[k]]:
        k += 1
    rows = rows[k:]
    if rows and len(table.rows) > k:
        _drop_repeats(table, rows[0])
    base = len(table.rows)
    opened = [c for c, o in enumerate(table.last.open) if o and c < len(table.anchors)]
    went_on = False
    if rows and base > k:
        if opened:
            first = rows[0]
            for c in opened:
                if first[c].strip():
                    _append(table.rows[table.anchors[c]], c, first[c])
                    first[c] = ""
            went_on = not any(c.strip() for c in first)
        elif _continues(table, rows[0]):
            last = table.rows[-1]
            for i, text in enumerate(rows[0]):
                if text.strip():
                    _append(last, i, text)
            went_on = True
        if went_on:
            rows.pop(0)
    for c, start in enumerate(part.starts[:len(table.anchors)]):
        start -= k
        if start < 0:
            continue  # the part is header rows only
        if start == 0 and c in opened:
            continue  # its text went to the cell above
        table.anchors[c] = base - 1 if start == 0 and went_on else base + start - went_on
    table.rows.extend(rows)
    table.last = part




def _drop_repeats(table: _Table, row: list[str]) -> None:
    """The first row of a table part that kmc-reports printed after a page break starts the
    merged cells the break cut again: a label (duty, task) ending in 「（續）」, and what the
    rows share (level, K/S) as a whole, of which the page before showed the first lines.  They
    are the cells above going on: labels are dropped, shared cells give only their lines not
    printed before (appended to the cell above).  Shared cells are those right of the labels
    that begin with the text of the cell above; all of them do, or none is taken as one."""
    labels = [c for c, t in enumerate(row) if _key(t).endswith(CONTINUED)]
    if not labels:
        return
    rest: dict[int, str] = {}
    for c in range(max(labels) + 1, min(len(row), len(table.anchors))):
        if not row[c].strip():
            continue
        above = table.rows[table.anchors[c]][c] if table.anchors[c] < len(table.rows) else ""
        lines = row[c].split("\n")
        n = next((n for n in range(1, len(lines) + 1)
                  if _key("".join(lines[:n])) == _key(above)), None)
        if above.strip() and n is not None:
            rest[c] = "\n".join(lines[n:])
        elif rest:
            return  # a shared cell not begun above: these are new cells
    for c in labels:
        row[c] = ""
    for c, text in rest.items():
        if text.strip():
            _append(table.rows[table.anchors[c]], c, text)
        row[c] = ""


def _append(row: list[str], column: int, text: str) -> None:
    row[column] = f"{row[column]}\n{text}" if row[column].strip() else text


def _layout(blocks: list) -> list:
    """Paragraphs (str) and tables (layout.Table): a line the right edge of the text wrapped
    goes on in the next line (see :func:`_wraps`)."""
    right = _right_edge(blocks)
    out: list = []
    prev: _Line | None = None
    for b in blocks:
        if isinstance(b, _Table):
            out.append(Table(b.rows))
            prev = None
            continue
        if prev is not None and _wraps(prev, b, right):
            out[-1] = _glue(out[-1], b.text)
        else:
            out.append(b.text)
        prev = b
    return out


def _right_edge(blocks: list) -> float:
    """The right edge of the text: the right end of the widest table, or further right where
    three lines end together (a line or two ending there may just be long paragraphs)."""
    edges = [b.first.xs[-1] for b in blocks if isinstance(b, _Table)]
    lines = [b for b in blocks if isinstance(b, _Line)]
    if lines:
        em = statistics.median(ln.bottom - ln.top for ln in lines)
        ends = sorted((ln.x1 for ln in lines), reverse=True)
        edges += [a for a, b in zip(ends, ends[2:]) if a - b <= 0.6 * em][:1]
    return max(edges, default=float("inf"))  # none: no line is known to be wrapped


def _wraps(line: _Line, nxt: _Line, right: float) -> bool:
    """Is `nxt` the rest of the paragraph of `line`, wrapped at the right edge?  Yes when what
    opens `nxt` (a CJK character, a Latin word) would not have fitted at the end of `line`,
    and `nxt` opens no paragraph of its own (a bullet, an indent: a printed space or a start
    right of the line above) and follows `line` closely."""
    size = max(line.bottom - line.top, 1.0)
    if right - line.x1 >= nxt.lead - 0.1 * size:
        return False
    if _BULLET.match(nxt.text) or nxt.text[:1].isspace() or nxt.x0 > line.x0 + 0.5 * size:
        return False
    if nxt.page == line.page:
        return nxt.top - line.bottom < size
    return line.last and nxt.first


def _glue(a: str, b: str) -> str:
    b = b.lstrip(" \u3000")
    if a and b and a[-1].isascii() and a[-1].isalnum() and b[0].isascii() and b[0].isalnum():
        return f"{a} {b}"
    return a + b


def read_pdf(data: bytes, path: str, marks: list[str] | None = None) -> str:
    """The tab-separated text (see :mod:`.layout`) of a PDF file's bytes.  ``marks`` gets
    the page marks (「第 N 頁，總共 M 頁」) in page order, which the text leaves out, so the
    caller can check for missing or doubled pages."""
    pages = _load(data, path)
    if not pages:
        raise KmcError("無法讀取 PDF：檔案中沒有任何頁面", path)
    printed = sum(p.printed for p in pages)
    if printed == 0 or (printed < 20 * len(pages) and any(p.images for p in pages)):
        raise KmcError("此 PDF 沒有文字層（可能是掃描檔），無法讀出內容；請改用原始的 PDF、"
                       "DOCX 或文字檔，或先以文字辨識（OCR）加上文字層", path)
    unknown = sum(1 for p in pages for c in p.chars if c.text == "\ufffd")
    if unknown > 0.2 * max(1, sum(len(p.chars) for p in pages)):
        raise KmcError("此 PDF 的文字無法解碼（字型缺少字元對應，或檔案損毀）；請改用原始的 PDF、"
                       "DOCX 或文字檔", path)
    items = [_page_items(p, n) for n, p in enumerate(pages)]
    grids = [it for page in items for it in page if isinstance(it, _Grid)]
    pad = _padding(grids)  # the same in every table of a document
    for grid in grids:
        _fill(grid, pad)
    if marks is not None:
        marks += [_key(it.text) for page in items for it in page
                  if isinstance(it, _Line) and _PAGE_MARK.match(_key(it.text))]
    _drop_furniture(items, [p.height for p in pages])
    return as_text(_layout(_blocks(items)))
