"""Every workbook of `kmc-reports build`, read as LibreOffice Calc and a printer would:
rows tall enough for their wrapped text, no formula but the writer's own, print set-up a
person can read, the comparison explained in Chinese, and the same bytes on every build."""

from __future__ import annotations

import math
import re
import shutil
import subprocess
import unicodedata

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from openpyxl.utils import column_index_from_string, get_column_letter

from conftest import ROOT
from kmc_reports.cli import main
from kmc_reports.writers.comparison_xlsx import RULES

# The only formulas a workbook may hold: the checklist's averages (自評 F, 主管評 G) and its
# count of 達成 (H).
DELIBERATE = re.compile(
    r'^=(IFERROR\(AVERAGE\((F[0-9F:,]+|G[0-9G:,]+)\),""\)|COUNTIF\(H\d+:H\d+,"達成"\))$')
MIN_SCALE = 0.7  # of 11 pt: about 8 pt on paper


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    base = tmp_path_factory.mktemp("workbooks")
    data = base / "data"
    shutil.copytree(ROOT / "data", data)
    result = CliRunner().invoke(main, ["--data", str(data), "build", "--out", str(base / "out")])
    assert result.exit_code == 0, result.output
    paths = sorted((base / "out").rglob("*.xlsx"))
    assert len(paths) >= 11
    return base, paths


@pytest.fixture(scope="module")
def books(built):
    """Each built workbook, loaded once."""
    return [(path, load_workbook(path)) for path in built[1]]


def _width(text: str) -> float:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _spans(ws) -> dict:
    """Top-left cell of each merged range → its columns."""
    return {(r.min_row, r.min_col): range(r.min_col, r.max_col + 1)
            for r in ws.merged_cells.ranges}


def _column_width(ws, col: int) -> float:
    dim = ws.column_dimensions[get_column_letter(col)]
    return dim.width or 8.43


def test_rows_with_wrapped_text_have_a_height_for_it(books):
    """Calc does not fit rows of openpyxl files: each needs a height at least as tall as
    its longest wrapped cell's lines (CJK counted double, merged cells over their columns)."""
    for path, wb in books:
        for ws in wb.worksheets:
            if ws.sheet_state == "hidden":
                continue
            spans = _spans(ws)
            for row in ws.iter_rows():
                wrapped = [c for c in row if c.value is not None and c.alignment.wrap_text
                           and not str(c.value).startswith("=")
                           and not ws.column_dimensions[c.column_letter].hidden]
                if not wrapped:
                    continue
                r = row[0].row
                height = ws.row_dimensions[r].height
                assert height, (path.name, ws.title, r)
                for c in wrapped:
                    cols = spans.get((r, c.column), [c.column])
                    room = sum(_column_width(ws, i) for i in cols)
                    size = c.font.sz or 11
                    per_line = max(1.0, (room - 0.5) * 11 / size)
                    lines = sum(max(1, math.ceil(_width(p) / per_line))
                                for p in str(c.value).split("\n"))
                    need = min(409, lines * size * 1.2)
                    assert height >= need, (path.name, ws.title, c.coordinate, height, need)


def test_no_formula_but_the_writers_own(books):
    for path, wb in books:
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for c in row:
                    if c.data_type == "f":
                        assert "checklist" in path.name and ws.title == "自我檢核", \
                            (path.name, ws.title, c.coordinate, c.value)
                        assert DELIBERATE.match(c.value), (path.name, c.coordinate, c.value)
                    elif isinstance(c.value, str):
                        assert not c.value.startswith("=") or c.data_type == "s"


def _printed_mm(ws) -> float:
    total = 0.0
    for col in range(1, ws.max_column + 1):
        dim = ws.column_dimensions[get_column_letter(col)]
        if not dim.hidden:
            total += (7 * (dim.width or 8.43) + 5) * 25.4 / 96
    return total


def test_print_setup_a_person_can_read(books):
    for path, wb in books:
        for ws in wb.worksheets:
            if ws.sheet_state == "hidden":
                continue
            where = (path.name, ws.title)
            ps = ws.page_setup
            assert ps.orientation in ("landscape", "portrait"), where
            assert str(ps.paperSize) == ws.PAPERSIZE_A4, where
            assert ws.sheet_properties.pageSetUpPr.fitToPage, where
            assert ps.fitToHeight == 0 and ps.fitToWidth >= 1, where  # to width, not one page
            if ws.freeze_panes and ws.freeze_panes[-1] != "1":  # a table with a header
                assert ws.print_title_rows, where
            if ws.freeze_panes and not ws.freeze_panes.startswith(("A", "B")):
                assert ws.print_title_cols, where  # first columns on every page across
            page = (297 if ps.orientation == "landscape" else 210) - (
                30 if ps.orientation == "landscape" else 40)
            repeat = 0.0
            if ws.print_title_cols:
                a, b = (column_index_from_string(x.strip("$"))
                        for x in ws.print_title_cols.split(":"))
                repeat = sum((7 * (ws.column_dimensions[get_column_letter(i)].width or 8.43)
                              + 5) * 25.4 / 96 for i in range(a, b + 1))
            total = _printed_mm(ws)
            pages = int(ps.fitToWidth)
            per_page = repeat + (total - repeat) / pages if pages > 1 else total
            assert page / per_page >= MIN_SCALE, (where, round(page / per_page, 2))
            assert ws.oddFooter.center.text == "第 &P 頁，共 &N 頁", where


def test_wide_matrices_are_split_with_their_first_columns_repeated(built):
    coverage = [p for p in built[1] if p.name.endswith("-coverage.xlsx")]
    assert coverage
    wide = 0
    for path in coverage:
        ws = load_workbook(path).active
        assert ws.print_title_cols == "$A:$E" and ws.print_title_rows == "$4:$4"
        assert ws.page_setup.orientation == "landscape"
        wide += int(ws.page_setup.fitToWidth) > 1
    assert wide, "at least one bundled course has more units than one page holds"


def test_comparison_is_explained_in_chinese(built):
    wb = load_workbook(built[0] / "out" / "comparison.xlsx")
    assert wb.sheetnames[0] == "說明"
    guide = " ".join(str(c.value) for row in wb["說明"].iter_rows() for c in row if c.value)
    for term in ("比對方式", "最低分數", "色階", *wb.sheetnames[1:]):
        assert term in guide, term
    lint = wb["檢核"]
    assert [c.value for c in lint[1]] == ["職能基準", "嚴重度", "檢核項目", "位置", "說明"]
    for row in lint.iter_rows(min_row=2, values_only=True):
        assert row[1] in ("錯誤", "警告", "提示")
        assert row[2] in RULES.values(), row
        for value in row[2:]:
            assert not re.search(r"[a-z]+-[a-z]+|categories\.|notes\.|attitudes", str(value)), row
    tasks = wb["任務對照"]
    heads = [c.value for c in tasks[1]]
    assert "綜合相似度（%）" in heads and "名稱相似度（%）" in heads
    pairs = [frozenset({(r[0], r[1]), (r[3], r[4])})
             for r in tasks.iter_rows(min_row=2, values_only=True)]
    assert pairs and len(pairs) == len(set(pairs)), "each pair once"


def test_every_lint_rule_has_a_chinese_name():
    ids = set(re.findall(r'Finding\("([a-z-]+)"',
                         (ROOT / "kmc_reports" / "analyses" / "lint.py").read_text("utf-8")))
    assert ids and ids <= set(RULES), ids - set(RULES)


def test_same_bytes_twice(built, tmp_path):
    base, _ = built
    data = base / "data"
    out = tmp_path / "again"
    runner = CliRunner()
    code = "KMC3332-002v3"
    for args in (["compare", "--format", "xlsx", "--out", str(out / "comparison.xlsx")],
                 ["checklist", code, "--format", "xlsx", "--out", str(out / code)],
                 ["syllabus", str(data / "courses" / f"{code}.yaml"), "--format", "xlsx",
                  "--out", str(out / code)]):
        result = runner.invoke(main, ["--data", str(data), *args])
        assert result.exit_code == 0, result.output
    again = sorted(out.rglob("*.xlsx"))
    assert len(again) == 3
    for path in again:
        first = base / "out" / path.relative_to(out)
        assert path.read_bytes() == first.read_bytes(), path.name


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice is not installed")
def test_calc_prints_the_checklist(built, tmp_path):
    """Calc opens and prints a workbook; the rows it lays out keep their text apart
    (every wrapped line of a cell found on the page, none cut short)."""
    path = next(p for p in built[1] if p.name.endswith("-checklist.xlsx"))
    done = subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/lo",
                           "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path),
                           str(path)], capture_output=True, timeout=180)
    pdf = tmp_path / (path.stem + ".pdf")
    if not pdf.exists():
        pytest.skip("this LibreOffice cannot open workbooks (no Calc)")
    from pypdf import PdfReader
    text = re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(str(pdf)).pages))
    ws = load_workbook(path).worksheets[0]
    items = [r[3] for r in ws.iter_rows(min_row=2, values_only=True) if r[3]]
    missing = [t for t in items if re.sub(r"\s+", "", t) not in text]
    assert not missing, missing[:3]
    assert done.returncode == 0
