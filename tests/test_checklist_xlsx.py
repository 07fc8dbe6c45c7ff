"""The Excel self-assessment checklist: content, what Excel needs for filling it in and
printing it, same bytes on every build, and reading a filled-in copy back."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from conftest import ROOT
from kmc_reports.errors import KmcError
from kmc_reports.importers import import_file
from kmc_reports.store import Library
from kmc_reports.views import competencies
from kmc_reports.writers.checklist_xlsx import (HEADERS, ChecklistRow, read_checklist_xlsx,
                                                write_checklist_xlsx)
from real_gold import REAL

CODE = "KMC3332-002v3"
STANDARDS = ROOT / "data" / "standards"


@pytest.fixture(scope="module")
def std():
    return Library(STANDARDS).get(CODE)


@pytest.fixture(scope="module")
def data(std):
    return write_checklist_xlsx(std, "範例公司")


@pytest.fixture()
def wb(data):
    return load_workbook(io.BytesIO(data))


def header_row(wb) -> int:
    return dict(wb["_meta"].iter_rows(values_only=True))["header_row"]


def column(wb, name: str) -> list:
    ws, head = wb.worksheets[0], header_row(wb)
    col = HEADERS.index(name)
    return [r[col] for r in ws.iter_rows(min_row=head + 1, values_only=True)]


def test_every_item_of_the_standard_is_listed(wb, std):
    items = set(column(wb, "項目"))
    expected = [p.text for _, t in std.tasks() for p in t.indicators]
    expected += [c.name for kind in "KS" for c in competencies(std, kind)]
    expected += [a.name for a in std.attitudes]
    assert [x for x in expected if x not in items] == []
    assert column(wb, "類別").count("行為指標") == 65
    assert column(wb, "類別").count("態度") == len(std.attitudes)


def test_layout_for_the_person_filling_it_in(wb, std):
    ws, head = wb.worksheets[0], header_row(wb)
    assert wb.sheetnames == ["自我檢核", "填表說明", "_meta"]
    assert wb["_meta"].sheet_state == "hidden"
    guide = wb["填表說明"]
    assert wb.active.title == "填表說明"  # a person starts with the title and own name
    assert guide["A1"].value == f"{std.name} 職能自我檢核表"
    assert guide["A2"].value == f"資料來源：職能基準 {CODE} {std.name}（V3，2024/12/31）"
    assert [guide.cell(r, 1).value for r in (4, 5, 6)] == ["姓名", "單位", "填表日期"]
    assert guide["B5"].value == "範例公司"
    assert "1＝尚未具備；2＝初步具備；3＝大致具備；4＝熟練；5＝能指導他人" in guide["A8"].value
    assert head == 1 and [c.value for c in ws[head]] == HEADERS
    assert ws.cell(head + 1, 1).value == "T1 蒐集與分析活動資訊"
    assert f"A{head + 1}:E{head + 1}" in {str(r) for r in ws.merged_cells.ranges}
    first = ws.cell(head + 2, 1).row
    assert [c.value for c in ws[first]][:5] == [
        "行為指標", "P1.1.1", "T1.1 取得活動專案資訊", std.duties[0].tasks[0].indicators[0].text, 3]
    assert ws.cell(first, 4).alignment.wrap_text
    assert ws.column_dimensions["D"].width == 60
    assert all(ws.column_dimensions[c].width >= 9 for c in "ABCDEFGHI")
    assert ws.freeze_panes == "A2"  # the header only
    assert ws.auto_filter.ref == f"A{head}:I{ws.max_row - 1}"  # not the summary row


def test_averages_per_task_duty_and_in_all(wb):
    ws = wb.worksheets[0]
    rows = {ws.cell(r, 1).value: r for r in range(2, ws.max_row + 1)}
    assert ws.cell(rows["T1 蒐集與分析活動資訊"], 6).value == '=IFERROR(AVERAGE(F3:F4,F6:F8),"")'
    assert ws.cell(rows["T1 蒐集與分析活動資訊"], 7).value == '=IFERROR(AVERAGE(G3:G4,G6:G8),"")'
    assert ws.cell(rows["T1.1 取得活動專案資訊　平均"], 6).value == '=IFERROR(AVERAGE(F3:F4),"")'
    assert ws.cell(rows["知識（K）"], 6).value.startswith("=IFERROR(AVERAGE(F")
    assert ws.cell(rows["知識（K）"], 7).value.startswith("=IFERROR(AVERAGE(G")
    last = ws.max_row
    assert ws.cell(last, 1).value.startswith("全部項目")
    assert ws.cell(last, 8).value == f'=COUNTIF(H2:H{last - 1},"達成")'


def test_list_validations_on_rating_and_achieved(wb):
    ws, head = wb.worksheets[0], header_row(wb)
    found = sorted((dv.formula1, str(dv.sqref)) for dv in ws.data_validations.dataValidation)
    last = ws.max_row - 1
    assert found == [('"1,2,3,4,5"', f"F{head + 1}:F{last}"),
                     ('"1,2,3,4,5"', f"G{head + 1}:G{last}"),
                     ('"達成,未達成"', f"H{head + 1}:H{last}")]
    assert all(dv.showErrorMessage and dv.error for dv in ws.data_validations.dataValidation)


def test_print_setup(wb):
    ws, head = wb.worksheets[0], header_row(wb)
    assert ws.print_title_rows == f"${head}:${head}"
    assert ws.page_setup.orientation == "landscape"
    assert str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
    assert ws.oddFooter.center.text == "第 &P 頁，共 &N 頁"


def test_same_input_same_bytes(std, data):
    assert write_checklist_xlsx(std, "範例公司") == data
    assert {i.date_time for i in zipfile.ZipFile(io.BytesIO(data)).infolist()} == {
        (1980, 1, 1, 0, 0, 0)}


def test_text_that_looks_like_a_formula_stays_text(std, tmp_path):
    odd = std.model_copy(deep=True)
    texts = ["=SUM(A1)", "+886 2", "-1", "@x"]
    for p, text in zip(odd.task("T2.3").indicators, texts):
        p.text = text
    data = write_checklist_xlsx(odd)
    ws = load_workbook(io.BytesIO(data)).worksheets[0]
    cells = [c for row in ws.iter_rows() for c in row if c.value in texts]
    assert sorted(c.value for c in cells) == sorted(texts)
    assert {c.data_type for c in cells} == {"s"}
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    formulas = [c.value for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert all(f.startswith(("=IFERROR(AVERAGE(F", "=IFERROR(AVERAGE(G", "=COUNTIF(H"))
               for f in formulas)
    assert b"SUM(A1)</f>" not in sheet
    path = tmp_path / "odd.xlsx"
    path.write_bytes(data)
    assert "=SUM(A1)" in [r.item for r in read_checklist_xlsx(path).rows]


def _filled(data, tmp_path, values: dict) -> str:
    """The checklist with cells set as a person would, saved under tmp_path."""
    wb = load_workbook(io.BytesIO(data))
    for ref, value in values.items():
        wb.worksheets[0][ref] = value
    path = tmp_path / "填好的.xlsx"
    wb.save(path)
    return str(path)


def test_round_trip(data, std, tmp_path, wb):
    head = header_row(wb)
    ws = wb.worksheets[0]
    first = head + 2  # P1.1.1, under its duty
    k = next(r for r in range(1, ws.max_row) if ws.cell(r, 1).value == "知識（K）") + 1
    path = _filled(data, tmp_path, {
        f"F{first}": 4, f"G{first}": "3", f"H{first}": "達成", f"I{first}": "主辦 2024 年會",
        f"F{first + 1}": 1.0, f"H{first + 1}": "未達成",
        f"F{first + 2}": None,
        f"F{k}": 5, f"I{k}": "有證照"})
    got = read_checklist_xlsx(path)
    assert (got.code, got.version) == (CODE, "V3")
    assert [r.kind for r in got.rows].count("P") == 65  # duty rows are not rows
    assert got.rows[0] == ChecklistRow("P", "P1.1.1", 4, True, "主辦 2024 年會",
                                       std.duties[0].tasks[0].indicators[0].text, 3, first)
    assert got.rows[1][:5] == ("P", "P1.1.2", 1, False, "")
    assert got.rows[1].supervisor is None
    assert got.rows[2][2:5] == (None, None, "")
    assert got.rows[65][:5] == ("K", "K03", 5, None, "有證照")
    k03 = [r.item for r in got.rows if r.code == "K03"]  # printed with two names
    assert k03 and set(k03) <= {"創意思考", "創新思考"}
    assert sum(r.rating is not None for r in got.rows) == 3


def test_a_rating_out_of_range_names_the_cell(data, tmp_path, wb):
    cell = f"F{header_row(wb) + 3}"
    path = _filled(data, tmp_path, {cell: 7})
    with pytest.raises(KmcError) as exc:
        read_checklist_xlsx(path)
    assert str(exc.value) == f"{path}: 工作表「自我檢核」{cell}：自評「7」應為 1–5 的整數"
    cell = f"G{header_row(wb) + 3}"
    path = _filled(data, tmp_path, {cell: "3.5"})
    with pytest.raises(KmcError) as exc:
        read_checklist_xlsx(path)
    assert str(exc.value) == f"{path}: 工作表「自我檢核」{cell}：主管評「3.5」應為 1–5 的整數"


def test_an_unknown_achieved_value_names_the_cell(data, tmp_path, wb):
    cell = f"H{header_row(wb) + 2}"
    path = _filled(data, tmp_path, {cell: "OK"})
    with pytest.raises(KmcError, match=f"{cell}：達成欄「OK」"):
        read_checklist_xlsx(path)


def test_rows_inserted_above_the_table_are_reported(data, tmp_path):
    wb = load_workbook(io.BytesIO(data))
    wb.worksheets[0].insert_rows(1)
    path = tmp_path / "moved.xlsx"
    wb.save(path)
    with pytest.raises(KmcError, match="第 1 列不是檢核表的表頭"):
        read_checklist_xlsx(path)


@pytest.mark.parametrize("code", sorted(p.stem for p in STANDARDS.glob("*.yaml")))
def test_every_bundled_standard_reads_back_one_row_per_item(code, tmp_path):
    std = Library(STANDARDS).get(code)
    path = tmp_path / f"{code}.xlsx"
    path.write_bytes(write_checklist_xlsx(std))
    rows = read_checklist_xlsx(path).rows
    expected = [("P", p.code) for _, t in std.tasks() for p in t.indicators]
    expected += [(kind, c.code) for kind in "KS" for c in competencies(std, kind)]
    expected += [("A", a.code or "") for a in std.attitudes]
    assert [(r.kind, r.code) for r in rows] == expected
    assert {(r.rating, r.supervisor, r.achieved, r.note) for r in rows} == {
        (None, None, None, "")}


def test_a_workbook_not_made_by_us(tmp_path):
    path = tmp_path / "other.xlsx"
    Workbook().save(path)
    with pytest.raises(KmcError, match="不是 kmc-reports 產生的自我檢核表") as exc:
        read_checklist_xlsx(path)
    assert str(path) in str(exc.value)
    text = tmp_path / "note.xlsx"
    text.write_text("not a workbook")
    with pytest.raises(KmcError, match="不是 kmc-reports 產生的自我檢核表"):
        read_checklist_xlsx(text)


@pytest.mark.skipif(not REAL.is_dir(), reason="../shared/real is not beside the checkout")
def test_a_blocks_average_names_every_task_of_the_block():
    """NEP3295-002v3 prints one block for T1.1–T1.2 and one for T1.3–T1.6: each average row
    says which tasks it averages, not only the first."""
    std = import_file(REAL / "ocs-json" / "NEP3295-002v3.json", lambda _: None)
    ws = load_workbook(io.BytesIO(write_checklist_xlsx(std, "")))["自我檢核"]
    averages = [c.value for c in ws["A"] if isinstance(c.value, str) and c.value.endswith("平均")]
    assert averages == ["T1.1、T1.2　平均", "T1.3、T1.4、T1.5、T1.6　平均"]
