"""DOCX writer: the document model through python-docx, XML details in :mod:`.ooxml`.

The parts a document has thousands of (table rows and cells, their paragraphs and runs) are
built here as lxml elements, the very XML python-docx's API and ooxml's helpers write, with
a tenth of the Python calls (python-docx finds each child's place in the schema on every
add); the rest (sections, styles, headings, lists, pictures, a table's own properties) goes
through python-docx.  tests/test_writer_bytes.py holds the output to the bytes python-docx's
API gave."""

from __future__ import annotations

import copy
import dataclasses
import functools
import datetime as dt
import io
import math
import re
import zipfile
from typing import Callable

from docx import Document as new_docx
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.opc.pkgwriter import PackageWriter
from docx.oxml.ns import qn
from docx.oxml.simpletypes import ST_HpsMeasure, ST_TwipsMeasure
from docx.shared import Mm, Pt, RGBColor
from docx.table import _Cell
from docx.text.paragraph import Paragraph as _Paragraph
from lxml.etree import SubElement

from ..config import Config
from ..document import (Cell, Chart, Document, Heading, Image, KeyValue, ListBlock, PageBreak,
                        Paragraph, Run, Spacer, Table, CONTINUED, em_width, grid, plain)
from ..errors import KmcError
from ..fonts import FontSet, default_fonts
from ..images import image_bytes
from . import ooxml
from .layout import FIXED_TIME, PAGE, SIZES, body_width_mm, footer_parts, metadata
from .zipfix import FIXED, deterministic_zip

_ALIGN = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER,
          "right": WD_ALIGN_PARAGRAPH.RIGHT, "justify": WD_ALIGN_PARAGRAPH.JUSTIFY}

# The elements the writer builds itself (paragraphs, runs, table rows and cells): python-docx's
# proxies cost ~40 µs an element through its schema-order lookups, lxml's SubElement ~1 µs.
# Values are python-docx's own conversions, so the XML is the same to the byte.
(_P, _PPR, _R, _RPR, _T, _BR, _TAB, _B, _I, _SZ, _JC_TAG, _SPACING, _KEEP_NEXT, _P_STYLE,
 _TR, _TR_PR, _CANT_SPLIT, _TBL_HEADER, _TC, _TC_PR, _TC_W, _GRID_SPAN, _V_MERGE, _SHD,
 _V_ALIGN) = (qn(f"w:{t}") for t in (
    "p", "pPr", "r", "rPr", "t", "br", "tab", "b", "i", "sz", "jc", "spacing", "keepNext",
    "pStyle", "tr", "trPr", "cantSplit", "tblHeader", "tc", "tcPr", "tcW", "gridSpan",
    "vMerge", "shd", "vAlign"))
_VAL, _AFTER, _TYPE, _W, _COLOR, _FILL = (qn(f"w:{a}") for a in (
    "val", "after", "type", "w", "color", "fill"))
_XML_SPACE = qn("xml:space")
_JC = {k: WD_ALIGN_PARAGRAPH.to_xml(v) for k, v in _ALIGN.items()}  # w:jc values (justify: both)
_AFTER_TITLE, _AFTER_SUBTITLE, _AFTER_CELL = (ST_TwipsMeasure.convert_to_xml(Pt(pt))
                                              for pt in (4, 10, 1))
_VALIGN = {"middle": "center"}
_TRUE, _RESTART = {_VAL: "true"}, {_VAL: "restart"}
_OWN = object()  # a paragraph's own alignment
_STYLE_IDS: dict = {}  # (style name, type): its w:styleId in python-docx's template


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
        self._checkboxes: dict = {}  # size: a content control to copy

    def write(self) -> bytes:
        self._styles()
        self._properties()
        for i, section in enumerate(self.doc.sections):
            self._section(i, section.orientation)
            for block in section.blocks:
                self._block(block, self.d)
        end_sections(self.d.element.body)
        return _package_bytes(self.d)

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
            self._runs(header._p, [Run(self.doc.header)], size=SIZES["small"])
            header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            footer = section.footer.paragraphs[0]
            footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
            for kind, text in footer_parts(self.doc.footer):
                if kind == "text":
                    self._runs(footer._p, [Run(text)], size=SIZES["small"])
                else:
                    ooxml.field(footer, "PAGE" if kind == "page" else "NUMPAGES",
                                SIZES["small"])

    # -- blocks ---------------------------------------------------------------------------
    def _block(self, block, container, size: float | None = None) -> None:
        if isinstance(block, Heading):
            p = self._styled(container, f"Heading {block.level}")
            self._runs(p._p, block.runs)
            ooxml.keep_with_next(p)
        elif isinstance(block, Paragraph):
            self._paragraph(container.add_paragraph()._p, block, size)
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

    def _style_id(self, name: str, kind) -> str | None:
        """What python-docx's `.style = name` writes, without its lookup each time (a walk
        over every style, ~2 ms): every document starts from python-docx's own template,
        and _styles changes no style's name, id or default."""
        key = (name, kind)
        if key not in _STYLE_IDS:
            _STYLE_IDS[key] = self.d.part.get_style_id(name, kind)
        return _STYLE_IDS[key]

    def _styled(self, container, name: str):
        """container.add_paragraph(style=name)."""
        p = container.add_paragraph()
        p._p.style = self._style_id(name, WD_STYLE_TYPE.PARAGRAPH)
        return p

    def _paragraph(self, p, block: Paragraph, size: float | None = None, align=_OWN,
                   after: str | None = None, keep: bool = False) -> None:
        """Fill the new, empty w:p element `p`; in a table cell `align` is the cell's choice,
        `after` its spacing and `keep` its row's "keep with next"."""
        title = block.style == "title"
        if after is None:
            after = _AFTER_TITLE if title else _AFTER_SUBTITLE if block.style == "subtitle" \
                else None
        ppr = SubElement(p, _PPR)
        if title or keep:
            SubElement(ppr, _KEEP_NEXT)
        if after is not None:
            SubElement(ppr, _SPACING, {_AFTER: after})
        jc = _JC.get(block.align if align is _OWN else align)
        if jc is not None:
            SubElement(ppr, _JC_TAG, {_VAL: jc})
        style_size = SIZES.get(block.style) if block.style != "body" else None
        self._runs(p, block.runs, size=style_size or size, bold=title)

    def _runs(self, p, runs: list[Run], size: float | None = None, bold: bool = False) -> None:
        """Runs appended to the w:p element `p`, built as python-docx's add_run would: each
        with its w:rPr (bold, italic, size: empty when none), a line break a run of its own."""
        hps = _half_points(size) if size else None
        for run in runs:
            if run.checkbox:
                self._checkbox(p, size)
                continue
            b, i = bool(run.bold or bold), bool(run.italic)
            for n, piece in enumerate(run.text.split("\n")):
                if n:
                    SubElement(SubElement(p, _R), _BR)
                if not piece:
                    continue
                r = SubElement(p, _R)
                rpr = SubElement(r, _RPR)
                if b:
                    SubElement(rpr, _B)
                if i:
                    SubElement(rpr, _I)
                if hps:
                    SubElement(rpr, _SZ, {_VAL: hps})
                if "\t" in piece or "\r" in piece:
                    _run_content(r, piece)
                else:
                    _text(r, piece)

    def _checkbox(self, p, size: float | None) -> None:
        """ooxml.checkbox's content control, made once per size and copied after."""
        proto = self._checkboxes.get(size)
        if proto is None:
            ooxml.checkbox(_Paragraph(p, None), size_pt=size)
            self._checkboxes[size] = copy.deepcopy(p[-1])
        else:
            p.append(copy.deepcopy(proto))

    def _list(self, container, block: ListBlock, depth: int, size: float | None) -> None:
        for n, item in enumerate(block.items, 1):
            if block.ordered:
                p = container.add_paragraph()
                p.paragraph_format.left_indent = Mm(6 * depth)
                p.paragraph_format.first_line_indent = Mm(-5)
                self._runs(p._p, [Run(f"{n}. ")] + item.runs, size=size)
            else:
                p = self._styled(container, "List Bullet" if depth == 1 else "List Bullet 2")
                self._runs(p._p, item.runs, size=size)
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
            self._table_part(container, part, twips, size,
                             (slots_grid, heights) if part is table else None)
            p = container.add_paragraph()
            if i + 1 < len(parts):  # a merged block longer than a page goes on overleaf
                ooxml.page_break_before(p)
            else:
                p.paragraph_format.space_after = Pt(2)

    def _table_part(self, container, table: Table, twips: list[int], size: float,
                    measured: tuple | None = None) -> None:
        """`measured`: the table's grid and row heights, when the part is the whole table."""
        tbl = container.add_table(rows=0, cols=len(table.widths))
        tbl._tbl.tblStyle_val = self._style_id("Table Grid", WD_STYLE_TYPE.TABLE)
        tbl.alignment = WD_TABLE_ALIGNMENT.CENTER
        ooxml.fixed_layout(tbl._tbl, twips)
        ooxml.cell_margins(tbl._tbl, 80)
        slots_grid, heights = measured or (None, None)
        if measured is None:
            slots_grid = grid(table)
            heights = row_heights(slots_grid, [w / 56.7 for w in twips], size)
        page = self.body_height_mm * _PT_PER_MM - sum(heights[:table.header_rows])
        keep = kept_together(table, slots_grid, heights, page)
        # rows, cells and their paragraphs are built as lxml elements, the same XML as
        # python-docx's add_row / ooxml's helpers / add_run give (tests/test_writer_bytes.py)
        tbl_el = tbl._tbl
        for r, slots in enumerate(slots_grid):
            tr = SubElement(tbl_el, _TR)
            header, whole = r < table.header_rows, heights[r] <= page
            if header or whole:
                tr_pr = SubElement(tr, _TR_PR)
                if whole:  # a row longer than a page has to split, others never do
                    SubElement(tr_pr, _CANT_SPLIT, _TRUE)
                if header:  # repeated at the top of every page
                    SubElement(tr_pr, _TBL_HEADER, _TRUE)
            kept = r in keep
            for c, slot in enumerate(slots):
                if not slot.first_col:  # covered by a column span
                    continue
                cell = slot.cell
                tc = SubElement(tr, _TC)
                tc_pr = SubElement(tc, _TC_PR)
                SubElement(tc_pr, _TC_W, {_TYPE: "dxa",
                                          _W: str(sum(twips[c:c + cell.colspan]))})
                if cell.colspan > 1:
                    SubElement(tc_pr, _GRID_SPAN, {_VAL: str(cell.colspan)})
                if cell.rowspan > 1:  # w:vMerge by hand: python-docx's merge() is quadratic
                    SubElement(tc_pr, _V_MERGE, _RESTART if slot.row_in_span == 0 else {})
                if cell.shade:
                    SubElement(tc_pr, _SHD, {_VAL: "clear", _COLOR: "auto", _FILL: cell.shade})
                SubElement(tc_pr, _V_ALIGN, {_VAL: _VALIGN.get(cell.valign, cell.valign)})
                if slot.row_in_span == 0:
                    self._cell(tc, tbl, cell, size, kept)
                else:
                    p = SubElement(tc, _P)
                    if kept:
                        SubElement(SubElement(p, _PPR), _KEEP_NEXT)
            if kept:  # paragraphs other blocks made (lists, tables in a cell)
                for p in tr.iter(_P):
                    _keep_next(p)

    def _cell(self, tc, tbl, cell, size: float, keep: bool) -> None:
        """The cell's blocks into the w:tc element `tc`: its paragraphs built directly,
        other blocks through python-docx (then spaced like the rest, as before)."""
        first = SubElement(tc, _P)  # the paragraph every cell has
        done = set()
        target = None
        for i, block in enumerate(cell.blocks):
            if isinstance(block, Paragraph):
                p = first if i == 0 else SubElement(tc, _P)
                self._paragraph(p, block, size, block.align if block.align != "left"
                                else cell.align, _AFTER_CELL, keep)
                done.add(p)
            else:
                target = target or _Cell(tc, tbl)
                self._block(block, target, size)
        if len(done) != len(tc) - 1:
            for p in tc.iterchildren(_P):
                if p in done:
                    continue
                if len(p):  # made by python-docx
                    _Paragraph(p, None).paragraph_format.space_after = Pt(1)
                else:
                    SubElement(SubElement(p, _PPR), _SPACING, {_AFTER: _AFTER_CELL})


class _Members:
    """Collects the members python-docx's PackageWriter writes, in its order."""

    def __init__(self):
        self.members: list[tuple[str, bytes]] = []

    def write(self, pack_uri, blob: bytes) -> None:
        self.members.append((pack_uri.membername, blob))


def _package_bytes(document) -> bytes:
    """document.save() then deterministic_zip(), the same bytes in one pass: the members
    are compressed once, straight into the zip with fixed timestamps and attributes."""
    if not all(hasattr(PackageWriter, m) for m in _WRITER_STEPS):  # a python-docx without
        buf = io.BytesIO()                                         # them: the long way
        document.save(buf)
        return deterministic_zip(buf.getvalue())
    package = document.part.package
    parts = package.parts
    for part in parts:
        part.before_marshal()
    members = _Members()
    PackageWriter._write_content_types_stream(members, parts)
    PackageWriter._write_pkg_rels(members, package.rels)
    PackageWriter._write_parts(members, parts)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, blob in members.members:  # as zipfix.deterministic_zip writes them
            fixed = zipfile.ZipInfo(name, date_time=FIXED)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            fixed.create_system = 0
            dst.writestr(fixed, blob)
    return out.getvalue()


_WRITER_STEPS = ("_write_content_types_stream", "_write_pkg_rels", "_write_parts")


@functools.lru_cache(maxsize=None)
def _half_points(size: float) -> str:
    return ST_HpsMeasure.convert_to_xml(Pt(size))


# LibreOffice does not break a line after 「、」 when a Latin letter or digit follows, so a
# list of codes (K03、K04、S05…) is one unbreakable word there, cut inside a code where the
# cell ends ("K0 / 3", lines starting with 「、」).  A zero-width space after the mark gives
# it the break Word already takes; nothing shows.
_LIST_MARK = re.compile(r"、(?=[A-Za-z0-9])")


def _text(r, text: str) -> None:
    t = SubElement(r, _T)
    t.text = _LIST_MARK.sub("、\u200b", text)
    if len(text.strip()) < len(text):
        t.set(_XML_SPACE, "preserve")


def _run_content(r, text: str) -> None:
    """Text with tabs and carriage returns, as python-docx's run.text setter writes it."""
    chars: list[str] = []
    for ch in text:
        if ch == "\t" or ch == "\r":
            if chars:
                _text(r, "".join(chars))
                chars.clear()
            SubElement(r, _TAB if ch == "\t" else _BR)
        else:
            chars.append(ch)
    if chars:
        _text(r, "".join(chars))


_SECT_PR, _LINE_ATTR, _LINE_RULE, _BEFORE = qn("w:sectPr"), qn("w:line"), qn("w:lineRule"), \
    qn("w:before")
_NO_HEIGHT = {_BEFORE: "0", _AFTER: "0", _LINE_ATTR: "20", _LINE_RULE: "exact"}  # 1 pt


def end_sections(body) -> None:
    """Each section but the last ends in its own last paragraph, which takes no height when
    it has nothing in it.

    python-docx's add_section puts the ended section's w:sectPr in a paragraph of its own
    after the section's last block: an empty line of body text, which LibreOffice sets on a
    page of its own (header and footer, nothing else) when the section's last table ends at
    the foot of a page.  The w:sectPr goes instead into the paragraph the section ends with
    (every table is followed by one), and a paragraph with nothing in it (the one after a
    table, a spacer) is made to take no height: no spacing, an exact 1 pt line and a 1 pt
    mark (as ooxml.page_break_before).  A pass over the finished body, `body`: python-docx's
    paragraphs are those holding a w:sectPr and nothing else."""
    for brk in [p for p in body.iterchildren(_P) if len(p) == 1 and p[0].tag == _PPR
                and len(p[0]) == 1 and p[0][0].tag == _SECT_PR]:
        sect = brk[0][0]
        last = brk.getprevious()
        if last is not None and last.tag == _P and last.find(f"{_PPR}/{_SECT_PR}") is None:
            body.remove(brk)
            target = last
        else:  # an empty section: its paragraph stays, flat
            target = brk
        ppr = target[0] if len(target) and target[0].tag == _PPR else None
        if ppr is None:
            ppr = SubElement(target, _PPR)  # made in place (the document's namespaces), moved
            target.insert(0, ppr)
        if len(target) == 1:  # nothing but its properties
            ppr.clear()
            SubElement(ppr, _SPACING, _NO_HEIGHT)
            SubElement(SubElement(ppr, _RPR), _SZ, {_VAL: "2"})
        ppr.append(sect)


def _keep_next(p) -> None:
    """python-docx's p.get_or_add_pPr().get_or_add_keepNext() (ooxml.keep_row_with_next)."""
    ppr = p[0] if len(p) and p[0].tag == _PPR else None
    if ppr is None:
        ppr = SubElement(p, _PPR)  # made in place (its namespace is the document's), moved
        p.insert(0, ppr)
    if ppr.find(_KEEP_NEXT) is None:
        ppr.insert(1 if len(ppr) and ppr[0].tag == _P_STYLE else 0, SubElement(ppr, _KEEP_NEXT))


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
