"""DOCX writer: the document model through python-docx, XML details in :mod:`.ooxml`."""

from __future__ import annotations

import datetime as dt
import io
from typing import Callable

from docx import Document as new_docx
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.shared import Mm, Pt, RGBColor
from docx.table import _Cell

from ..config import Config
from ..document import (Chart, Document, Heading, Image, KeyValue, ListBlock, PageBreak,
                        Paragraph, Run, Spacer, Table, grid)
from ..errors import KmcError
from ..fonts import FontSet, default_fonts
from ..images import image_bytes
from . import charts, ooxml
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
                    ooxml.field(footer, "PAGE" if kind == "page" else "NUMPAGES")

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
        elif block.style == "subtitle":
            p.paragraph_format.space_after = Pt(10)

    def _runs(self, p, runs: list[Run], size: float | None = None, bold: bool = False) -> None:
        for run in runs:
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
        tbl = container.add_table(rows=0, cols=len(table.widths))
        tbl.style = self.d.styles["Table Grid"]
        tbl.alignment = WD_TABLE_ALIGNMENT.CENTER
        ooxml.fixed_layout(tbl._tbl, twips)
        ooxml.cell_margins(tbl._tbl, 80)
        size = SIZES["table_small"] if table.size == "small" else SIZES["table"]
        for r, slots in enumerate(grid(table)):
            tr = tbl.add_row()._tr
            if r < table.header_rows:
                ooxml.repeat_header(tr)
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
        container.add_paragraph().paragraph_format.space_after = Pt(2)

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

