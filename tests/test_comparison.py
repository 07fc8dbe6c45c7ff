"""The auditors' workbook and summary: every item in its concept row, decisions read back;
above comparison.LIMIT standards the layouts that scale, with the same numbers as comparing
one pair at a time (the plain implementations are kept here as references)."""

from __future__ import annotations

import json
import shutil
import sys

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from rapidfuzz import fuzz

from conftest import ROOT
from docs_text import docx_text, pdf_text, squash
from kmc_reports.analyses import comparison, crosswalk
from kmc_reports.analyses.crosswalk import normalise
from kmc_reports.analyses.lint import lint_all
from kmc_reports.cli import main
from kmc_reports.store import Library
from kmc_reports.writers.comparison_xlsx import write_comparison_xlsx
from real_gold import REAL as SHARED_REAL

sys.path.insert(0, str(ROOT / "benchmarks"))
from synthetic import make_catalogue  # noqa: E402

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
    assert row["級別"] == 4  # a number, as every count of the row
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


def test_no_task_pair_is_said_not_left_blank(standards):
    """Two standards with no similar tasks: the sheet says so, and 說明 gives the limits."""
    two = [standards[0], standards[2]]
    cw = crosswalk.build_crosswalk(two)
    assert not comparison.task_matches(two, cw)
    wb = _loaded(write_comparison_xlsx(two, cw, []))
    assert wb["任務對照"]["A2"].value == "沒有綜合相似度達 20 % 的任務配對。"
    assert any("只列綜合相似度達 20 % 者" in str(c.value) for row in wb["說明"].iter_rows()
               for c in row)


def _loaded(data: bytes):
    import io
    return load_workbook(io.BytesIO(data))


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


# -- scale: the same numbers as pair by pair, and the layouts above LIMIT ----------------

REAL = SHARED_REAL / "ocs-json"
MANY = 40  # synthetic standards: above comparison.LIMIT


def reference_jaccard(cw, kind) -> list[list[float]]:
    """The plain definition (the implementation before the sparse one): Python sets."""
    sets = comparison.concept_sets(cw, kind)
    rows = []
    for a in cw.standards:
        row = []
        for b in cw.standards:
            union = sets[a] | sets[b]
            row.append(len(sets[a] & sets[b]) / len(union) if union else 0.0)
        rows.append(row)
    return rows


def reference_task_matches(standards, cw, top=3, minimum=0.2):
    """Every task against every task, one pair at a time (the implementation before the
    blocked sparse one)."""
    tasks = [(std, t, comparison._task_concepts(cw, std, t), normalise(t.name))
             for std in standards for _, t in std.tasks()]
    out = []
    for std, task, concepts, name in tasks:
        found = []
        for other_std, other, other_concepts, other_name in tasks:
            if other_std.code == std.code:
                continue
            union = concepts.keys() | other_concepts.keys()
            shared = sorted(concepts.keys() & other_concepts.keys())
            c_score = len(shared) / len(union) if union else 0.0
            n_score = fuzz.ratio(name, other_name) / 100
            score = 0.7 * c_score + 0.3 * n_score
            if score >= minimum:
                found.append(comparison.TaskMatch(std.code, task, other_std.code, other,
                                                  [concepts[i] for i in shared], c_score,
                                                  n_score, score))
        found.sort(key=lambda m: (-m.score, m.other_standard, m.other.code))
        out += found[:top]
    return out


def match_rows(matches) -> list[tuple]:
    return [(m.standard, m.task.code, m.other_standard, m.other.code, m.shared,
             m.concept_score, m.name_score, m.score) for m in matches]


@pytest.fixture(scope="module")
def real_standards(tmp_path_factory):
    if not list(REAL.glob("*.json")):
        pytest.skip("../shared/real/ocs-json is not there")
    data = tmp_path_factory.mktemp("real")
    result = CliRunner().invoke(main, ["--data", str(data), "import", str(REAL)])
    assert result.exit_code in (0, 1), result.output
    return Library(data / "standards").load()


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory):
    """MANY synthetic standards, compared by the command: the data folder, the standards,
    the crosswalk and the output folder."""
    data = tmp_path_factory.mktemp("many")
    make_catalogue(data, MANY)
    out = data / "out" / "comparison.xlsx"
    result = CliRunner().invoke(main, ["--data", str(data), "compare", "--out", str(out),
                                       "--format", "xlsx,docx,pdf"])
    assert result.exit_code == 0, result.output
    standards = Library(data / "standards").load()
    cw = crosswalk.build_crosswalk(standards, crosswalk.load_decisions(data / "crosswalk.yaml"))
    return data, standards, cw, out


def test_same_numbers_as_pair_by_pair(standards, real_standards, catalogue):
    """Same pairs, same scores (to the bit), same order as comparing one pair at a time."""
    _, many, many_cw, _ = catalogue
    cases = [(standards, [(3, 0.2)]), (real_standards, [(3, 0.2), (5, 0.0)]),
             (standards + real_standards, [(3, 0.2), (5, 0.0), (10_000, 0.0), (2, 0.45)]),
             (many, [(3, 0.2)])]
    for stds, params in cases:
        cw = many_cw if stds is many else crosswalk.build_crosswalk(stds)
        for top, minimum in params:
            expected = reference_task_matches(stds, cw, top, minimum)
            assert match_rows(comparison.task_matches(stds, cw, top, minimum)) == \
                match_rows(expected), (len(stds), top, minimum)
        for kind, _ in comparison.KINDS:
            assert list(comparison.jaccard(cw, kind)) == reference_jaccard(cw, kind)
    assert len(reference_task_matches(many, many_cw)) > 100  # the big case has work to do


def test_blocks_do_not_change_the_result(standards, monkeypatch):
    cw = crosswalk.build_crosswalk(standards)
    whole = match_rows(comparison.task_matches(standards, cw))
    monkeypatch.setattr(comparison, "_CELLS", 50)  # a row or two of tasks at a time
    assert match_rows(comparison.task_matches(standards, cw)) == whole


def test_small_sets_keep_the_side_by_side_layouts(workbook):
    wb, cw, _ = workbook
    assert len(cw.standards) <= comparison.LIMIT
    assert wb["兩兩比較"].cell(4, 2).value == cw.standards[0]
    assert wb["知識"].cell(1, 1).value == "概念編號"


def sheet_rows(ws, first: int) -> list[list]:
    return [list(r) for r in ws.iter_rows(min_row=first, values_only=True)]


def test_many_standards_concept_sheets_have_a_row_per_member(catalogue):
    data, standards, cw, out = catalogue
    assert len(cw.standards) > comparison.LIMIT
    wb = load_workbook(out)
    for kind, label in comparison.KINDS:
        ws = wb[label]
        assert f"超過 {comparison.LIMIT} 項" in ws.cell(1, 1).value
        assert [c.value for c in ws[2]] == ["概念編號", "概念", "共有基準數", "職能基準", "代碼",
                                            "名稱", "工作任務", "級別", "比對方式", "分數"]
        expected = []
        for concept in cw.concepts:
            if concept.kind != kind:
                continue
            holders = {m.item.standard for m in concept.members}
            for k, m in enumerate(concept.members):
                expected.append([concept.id, concept.label, len(holders), m.item.standard,
                                 m.item.code, "／".join(m.item.names),
                                 "、".join(m.item.tasks) or None,
                                 "、".join(map(str, m.item.levels)) or None,
                                 {"exact": "完全相同", "normalised": "正規化後相同",
                                  "fuzzy": "相似", "manual": "人工"}[m.reason] if k else "—",
                                 round(m.score, 1) if k else None])
        assert sheet_rows(ws, 3) == expected
        items = sum(len(s.catalogue(kind)) if kind != "A" else len(s.attitudes)
                    for s in standards)
        assert len(expected) >= items  # every item of every standard is a row
        assert ws.freeze_panes == "D3" and ws.auto_filter.ref == f"A2:J{ws.max_row}"
        assert ws.max_column == 10  # not a column per standard


def test_many_standards_pairs_list_each_ones_closest(catalogue):
    _, standards, cw, out = catalogue
    ws = load_workbook(out)["兩兩比較"]
    assert f"超過 {comparison.LIMIT} 項" in ws.cell(1, 1).value
    names = {s.code: s.name for s in standards}
    sets = {kind: comparison.concept_sets(cw, kind) for kind, _ in comparison.KINDS}

    def value(kind, a, b):
        union = sets[kind][a] | sets[kind][b]
        return len(sets[kind][a] & sets[kind][b]) / len(union) if union else 0.0

    expected = []
    for code in cw.standards:
        for kind, label in comparison.KINDS:
            others = [(value(kind, code, b), len(sets[kind][code] & sets[kind][b]), i, b)
                      for i, b in enumerate(cw.standards)
                      if b != code and sets[kind][code] & sets[kind][b]]
            others.sort(key=lambda x: (-x[0], -x[1], x[2]))
            for rank, (_, shared, _, b) in enumerate(others[:comparison.CLOSEST], 1):
                expected.append([code, names[code], label, rank, b, names[b],
                                 *[round(value(k, code, b), 3) for k, _ in comparison.KINDS],
                                 shared])
    assert sheet_rows(ws, 3) == expected
    assert len(expected) > 2 * len(cw.standards)  # standards do have close ones
    assert ws.conditional_formatting and ws.auto_filter.ref.startswith("A2:")
    guide = " ".join(str(c.value) for row in load_workbook(out)["說明"].iter_rows()
                     for c in row if c.value)
    assert f"超過 {comparison.LIMIT} 項" in guide and f"{len(cw.standards)} 項" in guide


def test_many_standards_summary_lists_closest_pairs_and_most_shared(catalogue):
    _, standards, cw, out = catalogue
    stem = out.parent / "comparison-summary"
    for text in (squash(docx_text(stem.with_suffix(".docx"))),
                 pdf_text(stem.with_suffix(".pdf"))):
        assert all(s.code in text for s in standards)  # section 一: a row per standard
        assert f"超過{comparison.LIMIT}項，不畫" in text
        assert f"超過{comparison.LIMIT}項，不列N×N表" in text
        for kind, label in comparison.KINDS:
            # the closest pairs, recomputed from the matrix
            matrix = reference_jaccard(cw, kind)
            n = len(cw.standards)
            sets = comparison.concept_sets(cw, kind)
            pairs = sorted(((matrix[i][j], i, j) for i in range(n) for j in range(i + 1, n)
                            if matrix[i][j] > 0),  # ties: more shared concepts, input order
                           key=lambda p: (-p[0], -len(sets[cw.standards[p[1]]]
                                                      & sets[cw.standards[p[2]]]), p[1], p[2]))
            top = min(comparison.SUMMARY_PAIRS, len(pairs))
            assert f"{label}（{kind}）：重疊程度最高的{top}組" in text
            for rank, (value, i, j) in enumerate(pairs[:top], 1):
                a, b = sets[cw.standards[i]], sets[cw.standards[j]]
                assert f"{rank}{cw.standards[i]}{cw.standards[j]}{value:.2f}" \
                    f"{len(a & b)}{len(a | b)}" in text
            shared = [c for c in cw.concepts if c.kind == kind and len(c.standards) > 1]
            assert f"全部{len(shared)}個共有概念" in text
            assert f"見比較活頁簿「{label}」工作表" in text
            first, last = shared[0], shared[min(comparison.SUMMARY_CONCEPTS, len(shared)) - 1]
            assert f"{first.id}{first.label}{len(first.standards)}" in text
            assert f"{last.id}{last.label}" in text
            if len(shared) > comparison.SUMMARY_CONCEPTS:
                after = shared[comparison.SUMMARY_CONCEPTS]
                assert f"{after.id}{after.label}" not in text


def test_many_standards_same_bytes_twice(catalogue):
    _, standards, cw, _ = catalogue
    assert write_comparison_xlsx(standards, cw, []) == write_comparison_xlsx(standards, cw, [])
