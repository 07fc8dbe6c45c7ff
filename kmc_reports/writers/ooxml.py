"""The low-level WordprocessingML the python-docx API does not cover, kept in one place:
East-Asian fonts, cell merges, shading, repeated header rows, rows kept whole and together,
page-number fields, content-control check boxes.

Everything here edits lxml elements directly.  The DOCX writer also builds table rows,
cells, paragraphs and runs as lxml elements itself (the same XML python-docx's proxies make,
at a tenth of the calls); the quirks of WordprocessingML stay here.
"""

from __future__ import annotations

from docx.enum.text import WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt

_THEME_ATTRS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


def set_fonts(rpr, latin: str, east_asia: str) -> None:
    """Latin and East-Asian faces on a run or style: Word picks the font by script, so
    Chinese text needs w:eastAsia.  Theme font references are dropped, as they win."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in _THEME_ATTRS:
        if fonts.get(qn(attr)) is not None:
            del fonts.attrib[qn(attr)]
    for attr, value in (("w:ascii", latin), ("w:hAnsi", latin), ("w:cs", latin),
                        ("w:eastAsia", east_asia)):
        fonts.set(qn(attr), value)


def set_language(rpr, east_asia: str = "zh-TW") -> None:
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:eastAsia"), east_asia)


def _tc_pr(tc):
    return tc.get_or_add_tcPr()


def _child(parent, tag: str):
    el = parent.find(qn(tag))
    if el is None:
        el = OxmlElement(tag)
        parent.append(el)
    return el


def grid_span(tc, span: int) -> None:
    if span > 1:
        _child(_tc_pr(tc), "w:gridSpan").set(qn("w:val"), str(span))


def vertical_merge(tc, restart: bool) -> None:
    """Mark a cell as the start (restart) or a continuation of a vertical merge; writing this
    directly is linear, where python-docx's merge() re-walks the table for every cell."""
    el = _child(_tc_pr(tc), "w:vMerge")
    if restart:
        el.set(qn("w:val"), "restart")


def shade(tc, fill: str) -> None:
    el = _child(_tc_pr(tc), "w:shd")
    el.set(qn("w:val"), "clear")
    el.set(qn("w:color"), "auto")
    el.set(qn("w:fill"), fill)


def valign(tc, value: str) -> None:
    _child(_tc_pr(tc), "w:vAlign").set(qn("w:val"), {"middle": "center"}.get(value, value))


def cell_width(tc, twips: int) -> None:
    w = _child(_tc_pr(tc), "w:tcW")
    w.set(qn("w:w"), str(twips))
    w.set(qn("w:type"), "dxa")


def repeat_header(tr) -> None:
    """Repeat this row at the top of every page the table runs over."""
    tr_pr = tr.get_or_add_trPr()
    _child(tr_pr, "w:tblHeader").set(qn("w:val"), "true")


def cant_split(tr) -> None:
    """The row is never broken across pages (Word moves it whole to the next page)."""
    tr_pr = tr.get_or_add_trPr()
    el = _child(tr_pr, "w:cantSplit")
    el.set(qn("w:val"), "true")
    # CT_TrPr's children are ordered: cantSplit comes before tblHeader
    header = tr_pr.find(qn("w:tblHeader"))
    if header is not None:
        tr_pr.remove(el)
        header.addprevious(el)


def keep_row_with_next(tr) -> None:
    """Keep this row on the page of the next one: Word keeps a row with the next when every
    paragraph in it is "keep with next"."""
    for p in tr.iter(qn("w:p")):
        p.get_or_add_pPr().get_or_add_keepNext()


W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
CHECKBOX_FONT = "MS Gothic"  # the face Word itself uses for its check-box glyphs
CHECKED, UNCHECKED = "\u2612", "\u2610"  # ☒ ☐


def _w14(tag: str) -> str:
    return f"{{{W14}}}{tag}"


def checkbox(paragraph, checked: bool = False, size_pt: float | None = None) -> None:
    """A check box a reader clicks in Word (a w14:checkbox content control showing ☐ / ☒).
    The document part must declare the w14 namespace, as python-docx's template does; Word
    versions before 2010 and LibreOffice show the glyph, which stays printable."""
    root = paragraph._p.getroottree().getroot()
    if root.nsmap.get("w14") != W14:
        raise ValueError("the document part does not declare the w14 namespace")

    def glyph_rpr():
        rpr = OxmlElement("w:rPr")
        fonts = OxmlElement("w:rFonts")
        for attr in ("w:ascii", "w:eastAsia", "w:hAnsi"):
            fonts.set(qn(attr), CHECKBOX_FONT)
        fonts.set(qn("w:hint"), "eastAsia")
        rpr.append(fonts)
        if size_pt:
            for tag in ("w:sz", "w:szCs"):
                el = OxmlElement(tag)
                el.set(qn("w:val"), str(round(size_pt * 2)))
                rpr.append(el)
        return rpr

    sdt = OxmlElement("w:sdt")
    pr = OxmlElement("w:sdtPr")
    pr.append(glyph_rpr())
    box = pr.makeelement(_w14("checkbox"), nsmap={"w14": W14})
    for tag, value, font in (("checked", "1" if checked else "0", None),
                             ("checkedState", f"{ord(CHECKED):04X}", CHECKBOX_FONT),
                             ("uncheckedState", f"{ord(UNCHECKED):04X}", CHECKBOX_FONT)):
        el = box.makeelement(_w14(tag), nsmap={"w14": W14})
        el.set(_w14("val"), value)
        if font:
            el.set(_w14("font"), font)
        box.append(el)
    pr.append(box)
    sdt.append(pr)
    content = OxmlElement("w:sdtContent")
    run = OxmlElement("w:r")
    run.append(glyph_rpr())
    text = OxmlElement("w:t")
    text.text = CHECKED if checked else UNCHECKED
    run.append(text)
    content.append(run)
    sdt.append(content)
    paragraph._p.append(sdt)


def fixed_layout(tbl, twips: list[int]) -> None:
    """Fixed column widths: Word and LibreOffice then honour them instead of autofitting."""
    tbl_pr = tbl.tblPr
    _child(tbl_pr, "w:tblLayout").set(qn("w:type"), "fixed")
    width = _child(tbl_pr, "w:tblW")
    width.set(qn("w:w"), str(sum(twips)))
    width.set(qn("w:type"), "dxa")
    for col, w in zip(tbl.tblGrid.gridCol_lst, twips):
        col.w = w * 635  # twips to EMU


def cell_margins(tbl, twips: int) -> None:
    mar = _child(tbl.tblPr, "w:tblCellMar")
    for side in ("w:top", "w:bottom", "w:left", "w:right"):
        el = _child(mar, side)
        el.set(qn("w:w"), str(twips if side in ("w:left", "w:right") else twips // 2))
        el.set(qn("w:type"), "dxa")


def field(paragraph, instruction: str, size_pt: float | None = None) -> None:
    """A simple field such as PAGE or NUMPAGES, shown with a placeholder until Word
    updates it (LibreOffice computes it on open); ``size_pt``: the size of the text around
    it (a field's number is printed in its result run's format)."""
    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    if size_pt:
        rpr = OxmlElement("w:rPr")
        for tag in ("w:sz", "w:szCs"):
            el = OxmlElement(tag)
            el.set(qn("w:val"), str(round(size_pt * 2)))
            rpr.append(el)
        run.append(rpr)
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    fld.append(run)
    paragraph._p.append(fld)


def keep_with_next(paragraph) -> None:
    """A heading stays on the page of what follows it (no orphaned headings)."""
    paragraph.paragraph_format.keep_with_next = True


def page_break_before(paragraph) -> None:
    """An empty paragraph that starts a new page and takes next to no room there (between
    two tables, which Word would join without one); Word and LibreOffice both honour it."""
    pf = paragraph.paragraph_format
    pf.page_break_before = True
    pf.space_before = pf.space_after = 0
    pf.line_spacing = Pt(1)
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
