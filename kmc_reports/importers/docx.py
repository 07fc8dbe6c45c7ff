"""Read a standard laid out as a Word (DOCX) or OpenDocument (ODT) file.

Both are zip packages of XML.  Only the document body is read, in order: its paragraphs and
its tables (rows of cell texts, see :mod:`.layout`).  Page headers and footers (「第 N 頁，
總共 M 頁」) live in other parts of the package and are never looked at.

Tables are read from the XML directly, row by row and cell by cell: a cell spanning k grid
columns is its text followed by k-1 empty cells, so the columns of every row line up; a cell
continuing a vertical merge (DOCX ``w:vMerge`` without ``restart``, ODT
``table:covered-table-cell``) is "".  python-docx's ``table.cell(r, c)`` is not used: it
rebuilds the whole grid at every call.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
import zlib
import xml.etree.ElementTree as ET

from ..document import CONTINUED
from ..errors import KmcError
from .layout import Table, as_text

# The largest part we are willing to inflate (a zip bomb is refused, not read).
_MAX_PART = 200 * 1024 * 1024
# The most cells a span or repeat is written out as (ODT sheets repeat empty filler rows
# and columns up to 1048576 times).
_MAX_REPEAT = 1000

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
W_STRICT = "{http://purl.oclc.org/ooxml/wordprocessingml/main}"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
OT = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
TX = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
TB = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
DR = "{urn:oasis:names:tc:opendocument:xmlns:drawing:1.0}"
SVG = "{urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0}"

ODT_TYPES = ("application/vnd.oasis.opendocument.text",
             "application/vnd.oasis.opendocument.text-template",
             "application/vnd.oasis.opendocument.text-master")


def read_package(data: bytes, path: str) -> str:
    """The tab-separated text (see :mod:`.layout`) of a DOCX or ODT file's bytes."""
    return as_text(read_blocks(data, path))


def read_blocks(data: bytes, path: str) -> list:
    """The paragraphs (str) and tables (:class:`.layout.Table`) of a DOCX or ODT file's
    body, in order.  KmcError if it is no such file or holds no iCAP main table."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        names = set(zf.namelist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError):
        raise KmcError("ZIP 檔案已損毀，無法讀取（不是完整的 DOCX／ODT 檔案）", path) from None
    with zf:
        mime = _read(zf, "mimetype", path, limit=200).decode("ascii", "replace").strip() \
            if "mimetype" in names else ""
        main = _docx_main(zf, names, path)
        if mime in ODT_TYPES or (not mime and main is None and "content.xml" in names):
            blocks = _odt_blocks(_xml(zf, "content.xml", names, path), path)
        elif main is not None:
            blocks = _docx_blocks(_xml(zf, main, names, path), path)
        else:
            raise KmcError(f"此 ZIP 檔案不是 Word（DOCX）或 OpenDocument 文字（ODT）文件"
                           f"{_what_else(mime, names)}，無法讀取", path)
    if not any(_is_main_header(b) for b in blocks):
        raise KmcError("不是 iCAP 職能基準：文件中找不到「主要職責／工作任務／行為指標」"
                       "的表格", path)
    return blocks


def _is_main_header(block) -> bool:
    """Whether the block is (or a row of it is) the header of the main table."""
    texts = [" ".join(r) for r in block.rows] if isinstance(block, Table) else [block]
    for t in texts:
        t = re.sub(r"\s+", "", t)
        if "行為指標" in t and ("工作任務" in t or "主要職責" in t or "工作活動" in t):
            return True
    return False


# -- package ---------------------------------------------------------------------------------

_OTHER_KINDS = (
    ("xl/", "這是 Excel 活頁簿（XLSX）"),
    ("ppt/", "這是 PowerPoint 簡報（PPTX）"),
)
_OTHER_MIMES = {
    "application/vnd.oasis.opendocument.spreadsheet": "這是 OpenDocument 試算表（ODS）",
    "application/vnd.oasis.opendocument.presentation": "這是 OpenDocument 簡報（ODP）",
    "application/epub+zip": "這是 EPUB 電子書",
}


def _what_else(mime: str, names: set[str]) -> str:
    if mime in _OTHER_MIMES:
        return f"（{_OTHER_MIMES[mime]}）"
    for prefix, what in _OTHER_KINDS:
        if any(n.startswith(prefix) for n in names):
            return f"（{what}）"
    return f"（{mime}）" if mime else ""


def _read(zf: zipfile.ZipFile, name: str, path: str, limit: int | None = None) -> bytes:
    """A part's bytes, refusing one that inflates beyond ``limit`` (a zip bomb)."""
    limit = _MAX_PART if limit is None else limit
    try:
        with zf.open(name) as fh:
            raw = fh.read(limit + 1)
    except RuntimeError:  # an encrypted entry
        raise KmcError("檔案受密碼保護，無法讀取；請先移除密碼再匯入", path) from None
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, KeyError,
            NotImplementedError, zlib.error):
        raise KmcError(f"ZIP 檔案已損毀，無法讀出 {name}", path) from None
    if len(raw) > limit:
        if name == "mimetype":
            return b""
        raise KmcError(f"檔案中的 {name} 解壓縮後過大（超過 {limit // 2**20} MB），無法讀取",
                       path)
    return raw


def _xml(zf: zipfile.ZipFile, name: str, names: set[str], path: str) -> ET.Element:
    if name not in names:
        raise KmcError(f"檔案不完整：缺少 {name}", path)
    raw = _read(zf, name, path)
    try:
        return ET.fromstring(raw)
    except ET.ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else None
        where = f"第 {line} 行" if line else ""
        raise KmcError(f"檔案中的 {name} {where}不是正確的 XML，無法讀取", path) from None


_REL_OFFICE_DOC = re.compile(r"/officeDocument$")


def _docx_main(zf: zipfile.ZipFile, names: set[str], path: str) -> str | None:
    """The package's main document part: the target of the officeDocument relationship in
    ``_rels/.rels`` when that is a Word document, else ``word/document.xml`` if present."""
    if "_rels/.rels" in names:
        try:
            rels = ET.fromstring(_read(zf, "_rels/.rels", path, limit=2**20))
        except (ET.ParseError, KmcError):
            rels = None
        for rel in rels if rels is not None else ():
            target = rel.get("Target") or ""
            if _REL_OFFICE_DOC.search(rel.get("Type") or "") and target:
                target = posixpath.normpath(target.lstrip("/"))
                if target in names and not target.startswith(("xl/", "ppt/")):
                    return target
    return "word/document.xml" if "word/document.xml" in names else None


# -- DOCX ------------------------------------------------------------------------------------

def _docx_blocks(root: ET.Element, path: str) -> list:
    if root.tag.startswith(W_STRICT):
        _renamespace(root, W_STRICT, W)
    body = root.find(f"{W}body")
    if body is None:
        raise KmcError("Word 文件中找不到本文（w:body），無法讀取", path)
    blocks: list = []
    for child in _docx_children(body):
        if child.tag == f"{W}p":
            blocks.append(_docx_par(child))
            continue
        table = _docx_table(child)
        _drop_repeats(table)
        blocks.append(table)
    return blocks




def _drop_repeats(table: Table) -> None:
    """A table kmc-reports printed on a new page in the middle of a merged block starts
    the block's merged cells again after its header, each marked 「（續）」 (a label after
    its first line, a level or K/S list at its end).  They are the cells above going on,
    so they are read as "" (as a merged cell's rows are)."""
    first = next((r for r in table.rows if not _is_main_header(Table([r]))), None)
    if first is None:
        return
    for c, text in enumerate(first):
        lines = [ln for ln in re.split(r"\n|<br>", text) if ln.strip()]
        if lines and (re.sub(r"\s+", "", lines[0]).endswith(CONTINUED)
                      or re.sub(r"\s+", "", lines[-1]).endswith(CONTINUED)):
            first[c] = ""


def _renamespace(root: ET.Element, old: str, new: str) -> None:
    """Strict Open XML (ISO/IEC 29500 strict) names its elements in another namespace."""
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag.startswith(old):
            el.tag = new + el.tag[len(old):]
        for key in [k for k in el.attrib if k.startswith(old)]:
            el.attrib[new + key[len(old):]] = el.attrib.pop(key)


# Elements that only group what is inside them (content controls, custom XML, tracked
# insertions and moves, smart tags).
_WRAPPERS = {f"{W}customXml", f"{W}ins", f"{W}moveTo", f"{W}smartTag"}


def _unwrap(el: ET.Element, wanted: tuple[str, ...]):
    """The children of ``el`` tagged ``wanted``, looking through wrappers and through one
    branch of a compatibility choice."""
    for child in el:
        tag = child.tag
        if tag in wanted:
            yield child
        elif tag == f"{W}sdt":
            content = child.find(f"{W}sdtContent")
            if content is not None:
                yield from _unwrap(content, wanted)
        elif tag in _WRAPPERS:
            yield from _unwrap(child, wanted)
        elif tag == f"{MC}AlternateContent":
            branch = _alternate(child)
            if branch is not None:
                yield from _unwrap(branch, wanted)


def _alternate(el: ET.Element) -> ET.Element | None:
    """One branch of ``mc:AlternateContent`` (both hold the same text)."""
    branch = el.find(f"{MC}Choice")
    return branch if branch is not None else el.find(f"{MC}Fallback")


def _docx_children(el: ET.Element):
    """The paragraphs and tables of a body, cell or text box, in order."""
    return _unwrap(el, (f"{W}p", f"{W}tbl"))


# Run content that stands for a character.
_CHARS = {f"{W}tab": "\t", f"{W}ptab": "\t", f"{W}br": "\n", f"{W}cr": "\n",
          f"{W}noBreakHyphen": "-", f"{W}softHyphen": ""}
# Elements whose text is not part of the printed text: properties, deletions, field codes,
# note and comment references (their numbers are generated), phonetic guides.
_SKIP = {f"{W}del", f"{W}moveFrom", f"{W}pPr", f"{W}rPr", f"{W}sdtPr", f"{W}sdtEndPr",
         f"{W}instrText", f"{W}delText", f"{W}delInstrText", f"{W}fldData",
         f"{W}footnoteReference", f"{W}endnoteReference", f"{W}commentReference",
         f"{W}annotationRef", f"{W}rt", f"{W}customXmlPr", f"{W}smartTagPr"}


def _hidden(run: ET.Element) -> bool:
    rpr = run.find(f"{W}rPr")
    vanish = rpr.find(f"{W}vanish") if rpr is not None else None
    return vanish is not None and vanish.get(f"{W}val", "true") not in ("0", "false", "off")


# Zero-width spaces and joiners are line-break hints (kmc-reports' own DOCX puts one after
# 「、」 before a code, for LibreOffice), never content.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u2060\ufeff"))


def _docx_par(p: ET.Element) -> str:
    """A paragraph's text: its runs, also those inside hyperlinks, fields, content controls,
    insertions and text boxes (a text box's paragraphs on lines of their own)."""
    out: list[str] = []

    def walk(el: ET.Element) -> None:
        for child in el:
            tag = child.tag
            if tag in _SKIP:
                continue
            if tag == f"{W}t":
                out.append(child.text or "")
            elif tag in _CHARS:
                out.append(_CHARS[tag])
            elif tag == f"{W}sym":
                try:
                    out.append(chr(int(child.get(f"{W}char") or "", 16)))
                except (ValueError, OverflowError):
                    pass
            elif tag == f"{W}r" and _hidden(child):
                continue
            elif tag == f"{MC}AlternateContent":
                branch = _alternate(child)
                if branch is not None:
                    walk(branch)
            elif tag == f"{W}txbxContent":
                for block in _docx_children(child):
                    out.append("\n" + (_docx_par(block) if block.tag == f"{W}p"
                                       else _docx_cell_text(block)))
            else:
                walk(child)

    walk(p)
    return "".join(out).translate(_INVISIBLE)


def _flat_table(rows: list[list[str]]) -> list[str]:
    """A table nested in a cell, as lines: one per row, its non-empty cells joined by a
    space."""
    lines = []
    for row in rows:
        line = " ".join(c.replace("\n", " ") for c in row if c.strip())
        if line:
            lines.append(line)
    return lines


def _docx_cell_text(tc: ET.Element) -> str:
    """A cell's (or text box's) paragraphs as lines; a nested table as lines of its rows."""
    lines: list[str] = []
    for child in _docx_children(tc):
        if child.tag == f"{W}p":
            lines.append(_docx_par(child))
        else:
            lines.extend(_flat_table(_docx_table(child).rows))
    return "\n".join(lines)


def _int(value: str | None, default: int = 1, least: int = 1) -> int:
    """An integer attribute, at least ``least`` and at most _MAX_REPEAT."""
    try:
        return min(max(least, int(value)), _MAX_REPEAT) if value is not None else default
    except ValueError:
        return default


def _val(parent: ET.Element | None, tag: str) -> ET.Element | None:
    return parent.find(f"{W}{tag}") if parent is not None else None


def _docx_table(tbl: ET.Element) -> Table:
    """Rows of cell texts.  ``w:gridSpan`` k: the text and k-1 ""; a ``w:vMerge`` (or the
    legacy ``w:hMerge``) continuation: ""; ``w:gridBefore``/``w:gridAfter``: "" cells."""
    rows: list[list[str]] = []
    for tr in _unwrap(tbl, (f"{W}tr",)):
        trpr = tr.find(f"{W}trPr")
        before, after = _val(trpr, "gridBefore"), _val(trpr, "gridAfter")
        row: list[str] = [""] * (_int(before.get(f"{W}val"), 0, 0) if before is not None else 0)
        for tc in _unwrap(tr, (f"{W}tc",)):
            tcpr = tc.find(f"{W}tcPr")
            span = _val(tcpr, "gridSpan")
            vmerge, hmerge = _val(tcpr, "vMerge"), _val(tcpr, "hMerge")
            # <w:vMerge/> with no value (or "continue") continues the cell above.
            covered = any(m is not None and m.get(f"{W}val", "continue") != "restart"
                          for m in (vmerge, hmerge))
            row.append("" if covered else _docx_cell_text(tc))
            row.extend([""] * ((_int(span.get(f"{W}val")) if span is not None else 1) - 1))
        row.extend([""] * (_int(after.get(f"{W}val"), 0, 0) if after is not None else 0))
        rows.append(row)
    return Table(rows)


# -- ODT -------------------------------------------------------------------------------------

def _odt_blocks(root: ET.Element, path: str) -> list:
    body = root.find(f"{OT}body")
    text = body.find(f"{OT}text") if body is not None else None
    if text is None:
        raise KmcError("ODT 文件中找不到本文（office:text），無法讀取", path)
    return _odt_container(text)


# Elements that only group paragraphs and tables.
_ODT_WRAPPERS = {f"{TX}list", f"{TX}list-item", f"{TX}list-header", f"{TX}section",
                 f"{TX}index-body", f"{TX}numbered-paragraph", f"{TX}table-of-content",
                 f"{TX}alphabetical-index", f"{TX}illustration-index", f"{TX}table-index",
                 f"{TX}object-index", f"{TX}user-index", f"{TX}bibliography"}


def _odt_container(el: ET.Element) -> list:
    """The paragraphs, headings and tables of ``el`` in order, looking through lists,
    sections and indexes (not through an index's template, ``*-source``)."""
    blocks: list = []
    for child in el:
        tag = child.tag
        if tag in (f"{TX}p", f"{TX}h"):
            blocks.append(_odt_par(child))
        elif tag == f"{TB}table":
            blocks.append(_odt_table(child))
        elif tag in _ODT_WRAPPERS:
            blocks.extend(_odt_container(child))
    return blocks


# Inline elements whose text is not printed where they stand: notes (their text is at the
# page foot), annotations, tracked changes (deleted text), index marks, ruby text.
_ODT_SKIP = {f"{TX}note", f"{OT}annotation", f"{OT}annotation-end", f"{TX}tracked-changes",
             f"{TX}ruby-text", f"{TX}toc-mark", f"{TX}alphabetical-index-mark",
             f"{TX}user-index-mark", f"{SVG}title", f"{SVG}desc"}


def _odt_par(p: ET.Element) -> str:
    """A paragraph's text with ``text:s`` (spaces), ``text:tab`` and ``text:line-break``;
    a text box's paragraphs on lines of their own."""
    out: list[str] = []

    def walk(el: ET.Element) -> None:
        if el.text:
            out.append(el.text)
        for child in el:
            tag = child.tag
            if tag in _ODT_SKIP:
                pass
            elif tag == f"{TX}s":
                out.append(" " * _int(child.get(f"{TX}c")))
            elif tag == f"{TX}tab":
                out.append("\t")
            elif tag == f"{TX}line-break":
                out.append("\n")
            elif tag == f"{DR}text-box":
                out.append("\n" + _odt_cell_text(child))
            else:
                walk(child)
            if child.tail:
                out.append(child.tail)

    walk(p)
    return "".join(out).translate(_INVISIBLE)


def _odt_cell_text(cell: ET.Element) -> str:
    """A cell's (or text box's) paragraphs as lines; a nested table as lines of its rows."""
    lines: list[str] = []
    for block in _odt_container(cell):
        if isinstance(block, Table):
            lines.extend(_flat_table(block.rows))
        else:
            lines.append(block)
    return "\n".join(lines)


def _odt_rows(el: ET.Element):
    """The rows of a table, looking through header-row and row groups."""
    for child in el:
        tag = child.tag
        if tag == f"{TB}table-row":
            yield child
        elif tag in (f"{TB}table-header-rows", f"{TB}table-rows", f"{TB}table-row-group"):
            yield from _odt_rows(child)


def _count(value: str | None) -> int:
    try:
        return max(1, int(value)) if value is not None else 1
    except ValueError:
        return 1


def _odt_table(table: ET.Element) -> Table:
    """Rows of cell texts.  A cell spanning k columns is followed in the XML by k-1
    ``table:covered-table-cell``, and so is each row a cell spans downwards: those are "",
    so the columns line up.  Repeated cells and rows are written out (empty filler repeated
    to the edge of a sheet is not)."""
    rows: list[list[str]] = []
    for tr in _odt_rows(table):
        row: list[str] = []
        for cell in tr:
            if cell.tag == f"{TB}table-cell":
                text = _odt_cell_text(cell)
            elif cell.tag == f"{TB}covered-table-cell":
                text = ""
            else:
                continue
            repeat = _count(cell.get(f"{TB}number-columns-repeated"))
            if repeat > _MAX_REPEAT and not text.strip():
                repeat = 1
            row.extend([text] * min(repeat, _MAX_REPEAT))
        repeat = _count(tr.get(f"{TB}number-rows-repeated"))
        if repeat > _MAX_REPEAT and not any(c.strip() for c in row):
            continue
        rows.extend(list(row) for _ in range(min(repeat, _MAX_REPEAT)))
    return Table(rows)
