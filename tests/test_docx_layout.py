"""Word documents as a reader meets them: rows never cut across pages where they fit,
headings kept with what follows, check boxes that can be clicked, job descriptions HR can
file, 「未載明」 for a missing date, one row for a code printed with two names, hand
corrections disclosed.  Everything is checked on the DOCX files of one real build."""

from __future__ import annotations

import math
import re
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT, cli_ok as _run, copy_data
from real_gold import REAL
from kmc_reports.document import document_text
from kmc_reports.reports import Options, checklist_document
from kmc_reports.store import load_standard

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
W14 = "{http://schemas.microsoft.com/office/word/2010/wordml}"
NO_DATE = REAL / "ocs-json" / "LLS2619-005.json"
HR = {"--department": "活動企劃部", "--supervisor": "企劃經理", "--grade": "專員（職等 5）",
      "--location": "臺北市", "--effective-date": "2025/01/01", "--approved-by": "總經理"}


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Path:
    """The bundled data (plus a standard without any version date, where it is at hand)
    built once; job descriptions with and without the HR fields."""
    tmp = tmp_path_factory.mktemp("docx-layout")
    data, out = tmp / "data", tmp / "out"
    copy_data(data)
    if NO_DATE.is_file():
        _run("--data", data, "import", NO_DATE)
    _run("--data", data, "build", "--out", out)
    args = [a for kv in HR.items() for a in kv]
    _run("--data", data, "profile", "KMC3332-002v3", "--layout", "job", "--format", "docx",
         "--out", tmp / "hr", *args)
    return out


def _xml(path: Path):
    import xml.etree.ElementTree as ET

    with zipfile.ZipFile(path) as zf:
        return ET.fromstring(zf.read("word/document.xml"))


def _text(el) -> str:
    return "".join(t.text or "" for t in el.iter(f"{W}t"))


def _docx(built: Path) -> list[Path]:
    files = sorted(built.rglob("*.docx"))
    assert files
    return files


def _em(text: str) -> float:
    return sum(1 if ord(ch) > 0x2E7F else 0.5 for ch in text)


def _row_height_pt(tr) -> float:
    """A generous estimate (small letters, dense lines): a row is "longer than a page" only
    when even this says so."""
    tallest = 0.0
    for tc in tr.findall(f"{W}tc"):
        width = tc.find(f"{W}tcPr/{W}tcW")
        chars = max(1.0, (int(width.get(f"{W}w")) / 20 - 8) / 8)  # 8 pt letters
        lines = sum(max(1, math.ceil(_em(_text(p)) / chars)) for p in tc.iter(f"{W}p"))
        tallest = max(tallest, lines * 8 * 1.2)
    return tallest


def _page_heights(root) -> list[tuple[object, float]]:
    """Each table with the text height of its section's page, in points."""
    out, pending = [], []
    for el in root.iter():
        if el.tag == f"{W}tbl":
            pending.append(el)
        elif el.tag == f"{W}sectPr":
            size, margin = el.find(f"{W}pgSz"), el.find(f"{W}pgMar")
            height = (int(size.get(f"{W}h")) - int(margin.get(f"{W}top"))
                      - int(margin.get(f"{W}bottom"))) / 20
            out += [(t, height) for t in pending]
            pending = []
    return out


def test_rows_short_enough_never_split(built):
    for path in _docx(built):
        for tbl, page in _page_heights(_xml(path)):
            for n, tr in enumerate(tbl.findall(f"{W}tr"), 1):
                if tr.find(f"{W}trPr/{W}cantSplit") is None:
                    assert _row_height_pt(tr) > page / 2, (path.name, n, _text(tr)[:60])


def test_headings_keep_with_next(built):
    for path in _docx(built):
        for p in _xml(path).iter(f"{W}p"):
            style = p.find(f"{W}pPr/{W}pStyle")
            if style is not None and style.get(f"{W}val").startswith("Heading"):
                assert p.find(f"{W}pPr/{W}keepNext") is not None, (path.name, _text(p))


def test_merged_task_blocks_kept_together(built):
    """In a profile whose level/K/S cells are merged over several rows, every row of such a
    block but its last keeps with the next row (Word then moves the block whole)."""
    root = _xml(built / "KMC3332-002v3" / "KMC3332-002v3-profile.docx")
    table = max(root.iter(f"{W}tbl"), key=lambda t: len(t.findall(f"{W}tr")))
    rows = table.findall(f"{W}tr")[1:]

    def keeps(tr):
        return all(p.find(f"{W}pPr/{W}keepNext") is not None for p in tr.iter(f"{W}p"))

    assert any(keeps(tr) for tr in rows)
    assert not keeps(rows[-1])


def test_checklist_has_clickable_check_boxes(built):
    for path in built.rglob("*-checklist.docx"):
        root = _xml(path)
        boxes = list(root.iter(f"{W14}checkbox"))
        sdts = [s for s in root.iter(f"{W}sdt") if s.find(f"{W}sdtPr/{W14}checkbox") is not None]
        assert len(boxes) == len(sdts) > 0
        for box in boxes:
            assert box.find(f"{W14}checked").get(f"{W14}val") == "0"
            assert box.find(f"{W14}uncheckedState").get(f"{W14}val") == "2610"
        assert "□" not in _text(root)


@pytest.mark.parametrize("code", ["KMC2432-001v4", "KMC3332-002v3"])
def test_check_boxes_count_the_rating_boxes(built, code):
    std = load_standard(ROOT / "data" / "standards" / f"{code}.yaml")
    expected = document_text(checklist_document(std, Options())).count("□")
    root = _xml(built / code / f"{code}-checklist.docx")
    assert len(list(root.iter(f"{W14}checkbox"))) == expected > 0


def _columns_empty(tbl) -> list[int]:
    rows = tbl.findall(f"{W}tr")
    body = [tr for tr in rows if tr.find(f"{W}trPr/{W}tblHeader") is None]
    ncols = len(tbl.findall(f"{W}tblGrid/{W}gridCol"))
    filled = [False] * ncols
    for tr in body:
        c = 0
        for tc in tr.findall(f"{W}tc"):
            span = tc.find(f"{W}tcPr/{W}gridSpan")
            span = int(span.get(f"{W}val")) if span is not None else 1
            if _text(tc).strip():
                for i in range(c, c + span):
                    filled[i] = True
            c += span
    return [i for i, f in enumerate(filled) if not f] if body else []


def test_job_description_has_no_empty_column(built):
    for path in built.rglob("*-job.docx"):
        for tbl in _xml(path).iter(f"{W}tbl"):
            assert not _columns_empty(tbl), (path.name, _text(tbl)[:80])


def test_job_description_prints_hr_fields_or_blanks(built):
    filled = _text(_xml(built.parent / "hr" / "KMC3332-002v3-job.docx"))
    for value in HR.values():
        assert value in filled
    blank = _xml(built / "KMC3332-002v3" / "KMC3332-002v3-job.docx")
    text = _text(blank)
    for label in ("部門", "直屬主管", "職等", "工作地點", "生效日期", "核定"):
        assert label in text
    assert text.count("＿＿＿＿＿＿＿＿") >= 5
    with zipfile.ZipFile(built / "KMC3332-002v3" / "KMC3332-002v3-job.docx") as zf:
        header = "".join(zf.read(n).decode() for n in zf.namelist() if "header" in n)
    assert "KMC3332-002v3" in header and "V3" in header


@pytest.mark.skipif(not NO_DATE.is_file(), reason="the real standards are not at hand")
def test_missing_date_printed_as_not_stated(built):
    folder = built / "LLS2619-005"
    for kind in ("profile", "job", "checklist"):
        assert "未載明" in _text(_xml(folder / f"LLS2619-005-{kind}.docx")), kind


def test_code_with_two_names_shown_once(built):
    for kind in ("job", "checklist"):
        text = _text(_xml(built / "KMC3332-002v3" / f"KMC3332-002v3-{kind}.docx"))
        assert text.count("K03") == 1 if kind == "checklist" else text.count("K03") >= 1
        assert "創意思考（另處印作「創新思考」）" in text, kind
        assert not re.search(r"K03\s*創新思考", text)


def test_corrections_disclosed_in_profile(built):
    text = _text(_xml(built / "KMC3332-002v3" / "KMC3332-002v3-profile.docx"))
    assert "本表依來源更正：P3.2.2 原印「" in text
    assert "P3.2.4 原印「依照組織政策、活動需求、相關法。規與作業規範進行招商。」" in text


def test_footer_page_numbers_at_footer_size(built):
    with zipfile.ZipFile(built / "KMC2432-001v4" / "KMC2432-001v4-profile.docx") as zf:
        footer = "".join(zf.read(n).decode() for n in zf.namelist() if "footer" in n)
    fields = re.findall(r"<w:fldSimple[^>]*>.*?</w:fldSimple>", footer)
    assert len(fields) == 2
    sizes = set(re.findall(r'<w:sz w:val="(\d+)"', footer))
    assert len(sizes) == 1 and all('<w:sz w:val=' in f for f in fields)


def _long_duty(tmp: Path) -> Path:
    """KMC3332-002v3 with duty T1 grown to 12 tasks sharing one level and K/S (one merged
    block of about three pages)."""
    import copy

    import yaml

    data = yaml.safe_load((ROOT / "data" / "standards" / "KMC3332-002v3.yaml").read_text())
    duty = data["duties"][0]
    model = duty["tasks"][1]
    codes = [f"T1.{i}" for i in range(1, 13)]
    for i in range(3, 13):
        task = copy.deepcopy(model)
        task["code"], task["name"] = f"T1.{i}", f"{model['name']}之{i}"
        band = task["bands"][0]
        band["outputs"] = [{"code": f"O1.{i}.1", "name": f"標案可行性評估之{i}"}]
        band["indicators"] = [{"code": f"P1.{i}.{j}", "text": f"{p['text']}（第 {i} 項）"}
                              for j, p in enumerate(model["bands"][0]["indicators"] * 2, 1)]
        duty["tasks"].append(task)
    for task in duty["tasks"]:
        task["bands"][0]["shared_with"] = [c for c in codes if c != task["code"]]
    folder = tmp / "data" / "standards"
    folder.mkdir(parents=True)
    path = folder / "KMC3332-002v3.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    return tmp / "data"


def test_merged_block_longer_than_a_page_goes_on_with_its_labels(tmp_path):
    """A merged block longer than a page is cut at a page break of the writer's own; the
    part overleaf starts with the duty 「（續）」 and the block's level and K/S, and the file
    reads back as the same model (and is the same bytes when written again)."""
    from kmc_reports.importers import import_file

    data = _long_duty(tmp_path)
    out = tmp_path / "out"
    for folder in (out, tmp_path / "again"):
        _run("--data", data, "profile", "KMC3332-002v3", "--format", "docx", "--out", folder)
    path = out / "KMC3332-002v3-profile.docx"
    assert path.read_bytes() == (tmp_path / "again" / path.name).read_bytes()
    body = _xml(path).find(f"{W}body")
    children = list(body)
    breaks = [i for i, el in enumerate(children) if el.tag == f"{W}p"
              and el.find(f"{W}pPr/{W}pageBreakBefore") is not None]
    assert len(breaks) >= 2
    for i in breaks:
        before, after = children[i - 1], children[i + 1]
        assert before.tag == after.tag == f"{W}tbl"
        header, first = after.findall(f"{W}tr")[:2]
        assert header.find(f"{W}trPr/{W}tblHeader") is not None
        cells = [_text(tc) for tc in first.findall(f"{W}tc")]
        assert cells[0] == "T1 蒐集與分析活動資訊（續）", cells
        assert cells[4] == "3（續）" and cells[5].startswith("K20 專案管理") \
            and cells[6].startswith("S01 問題分析"), cells
        assert cells[5].endswith("（續）") and cells[6].endswith("（續）"), cells
        assert cells[1].startswith("T1.")
    original = load_standard(data / "standards" / "KMC3332-002v3.yaml")
    back = import_file(path, lambda _: None)
    keys = {"source", "corrections"}
    assert back.model_dump(exclude=keys) == original.model_dump(exclude=keys)


def test_a_list_of_codes_may_break_after_each_mark_and_reads_back_unchanged():
    """LibreOffice takes 「K03、K04、S05…」 for one word and cuts it inside a code where a
    cell ends (a user's review: 「K0」 / 「3、K04」); the DOCX writer gives it a zero-width
    break hint after each 「、」 before a code, which the DOCX reader drops again."""
    import io

    from docx import Document as Docx

    from kmc_reports import document as dm
    from kmc_reports.config import Config
    from kmc_reports.fonts import default_fonts
    from kmc_reports.writers.docx import write_docx

    codes = "K03、K04、K05、S02、S03、S05；見第3、4頁"
    doc = dm.Document([dm.Section([dm.Table([1, 1], [[
        dm.Cell([dm.Paragraph([dm.Run(codes)])]), dm.Cell([dm.Paragraph([dm.Run("x")])])]])])],
        title="t")
    data = write_docx(doc, Config(), default_fonts)
    cell = Docx(io.BytesIO(data)).tables[0].rows[0].cells[0].text
    assert cell == "K03、\u200bK04、\u200bK05、\u200bS02、\u200bS03、\u200bS05；見第3、\u200b4頁"
    assert cell.replace("\u200b", "") == codes

    from kmc_reports.importers.docx import _docx_par
    from xml.etree import ElementTree as ET

    with zipfile.ZipFile(io.BytesIO(data)) as z:
        body = ET.fromstring(z.read("word/document.xml"))
    paragraphs = [_docx_par(p) for p in body.iter(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}p")]
    assert codes in paragraphs
