"""Section breaks in Word documents (portrait pages, then landscape tables, then portrait
again): each section ends in its own last paragraph, and a section-break paragraph with
nothing in it takes no height — an empty line after a table that ends at the foot of a page
made LibreOffice print a page with only the header and footer (BAS1219-001v4's profile)."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from io import BytesIO
from pathlib import Path

import pytest
from docx.oxml.parser import parse_xml
from lxml import etree

from conftest import ROOT, cli_ok as _run, copy_data
from docs_text import pdf_pages, squash
from real_gold import REAL
from kmc_reports.config import Config
from kmc_reports.document import Cell, Document, Paragraph, Run, Section, Spacer, Table
from kmc_reports.writers import docx
from kmc_reports.writers.zipfix import deterministic_zip

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# A profile whose landscape table ends at the foot of a page in LibreOffice, at hand where
# the real standards are.
SPILL = REAL / "pdf" / "BAS1219-001v4.pdf"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The bundled standards' Word documents (and BAS1219-001v4's, where it is at hand)."""
    tmp = tmp_path_factory.mktemp("docx-sections")
    data, out = tmp / "data", tmp / "out"
    copy_data(data)
    if SPILL.is_file():
        _run("--data", data, "import", SPILL)
    _run("--data", data, "build", "--format", "docx", "--out", out)
    return out


def _body(path: Path):
    with zipfile.ZipFile(path) as zf:
        return parse_xml(zf.read("word/document.xml")).find(f"{W}body")


def _has_content(p) -> bool:
    return any(child.tag != f"{W}pPr" for child in p)


def _breaks(body) -> list:
    return [p for p in body.iterchildren(f"{W}p") if p.find(f"{W}pPr/{W}sectPr") is not None]


def _takes_no_height(p) -> bool:
    spacing = p.find(f"{W}pPr/{W}spacing")
    return spacing is not None and {k[len(W):]: v for k, v in spacing.attrib.items()} == {
        "before": "0", "after": "0", "line": "20", "lineRule": "exact"}


def test_sections_end_in_their_last_paragraph_which_takes_no_height_when_empty(built):
    files = sorted(built.rglob("*.docx"))
    several = 0
    for path in files:
        body = _body(path)
        breaks = _breaks(body)
        several += bool(breaks)
        for p in breaks:
            where = (path.name, body.index(p))
            if _has_content(p):  # the section's last paragraph
                continue
            assert _takes_no_height(p), where
            before = p.getprevious()  # and no empty line left before it
            assert before is None or before.tag != f"{W}p" or _has_content(before), where
    assert several, "no document of several sections"


def test_empty_and_text_endings_and_an_empty_section():
    def table():
        return Table([1, 1], [[Cell([Paragraph([Run("甲")])]), Cell([Paragraph([Run("乙")])])]])

    doc = Document([Section([table()]),
                    Section([Paragraph([Run("一段文字")])], orientation="landscape"),
                    Section([], orientation="portrait"),
                    Section([Paragraph([Run("留白之前")]), Spacer(6)], orientation="landscape"),
                    Section([Paragraph([Run("最後")])])], title="t")
    with zipfile.ZipFile(BytesIO(docx.write_docx(doc, Config()))) as zf:
        body = parse_xml(zf.read("word/document.xml")).find(f"{W}body")
    breaks = _breaks(body)
    assert len(breaks) == 4  # the last section's w:sectPr is the body's own
    after_table, text, empty, spacer = breaks
    assert after_table.getprevious().tag == f"{W}tbl" and _takes_no_height(after_table)
    assert "".join(t.text for t in text.iter(f"{W}t")) == "一段文字"
    assert not _takes_no_height(text)
    assert empty.getprevious() is text and _takes_no_height(empty)
    assert _takes_no_height(spacer) and spacer.getprevious() is not empty
    assert "".join(t.text for t in spacer.getprevious().iter(f"{W}t")) == "留白之前"
    orient = [s.find(f"{W}pgSz").get(f"{W}orient") for s in body.iter(f"{W}sectPr")]
    assert orient == [None, "landscape", None, "landscape", None]


# -- the same bytes as python-docx's own API gave, but for the section breaks ---------------

def _sections_ended(data: bytes) -> bytes:
    """A document of python-docx's section breaks with end_sections applied, zipped as the
    writer zips (zipfix)."""
    src = zipfile.ZipFile(BytesIO(data))
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for name in src.namelist():
            blob = src.read(name)
            if name == "word/document.xml":
                root = parse_xml(blob)
                docx.end_sections(root.find(f"{W}body"))
                blob = etree.tostring(root, encoding="UTF-8", standalone=True)
            dst.writestr(name, blob)
    return deterministic_zip(out.getvalue())


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    from test_writer_bytes import _reference

    return _reference("docx", tmp_path_factory.mktemp("reference"))


def test_otherwise_as_python_docx_wrote_them(reference):
    from test_writer_bytes import _edge_document, _same_zip
    from kmc_reports.reports import Options, checklist_document
    from kmc_reports.store import load_standard

    std = load_standard(ROOT / "data" / "standards" / "KMC2432-001v4.yaml")
    for doc in (_edge_document(), checklist_document(std, Options())):
        assert len(doc.sections) > 1
        _same_zip(docx.write_docx(doc, Config()),
                  _sections_ended(reference.write_docx(doc, Config())))


# -- as LibreOffice prints them -------------------------------------------------------------

@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_no_page_of_a_profile_is_empty(built, tmp_path):
    profiles = sorted(built.rglob("*-profile.docx"))
    assert profiles
    subprocess.run(["soffice", f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}",
                    "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path),
                    *map(str, profiles)], check=True, capture_output=True, timeout=600)
    for path in profiles:
        with zipfile.ZipFile(path) as zf:
            header = squash("".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>",
                                               zf.read("word/header1.xml").decode())))
        pages = pdf_pages(tmp_path / f"{path.stem}.pdf")
        for n, page in enumerate(pages, 1):
            text = re.sub(r"第\d+頁，共\d+頁", "", squash(page)).replace(header, "", 1)
            assert text, f"{path.name}: page {n} of {len(pages)} has only header and footer"
