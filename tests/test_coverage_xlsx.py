"""The coverage workbook (涵蓋矩陣) as Calc and Excel print it: unit headers wrapped where a
line may break — never inside a code, never before a closing mark — with the hours on a
line of their own and a header row tall enough for every line; every text printed as
documents print it (no converter's spaces between Chinese characters)."""

from __future__ import annotations

import re

import pytest
from openpyxl import load_workbook

from conftest import ROOT
from real_gold import REAL
from kmc_reports.analyses.syllabus import load_levels, plan
from kmc_reports.course import CourseSpec, load_course
from kmc_reports.store import Library
from kmc_reports.views import printed_text
from kmc_reports.workbook import Cell
from kmc_reports.writers import coverage_xlsx
from kmc_reports.writers.coverage_xlsx import _wrap, coverage_workbook, write_coverage_xlsx
from kmc_reports.writers.xlsx import lines_needed, row_height

LIBRARY = Library(ROOT / "data" / "standards")
OCS = REAL / "ocs-json" / "NEP3295-002v3.json"  # names with the converter's spaces
CLOSING = "、，。；：！？）」』〕】,.;:!?)]"
OPENING = "（「『〔【([<"
CJK = r"[\u3400-\u9fff\uf900-\ufaff]"


def _plan(code: str):
    spec = load_course(ROOT / "data" / "courses" / f"{code}.yaml")
    return plan([LIBRARY.get(c) for c in spec.standards], spec, load_levels())


def _value(cell):
    return cell.value if isinstance(cell, Cell) else cell


def _unit_heads(book):
    ws = book.sheets[0]
    head = ws.rows[coverage_xlsx.HEAD - 1]
    assert head.style == "head"
    return ws, [(ws.columns[i], _value(c)) for i, c in enumerate(head.cells)][5:-1]


def _check_heads(book, units):
    ws, heads = _unit_heads(book)
    assert len(heads) == len(units)
    most = 0
    for n, ((column, text), unit) in enumerate(zip(heads, units), 1):
        lines = text.split("\n")
        assert lines[-1] == f"{unit.hours:g} 小時", text  # the hours on a line of their own
        assert "".join(lines[:-1]).replace(" ", "") == f"{n}.{printed_text(unit.name)}" \
            .replace(" ", "")
        for line in lines:
            # one line by the xlsx writer's measure: the row height it sets holds them all
            assert lines_needed(line, column.width, bold=True) == 1, (line, column.width)
            assert line and line[0] not in CLOSING and line[-1] not in OPENING, text
        for code in re.findall(r"[A-Za-z0-9][A-Za-z0-9.\-/]*", printed_text(unit.name)):
            assert any(code in line for line in lines), (code, text)  # never cut
        most = max(most, len(lines))
    return most


@pytest.mark.parametrize("code", ["KMC2432-001v4", "KMC3332-002v3"])
def test_unit_headers_wrap_whole_and_the_row_holds_them(code, tmp_path):
    p = _plan(code)
    book = coverage_workbook(p)
    most = _check_heads(book, p.units)
    path = tmp_path / "coverage.xlsx"
    path.write_bytes(write_coverage_xlsx(p))
    ws = load_workbook(path).active
    assert ws.row_dimensions[coverage_xlsx.HEAD].height >= row_height(most)


def test_long_names_codes_and_brackets():
    width = 12
    text = ("2. 檢測報告核可簽署、實驗室相關設施運作之監督及檢測環境條件之確認、"
            "檢測人員能力及訓練規劃、ISO17025實驗室管理系統（含「環境檢驗」）相關法規")
    lines = _wrap(text, width).split("\n")
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert any("ISO17025" in line for line in lines)
    for line in lines:
        assert lines_needed(line, width, bold=True) == 1
        assert line[0] not in CLOSING and line[-1] not in OPENING, lines
    # as even as the fewest lines allow: no lone last character
    assert _wrap("9. 確定改善項目及方式", width).split("\n") == ["9. 確定", "改善項目", "及方式"]


def test_a_word_wider_than_a_column_widens_it():
    p = _plan("KMC2432-001v4")
    p.units[0].name = "Supercalifragilistic 企劃"
    _, heads = _unit_heads(coverage_workbook(p))
    column, text = heads[0]
    assert column.width > coverage_xlsx.UNIT_WIDTH
    assert "Supercalifragilistic" in text.split("\n")


def test_no_spaces_between_chinese_characters():
    """The converter's JSON keeps the wraps of the PDF as spaces (「審核能 力」): printed as
    documents print them.  The unit headers' own line breaks are the only whitespace left
    between two Chinese characters."""
    p = _plan("KMC2432-001v4")
    spaced = re.compile(rf"({CJK})({CJK})")
    p.spec.name = spaced.sub(r"\1 \2", p.spec.name, count=1)
    for t in p.tasks:
        t.name = spaced.sub(r"\1 \2", t.name, count=1)
        for item in t.indicators:
            item.text = spaced.sub(r"\1 \2", item.text, count=2)
        for item in t.knowledge + t.skills:
            item.name = spaced.sub(r"\1 \2", item.name, count=1)
    for u in p.units:
        u.name = spaced.sub(r"\1 \2", u.name, count=1)
    book = coverage_workbook(p)
    _check_heads(book, p.units)
    _assert_printed(book)


def _assert_printed(book):
    stray = re.compile(rf"{CJK}[ \t]+{CJK}")
    ws = book.sheets[0]
    assert not stray.search(book.title) and not stray.search(ws.print.header)
    for r, row in enumerate(ws.rows, 1):
        for cell in row.cells:
            value = _value(cell)
            if isinstance(value, str):
                assert not stray.search(value), (r, value)
                if r != coverage_xlsx.HEAD:
                    assert printed_text(value) == value, (r, value)


@pytest.mark.skipif(not OCS.is_file(), reason="the real standards are not at hand")
def test_ocs_json_names_print_without_the_converters_spaces():
    from kmc_reports.importers import import_file

    std = import_file(OCS, lambda _: None)
    assert any(re.search(rf"{CJK} {CJK}", k.name) for _, t in std.tasks() for k in t.knowledge
               + t.skills) or any(re.search(rf"{CJK} {CJK}", p.text) for _, t in std.tasks()
                                  for p in t.indicators)
    spec = CourseSpec(name=f"{std.name}實務", standards=[std.code],
                      total_hours=max(6, 3 * sum(1 for _ in std.tasks())))
    p = plan([std], spec, load_levels())
    book = coverage_workbook(p)
    _check_heads(book, p.units)
    _assert_printed(book)
    _, heads = _unit_heads(book)
    assert any("ISO17025" in line for _, text in heads for line in text.split("\n"))
