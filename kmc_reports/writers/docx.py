"""DOCX writer: the document model through python-docx, XML details in :mod:`.ooxml`."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import io
import math
from typing import Callable

from docx import Document as new_docx
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.shared import Mm, Pt, RGBColor
from docx.table import _Cell

from ..config import Config
from ..document import (Cell, Chart, Document, Heading, Image, KeyValue, ListBlock, PageBreak,
                        Paragraph, Run, Spacer, Table, CONTINUED, em_width, grid, plain)
from ..errors import KmcError
from ..fonts import FontSet, default_fonts
from ..images import image_bytes
from . import ooxml
from .layout import FIXED_TIME, PAGE, SIZES, body_width_mm, footer_parts, metadata
from .zipfix import deterministic_zip

_ALIGN = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER,
          "right": WD_ALIGN_PARAGRAPH.RIGHT, "justify": WD_ALIGN_PARAGRAPH.JUSTIFY}


def write_docx(doc: Document, config: Config,
               fonts: Callable[[], FontSet] = default_fonts) -> bytes:
    """`fonts` is asked only when the document has a chart, which is drawn as a picture."""
    return _Writer(doc, config, fonts).write()


class _Writer:
    def __init__(self, doc: Document, config: Config, fonts: Callable[[], FontSet]):
        self.doc, self.config, self.fonts = doc, config, fonts
        self.d = new_docx()
        self.body_mm = body_width_mm("portrait")
        self.body_height_mm = _body_height_mm("portrait")

    def write(self) -> bytes:
        self._styles()
        self._properties()
        for i, section in enumerate(self.doc.sections):
            self._section(i, section.orientation)
            for block in section.blocks:
                self._block(block, self.d)
        buf = io.BytesIO()
        self.d.save(buf)
        return deterministic_zip(buf.getvalue())

    # -- document set-up ----------------------------------------------------------------
    def _styles(self) -> None:
        styles = self.d.styles
        latin, east = self.config.docx_font, self.config.docx_font_east_asia
        normal = styles["Normal"]
        normal.font.size = Pt(SIZES["body"])
        ooxml.set_fonts(normal.element.get_or_add_rPr(), latin, east)
        ooxml.set_language(normal.element.get_or_add_rPr())
        pf = normal.paragraph_format
        pf.space_after, pf.space_before, pf.line_spacing = Pt(2), Pt(0), 1.1
        for level in (1, 2, 3):
            style = styles[f"Heading {level}"]
            style.font.size = Pt(SIZES[f"h{level}"])
            style.font.bold = True
            style.font.color.rgb = RGBColor(0x1F, 0x3A, 0x5F)
            ooxml.set_fonts(style.element.get_or_add_rPr(), latin, east)
            style.paragraph_format.space_before = Pt(10 if level < 3 else 6)
            style.paragraph_format.space_after = Pt(4)
        for name in ("List Bullet", "List Bullet 2", "List Number"):
            ooxml.set_fonts(styles[name].element.get_or_add_rPr(), latin, east)

    def _properties(self) -> None:
        props = self.d.core_properties
        # core properties hold 255 characters at most (python-docx refuses more): cut
        props.title, props.subject = metadata(self.doc.title), metadata(self.doc.subject)
        props.author = props.last_modified_by = metadata(self.doc.author or "kmc-reports")
        props.keywords = metadata(self.doc.keywords)
        props.language, props.revision = "zh-TW", 1
        props.created = props.modified = props.last_printed = FIXED_TIME.replace(
            tzinfo=dt.timezone.utc)

    def _section(self, index: int, orientation: str) -> None:
        section = self.d.sections[0] if index == 0 else self.d.add_section(WD_SECTION.NEW_PAGE)
        width, height = PAGE
        landscape = orientation == "landscape"
        section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = (Mm(height), Mm(width)) if landscape \
            else (Mm(width), Mm(height))
        margin = Mm(15 if landscape else 20)
        section.left_margin = section.right_margin = margin
        section.top_margin = section.bottom_margin = Mm(18)
        section.header_distance = section.footer_distance = Mm(8)
        self.body_mm = body_width_mm(orientation)
        self.body_height_mm = _body_height_mm(orientation)
        if index == 0:
            header = section.header.paragraphs[0]
            self._runs(header, [Run(self.doc.header)], size=SIZES["small"])
            header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            footer = section.footer.paragraphs[0]
            footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
            for kind, text in footer_parts(self.doc.footer):
                if kind == "text":
                    self._runs(footer, [Run(text)], size=SIZES["small"])
                else:
                    ooxml.field(footer, "PAGE" if kind == "page" else "NUMPAGES",
                                SIZES["small"])

    # -- blocks ---------------------------------------------------------------------------
    def _block(self, block, container, size: float | None = None) -> None:
        if isinstance(block, Heading):
            p = container.add_paragraph(style=f"Heading {block.level}")
            self._runs(p, block.runs)
            ooxml.keep_with_next(p)
        elif isinstance(block, Paragraph):
            self._paragraph(container.add_paragraph(), block, size)
        elif isinstance(block, ListBlock):
            self._list(container, block, 1, size)
        elif isinstance(block, KeyValue):
            self._table(container, block.as_table())
        elif isinstance(block, Table):
            self._table(container, block)
        elif isinstance(block, Image):
            p = container.add_paragraph()
            p.alignment = _ALIGN.get(block.align)
            data, _ = image_bytes(block)
            try:
                p.add_run().add_picture(io.BytesIO(data), width=Mm(block.width_mm))
            except Exception:  # noqa: BLE001 - checked already; python-docx parses again
                raise KmcError("Word 無法放入此圖檔（請改用一般的 PNG 或 JPEG）",
                               block.path) from None
        elif isinstance(block, Chart):
            from . import charts  # reportlab draws the charts: loaded only for a document with one

            p = container.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            p.add_run().add_picture(io.BytesIO(charts.png(block, self.fonts())),
                                    width=Mm(min(block.width_mm, self.body_mm)))
        elif isinstance(block, PageBreak):
            container.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        elif isinstance(block, Spacer):
            container.add_paragraph().paragraph_format.space_before = Mm(block.height_mm)

    def _paragraph(self, p, block: Paragraph, size: float | None = None) -> None:
        p.alignment = _ALIGN.get(block.align)
        style_size = SIZES.get(block.style) if block.style != "body" else None
        self._runs(p, block.runs, size=style_size or size,
                   bold=block.style == "title")
        if block.style == "title":
            p.paragraph_format.space_after = Pt(4)
            ooxml.keep_with_next(p)
        elif block.style == "subtitle":
            p.paragraph_format.space_after = Pt(10)

    def _runs(self, p, runs: list[Run], size: float | None = None, bold: bool = False) -> None:
        for run in runs:
            if run.checkbox:
                ooxml.checkbox(p, size_pt=size)
                continue
            for i, piece in enumerate(run.text.split("\n")):
                if i:
                    p.add_run().add_break()
                if not piece:
                    continue
                r = p.add_run(piece)
                r.bold = run.bold or bold or None
                r.italic = run.italic or None
                if size:
                    r.font.size = Pt(size)

    def _list(self, container, block: ListBlock, depth: int, size: float | None) -> None:
        for n, item in enumerate(block.items, 1):
            if block.ordered:
                p = container.add_paragraph()
                p.paragraph_format.left_indent = Mm(6 * depth)
                p.paragraph_format.first_line_indent = Mm(-5)
                self._runs(p, [Run(f"{n}. ")] + item.runs, size=size)
            else:
                p = container.add_paragraph(style="List Bullet" if depth == 1
                                            else "List Bullet 2")
                self._runs(p, item.runs, size=size)
            for child in item.children:
                self._list(container, child, depth + 1, size)

    def _table(self, container, table: Table) -> None:
        total = sum(table.widths)
        twips = [round(self.body_mm * w / total * 56.7) for w in table.widths]
        size = SIZES["table_small"] if table.size == "small" else SIZES["table"]
        widths_mm = [w / 56.7 for w in twips]
        slots_grid = grid(table)
        heights = row_heights(slots_grid, widths_mm, size)
        page = self.body_height_mm * _PT_PER_MM - sum(heights[:table.header_rows])
        parts = split_parts(table, slots_grid, heights, page,
                            lambda t: sum(row_heights(grid(t), widths_mm,
                                                      size)[t.header_rows:]))
        for i, part in enumerate(parts):
            self._table_part(container, part, twips, size)
            p = container.add_paragraph()
            if i + 1 < len(parts):  # a merged block longer than a page goes on overleaf
                ooxml.page_break_before(p)
            else:
                p.paragraph_format.space_after = Pt(2)

    def _table_part(self, container, table: Table, twips: list[int], size: float) -> None:
        tbl = container.add_table(rows=0, cols=len(table.widths))
        tbl.style = self.d.styles["Table Grid"]
        tbl.alignment = WD_TABLE_ALIGNMENT.CENTER
        ooxml.fixed_layout(tbl._tbl, twips)
        ooxml.cell_margins(tbl._tbl, 80)
        slots_grid = grid(table)
        heights = row_heights(slots_grid, [w / 56.7 for w in twips], size)
        page = self.body_height_mm * _PT_PER_MM - sum(heights[:table.header_rows])
        keep = kept_together(table, slots_grid, heights, page)
        for r, slots in enumerate(slots_grid):
            tr = tbl.add_row()._tr
            if r < table.header_rows:
                ooxml.repeat_header(tr)
            if heights[r] <= page:  # a row longer than a page has to split
                ooxml.cant_split(tr)
            tcs = list(tr.tc_lst)
            for c, slot in enumerate(slots):
                tc = tcs[c]
                if not slot.first_col:  # covered by a column span
                    tr.remove(tc)
                    continue
                cell = slot.cell
                ooxml.cell_width(tc, sum(twips[c:c + cell.colspan]))
                ooxml.grid_span(tc, cell.colspan)
                if cell.rowspan > 1:
                    ooxml.vertical_merge(tc, restart=slot.row_in_span == 0)
                if cell.shade:
                    ooxml.shade(tc, cell.shade)
                ooxml.valign(tc, cell.valign)
                if slot.row_in_span == 0:
                    self._cell(_Cell(tc, tbl), cell, size)
            if r in keep:
                ooxml.keep_row_with_next(tr)

    def _cell(self, target: _Cell, cell, size: float) -> None:
        first = target.paragraphs[0]
        for i, block in enumerate(cell.blocks):
            if i == 0 and isinstance(block, Paragraph):
                self._paragraph(first, block, size)
                first.alignment = _ALIGN.get(block.align if block.align != "left"
                                             else cell.align)
            elif isinstance(block, Paragraph):
                p = target.add_paragraph()
                self._paragraph(p, block, size)
                p.alignment = _ALIGN.get(block.align if block.align != "left" else cell.align)
            else:
                self._block(block, target, size)
        for p in target.paragraphs:
            p.paragraph_format.space_after = Pt(1)



# -- rows kept whole and together ---------------------------------------------------------
_PT_PER_MM = 72 / 25.4
_CELL_PADDING_MM = 80 / 56.7  # left and right (ooxml.cell_margins)
_LINE = 1.1 * 1.32  # line spacing × the CJK faces' line height, in ems


def _body_height_mm(orientation: str) -> float:
    """The page's text height (top and bottom margins 18 mm, less a little for the header)."""
    width, height = PAGE
    return (width if orientation == "landscape" else height) - 2 * 18 - 4


def cell_height(cell: Cell, width_mm: float, size: float) -> float:
    """A cell's estimated height in points: its lines wrapped at the column's width."""
    per_line = max(1.0, (width_mm - 2 * _CELL_PADDING_MM) * _PT_PER_MM / size)
    lines = 0
    for block in cell.blocks:
        for line in plain(block).split("\n"):
            lines += max(1, math.ceil(em_width(line) / per_line))
    return max(lines, 1) * size * _LINE + len(cell.blocks) * 1 + 4


def row_heights(slots_grid, widths_mm: list[float], size: float) -> list[float]:
    """Each row's estimated height in points; a merged cell taller than its rows adds the
    rest to its last row (as Word does)."""
    heights = [size * _LINE + 4] * len(slots_grid)
    spanned = []
    for r, row in enumerate(slots_grid):
        for c, slot in enumerate(row):
            if not slot.origin:
                continue
            width = sum(widths_mm[c:c + slot.cell.colspan])
            h = cell_height(slot.cell, width, size)
            if slot.cell.rowspan > 1:
                spanned.append((r, min(slot.cell.rowspan, len(slots_grid) - r), h))
            else:
                heights[r] = max(heights[r], h)
    for r, span, h in spanned:
        have = sum(heights[r:r + span])
        if h > have:
            heights[r + span - 1] += h - have
    return heights


def kept_together(table: Table, slots_grid, heights: list[float], page: float) -> set[int]:
    """Rows to keep on the page of the next one, so that a merged block (a task with its
    level, K and S) is never cut where Word would repeat nothing of it: the rows under each
    merged cell, narrowest first, as long as the block fits on a page.  A row of one cell
    across the table (a duty's title in a checklist) stays with what follows."""
    n = len(slots_grid)
    group = list(range(n))  # each row's first row of its block

    def block_of(r: int) -> range:
        start = group[r]
        end = r
        while end + 1 < n and group[end + 1] == start:
            end += 1
        return range(start, end + 1)

    spans = sorted(((min(s.cell.rowspan, n - r), r) for r, row in enumerate(slots_grid)
                    for s in row if s.origin and s.cell.rowspan > 1 and r >= table.header_rows))
    for span, r in spans:
        first, last = block_of(r).start, block_of(r + span - 1).stop
        if sum(heights[first:last]) <= page:
            for i in range(first, last):
                group[i] = first
    ncols = len(table.widths)
    for r in range(table.header_rows, n - 1):
        row = slots_grid[r]
        if row[0].origin and row[0].cell.colspan == ncols and row[0].cell.rowspan == 1:
            after = block_of(r + 1)
            if heights[r] + sum(heights[after.start:after.stop]) <= page:
                for i in range(r + 1, after.stop):
                    group[i] = group[r]
    return {r for r in range(n - 1) if group[r + 1] == group[r]}


# -- merged blocks longer than a page -----------------------------------------------------


def split_parts(table: Table, slots_grid, heights: list[float], page: float,
                height: Callable[[Table], float]) -> list[Table]:
    """The table as the parts printed one per page run: a merged block (a duty or a task
    with its level, K and S) estimated taller than a page is cut into parts of about a page,
    each a table of its own printed on a new page (Word decides page breaks, so the writer
    makes them where the block would split).  A part starting inside the block starts its
    merged cells again: a label on the left (a duty, a task) with 「（續）」, what the rows
    share on the right (a level, a K/S list) whole, as the PDF writer does.  The cuts fall
    between the narrower blocks that fit on a page.  A table with no such block is one part
    (the table itself); so is a block whose parts could not fit on a page either (a shared
    cell longer than a page): Word splits its rows."""
    head, n = table.header_rows, len(slots_grid)
    budget = 0.92 * page  # the estimate is rough: leave room
    keep = kept_together(table, slots_grid, heights, page)
    regions: list[list[int]] = []  # [first, stop) of overlapping blocks too long for a page
    for r in range(head, n):
        for s in slots_grid[r]:
            if not (s.origin and s.cell.rowspan > 1):
                continue
            stop = min(r + s.cell.rowspan, n)
            if sum(heights[r:stop]) <= page:
                continue
            if regions and r < regions[-1][1]:
                regions[-1][1] = max(regions[-1][1], stop)
            else:
                regions.append([r, stop])
    cuts: list[int] = []
    for first, stop in regions:
        allowed = [k for k in range(first + 1, stop) if k - 1 not in keep]
        start = first
        while True:
            best = None
            for k in allowed:
                if k <= start:
                    continue
                if height(_part(table, slots_grid, start, k)) > budget:
                    break
                best = k
            rest_fits = height(_part(table, slots_grid, start, stop)) <= budget
            if rest_fits:
                break
            if best is None:  # even the smallest part is longer than a page
                break
            cuts.append(best)
            start = best
    return _parts(table, slots_grid, cuts) if cuts else [table]


def _parts(table: Table, slots_grid, cuts: list[int]) -> list[Table]:
    bounds = [table.header_rows, *cuts, len(slots_grid)]
    return [_part(table, slots_grid, a, b) for a, b in zip(bounds, bounds[1:])]


def _part(table: Table, slots_grid, first: int, stop: int) -> Table:
    """The header rows and the grid rows [first, stop) as a table of their own."""
    labels = {c for c, s in enumerate(slots_grid[first]) if s.row_in_span and s.first_col
              and any(o.origin and o.cell.rowspan == 1 for o in slots_grid[first][c + 1:])}
    rows = [list(row) for row in table.rows[:table.header_rows]]
    for r in range(first, stop):
        row = []
        for c, slot in enumerate(slots_grid[r]):
            if not slot.first_col or not (slot.row_in_span == 0 or r == first):
                continue
            cell = slot.cell
            left = min(cell.rowspan - slot.row_in_span, stop - r)
            if slot.row_in_span:  # a cell merged down from above the part: start it again,
                # marked 「（續）」 (after a label's first line, after a list's last)
                blocks = copy.deepcopy(cell.blocks)
                paras = [b for b in blocks if isinstance(b, Paragraph)]
                if not paras:
                    blocks.insert(0, Paragraph([]))
                    paras = [blocks[0]]
                (paras[0] if c in labels else paras[-1]).runs.append(Run(CONTINUED))
                cell = dataclasses.replace(cell, blocks=blocks, rowspan=left)
            elif cell.rowspan != left:
                cell = dataclasses.replace(cell, rowspan=left)
            row.append(cell)
        rows.append(row)
    return dataclasses.replace(table, rows=rows)
