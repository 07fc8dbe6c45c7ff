"""Every page of a PDF profile reads on its own: a page showing rows of the duty/task table
names their duty and task (「（續）」 where a merged cell goes on from the page before) and
their level; and no PDF refers to a font it does not embed (reportlab's Helvetica)."""

from __future__ import annotations

import re
import shutil

import pdfplumber
import pypdf
import pytest
from click.testing import CliRunner

from kmc_reports.cli import main
from conftest import ROOT
from real_gold import REAL

CLOSING = "、，。；：！？）〕】》」』,.;:!?)"
OPENING = "（〔【《「『("


@pytest.fixture(scope="module")
def profiles(tmp_path_factory):
    data = tmp_path_factory.mktemp("data")
    shutil.copytree(ROOT / "data" / "standards", data / "standards")
    codes = ["KMC3332-002v3"]
    if (REAL / "ocs-json" / "CCM7114-002.json").is_file():
        result = CliRunner().invoke(main, ["import", str(REAL / "ocs-json" / "CCM7114-002.json"),
                                           "--out", str(data / "standards")])
        assert result.exit_code == 0, result.output
        codes.append("CCM7114-002")
    out = tmp_path_factory.mktemp("profiles")
    result = CliRunner().invoke(main, ["--data", str(data), "profile", *codes,
                                       "--format", "pdf", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return {c: next(out.rglob(f"{c}-profile.pdf")) for c in codes}


def _main_table_rows(page) -> list[list[str]] | None:
    """The body rows of the duty/task table on a page (None: the page shows none)."""
    for table in page.extract_tables():
        if table and any("行為指標" in (c or "") for c in table[0]):
            return [[re.sub(r"\s", "", c or "") for c in row] for row in table[1:]]
    return None


@pytest.mark.parametrize("code", ["KMC3332-002v3", "CCM7114-002"])
def test_every_page_names_its_duty_task_and_level(profiles, code):
    if code not in profiles:
        pytest.skip("real standards not available")
    pages_with_rows = 0
    last_duty = None
    with pdfplumber.open(profiles[code]) as pdf:
        for number, page in enumerate(pdf.pages, 1):
            rows = _main_table_rows(page)
            if not rows:
                continue
            pages_with_rows += 1
            duty, task, *_ = rows[0]
            level = rows[0][4]
            where = f"{code} 第 {number} 頁"
            assert re.match(r"T\d+(?![.\d])", duty), f"{where}：主要職責欄空白「{duty}」"
            assert re.match(r"T\d+\.\d+", task), f"{where}：工作任務欄空白「{task}」"
            assert level, f"{where}：沒有級別"
            duty_code = re.match(r"T\d+", duty).group()
            if duty_code == last_duty:
                assert duty.endswith("（續）"), f"{where}：接續的主要職責沒有「（續）」"
            for row in rows:
                if row[0]:
                    last_duty = re.match(r"T\d+", row[0]).group()
                for cell in row:
                    # a continuation label is the cell's first paragraph only
                    assert cell.count("（續）") <= 1
    assert pages_with_rows >= 3


@pytest.fixture(scope="module")
def build(tmp_path_factory):
    out = tmp_path_factory.mktemp("build")
    result = CliRunner().invoke(main, ["build", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return sorted(out.rglob("*.pdf"))


def test_no_line_of_a_built_pdf_breaks_chinese_rules(build, profiles):
    """No line of any PDF of a build starts with closing punctuation or ends with opening
    punctuation: lines are runs of characters on one baseline with no gap wider than 3 pt
    (cells side by side are apart by their padding)."""
    bad = []
    for path in build + list(profiles.values()):
        with pdfplumber.open(path) as pdf:
            for number, page in enumerate(pdf.pages, 1):
                lines: dict[int, list] = {}
                for c in page.chars:
                    if not c["upright"]:
                        continue  # a vertical axis title of a chart: one mark a line
                    lines.setdefault(round(c["bottom"]), []).append(c)
                for chars in lines.values():
                    chars.sort(key=lambda c: c["x0"])
                    for i, c in enumerate(chars):
                        start = i == 0 or c["x0"] - chars[i - 1]["x1"] > 3
                        end = i == len(chars) - 1 or chars[i + 1]["x0"] - c["x1"] > 3
                        text = "".join(x["text"] for x in chars[max(0, i - 6):i + 7])
                        if start and c["text"] in CLOSING:
                            bad.append(f"{path.name} 第 {number} 頁 行首「{c['text']}」：{text}")
                        if end and c["text"] in OPENING:
                            bad.append(f"{path.name} 第 {number} 頁 行尾「{c['text']}」：{text}")
    assert not bad, "\n".join(bad[:20])


def test_no_pdf_uses_helvetica(build, profiles):
    """Every font a PDF names is embedded: none of reportlab's standard Helvetica (its
    default canvas font, the default of its charts)."""
    files = build + list(profiles.values())
    assert len(files) > 10
    for path in files:
        reader = pypdf.PdfReader(path)
        for page in reader.pages:
            fonts = (page.get("/Resources") or {}).get("/Font") or {}
            for font in fonts.values():
                font = font.get_object()
                name = str(font.get("/BaseFont"))
                assert "Helvetica" not in name, f"{path.name}: {name}"
                descriptor = font.get("/FontDescriptor")
                if descriptor is None and "/DescendantFonts" in font:
                    descriptor = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
                assert descriptor is not None, f"{path.name}: {name} 沒有嵌入"
                d = descriptor.get_object()
                assert any(k in d for k in ("/FontFile", "/FontFile2", "/FontFile3")), \
                    f"{path.name}: {name} 沒有嵌入"


def _long_table_pdf(rows: int, tall_at: int | None = None) -> list[str]:
    """A table of `rows` rows (a duty cell merged down every ten rows), one row made taller
    than a page when `tall_at` is given; the text of each page."""
    import io

    from kmc_reports import document as dm
    from kmc_reports.fonts import default_fonts
    from kmc_reports.writers.pdf import write_pdf

    def cell(text, **kw):
        return dm.Cell([dm.Paragraph([dm.Run(text)])], **kw)

    body = [[cell("職責", header=True), cell("代碼", header=True), cell("內容", header=True)]]
    for i in range(rows):
        text = f"R{i:04d} 能依據活動目標規劃流程與分工。" * (1 + i % 3)
        if i == tall_at:
            text = "".join(f"R{i:04d} 第 {k} 段文字，" for k in range(600))
        row = [cell(f"D{i // 10}", rowspan=min(10, rows - i))] if i % 10 == 0 else []
        body.append(row + [cell(f"R{i:04d}"), cell(text)])
    doc = dm.Document([dm.Section([dm.Table([1, 1, 6], body, header_rows=1)])], title="t")
    reader = pypdf.PdfReader(io.BytesIO(write_pdf(doc, default_fonts())))
    return [page.extract_text() for page in reader.pages]


@pytest.mark.parametrize("tall_at", [None, 150])
def test_a_long_table_laid_out_a_page_at_a_time_keeps_every_row_once(tall_at):
    """A long table's parts are laid out only as far as a page goes (issue 12: every page
    break used to lay out the whole rest again); no row is lost, doubled or reordered, the
    header starts every page, and a cell merged over a page break goes on with 「（續）」."""
    pages = _long_table_pdf(300, tall_at)
    assert len(pages) > 5
    codes = [c for page in pages for c in dict.fromkeys(re.findall(r"^R\d{4}$", page, re.M))]
    assert codes == [f"R{i:04d}" for i in range(300)]
    assert all("職責" in page and "內容" in page for page in pages)
    assert any("（續）" in page for page in pages)
