"""`kmc-reports build` on a data folder of many real standards: the five bundled ones and the
fourteen real iCAP standards of ../shared/real imported from their OCS JSON.  The build runs
once per session; the tests read its outputs back (workbook cells, PDF and Word text,
document properties), not just that files exist.

Also the limits of the file formats, which long data must never break: Office core
properties hold 255 characters, sheet names 31 (and none of \\ / * ? : [ ]), list
validations 255 and their titles 32."""

from __future__ import annotations

import io
import json
import re
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document as read_docx
from openpyxl import load_workbook
from pypdf import PdfReader

from conftest import ROOT, copy_data
from docs_text import docx_text, pdf_text, squash
from kmc_reports.cli import main
from kmc_reports.store import Library, load_standard, save_standard
from real_gold import REAL as SHARED_REAL

REAL = SHARED_REAL / "ocs-json"
REAL_CODES = sorted(p.stem for p in REAL.glob("*.json"))
BUNDLED = sorted(p.stem for p in (ROOT / "data" / "standards").glob("*.yaml"))
needs_real = pytest.mark.skipif(not REAL_CODES, reason="../shared/real/ocs-json is not there")


@dataclass
class Built:
    data: Path
    out: Path
    imported: list[dict]  # the import --report rows
    build_output: str
    seconds: dict[str, float]


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Built:
    """A data folder as a user makes one — the bundled standards, course specs, level
    descriptors and crosswalk decisions, plus every real standard imported into it — and
    everything `build` writes from it."""
    tmp = tmp_path_factory.mktemp("real-build")
    data, out = tmp / "data", tmp / "out"
    copy_data(data)
    runner, seconds = CliRunner(), {}
    start = time.perf_counter()
    result = runner.invoke(main, ["--data", str(data), "import", str(REAL),
                                  "--report", str(tmp / "import.json")])
    seconds["import"] = time.perf_counter() - start
    assert result.exit_code in (0, 1), result.output  # 1: some file refused (tested below)
    imported = json.loads((tmp / "import.json").read_text(encoding="utf-8"))
    start = time.perf_counter()
    result = runner.invoke(main, ["--data", str(data), "build", "--out", str(out)])
    seconds["build"] = time.perf_counter() - start
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception  # the traceback names the place that broke
    assert result.exit_code == 0, result.output
    return Built(data, out, imported, result.output, seconds)


def codes(built: Built) -> list[str]:
    return Library(built.data / "standards").codes()


@needs_real
def test_every_real_standard_imports(built):
    refused = {r["file"]: r["reason"] for r in built.imported if r["status"] == "refused"}
    assert not refused
    assert sorted(r["code"] for r in built.imported) == REAL_CODES
    assert codes(built) == sorted(BUNDLED + REAL_CODES)


@needs_real
def test_build_reports_every_standard(built):
    n = len(codes(built))
    assert f"{n} 項職能基準：產生 {n} 項、未變更 0 項、失敗 0 項" in built.build_output
    assert "Traceback" not in built.build_output
    print(f"\nimport {built.seconds['import']:.1f} s, build {built.seconds['build']:.1f} s "
          f"for {n} standards")


@needs_real
def test_comparison_workbook_lists_every_code(built):
    wb = load_workbook(built.out / "comparison.xlsx", read_only=True)
    ws = wb["總覽"]
    listed = [row[0] for row in ws.iter_rows(min_row=2, max_col=1, values_only=True) if row[0]]
    assert listed == codes(built)
    names = {row[0]: row[1] for row in ws.iter_rows(min_row=2, max_col=2, values_only=True)}
    library = Library(built.data / "standards")
    assert all(names[c] == library.get(c).name for c in listed)


@needs_real
def test_comparison_summary_holds_every_code_and_cut_properties(built):
    """The summary names every standard in its text; its properties list as many codes as
    fit, and say so with an ellipsis."""
    text = pdf_text(built.out / "comparison-summary.pdf")
    assert all(code in text for code in codes(built))
    assert all(code in docx_text(built.out / "comparison-summary.docx")
               for code in codes(built))
    props = read_docx(str(built.out / "comparison-summary.docx")).core_properties
    assert props.subject.startswith("職能基準比較：" + codes(built)[0])
    assert len(props.subject) <= 255 and props.subject.endswith("…")
    assert len(props.keywords) <= 255 and props.keywords.endswith("…")
    meta = PdfReader(str(built.out / "comparison-summary.pdf")).metadata
    assert meta.subject == props.subject and meta["/Keywords"] == props.keywords


@needs_real
@pytest.mark.parametrize("code", REAL_CODES)
def test_profile_of_a_real_standard_holds_its_name_and_tasks(built, code):
    std = Library(built.data / "standards").get(code)
    text = pdf_text(built.out / code / f"{code}-profile.pdf")
    assert squash(std.name) in text
    assert all(squash(task.name) in text for _, task in std.tasks())
    assert squash(std.name) in squash(docx_text(built.out / code / f"{code}-profile.docx"))


@needs_real
def test_each_standard_has_its_checklist_and_syllabus(built):
    library = Library(built.data / "standards")
    for code in codes(built):
        std = library.get(code)
        ws = load_workbook(built.out / code / f"{code}-checklist.xlsx", read_only=True).active
        cells = {v for row in ws.iter_rows(values_only=True) for v in row if isinstance(v, str)}
        assert any(std.name in c for c in cells), code
        syllabus = pdf_text(built.out / code / f"{code}-syllabus.pdf")
        assert code in syllabus, code


@needs_real
def test_lint_covers_the_real_standards(built):
    findings = json.loads((built.out / "lint.json").read_text(encoding="utf-8"))
    assert {f["standard"] for f in findings} <= set(codes(built))
    assert "共" in (built.out / "lint.txt").read_text(encoding="utf-8")


_SHEET_FORBIDDEN = re.compile(r"[\\/*?:\[\]]")


@needs_real
def test_every_file_keeps_the_format_limits(built):
    for path in sorted(built.out.rglob("*.docx")):
        props = read_docx(str(path)).core_properties
        for field in ("title", "subject", "keywords", "author", "last_modified_by"):
            assert len(getattr(props, field)) <= 255, (path, field)
    for path in sorted(built.out.rglob("*.xlsx")):
        wb = load_workbook(path)
        assert len(wb.properties.title or "") <= 255, path
        for ws in wb.worksheets:
            assert len(ws.title) <= 31 and not _SHEET_FORBIDDEN.search(ws.title), (path, ws.title)
            for dv in ws.data_validations.dataValidation:
                assert len(dv.formula1 or "") <= 255, (path, ws.title)
                assert len(dv.promptTitle or "") <= 32 and len(dv.errorTitle or "") <= 32
                assert len(dv.prompt or "") <= 255 and len(dv.error or "") <= 255
        for name in wb.defined_names:
            assert len(name) <= 255


def test_build_with_levels_the_source_did_not_print(tmp_path):
    """A standard whose levels are not 1–6 (None in the model, kept as printed): build
    writes every report and prints the level as the source did, never "None"."""
    data, out = tmp_path / "data", tmp_path / "out"
    std = load_standard(ROOT / "data" / "standards" / "KMC2432-003v1.yaml")
    duties = [d.model_copy(update={"tasks": [t.model_copy(update={"bands": [
        b.model_copy(update={"level": None, "printed_level": "4級以上"}) for b in t.bands]})
        for t in d.tasks]}) for d in std.duties]
    save_standard(std.model_copy(update={"level": None, "printed_level": "未訂定",
                                         "duties": duties}),
                  data / "standards" / "KMC2432-003v1.yaml")
    result = CliRunner().invoke(main, ["--data", str(data), "build", "--out", str(out)])
    assert result.exit_code == 0, result.output
    folder = out / "KMC2432-003v1"
    for name in ("profile", "job", "checklist", "syllabus"):
        text = pdf_text(folder / f"KMC2432-003v1-{name}.pdf")
        assert "None" not in text, name
    assert "4級以上" in pdf_text(folder / "KMC2432-003v1-profile.pdf")
    assert "未訂定" in pdf_text(folder / "KMC2432-003v1-profile.pdf")


def test_long_properties_are_cut_not_refused():
    """A document whose title, subject or keywords run past 255 characters (the comparison
    of many standards lists every code) is still written, its properties cut at a whole
    item with an ellipsis; the PDF carries the same properties."""
    from kmc_reports.config import Config
    from kmc_reports.document import Document, Paragraph, Run, Section
    from kmc_reports.fonts import default_fonts
    from kmc_reports.writers.docx import write_docx
    from kmc_reports.writers.pdf import write_pdf

    many = [f"KMC{2400 + i}-001v1" for i in range(40)]
    doc = Document(sections=[Section(blocks=[Paragraph([Run("比較")])])], title="甲" * 300,
                   subject="職能基準比較：" + "、".join(many), author="乙" * 256,
                   keywords="職能基準,比較," + ",".join(many))
    props = read_docx(io.BytesIO(write_docx(doc, Config()))).core_properties
    assert props.title == "甲" * 254 + "…" and props.author == "乙" * 254 + "…"
    assert len(props.subject) <= 255 and props.subject.endswith("、…")
    items = props.subject.removeprefix("職能基準比較：").removesuffix("、…").split("、")
    assert items == many[:len(items)] and len(items) > 10  # whole codes only
    assert props.keywords.endswith(",…") and len(props.keywords) <= 255
    meta = PdfReader(io.BytesIO(write_pdf(doc, default_fonts()))).metadata
    assert meta.title == props.title and meta.subject == props.subject
    assert meta["/Keywords"] == props.keywords
