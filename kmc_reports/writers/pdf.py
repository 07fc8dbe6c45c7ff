"""PDF writer: the document model through reportlab platypus, with an embedded CJK subset.

Before anything is laid out the font is checked to cover every character, so a PDF never
shows a missing glyph.  Cells merged down several rows are drawn as a "visual merge": their
paragraphs flow into the rows they span and the rules between those rows are left out.  A
real row SPAN cannot be split across pages, and a merged K/S list can be longer than a page.
"""

from __future__ import annotations

import io

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (BaseDocTemplate, CondPageBreak, Frame, NextPageTemplate,
                                PageBreak, PageTemplate, Paragraph, Spacer, Table, TableStyle)
from reportlab.platypus import Image as RLImage

from .. import document as dm
from ..errors import KmcError
from ..fonts import FontSet, missing_characters, register_reportlab
from ..images import image_bytes
from . import charts
from .layout import (MARGINS, PAGE, SIZES, TOP_BOTTOM, body_width_mm, footer_parts,
                     inline_markup, metadata)

_ALIGN = {"left": TA_LEFT, "center": TA_CENTER, "right": TA_RIGHT, "justify": TA_JUSTIFY}
_RULE = colors.HexColor("#7F8C9A")
_INK = colors.HexColor("#1F3A5F")


def check_glyphs(doc: dm.Document, fonts: FontSet) -> None:
    """Fail before writing when the font lacks a character: no tofu reaches a user."""
    missing = missing_characters(fonts.regular, dm.document_text(doc))
    if fonts.bold != fonts.regular:
        missing += [c for c in missing_characters(fonts.bold, dm.document_text(doc))
                    if c not in missing]
    if missing:
        shown = "、".join(f"「{c}」U+{ord(c):04X}" for c in missing[:12])
        more = f" 等 {len(missing)} 字" if len(missing) > 12 else " "
        raise KmcError(f"字型 {fonts.family} 缺少{shown}{more}的字形；"
                       f"請以 --font 指定涵蓋這些字的字型")


def write_pdf(doc: dm.Document, fonts: FontSet) -> bytes:
    check_glyphs(doc, fonts)
    return _Writer(doc, fonts).write()


class _Writer:
    def __init__(self, doc: dm.Document, fonts: FontSet):
        self.doc, self.fonts = doc, fonts
        self.regular, self.bold = register_reportlab(fonts)
        self.styles: dict[tuple, ParagraphStyle] = {}

    def style(self, size: float, align: str = "left", bold: bool = False,
              color=colors.black, space_before: float = 0, space_after: float = 0,
              indent: float = 0) -> ParagraphStyle:
        key = (size, align, bold, color, space_before, space_after, indent)
        if key not in self.styles:
            self.styles[key] = ParagraphStyle(
                f"s{len(self.styles)}", fontName=self.bold if bold else self.regular,
                fontSize=size, leading=size * 1.38, alignment=_ALIGN.get(align, TA_LEFT),
                textColor=color, wordWrap="CJK", spaceBefore=space_before,
                spaceAfter=space_after, leftIndent=indent, bulletIndent=max(indent - 9, 0),
                bulletFontName=self.regular)
        return self.styles[key]

    # -- document -------------------------------------------------------------------------
    def write(self) -> bytes:
        buf = io.BytesIO()
        templates = [self._page_template(o) for o in ("portrait", "landscape")]
        first = self.doc.sections[0].orientation if self.doc.sections else "portrait"
        templates.sort(key=lambda t: t.id != first)
        template = BaseDocTemplate(
            buf, pagesize=templates[0].pagesize, pageTemplates=templates,
            # the same (cut) properties as the Word file of the same document
            title=metadata(self.doc.title), author=metadata(self.doc.author or "kmc-reports"),
            subject=metadata(self.doc.subject), keywords=metadata(self.doc.keywords),
            creator="kmc-reports",
            invariant=1, lang="zh-TW", initialFontName=self.regular)  # no stray Helvetica
        story = []
        for i, section in enumerate(self.doc.sections):
            if i:
                story += [NextPageTemplate(section.orientation), PageBreak()]
            width = body_width_mm(section.orientation) * mm
            page_h = (PAGE[0] if section.orientation == "landscape" else PAGE[1]) * mm
            self.frame_height = page_h - 2 * TOP_BOTTOM * mm
            story += self._blocks(section.blocks, width)
        template.build(story, canvasmaker=self._canvas_class())
        return buf.getvalue()

    def _page_template(self, orientation: str) -> PageTemplate:
        w, h = PAGE[1] * mm, PAGE[0] * mm
        size = (w, h) if orientation == "landscape" else (h, w)
        margin = MARGINS[orientation] * mm
        frame = Frame(margin, TOP_BOTTOM * mm, size[0] - 2 * margin,
                      size[1] - 2 * TOP_BOTTOM * mm, id=orientation, leftPadding=0,
                      rightPadding=0, topPadding=0, bottomPadding=0)
        return PageTemplate(id=orientation, frames=[frame], pagesize=size)

    def _canvas_class(self):
        """A canvas that holds every page back until it knows how many there are, to print
        「第 N 頁，共 M 頁」 and the running header."""
        header, footer, font = self.doc.header, footer_parts(self.doc.footer), self.regular

        class NumberedCanvas(Canvas):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                self._pages: list[dict] = []

            def showPage(self):
                self._pages.append(dict(self.__dict__))
                self._startPage()

            def save(self):
                total = len(self._pages)
                for state in self._pages:
                    self.__dict__.update(state)
                    self._decorate(total)
                    Canvas.showPage(self)
                Canvas.save(self)

            def _decorate(self, total: int) -> None:
                width, height = self._pagesize
                orientation = "landscape" if width > height else "portrait"
                margin = MARGINS[orientation] * mm
                self.saveState()
                self.setFont(font, SIZES["small"])
                self.setFillColor(colors.HexColor("#555555"))
                if header:
                    self.drawRightString(width - margin, height - 11 * mm, header)
                    self.setStrokeColor(colors.HexColor("#BBBBBB"))
                    self.setLineWidth(0.4)
                    self.line(margin, height - 12.5 * mm, width - margin, height - 12.5 * mm)
                text = "".join(t if k == "text" else str(self._pageNumber if k == "page"
                                                         else total) for k, t in footer)
                self.drawCentredString(width / 2, 10 * mm, text)
                self.restoreState()

        return NumberedCanvas

    # -- blocks -----------------------------------------------------------------------------
    def _blocks(self, blocks, width: float, size: float | None = None) -> list:
        out = []
        for block in blocks:
            if isinstance(block, dm.Heading):
                style = self.style(SIZES[f"h{block.level}"], bold=True, color=_INK,
                                   space_before=10 if block.level < 3 else 6, space_after=4)
                # No heading alone at the foot of a page; keepWithNext would instead push
                # a following long table, which can split, to the next page whole.
                out.append(CondPageBreak(30 * mm))
                out.append(Paragraph(self._markup(block.runs), style))
            elif isinstance(block, dm.Paragraph):
                out.append(self._paragraph(block, size))
            elif isinstance(block, dm.ListBlock):
                out += self._list(block, 1, size)
            elif isinstance(block, dm.KeyValue):
                out.append(self._table(block.as_table(), width))
                out.append(Spacer(1, 3 * mm))
            elif isinstance(block, dm.Table):
                out.append(self._table(block, width))
                out.append(Spacer(1, 3 * mm))
            elif isinstance(block, dm.Image):
                out.append(self._image(block, width))
            elif isinstance(block, dm.Chart):
                d = charts.drawing(block, self.fonts)
                d.hAlign = "CENTER"
                out += [d, Spacer(1, 3 * mm)]
            elif isinstance(block, dm.PageBreak):
                out.append(PageBreak())
            elif isinstance(block, dm.Spacer):
                out.append(Spacer(1, block.height_mm * mm))
        return out

    def _paragraph(self, block: dm.Paragraph, size: float | None = None,
                   align: str | None = None) -> Paragraph:
        style_size = SIZES.get(block.style) if block.style != "body" else None
        fsize = style_size or size or SIZES["body"]
        style = self.style(fsize, align or block.align, bold=block.style == "title",
                           color=colors.HexColor("#444444") if block.style in ("small", "note")
                           else colors.black,
                           space_after=6 if block.style in ("title", "subtitle") else 2)
        return Paragraph(self._markup(block.runs), style)

    def _markup(self, runs: list[dm.Run]) -> str:
        return inline_markup(runs, "<br/>")

    def _list(self, block: dm.ListBlock, depth: int, size: float | None) -> list:
        out = []
        fsize = size or SIZES["body"]
        for n, item in enumerate(block.items, 1):
            style = self.style(fsize, indent=12 * depth, space_after=1.5)
            bullet = f"{n}." if block.ordered else ("•" if depth == 1 else "–")
            out.append(Paragraph(self._markup(item.runs), style, bulletText=bullet))
            for child in item.children:
                out += self._list(child, depth + 1, size)
        return out

    def _image(self, block: dm.Image, width: float):
        data, _ = image_bytes(block)
        try:
            img = RLImage(io.BytesIO(data))
        except Exception:  # noqa: BLE001 - checked already; reportlab reads it again
            raise KmcError("PDF 無法放入此圖檔（請改用一般的 PNG 或 JPEG）",
                           block.path) from None
        ratio = img.imageHeight / img.imageWidth
        # never wider than the frame (less its padding) or taller than most of a page
        w = max(min(block.width_mm * mm, width - 12), 1)
        h = w * ratio
        if h > 0.8 * self.frame_height:
            w, h = 0.8 * self.frame_height / ratio, 0.8 * self.frame_height
        img.drawWidth, img.drawHeight = w, h
        img.hAlign = block.align.upper()
        return img

    def _table(self, table: dm.Table, width: float) -> Table:
        total = sum(table.widths)
        widths = [width * w / total for w in table.widths]
        size = SIZES["table_small"] if table.size == "small" else SIZES["table"]
        slots = dm.grid(table)
        # CJK wrapping lets a closing mark (。，) hang past the line; the wider right
        # padding keeps it off the rule.
        pad = (3, 6)

        def inner(c: int, span: int) -> float:
            return sum(widths[c:c + span]) - sum(pad)

        content = [[self._cell_flowables(s.cell, inner(c, s.cell.colspan), size)
                    if s.origin else [] for c, s in enumerate(row)] for row in slots]
        data, tallest = self._flow_merged(slots, content, inner)
        style = [("FONT", (0, 0), (-1, -1), self.regular, size),
                 ("VALIGN", (0, 0), (-1, -1), "TOP"),
                 ("LEFTPADDING", (0, 0), (-1, -1), pad[0]),
                 ("RIGHTPADDING", (0, 0), (-1, -1), pad[1]),
                 ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                 ("BOX", (0, 0), (-1, -1), 0.8, _RULE),
                 ("LINEBELOW", (0, "splitlast"), (-1, "splitlast"), 0.8, _RULE)]
        for r, row in enumerate(slots):
            for c, slot in enumerate(row):
                cell = slot.cell
                if slot.origin and cell.colspan > 1:
                    style.append(("SPAN", (c, r), (c + cell.colspan - 1, r)))
                if slot.first_col and c:
                    style.append(("LINEBEFORE", (c, r), (c, r), 0.5, _RULE))
                if slot.last_row and slot.first_col:
                    style.append(("LINEBELOW", (c, r), (c + cell.colspan - 1, r), 0.5, _RULE))
                if cell.shade and slot.first_col:
                    style.append(("BACKGROUND", (c, r), (c + cell.colspan - 1, r),
                                  colors.HexColor("#" + cell.shade)))
                if cell.valign == "middle" and cell.rowspan == 1 and slot.first_col:
                    style.append(("VALIGN", (c, r), (c, r), "MIDDLE"))
        if table.header_rows:
            style.append(("LINEBELOW", (0, table.header_rows - 1),
                          (-1, table.header_rows - 1), 0.9, _RULE))
        return Table(data, colWidths=widths, repeatRows=table.header_rows,
                     style=TableStyle(style), hAlign="CENTER", splitByRow=1,
                     # Splitting inside rows can repeat the header in mid-page, so only a row
                     # too tall for any page is split; others move to the next page whole.
                     splitInRow=int(tallest > 0.8 * self.frame_height))

    def _cell_flowables(self, cell: dm.Cell, width: float, size: float) -> list:
        out = []
        for block in cell.blocks:
            if isinstance(block, dm.Paragraph):
                align = block.align if block.align != "left" else cell.align
                out.append(self._paragraph(block, size, align=align))
            else:
                out += self._blocks([block], width, size)
        return out

    def _flow_merged(self, slots, content, inner) -> tuple[list[list], float]:
        """Spread the paragraphs of each cell merged down several rows over those rows, as
        far as each row's own height allows; the rest goes to the last row.  Also returns
        the height of the tallest row."""
        heights = []
        for r, row in enumerate(slots):
            h = 0.0
            for c, slot in enumerate(row):
                if slot.origin and slot.cell.rowspan == 1:
                    w = inner(c, slot.cell.colspan)
                    h = max(h, sum(f.wrap(w, 1e6)[1] for f in content[r][c]))
            heights.append(h)
        data = [[list(cell) for cell in row] for row in content]
        for r, row in enumerate(slots):
            for c, slot in enumerate(row):
                span = slot.cell.rowspan
                if not slot.origin or span == 1 or not content[r][c]:
                    continue
                w = inner(c, slot.cell.colspan)
                items = list(content[r][c])
                data[r][c] = []
                last = min(r + span, len(slots)) - 1
                for rr in range(r, last + 1):
                    room, used = heights[rr], 0.0
                    while items and (rr == last or used + items[0].wrap(w, 1e6)[1] <= room
                                     or (not data[rr][c] and rr == r)):
                        used += items[0].wrap(w, 1e6)[1]
                        data[rr][c].append(items.pop(0))
        tallest = max((sum(f.wrap(inner(c, row[c].cell.colspan), 1e6)[1] for f in cell)
                       for r, row in enumerate(slots) for c, cell in enumerate(data[r])),
                      default=0.0)
        return data, tallest
