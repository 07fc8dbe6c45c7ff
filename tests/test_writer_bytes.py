"""The DOCX and XLSX writers build their hot parts by hand (table rows, cells, paragraphs and
runs as lxml elements; openpyxl style indexes copied between cells styled alike) for speed:
the files must stay what the straightforward writers made, byte for byte.

The reference is the writers of REFERENCE, the last commit that built everything through
python-docx's and openpyxl's own API, read from git and loaded beside today's (same helpers,
same libraries); without git or that commit the tests are skipped.  The documents are edge
cases the bundled reports may not reach (lists, tables and pictures in cells, tabs, carriage
returns, spaces at the ends, italics, check boxes of several sizes, empty and merged cells,
rows kept together, a block longer than a page) and one real checklist."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
import zipfile
from io import BytesIO
from pathlib import Path

import pytest

from conftest import ROOT
from kmc_reports.config import Config
from kmc_reports.document import (Cell, Document, Heading, KeyValue, ListBlock, ListItem,
                                  PageBreak, Paragraph, Run, Section, Spacer, Table)
from kmc_reports import workbook as wb
from kmc_reports.writers import docx, xlsx
from test_docx_sections import _sections_ended  # python-docx's section breaks, ended as ours

REFERENCE = "56bc669bd2ed0cfbf2117cdc2d705d149c796b6e"


def _reference(kind: str, tmp: Path):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    done = subprocess.run(["git", "show", f"{REFERENCE}:kmc_reports/writers/{kind}.py"],
                          cwd=ROOT, capture_output=True)
    if done.returncode:
        pytest.skip(f"commit {REFERENCE[:7]} is not in this checkout")
    path = tmp / f"_reference_{kind}.py"
    path.write_bytes(done.stdout)
    name = f"kmc_reports.writers._reference_{kind}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("reference")
    return {kind: _reference(kind, tmp) for kind in ("docx", "xlsx")}


def _p(text: str, **kw) -> Paragraph:
    return Paragraph([Run(text)], **kw)


def _edge_document() -> Document:
    box = Run("□", checkbox=True)
    items = ListBlock([ListItem([Run("第一項")], [ListBlock([ListItem([Run("子項")])])]),
                       ListItem([Run("第二項", bold=True)])])
    numbered = ListBlock([ListItem([Run("甲")]), ListItem([Run("乙")])], ordered=True)
    kv = KeyValue([([Run("姓名")], [Run("王小明")]), ([Run("單位")], [])])
    long_text = "很長的行為指標說明，" * 40
    rows = [[Cell([_p("職責")], header=True, shade="E8EEF4", align="center", valign="middle"),
             Cell([_p("任務")], header=True, shade="E8EEF4"),
             Cell([_p("內容")], header=True, shade="E8EEF4", colspan=2),
             Cell([_p("勾選")], header=True, shade="E8EEF4")]]
    tasks = 6  # a duty over tasks longer than a page: cut into parts, marked （續）
    for t in range(tasks):
        duty = [Cell([_p("D1 職責"), items], rowspan=4 * tasks, valign="middle")] if t == 0 \
            else []
        rows.append(duty + [Cell([_p(f"T{t}"), _p("說明", style="small")], rowspan=4,
                                 valign="middle"),
                            Cell([_p(long_text)], colspan=2),
                            Cell([Paragraph([box])], align="center")])
        for k in range(3):  # rows kept with the next: lists and tables in them too
            rows.append([Cell([Paragraph([Run(f"P{t}.{k}\t分項"), Run("\r換行", italic=True)],
                                         align="justify")] + ([numbered] if k == 1 else [])),
                         Cell([kv] if k == 2 else []),
                         Cell([Paragraph([box, Run(" 達成 "), box])])])
    rows.append([Cell([_p("職責標題（整列）", style="title")], colspan=5)])
    rows.append([Cell([items, _p("清單之後")]), Cell([kv], colspan=3),
                 Cell([numbered, Spacer(3), PageBreak()])])
    rows.append([Cell([_p(" 前後空白 "), Paragraph([Run("粗", bold=True),
                                                   Run("斜", italic=True),
                                                   Run("粗斜", bold=True, italic=True)],
                                                  align="right")]),
                 Cell([_p("置中", align="center"), _p("未知對齊", align="weird")],
                      rowspan=2, colspan=3),
                 Cell([Paragraph([])])])
    rows.append([Cell([_p("副標", style="subtitle"), _p("附註", style="note")]),
                 Cell([_p("短列")])])  # a short row: filled with empty cells
    table = Table([2, 2, 4, 1, 1], rows, header_rows=1)
    small = Table([1, 1, 1], [[Cell([_p("a")]), Cell([_p("b")], rowspan=3),
                               Cell([Paragraph([box])])],
                              [Cell([_p("c\nd")]), Cell([Paragraph([box], style="small")])],
                              [Cell([]), Cell([_p("e")])]], size="small")
    return Document([Section([Heading(1, [Run("標題")]), _p("首頁說明", style="title"),
                              _p("副標題", style="subtitle", align="center"), items,
                              numbered, kv, table, Spacer(5), PageBreak()]),
                     Section([Heading(2, [Run("第二節 ")]), small,
                              Paragraph([Run("多行\n文字\n", bold=True), box],
                                        style="small"),
                              Heading(3, [Run("小節")])], orientation="landscape")],
                    title="測試", subject="邊界", header="頁首 & 說明",
                    footer="第 {page} 頁，共 {pages} 頁")


def _same_zip(a: bytes, b: bytes) -> None:
    if a == b:
        return
    za, zb = zipfile.ZipFile(BytesIO(a)), zipfile.ZipFile(BytesIO(b))
    assert za.namelist() == zb.namelist()
    for name in za.namelist():
        assert za.read(name) == zb.read(name), name
    assert a == b  # same members, different zip bytes


def test_docx_edge_cases_as_python_docx_wrote_them(reference):
    doc, config = _edge_document(), Config()
    made = docx.write_docx(doc, config)
    assert b"word/document.xml" in made
    _same_zip(made, _sections_ended(reference["docx"].write_docx(doc, config)))
    assert docx.write_docx(doc, config) == made  # caches leave the next document alone


def test_docx_checklist_as_python_docx_wrote_it(reference):
    from kmc_reports.reports import Options, checklist_document
    from kmc_reports.store import load_standard

    std = load_standard(ROOT / "data" / "standards" / "KMC2432-001v4.yaml")
    doc = checklist_document(std, Options())
    _same_zip(docx.write_docx(doc, Config()),
              _sections_ended(reference["docx"].write_docx(doc, Config())))


def _edge_workbook() -> wb.Workbook:
    book = wb.Workbook("測試活頁簿")
    s = book.sheet("表一", [wb.Column(12), wb.Column(30, align="center"),
                          wb.Column(8, number_format="0.00", fill=xlsx.INPUT_FILL),
                          wb.Column(6, hidden=True)])
    s.add(["標題"], "title")
    s.add(["說明文字，會跨過整張表的寬度"], "note")
    s.head(["代碼", "名稱", "分數", "隱藏"])
    s.add(["G1"], "group")
    for i in range(12):
        s.add([f"T{i}", wb.Cell("=不是公式" if i % 3 else "長名稱" * (i + 1), bold=i == 2),
               0.5 * i, i])
    s.add([wb.Cell("合併", span=2, fill="E2EFDA"), wb.Formula("=AVERAGE(C5:C16)")], "total")
    s.add([wb.Cell("靠右", align="right", span=3)])
    s.blank()
    s.add(["plain", "列"], "plain")
    s.freeze, s.filter = (4, 2), (3, 4, s.last)
    t = book.sheet("表二", [wb.Column(10), wb.Column(10)])
    t.head(["甲", "乙"])
    t.add([wb.Cell(1, number_format="0%"), wb.Cell("x", bold=False)])
    t.add([wb.Cell("粗", bold=True), None])
    return book


def test_xlsx_as_openpyxl_wrote_it(reference):
    book = _edge_workbook()
    made = xlsx.write_workbook(book)
    _same_zip(made, reference["xlsx"].write_workbook(book))
    assert xlsx.write_workbook(book) == made


def test_xlsx_checklist_as_openpyxl_wrote_it(reference, monkeypatch):
    from kmc_reports.store import load_standard
    from kmc_reports.writers import checklist_xlsx

    std = load_standard(ROOT / "data" / "standards" / "KMC3332-002v3.yaml")
    made = checklist_xlsx.write_checklist_xlsx(std, "範例公司")
    monkeypatch.setattr(checklist_xlsx, "write_workbook", reference["xlsx"].write_workbook)
    _same_zip(made, checklist_xlsx.write_checklist_xlsx(std, "範例公司"))
