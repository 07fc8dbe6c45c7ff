"""Profiles, job descriptions and checklists: every item of the standard is in the DOCX and
the PDF, fonts are embedded subsets, long tables repeat their header, builds are repeatable."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from pypdf import PdfReader

from conftest import CODES, ROOT
from docs_text import docx_text, pdf_pages, pdf_text, squash, standard_texts
from kmc_reports.errors import KmcError
from kmc_reports.reports import Options, Output, checklist_document, job_document, \
    profile_document
from kmc_reports.staging import Staged
from kmc_reports.store import Library

LIBRARY = Library(ROOT / "data" / "standards")
PROFILE_HEADER = "主要職責工作任務工作產出行為指標職能級別職能內涵（K＝知識）職能內涵（S＝技能）"
CHECKLIST_HEADER = "工作任務行為指標12345未達成達成說明／佐證"


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """Every bundled standard's profile, job description and checklist, written once."""
    out = tmp_path_factory.mktemp("docs")
    output = Output(Options(formats=("docx", "pdf", "html")), Staged())
    files = {}
    for code in CODES:
        std = LIBRARY.get(code)
        for kind, make in (("profile", profile_document), ("job", job_document),
                           ("checklist", checklist_document)):
            for path in output.documents(make(std, output.opts), out / f"{code}-{kind}"):
                files[(code, kind, path.suffix[1:])] = path
    output.staged.commit()
    return files


def _header(std) -> str:
    return f"{std.code}　{std.name}職能基準"


@pytest.mark.parametrize("code", CODES)
def test_profile_docx_and_pdf_hold_every_item(written, code):
    std = LIBRARY.get(code)
    docx = squash(docx_text(written[(code, "profile", "docx")]))
    pdf = pdf_text(written[(code, "profile", "pdf")], drop=(PROFILE_HEADER, _header(std)))
    html = squash(written[(code, "profile", "html")].read_text(encoding="utf-8"))
    for text in standard_texts(std):
        assert squash(text) in docx, text
        assert squash(text) in pdf, text
        assert squash(text).replace("&", "&amp;") in html, text
    for f in std.notes.footnotes:
        assert squash(f.text) in docx and squash(f.text) in pdf
    for q in std.notes.qualifications:
        assert squash(q.text) in docx and squash(q.text) in pdf
    for v in std.versions:
        assert v.code in docx and v.date in pdf


@pytest.mark.parametrize("code", CODES)
def test_checklist_lists_every_indicator(written, code):
    std = LIBRARY.get(code)
    header = f"{std.code}　{std.name} 職能自我檢核表"
    docx = squash(docx_text(written[(code, "checklist", "docx")]))
    pdf = pdf_text(written[(code, "checklist", "pdf")], drop=(CHECKLIST_HEADER, header))
    for _, task in std.tasks():
        for p in task.indicators:
            assert squash(p.text) in docx and squash(p.text) in pdf, p.code
    for a in std.attitudes:
        assert squash(a.name) in docx and squash(a.name) in pdf


def test_pdf_fonts_are_embedded_subsets(written):
    for (code, kind, fmt), path in written.items():
        if fmt != "pdf":
            continue
        for page in PdfReader(str(path)).pages:
            for font in page["/Resources"]["/Font"].values():
                font = font.get_object()
                name = str(font["/BaseFont"])
                assert re.match(r"^/[A-Z]{6}\+NotoSansTC-(Regular|Bold)$", name), name
                assert "/FontFile2" in font["/FontDescriptor"], name


def test_long_table_repeats_its_header_on_every_page(written):
    pages = pdf_pages(written[("KMC3332-002v3", "profile", "pdf")])
    table_pages = [p for p in pages if "行為指標" in p]
    assert len(table_pages) >= 3
    for page in table_pages:  # once per page, never again in mid-page
        assert squash(page).count(squash(PROFILE_HEADER)) == 1
    assert all(f"，共 {len(pages)} 頁" in p for p in pages)


def test_docx_repeats_header_rows_and_sets_east_asian_font(written):
    from docx import Document
    from docx.oxml.ns import qn
    doc = Document(str(written[("KMC3332-002v3", "profile", "docx")]))
    main = doc.tables[2]
    assert main.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    fonts = doc.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == "微軟正黑體"
    merges = main._tbl.xpath(".//w:vMerge")
    assert any(m.get(qn("w:val")) == "restart" for m in merges)


def test_same_input_same_bytes(tmp_path):
    std = LIBRARY.get("KMC2432-004v2")
    blobs = []
    for run in range(2):
        output = Output(Options(formats=("docx", "pdf", "html")), Staged())
        paths = output.documents(profile_document(std, output.opts), tmp_path / f"{run}" / "p")
        output.staged.commit()
        blobs.append([p.read_bytes() for p in paths])
    assert blobs[0] == blobs[1]


def test_missing_glyph_fails_before_writing(tmp_path):
    std = LIBRARY.get("KMC2432-003v1")
    duties = [d.model_copy(update={"name": d.name + "𠀀"}) for d in std.duties]
    odd = std.model_copy(update={"duties": duties})
    output = Output(Options(formats=("docx", "pdf")), Staged())
    with pytest.raises(KmcError) as exc:
        output.documents(profile_document(odd, output.opts), tmp_path / "x")
    assert "U+20000" in str(exc.value)
    assert not list(tmp_path.iterdir())  # not even the DOCX


def test_job_description_keeps_selected_tasks_and_says_adapted(tmp_path):
    from PIL import Image
    logo = tmp_path / "logo.png"
    Image.new("RGB", (120, 40), (30, 60, 120)).save(logo)
    std = LIBRARY.get("KMC2432-001v4")
    output = Output(Options(formats=("docx", "pdf"), tasks="T1,T2.3", title="活動企劃",
                            org="範例文創股份有限公司", logo=str(logo)), Staged())
    paths = output.documents(job_document(std, output.opts), tmp_path / "job")
    output.staged.commit()
    for path in paths:
        text = squash(docx_text(path) if path.suffix == ".docx" else "".join(pdf_pages(path)))
        assert "活動企劃" in text and "範例文創股份有限公司" in text
        assert "統籌及協調活動" not in text  # T2.1 left out
        assert "彙整活動結案報告" in text and "規劃活動提案" in text
        assert "未納入工作任務T2.1、T2.2" in text
        assert "擬定" in text and "審核" in text and "核定" in text
    with pytest.raises(KmcError):
        job_document(std, Options(tasks="T9.9"))


def test_user_template_overrides_the_builtin(tmp_path):
    folder = tmp_path / "tpl"
    folder.mkdir()
    text = (ROOT / "templates" / "profile-icap.xml.j2").read_text(encoding="utf-8")
    (folder / "profile-icap.xml.j2").write_text(
        text.replace("<h2>基本資料</h2>", "<h2>基本資料（本公司版）</h2>"), encoding="utf-8")
    doc = profile_document(LIBRARY.get("KMC2432-002v4"), Options(templates=str(folder)))
    assert any(getattr(b, "text", "") == "基本資料（本公司版）" for b in doc.sections[0].blocks)
    (folder / "profile-icap.xml.j2").write_text("<document><section><p>x</section></document>",
                                                encoding="utf-8")
    with pytest.raises(KmcError) as exc:
        profile_document(LIBRARY.get("KMC2432-002v4"), Options(templates=str(folder)))
    assert "profile-icap.xml.j2" in str(exc.value) and "標記格式錯誤" in str(exc.value)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_docx_opens_in_libreoffice(written, tmp_path):
    source = written[("KMC2432-002v4", "profile", "docx")]
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path),
                    str(source)], check=True, capture_output=True, timeout=180)
    pdf = tmp_path / (source.stem + ".pdf")
    text = squash("".join(pdf_pages(pdf)))
    assert "專案市場分析" in text and "督導活動績效" in text


def test_a_template_table_row_wider_than_its_table_is_a_one_line_error(tmp_path):
    folder = tmp_path / "tpl"
    folder.mkdir()
    (folder / "profile-icap.xml.j2").write_text(
        '<document><section><table widths="1,1"><tr><td>a</td><td>b</td><td>c</td></tr>'
        '</table></section></document>', encoding="utf-8")
    with pytest.raises(KmcError) as exc:
        profile_document(LIBRARY.get("KMC2432-002v4"), Options(templates=str(folder)))
    message = str(exc.value)
    assert "profile-icap.xml.j2" in message and "範本的表格有誤" in message and "2 欄" in message
