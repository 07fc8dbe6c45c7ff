"""coverage.xlsx: the syllabus's traceability matrix — every task, indicator, K and S of the
selected standards against the units that cover them — for editing and audit."""

from __future__ import annotations

import re

from ..analyses.syllabus import Plan, coverage
from ..views import printed_text
from ..workbook import Cell, Column, Print, Workbook
from .xlsx import lines_needed, write_workbook

KINDS = (("T", "工作任務"), ("P", "行為指標"), ("K", "知識"), ("S", "技能"))
COVERED = "E2EFDA"
GAP = "F8DEDE"
HEAD = 4
UNIT_WIDTH = 12.0      # a unit's column: five Chinese characters a line of its header
MAX_UNIT_WIDTH = 24.0  # wider for a code or word longer than that, up to here


def write_coverage_xlsx(plan: Plan) -> bytes:
    return write_workbook(coverage_workbook(plan))


def coverage_workbook(plan: Plan) -> Workbook:
    book = Workbook(printed_text(f"{plan.spec.name} 涵蓋矩陣"))
    heads = ["來源職能基準", "版本", "類別", "代碼", "內容"]
    columns = [Column(14, "center"), Column(5, "center"), Column(8, "center"),
               Column(7, "center"), Column(36)]
    for i, u in enumerate(plan.units, 1):
        name, hours = printed_text(f"{i}. {u.name}"), f"{u.hours:g} 小時"
        width = _unit_width(name, hours)
        columns.append(Column(width, "center"))
        heads.append(f"{_wrap(name, width)}\n{hours}")
    columns.append(Column(11, "center"))
    heads.append("涵蓋單元數")
    ws = book.sheet("涵蓋矩陣", columns)
    versions = {s.code: s.version for s in plan.standards}
    ws.add([printed_text(f"{plan.spec.name}　涵蓋矩陣（職能內涵 × 課程單元）")], "title")
    ws.add(["● 表示該單元涵蓋此項目（知識、技能：首次講授）；○ 表示該單元複習與應用先前講授的知識、技能；"
            "紅底表示沒有任何單元涵蓋。單元欄標題列出單元名稱與時數。列印時每頁重複表頭與左側五欄。"], "note")
    ws.blank()
    ws.head(heads)
    kinds = dict(KINDS)
    for standard, kind, code, words, hits in coverage(plan):
        ws.add([standard, versions.get(standard, ""), kinds[kind], printed_text(code),
                printed_text(words),
                *[Cell(h, fill=COVERED) if h else "" for h in hits],
                Cell(sum(map(bool, hits)), fill=None if any(hits) else GAP)])
    ncols = len(ws.columns)
    ws.freeze = (HEAD + 1, 6)
    ws.filter = (HEAD, ncols, ws.last)
    ws.print = Print(landscape=True, title_rows=(HEAD, HEAD), title_columns=(1, 5),
                     header=printed_text(f"{plan.spec.name}　涵蓋矩陣"))
    return book


# -- unit headers ---------------------------------------------------------------------------
# A unit's header is its number and name, wrapped here at the column's width where a line may
# break — never inside a code or a word (ISO17025), never before a closing mark or after an
# opening one — and its hours on a line of their own.  Each line is one line by the xlsx
# writer's measure, so the height it gives the header row holds them all, and Calc and
# Excel, whose lines are a little wider than that measure, wrap nothing again.

_CLOSING = set("、，。；：！？）」』〕】〉》﹞,.;:!?)]}%")
_OPENING = set("（「『〔【〈《﹝([{")
_PIECE = re.compile(r"\s+|[A-Za-z0-9][A-Za-z0-9.\-/_+&%#]*|.", re.S)


def _pieces(text: str) -> list[tuple[bool, str]]:
    """(a space before it, text) for every piece no line break may cut."""
    out: list[tuple[bool, str]] = []
    space = glue = False
    for m in _PIECE.finditer(text):
        piece = m.group()
        if piece.isspace():
            space = True
            continue
        if out and not space and (glue or piece[0] in _CLOSING):
            out[-1] = (out[-1][0], out[-1][1] + piece)
        else:
            out.append((space, piece))
        glue, space = piece[-1] in _OPENING, False
    return out


def _fits(line: str, width: float) -> bool:
    return lines_needed(line, width, bold=True) == 1


def _unit_width(name: str, hours: str) -> float:
    """UNIT_WIDTH, or wider where a piece of the name or the hours need it (half steps)."""
    width = UNIT_WIDTH
    for piece in [hours] + [p for _, p in _pieces(name)]:
        while not _fits(piece, width) and width < MAX_UNIT_WIDTH:
            width += 0.5
    return width


def _wrap(text: str, width: float) -> str:
    """`text` in lines of `width`, as even as the fewest lines allow (「9. 確定／改善項目／
    及方式」, not 「9. 確定改／善項目及方／式」)."""
    pieces = _pieces(text)
    lines = _lines(pieces, width)
    narrower = width - 0.5
    while narrower > 1:
        fewest = _lines(pieces, narrower)
        if len(fewest) > len(lines) or not all(_fits(line, narrower) for line in fewest):
            break
        lines, narrower = fewest, narrower - 0.5
    return "\n".join(lines)


def _lines(pieces: list[tuple[bool, str]], width: float) -> list[str]:
    lines: list[str] = []
    line = ""
    for space, piece in pieces:
        joined = f"{line} {piece}" if line and space else line + piece
        if not line or _fits(joined, width):
            line = joined
            continue
        lines.append(line)
        line = piece
    lines.append(line)
    out = []
    for line in lines:  # a piece wider than the widest column: cut where it must be
        while not _fits(line, width) and len(line) > 1:
            cut = max(n for n in range(1, len(line)) if _fits(line[:n], width) or n == 1)
            out.append(line[:cut])
            line = line[cut:]
        out.append(line)
    return out
