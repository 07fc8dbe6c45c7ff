"""How a PDF's content flows over its pages, read as a person reads the pages: no page is empty
(only the running header and the footer), no heading is the last line of a page with what it
heads overleaf, and no code in a narrow column is split inside (「KPS3334-004v」「4」).

Reports of the bundled data, and of real standards where ``../shared/real`` is there (the
job description of CCM7114-002 once left 「五、資料來源」 at a page's foot; the checklist of
IDC2172-002v3 once had a blank page after its landscape table)."""

from __future__ import annotations

import io
import re
import shutil
import sys
from collections import defaultdict
from pathlib import Path

import pdfplumber
import pytest
from click.testing import CliRunner

from conftest import ROOT, copy_data
from kmc_reports import document as dm
from kmc_reports.cli import main
from kmc_reports.fonts import default_fonts
from kmc_reports.writers.layout import PAGE, TOP_BOTTOM
from kmc_reports.writers.pdf import _INK, write_pdf
from real_gold import REAL

sys.path.insert(0, str(ROOT / "benchmarks"))
from synthetic import make_catalogue  # noqa: E402

INK = tuple(round(v, 3) for v in _INK.rgb())
BODY = TOP_BOTTOM * 72 / 25.4 - 6  # the running header and the footer lie outside the frame


def _body_lines(page) -> list[list[dict]]:
    """The lines of text inside the page's frame (header and footer left out), top first."""
    lines: dict[int, list] = defaultdict(list)
    for c in page.chars:
        if BODY < c["top"] and c["bottom"] < page.height - BODY:
            lines[round(c["bottom"])].append(c)
    return [sorted(lines[y], key=lambda c: c["x0"]) for y in sorted(lines)]


def _is_heading(line: list[dict]) -> bool:
    """Headings are the bold text in the writer's ink colour (table headers are black)."""
    return all("Bold" in c["fontname"] and c["non_stroking_color"] is not None
               and tuple(round(v, 3) for v in c["non_stroking_color"]) == INK for c in line)


def flow_problems(path: Path) -> list[str]:
    bad = []
    with pdfplumber.open(path) as pdf:
        pages = len(pdf.pages)
        for number, page in enumerate(pdf.pages, 1):
            where = f"{path.name} 第 {number}/{pages} 頁"
            lines = _body_lines(page)
            if not lines and not page.images:
                bad.append(f"{where}：空白頁")
            elif lines and number < pages and _is_heading(lines[-1]):
                text = "".join(c["text"] for c in lines[-1])
                bad.append(f"{where}：標題「{text}」在頁尾，內容在下一頁")
    return bad


@pytest.fixture(scope="module")
def bundled(tmp_path_factory):
    out = tmp_path_factory.mktemp("flow-build")
    result = CliRunner().invoke(main, ["build", "--out", str(out), "--format", "pdf"])
    assert result.exit_code == 0, result.output
    return sorted(out.rglob("*.pdf"))


def test_no_empty_page_and_no_heading_at_a_page_foot_in_bundled_reports(bundled):
    kinds = {p.name.rsplit("-", 1)[-1] for p in bundled}
    assert {"profile.pdf", "job.pdf", "checklist.pdf", "syllabus.pdf", "summary.pdf"} <= kinds
    bad = [problem for path in bundled for problem in flow_problems(path)]
    assert not bad, "\n".join(bad)


@pytest.fixture(scope="module")
def real_reports(tmp_path_factory):
    sources = [REAL / "docx" / f"{code}.docx" for code in ("CCM7114-002", "IDC2172-002v3")]
    if not all(p.is_file() for p in sources):
        pytest.skip("../shared/real/docx is not there")
    data = copy_data(tmp_path_factory.mktemp("flow-real"))
    result = CliRunner().invoke(main, ["--data", str(data), "import", *map(str, sources)])
    assert result.exit_code == 0, result.output
    out = tmp_path_factory.mktemp("flow-real-out")
    codes = ["CCM7114-002", "IDC2172-002v3", "KMC2432-004v2"]
    for command in (["profile", "--layout", "job"], ["profile"], ["checklist"]):
        result = CliRunner().invoke(main, ["--data", str(data), *command, *codes,
                                           "--format", "pdf", "--out", str(out)])
        assert result.exit_code == 0, result.output
    return sorted(out.rglob("*.pdf"))


def test_no_empty_page_and_no_heading_at_a_page_foot_in_real_reports(real_reports):
    assert len(real_reports) == 9
    bad = [problem for path in real_reports for problem in flow_problems(path)]
    assert not bad, "\n".join(bad)


def _cell(text: str, **kw) -> dm.Cell:
    return dm.Cell([dm.Paragraph([dm.Run(text)])], **kw)


def _pdf(sections: list[dm.Section], path: Path) -> Path:
    path.write_bytes(write_pdf(dm.Document(sections, title="t", header="頁首"),
                               default_fonts()))
    return path


@pytest.mark.parametrize("rows", range(18, 34))
def test_a_landscape_table_filling_its_page_makes_no_blank_page(rows, tmp_path):
    """A landscape table ending at (or just above) the foot of its page, then a portrait
    section: the space after the table ends with the page instead of making one of its own
    (as many rows as it takes to end at every place near the foot)."""
    body = [[_cell("代碼", header=True), _cell("內容", header=True)]]
    body += [[_cell(f"K{i:02d}"), _cell(f"第 {i} 列：資料建檔流程與管理")] for i in range(rows)]
    for extra in (0.0, 1.5, 2.5, 4.0, 6.0, 8.0):
        blocks = [dm.Spacer(extra) if extra else dm.Paragraph([dm.Run("說明")]),
                  dm.Table([1, 5], body, header_rows=1)]
        path = _pdf([dm.Section([dm.Paragraph([dm.Run("封面")])]),
                     dm.Section(blocks, orientation="landscape"),
                     dm.Section([dm.Paragraph([dm.Run("附錄")])])], tmp_path / f"{extra}.pdf")
        assert not flow_problems(path)


@pytest.mark.parametrize("lines", range(38, 56))
def test_headings_go_with_what_they_head(lines, tmp_path):
    """Headings (their space before counted) land at every place near a page's foot: a
    heading with a heading right after it, one before a paragraph, a caption leading into a
    table whose first row is tall, a list."""
    def tail() -> list:
        return [
            dm.Heading(2, [dm.Run("四、職能需求")]), dm.Heading(3, [dm.Run("知識（K）")]),
            dm.Table([1, 5], [[_cell("代碼", header=True), _cell("知識", header=True)],
                              [_cell("K01"), _cell("資料建檔流程")]], header_rows=1),
            dm.Heading(2, [dm.Run("五、資料來源")]),
            dm.Paragraph([dm.Run("資料來源：職能基準 KMC2432-004v2 公關企劃人員（V2，2023/12/15）"
                                 "。本文件由 kmc-reports 產生，內容以平台公告為準。" * 2)]),
            dm.Heading(3, [dm.Run("表5　教學方法")]),
            dm.Paragraph([dm.Run("說明：勾選各單元的教學方法。")]),
            dm.Table([2, 1], [[_cell("單元", header=True), _cell("講授", header=True)],
                              [_cell("企劃需求分析\n\n\n\n"), _cell("■")]], header_rows=1),
            dm.Heading(3, [dm.Run("態度（A）")]),
            dm.ListBlock([dm.ListItem([dm.Run(f"A0{i} 主動積極")]) for i in range(1, 4)]),
        ]
    filler = [dm.Paragraph([dm.Run(f"第 {i} 行內文。")]) for i in range(lines)]
    for offset in (0.5, 1.5, 2.5, 3.5, 4.5):  # mm: every place within a line's height
        blocks = [dm.Spacer(offset)] + filler + tail() + tail() + tail() + filler[:10]
        path = _pdf([dm.Section(blocks)], tmp_path / f"{offset}.pdf")
        assert not flow_problems(path)


def _matrix_cells(path: Path) -> list[str]:
    """The header cells of the 兩兩重疊程度 tables (their lines joined by a newline)."""
    cells = []
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            for table in page.extract_tables():
                if table and table[0] and table[0][0] in ("", None) and len(table[0]) > 2:
                    cells += [c for c in table[0][1:] if c] + [r[0] for r in table[1:] if r[0]]
    return cells


@pytest.mark.parametrize("count", [9, 19])
def test_comparison_matrices_split_no_code(count, tmp_path):
    """The N×N tables of the comparison summary (landscape, a column per standard): a code
    in a header is whole on its line or broken after its hyphen (「KPS3334-」「004v4」);
    with more standards than columns that hold that, the columns are numbered and each row
    names its number and code on one line."""
    codes = make_catalogue(tmp_path / "data", count)
    out = tmp_path / "out" / "comparison.xlsx"
    result = CliRunner().invoke(main, ["--data", str(tmp_path / "data"), "compare",
                                       "--out", str(out), "--format", "pdf"])
    assert result.exit_code == 0, result.output
    cells = _matrix_cells(out.parent / "comparison-summary.pdf")
    assert len(cells) >= 2 * count * 2  # K and S at least: headers and row labels
    for cell in cells:
        lines = cell.split("\n")
        joined = "".join(lines)
        if count > 12 and re.fullmatch(r"\d+", joined):
            continue  # a column's number
        label = re.fullmatch(r"(?:(\d+) )?(\S+)", cell.replace("\n", " ") if count > 12
                             else joined)
        assert label and label.group(2) in codes, cell
        if count > 12:
            assert len(lines) == 1, cell
        else:
            assert len(lines) == 1 or (len(lines) == 2 and lines[0].endswith("-")), cell


def test_a_code_longer_than_its_column_breaks_after_its_hyphen():
    from reportlab.lib.styles import ParagraphStyle

    from kmc_reports import fonts
    from kmc_reports.writers.pdf import KinsokuParagraph

    regular, _ = fonts.register_reportlab(fonts.default_fonts())
    style = ParagraphStyle("k", fontName=regular, fontSize=8.5, leading=12, wordWrap="CJK")

    def lines(text, width):
        p = KinsokuParagraph(text, style)
        p.wrap(width, 1e6)
        return ["".join(f.text for f in line.words).strip() for line in p.blPara.lines]

    assert lines("KPS3334-004v4", 50) == ["KPS3334-", "004v4"]
    assert lines("比較 KPS3334-004v4 與 CCM7114-002", 50)[:3] == ["比較", "KPS3334-", "004v4 與"]
    assert lines("2023/12/15", 30) == ["2023/", "12/15"]
    assert lines("KPS3334-004v4", 200) == ["KPS3334-004v4"]  # it fits: whole
    # no hyphen or slash: cut where the line is full, as before
    assert "".join(lines("T1.2.3.4.5.6.7.8", 20)) == "T1.2.3.4.5.6.7.8"
