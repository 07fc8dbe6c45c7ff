"""PDF writer: the document model through reportlab platypus, with an embedded CJK subset.

Before anything is laid out the font is checked to cover every character, so a PDF never
shows a missing glyph.  Cells merged down several rows are drawn as a "visual merge": their
paragraphs flow into the rows they span and the rules between those rows are left out.  A
real row SPAN cannot be split across pages, and a merged K/S list can be longer than a page.
"""

from __future__ import annotations

import copy
import io
from typing import NamedTuple

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.lib.rl_accel import sameFrag
from reportlab.pdfbase.pdfmetrics import getAscentDescent, getFont, stringWidth
from reportlab.rl_config import _FUZZ

from .. import document as dm
from ..errors import KmcError
from ..fonts import FontSet, missing_characters, register_reportlab
from ..images import image_bytes
from .platypus import (BaseDocTemplate, CondPageBreak, FragLine, Frame, Image as RLImage,
                       NextPageTemplate, PageBreak, PageTemplate, Paragraph, ParaLines, Spacer,
                       Table, TableStyle, _handleBulletWidth, cleanBlockQuotedText, imgNormV,
                       imgVRange)
from .layout import (HANGING, MARGINS, NO_LINE_START, PAGE, SIZES, TOP_BOTTOM, body_width_mm, footer_parts,
                     inline_markup, line_breaks, metadata)

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


class _Units(NamedTuple):
    """What line breaking needs that does not depend on the width, worked out once per
    paragraph: its characters as reportlab's CJK units (one character each, '' for an empty
    fragment) with their fragments and widths, the text they spell, where a forced break
    (<br/>) ends a line, and where :func:`.layout.line_breaks` lets a line end."""

    chars: list[str]
    frags: list
    widths: list[float]
    forced: list[bool]
    text: str
    strict: list[bool]
    joints: list[bool]
    loose: list[bool]


def _units(frags) -> _Units:
    chars, owners, widths, forced = [], [], [], []
    for f in frags:
        text = f.text.decode("utf8") if isinstance(f.text, bytes) else f.text
        cs = list(text) or [""]
        chars += cs
        owners += [f] * len(cs)
        forced += [hasattr(f, "lineBreak")] * len(cs)
        if hasattr(f, "cbDefn"):
            widths += [getattr(f.cbDefn, "width", 0)] * len(cs)
            continue
        font = getFont(f.fontName)
        face = getattr(font, "face", None)
        if face is None or not hasattr(face, "charWidths"):  # not a TrueType font
            widths += [stringWidth(c, f.fontName, f.fontSize) for c in cs]
            continue
        get, default, size = face.charWidths.get, face.defaultWidth, f.fontSize
        # what reportlab's stringWidth gives for one character, to the last bit
        widths += [0.001 * size * (get(ord(c), default) if c else 0) for c in cs]
    text = "".join(c if len(c) == 1 else "\x00" for c in chars)
    return _Units(chars, owners, widths, forced, text, *line_breaks(text))


def kinsoku_lines(frags, max_widths, calc_bounds: bool = False,
                  units: _Units | None = None) -> ParaLines:
    """reportlab's CJK line breaking (``cjkFragSplit``) with the rules of
    :func:`.layout.line_breaks`: each line is filled as far as it goes and then ended at the
    last place the rules allow; a closing mark or space that does not fit hangs past the end.
    Only a word or code longer than a whole line is split: after a hyphen or slash joining its
    parts where it has one (「KPS3334-」「004v4」), else where the line is full, and then still
    not before a closing mark; only a line with no allowed break at all is cut where it is
    full.  `units`:
    :func:`_units` of `frags`, when the caller keeps it."""
    u = units or _units(frags)
    widths, forced, text, strict, loose = u.widths, u.forced, u.text, u.strict, u.loose
    joints = u.joints
    n, lines, start = len(widths), [], 0
    while start < n:
        limit = max_widths[min(len(lines), len(max_widths) - 1)]
        top = limit + _FUZZ
        used, i, end, line_break = 0.0, start, n, False
        while i < n:
            if forced[i]:
                end, line_break = i + 1, True
                break
            w = widths[i]
            if used + w > top and used > 0:
                if text[i] in HANGING and strict[i + 1]:
                    end = i + 1  # a closing mark hangs past the end
                else:
                    end = next((k for k in range(i, start, -1) if strict[k]), None) or \
                        next((k for k in range(i, start, -1) if joints[k]), None) or \
                        next((k for k in range(i, start, -1) if loose[k]), None) or \
                        (i + 1 if text[i] in HANGING or text[i] in NO_LINE_START else i)
                break
            used += w
            i += 1
        lines.append(_line(u, start, end, limit, line_break, calc_bounds))
        start = end
    return ParaLines(kind=1, lines=lines)


def _line(u: _Units, start: int, end: int, limit: float, line_break: bool,
          calc_bounds: bool) -> FragLine:
    """The units start…end as one line: what reportlab's ``makeCJKParaLine`` makes of them
    (runs of like fragments joined into words), worked out per fragment, not per character.
    A space ending a line takes no room."""
    chars, frags = u.chars, u.frags
    stop = end
    while stop > start and not line_break and chars[stop - 1].isspace():
        stop -= 1
    used = sum(u.widths[start:stop])
    words, size, ascent, descent = [], 0, 0, 0
    group = previous = None
    first = start
    for k in range(start, stop):
        f = frags[k]
        if f is previous and "cbDefn" not in f.__dict__ and "lineBreak" not in f.__dict__:
            continue  # the same fragment as the character before: the same word
        previous = f
        a, d = _extent(f, calc_bounds)
        size, ascent, descent = max(size, f.fontSize), max(ascent, a), min(descent, d)
        if group is None or not sameFrag(group, f):
            if group is not None:
                words.append(group.clone(text="".join(chars[first:k])))
            group, first = f, k
    if group is not None:
        words.append(group.clone(text="".join(chars[first:stop])))
    return FragLine(kind=1, extraSpace=limit - used, wordCount=1, words=words, fontSize=size,
                    ascent=ascent, descent=descent, maxWidth=limit, currentWidth=used,
                    lineBreak=line_break)


def _extent(f, calc_bounds: bool) -> tuple[float, float]:
    """A fragment's ascent and descent, as ``makeCJKParaLine`` takes them."""
    cb = getattr(f, "cbDefn", None)
    if calc_bounds and getattr(cb, "width", 0):
        return imgVRange(imgNormV(cb.height, f.fontSize), cb.valign, f.fontSize)[::-1]
    return getAscentDescent(f.fontName, f.fontSize)


class KinsokuParagraph(Paragraph):
    """Every paragraph of the PDF: Chinese line breaking by :func:`kinsoku_lines`.

    Tables measure a cell's paragraphs several times at the same width (row heights, merged
    cells, splits), so the lines of each width are kept and handed out again.  reportlab
    changes the words of the lines it splits a paragraph at (it appends the space that joins
    them), so a paragraph about to be split gets copies of its own first."""

    def breakLinesCJK(self, maxWidths):
        if not isinstance(maxWidths, (list, tuple)):
            maxWidths = [maxWidths]
        _handleBulletWidth(self.bulletText, self.style, maxWidths)
        if hasattr(self, "blPara") and getattr(self, "_splitpara", 0):
            return self.blPara
        if not self.frags:
            style = self.style
            return ParaLines(kind=0, fontSize=style.fontSize, fontName=style.fontName,
                             textColor=style.textColor, lines=[], ascent=style.fontSize,
                             descent=-0.2 * style.fontSize)
        auto = getattr(self, "autoLeading", getattr(self.style, "autoLeading", ""))
        calc_bounds = auto not in ("", "off")
        frags, units, known = getattr(self, "_kinsoku", (None, None, None))
        if frags is not self.frags:
            units, known = _units(self.frags), {}
            self._kinsoku = (self.frags, units, known)
        key = (tuple(maxWidths), calc_bounds)
        if key not in known:
            known[key] = kinsoku_lines(self.frags, maxWidths, calc_bounds, units)
        return ParaLines(kind=1, lines=known[key].lines)

    def wrap(self, availWidth, availHeight):
        """What a paragraph measures to depends only on the width: measured again at the
        width it has (tables do so for every row height, split and draw), it is as it was."""
        if getattr(self, "_wrapped", None) == availWidth and hasattr(self, "blPara"):
            return self.width, self.height  # (a split that found no room drops blPara)
        size = super().wrap(availWidth, availHeight)
        self._wrapped = availWidth
        return size

    def split(self, availWidth, availHeight):
        if not hasattr(self, "blPara"):
            self.wrap(availWidth, availHeight)
        if self.blPara.kind == 1:
            self.blPara = ParaLines(kind=1, lines=[
                line.clone(words=[w.clone() for w in line.words]) for line in self.blPara.lines])
        return super().split(availWidth, availHeight)


def write_pdf(doc: dm.Document, fonts: FontSet) -> bytes:
    check_glyphs(doc, fonts)
    return _Writer(doc, fonts).write()


class _Writer:
    def __init__(self, doc: dm.Document, fonts: FontSet):
        self.doc, self.fonts = doc, fonts
        self.regular, self.bold = register_reportlab(fonts)
        self.styles: dict[tuple, ParagraphStyle] = {}
        self.plain: dict[str, object] = {}  # style name → the fragment of its plain text
        # id of a table's grid → the grid (kept, so that its id stays its own) and the least
        # height of each of its rows
        self.row_heights: dict[int, tuple[list, list[float]]] = {}
        # (id of a cell, width, size) → the cell (kept, so that its id stays its own) and
        # its flowables
        self.cells: dict[tuple, tuple[dm.Cell, list]] = {}

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
        """Blocks as flowables; `size`: the type size of a table's cell they are in (None: the
        page's blocks)."""
        # space between the page's blocks ends with the page (see _Gap); in a cell, it is kept
        gap = Spacer if size else _Gap
        out = []
        for block in blocks:
            if isinstance(block, dm.Heading):
                style = self.style(SIZES[f"h{block.level}"], bold=True, color=_INK,
                                   space_before=10 if block.level < 3 else 6, space_after=4)
                # No heading alone at the foot of a page (see _KeepWithNext).
                out.append(_KeepWithNext(0.6 * self.frame_height, self.frame_height))
                out.append(heading := self._para(block.runs, style))
                heading.heading = True
            elif isinstance(block, dm.Paragraph):
                out.append(self._paragraph(block, size))
            elif isinstance(block, dm.ListBlock):
                out += self._list(block, 1, size)
            elif isinstance(block, dm.KeyValue):
                out.append(self._table(block.as_table(), width))
                out.append(gap(1, 3 * mm))
            elif isinstance(block, dm.Table):
                out.append(self._table(block, width))
                out.append(gap(1, 3 * mm))
            elif isinstance(block, dm.Image):
                out.append(self._image(block, width))
            elif isinstance(block, dm.Chart):
                from . import charts  # loads PIL too: only for a document with a chart

                d = charts.drawing(block, self.fonts)
                # reportlab starts every drawing in Helvetica; start it in our font instead
                d.initialFontName, d.initialFontSize = self.regular, SIZES["small"]
                d.hAlign = "CENTER"
                out += [d, gap(1, 3 * mm)]
            elif isinstance(block, dm.PageBreak):
                out.append(PageBreak())
            elif isinstance(block, dm.Spacer):
                out.append(gap(1, block.height_mm * mm))
        for i, f in enumerate(out):
            if isinstance(f, _KeepWithNext):
                f.keep(out[i + 1:])
        return out

    def _paragraph(self, block: dm.Paragraph, size: float | None = None,
                   align: str | None = None) -> Paragraph:
        style_size = SIZES.get(block.style) if block.style != "body" else None
        fsize = style_size or size or SIZES["body"]
        style = self.style(fsize, align or block.align, bold=block.style == "title",
                           color=colors.HexColor("#444444") if block.style in ("small", "note")
                           else colors.black,
                           space_after=6 if block.style in ("title", "subtitle") else 2)
        return self._para(block.runs, style)

    def _para(self, runs: list[dm.Run], style: ParagraphStyle,
              bullet: str | None = None) -> KinsokuParagraph:
        """Runs as a paragraph.  Plain text (most table cells) skips reportlab's markup
        parser, whose one fragment would be the style's own with the text in it; the style's
        fragment is parsed once."""
        markup = inline_markup(runs, "<br/>")
        text = cleanBlockQuotedText(markup)
        if not text or "<" in markup or "&" in markup:
            return KinsokuParagraph(markup, style, bulletText=bullet)
        if style.name not in self.plain:
            self.plain[style.name] = KinsokuParagraph("x", style).frags[0]
        frag = copy.copy(self.plain[style.name])
        frag.text = text
        return KinsokuParagraph(text, style, bulletText=bullet, frags=[frag])

    def _list(self, block: dm.ListBlock, depth: int, size: float | None) -> list:
        out = []
        fsize = size or SIZES["body"]
        for n, item in enumerate(block.items, 1):
            style = self.style(fsize, indent=12 * depth, space_after=1.5)
            bullet = f"{n}." if block.ordered else ("•" if depth == 1 else "–")
            out.append(self._para(item.runs, style, bullet))
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
        slots = dm.grid(table)
        head = min(table.header_rows, len(slots))
        return self._table_part(table, widths, slots, head, list(range(head, len(slots))))

    def _table_part(self, table: dm.Table, widths: list[float], slots, head: int,
                    body: list[int], shown: dict | None = None) -> Table:
        """The table's header rows and the body rows `body` (a run of grid rows) as one
        reportlab table; it makes its own rest when a page break splits it (see
        :class:`_ContinuedTable`).  Where the first of `body` lies inside a cell merged down
        from above, the part starts that cell again: a label on the left (a duty, a task) with
        「（續）」, what the rows share on the right (a level, a K/S list) as it is; without such
        a label, a merged cell goes on with what the page before did not show (`shown`: the
        number of its paragraphs printed there, by the original cell's id)."""
        size = SIZES["table_small"] if table.size == "small" else SIZES["table"]
        # CJK wrapping lets a closing mark (。，) hang past the line; the wider right
        # padding keeps it off the rule.
        pad = (3, 6)

        def inner(c: int, span: int) -> float:
            return sum(widths[c:c + span]) - sum(pad)

        body, after = self._window(slots, body, inner, size)
        part = _continued_slots(slots, head, body, shown or {})

        content = [[self._cell_flowables(s.cell, inner(c, s.cell.colspan), size)
                    [getattr(s.cell, "skip", 0):] if s.origin else []
                    for c, s in enumerate(row)] for row in part]
        data, tallest = self._flow_merged(part, content, inner)
        style = [("FONT", (0, 0), (-1, -1), self.regular, size),
                 ("VALIGN", (0, 0), (-1, -1), "TOP"),
                 ("LEFTPADDING", (0, 0), (-1, -1), pad[0]),
                 ("RIGHTPADDING", (0, 0), (-1, -1), pad[1]),
                 ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                 ("BOX", (0, 0), (-1, -1), 0.8, _RULE),
                 ("LINEBELOW", (0, "splitlast"), (-1, "splitlast"), 0.8, _RULE)]
        for r, row in enumerate(part):
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
        if head:
            style.append(("LINEBELOW", (0, head - 1), (-1, head - 1), 0.9, _RULE))
        out = _ContinuedTable(data, colWidths=widths, repeatRows=head,
                              style=TableStyle(style), hAlign="CENTER", splitByRow=1,
                              # Splitting inside rows can repeat the header in mid-page, so
                              # only a row too tall for any page is split; others move to the
                              # next page whole.
                              splitInRow=int(tallest > 0.8 * self.frame_height))
        out.rest = lambda rows, shown: self._table_part(table, widths, slots, head, rows,
                                                        shown)
        out.body, out.after, out.part = body, after, part
        return out

    def _window(self, slots, body: list[int], inner, size: float
                ) -> tuple[list[int], list[int]]:
        """The rows of `body` a part of the table is laid out with now, and those after them.

        A page break lays out the rest of a table again (see :class:`_ContinuedTable`), so a
        part holds only the first rows a page cannot hold, up to where no merged cell goes on;
        the rows after them join at the break.  (Laying out every remaining row at every
        break made long tables quadratic: 78 s for one of 1,000 rows.)  Heights counted are
        those of cells of one row, which a row is at least.  While a row too tall for a page
        is left, which reportlab then cuts inside, the part holds all rows as before."""
        if id(slots) not in self.row_heights:  # once per table: its parts share the rows
            self.row_heights[id(slots)] = (slots, [
                max((sum(f.wrap(w, 1e6)[1] for f in self._cell_flowables(s.cell, w, size))
                     for c, s in enumerate(row) if s.origin and s.cell.rowspan == 1
                     for w in [inner(c, s.cell.colspan)]), default=0.0) for row in slots])
        every = self.row_heights[id(slots)][1]
        heights = [every[r] for r in body]
        if max(heights, default=0.0) > 0.8 * self.frame_height:
            return body, []
        total = 0.0
        for k, (r, h) in enumerate(zip(body, heights)):
            if total > self.frame_height and all(s.last_row for s in slots[body[k - 1]]):
                return body[:k], body[k:]
            total += h
        return body, []

    def _cell_flowables(self, cell: dm.Cell, width: float, size: float) -> list:
        """A cell's paragraphs (and other blocks), made once: each part of a table split over
        pages shows the header and the rows moved overleaf again, already laid out."""
        key = (id(cell), width, size)
        if key not in self.cells:
            self.cells[key] = (cell, self._make_cell_flowables(cell, width, size))
        return self.cells[key][1]

    def _make_cell_flowables(self, cell: dm.Cell, width: float, size: float) -> list:
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


def _continued_slots(slots, head: int, body: list[int], shown: dict) -> list[list]:
    """The grid of a table part: the header rows and the rows `body`.  A cell merged down
    from above the first body row becomes a cell of its own over the rows it has left; one
    left of the row's own cells (a duty, a task) says 「（續）」 after its first paragraph.
    Cells right of them are repeated whole beside such a label, else go on after the
    paragraphs `shown` on the page before."""
    if not body:
        return [list(r) for r in slots[:head]]
    first = body[0]
    fresh: dict[int, dm.Cell] = {}
    cont = [c for c, s in enumerate(slots[first]) if s.row_in_span and s.first_col]
    labels = {c for c in cont
              if any(s.cell.rowspan == 1 and s.origin for s in slots[first][c + 1:])}
    for c, slot in enumerate(slots[first]):
        if slot.row_in_span == 0 or id(slot.cell) in fresh:
            continue
        cell = slot.cell
        label = c in labels
        blocks = copy.deepcopy(cell.blocks)
        if label:
            para = next((b for b in blocks if isinstance(b, dm.Paragraph)), None)
            if para is None:
                blocks.insert(0, para := dm.Paragraph([]))
            para.runs.append(dm.Run(dm.CONTINUED))
        fresh[id(cell)] = dm.Cell(blocks, rowspan=cell.rowspan - slot.row_in_span,
                                  colspan=cell.colspan, align=cell.align, valign=cell.valign,
                                  shade=cell.shade, header=cell.header)
        fresh[id(cell)].origin = cell
        fresh[id(cell)].skip = 0 if labels else shown.get(id(cell), 0)
    out = [list(r) for r in slots[:head]]
    for k, r in enumerate(body):
        row = []
        for c, slot in enumerate(slots[r]):
            cell = fresh.get(id(slot.cell))
            if cell is None:
                row.append(slot)
            else:
                row.append(dm.Slot(cell, k == 0 and slot.first_col, slot.first_col, k,
                                   slot.last_row))
        out.append(row)
    return out


class _KeepWithNext(CondPageBreak):
    """A heading kept with what follows it: a page break before the heading unless the page
    has room for it and the first part of what it leads to, spaces between them counted: the
    headings right after it (「四、職能需求」 then 「知識（K）」) and then the first block, of
    which a table's header and first row, a paragraph's first two lines; a paragraph leading
    into a table: all of it and the table's first row.  Unlike keepWithNext, a long table after
    the heading is not pushed whole to the next page: what is kept is at most `most` high,
    unless it ends with a table row that cannot be split (then at most `page`, the frame's
    height, so a page never breaks before a heading at its top)."""

    def __init__(self, most: float, page: float):
        super().__init__(0)
        self.most, self.page, self.items, self.headings = most, page, [], 0

    def keep(self, after: list) -> None:
        """Take the flowables to keep together from `after`, the flowables after this one."""
        items, headings, heading_next = [], 0, True
        for k, g in enumerate(after):
            if isinstance(g, (PageBreak, NextPageTemplate)):
                break
            if isinstance(g, _KeepWithNext):
                heading_next = True
            elif isinstance(g, Spacer):
                continue
            elif heading_next and getattr(g, "heading", False):
                items.append(g)
                headings, heading_next = headings + 1, False
            else:
                items.append(g)
                # a paragraph leading into a table goes with the table's first row (else the
                # two would end the page without it)
                following = next((h for h in after[k + 1:] if not isinstance(h, Spacer)
                                  or isinstance(h, _KeepWithNext)), None)
                if isinstance(g, Paragraph) and isinstance(following, Table):
                    items.append(following)
                break
        self.items, self.headings = items, headings

    def wrap(self, availWidth, availHeight):
        need, most = 0.0, self.most
        frame = getattr(self, "_frame", None)
        for k, f in enumerate(self.items):
            h = f.wrap(availWidth, 1e6)[1]
            last = k == len(self.items) - 1
            if k and isinstance(f, Table) and getattr(f, "_rowHeights", None):
                h = sum(f._rowHeights[:(f.repeatRows if isinstance(f.repeatRows, int) else 0) + 1])
                if not getattr(f, "splitInRow", 0):
                    most = self.page
            elif k >= self.headings and last and isinstance(f, Paragraph):
                h = min(h, 2 * f.style.leading)
            # the heading's own space before counts, except at the top of a page, where the
            # frame leaves it out
            before = f.getSpaceBefore() if k or not getattr(frame, "_atTop", 1) else 0
            need += h + before + (0 if last else f.getSpaceAfter())
        self.height = min(need, most)
        return super().wrap(availWidth, availHeight)


class _Gap(Spacer):
    """Space between the blocks of a page (after a table or a chart) that ends with the
    page: where less room is left, it takes what is left rather than go to the next page,
    where it would push the first line down, or, before a page break (a section of another
    orientation), make a page of its own, a blank page."""

    _ZEROSIZE = True  # the frame asks it even when no room at all is left

    def wrap(self, availWidth, availHeight):
        return self.width, max(min(self.height, availHeight), 0.0)


class _ContinuedTable(Table):
    """A table that, when a page break splits it between rows, makes the part after the
    break again from the document (:meth:`_Writer._table_part`): merged cells the break cut
    start again there, so every page reads on its own."""

    rest = None  # rows, paragraphs shown → the table of those rows
    body: list[int] = []  # the grid rows of this part
    after: list[int] = []  # the table's rows after them (see _Writer._window)
    part: list[list] = []

    def split(self, availWidth, availHeight):
        parts = super().split(availWidth, availHeight)
        if len(parts) != 2 or self.rest is None:
            return parts
        first, second = parts
        head = self.repeatRows if isinstance(self.repeatRows, int) else 0
        shown = len(first._cellvalues) - head
        if shown + len(second._cellvalues) - head != len(self.body):
            return parts  # a row too tall for a page was cut inside: reportlab's parts
        # paragraphs of each merged cell printed before the break, by the original cell
        printed: dict[int, int] = {}
        for r, row in enumerate(self.part[head:head + shown], head):
            for c, slot in enumerate(row):
                if slot.first_col and slot.cell.rowspan > 1:
                    cell = getattr(slot.cell, "origin", slot.cell)
                    printed[id(cell)] = printed.get(id(cell), getattr(slot.cell, "skip", 0)) \
                        + len(first._cellvalues[r][c] or [])
        again = self.rest(self.body[shown:] + self.after, printed)
        again.spaceAfter = getattr(second, "spaceAfter", 0)
        return [first, again]
