"""The auditors' workbook and summary: every item in its concept row, decisions read back."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from conftest import ROOT
from docs_text import docx_text, pdf_text, squash
from kmc_reports.analyses import crosswalk
from kmc_reports.analyses.lint import lint_all
from kmc_reports.cli import main
from kmc_reports.store import Library
from kmc_reports.writers.comparison_xlsx import write_comparison_xlsx

LIBRARY = Library(ROOT / "data" / "standards")


@pytest.fixture(scope="module")
def standards():
    return LIBRARY.load()


@pytest.fixture(scope="module")
def workbook(standards, tmp_path_factory):
    cw = crosswalk.build_crosswalk(standards)
    path = tmp_path_factory.mktemp("cmp") / "comparison.xlsx"
    path.write_bytes(write_comparison_xlsx(standards, cw, lint_all(standards)))
    return load_workbook(path), cw, path


def test_sheets_and_overview(workbook, standards):
    wb, cw, _ = workbook
    assert wb.sheetnames == ["說明", "總覽", "知識", "技能", "態度", "兩兩比較", "任務對照", "待確認", "檢核"]
    ws = wb["總覽"]
    assert [ws.cell(r, 1).value for r in range(2, 7)] == [s.code for s in standards]
    row = {ws.cell(1, c).value: ws.cell(3, c).value for c in range(1, 17)}
    assert row["職能基準代碼"] == "KMC2432-002v4" and row["工作任務"] == 7 and row["態度(A)"] == 7
    assert ws._charts, "a chart of shared and unique items"
    for name in wb.sheetnames:
        sheet = wb[name]
        assert sheet.print_options is not None
        assert sheet.page_setup.orientation == ("portrait" if name == "說明" else "landscape")


@pytest.mark.parametrize("kind, sheet", [("K", "知識"), ("S", "技能"), ("A", "態度")])
def test_every_item_is_in_its_concept_row(workbook, standards, kind, sheet):
    wb, cw, _ = workbook
    ws = wb[sheet]
    heads = [ws.cell(1, c).value for c in range(1, ws.max_column + 1)]
    columns = {s.code: heads.index(f"{s.code}\n{s.name}") + 1 for s in standards}
    rows = {ws.cell(r, 1).value: r for r in range(2, ws.max_row + 1)}
    concepts = [c for c in cw.concepts if c.kind == kind]
    assert len(rows) == len(concepts)
    counts = [ws.cell(r, 3).value for r in range(2, ws.max_row + 1)]
    assert counts == sorted(counts, reverse=True)
    for concept in concepts:
        r = rows[concept.id]
        for m in concept.members:
            cell = ws.cell(r, columns[m.item.standard])
            assert m.item.names[0] in cell.value and cell.fill.fgColor.rgb.endswith("E2EFDA")
    assert ws.freeze_panes == "D2" and ws.auto_filter.ref.startswith("A1:")
    assert ws.print_title_rows == "$1:$1"


def test_pressure_tolerance_is_one_row_across_all_standards(workbook):
    wb, cw, _ = workbook
    concept = cw.concept_of("KMC2432-001v4 A04")
    assert concept.label == "壓力容忍" and len(concept.standards) == 5


def test_pairwise_overlap_is_symmetric_with_ones_on_the_diagonal(workbook, standards):
    wb, _, _ = workbook
    ws = wb["兩兩比較"]
    values = [[ws.cell(5 + i, 2 + j).value for j in range(5)] for i in range(5)]
    assert all(values[i][i] == 1 for i in range(5))
    assert all(values[i][j] == values[j][i] for i in range(5) for j in range(5))
    assert ws.conditional_formatting


def test_review_and_lint_sheets(workbook, standards):
    wb, cw, _ = workbook
    ws = wb["待確認"]
    assert ws.max_row - 1 == len(cw.possible)
    assert ws.data_validations.dataValidation[0].formula1 == '"相同,不同"'
    assert wb["檢核"].max_row - 1 == len(lint_all(standards))


def test_data_never_becomes_a_formula(standards, tmp_path):
    decisions = crosswalk.Decisions(labels={"KMC2432-001v4 K02": "=HYPERLINK(\"x\")"})
    cw = crosswalk.build_crosswalk(standards, decisions)
    path = tmp_path / "x.xlsx"
    path.write_bytes(write_comparison_xlsx(standards, cw, []))
    values = [c.value for row in load_workbook(path)["知識"].iter_rows() for c in row]
    assert '=HYPERLINK("x")' in values  # the concept label, kept as text
    import zipfile
    with zipfile.ZipFile(path) as z:
        assert all("<f>" not in z.read(n).decode() for n in z.namelist() if "sheet" in n)


def test_same_bytes_twice(standards):
    cw = crosswalk.build_crosswalk(standards)
    assert write_comparison_xlsx(standards, cw, []) == write_comparison_xlsx(standards, cw, [])


def test_compare_command_and_decisions_read_back(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    runner = CliRunner()
    out = tmp_path / "out" / "comparison.xlsx"
    result = runner.invoke(main, ["--data", str(data), "compare", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.exists() and (out.parent / "comparison-summary.pdf").exists()
    summary = squash(docx_text(out.parent / "comparison-summary.docx"))
    assert "壓力容忍" in summary and "KMC3332-002v3" in summary
    assert "壓力容忍" in pdf_text(out.parent / "comparison-summary.pdf")

    doc = json.loads(runner.invoke(main, ["--data", str(data), "compare", "--format",
                                          "json"]).output)
    assert {"label", "kind", "members"} <= set(doc["concepts"][0])

    # an auditor decides the first possible match is the same and names it
    wb = load_workbook(out)
    ws = wb["待確認"]
    assert ws.max_row >= 2, "the bundled standards leave possible matches to decide"
    a, b = ws.cell(2, 11).value, ws.cell(2, 12).value
    ws.cell(2, 9).value, ws.cell(2, 10).value = "相同", "審定名稱"
    wb.save(out)
    result = runner.invoke(main, ["--data", str(data), "crosswalk", "apply", str(out)])
    assert result.exit_code == 0, result.output
    decisions = crosswalk.load_decisions(data / "crosswalk.yaml")
    assert (a, b) in decisions.same or (b, a) in decisions.same
    cw = crosswalk.build_crosswalk(Library(data / "standards").load(), decisions)
    assert cw.concept_of(a) is cw.concept_of(b) and cw.concept_of(a).label == "審定名稱"

    ws.cell(2, 9).value = "也許"
    wb.save(out)
    result = runner.invoke(main, ["--data", str(data), "crosswalk", "apply", str(out)])
    assert result.exit_code == 2 and "I2" in result.stderr
