"""Reading ratings back: the team template, team workbooks of 1, 12 and 200 people in both
shapes, filled-in checklists, real standards, and every malformed input refused with one
line naming the file, the sheet and the cell."""

from __future__ import annotations

import dataclasses
import io
import random

import pytest
from openpyxl import Workbook, load_workbook

import gapgen
from kmc_reports.errors import KmcError
from kmc_reports.importers import import_file
from kmc_reports.ratings import HEADERS, read_ratings, team_template
from kmc_reports.store import Library, save_standard
from kmc_reports.writers.checklist_xlsx import write_checklist_xlsx
from kmc_reports.writers.xlsx import write_workbook
from real_gold import REAL

CODE, OTHER = "KMC2432-001v4", "KMC2432-002v4"


@pytest.fixture(scope="module")
def std(library):
    return library.get(CODE)


def rated(ratings) -> dict:
    """person → [(self, supervisor)] of the behaviour indicators, in order."""
    out: dict = {}
    for r in ratings.rows:
        if r.kind == "P":
            out.setdefault(r.person, []).append((r.self, r.supervisor))
    return out


def expected(people) -> dict:
    return {p.name: p.ratings for p in people}


def shuffled(path, out, seed: int = 7, change=None):
    """``path``'s 評分 rows in a random order, as HR may leave them after sorting by the
    autofilter; ``change(rows)`` may edit the shuffled rows (values) first."""
    wb = load_workbook(path)
    ws = wb["評分"]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
    random.Random(seed).shuffle(rows)
    if change:
        change(rows)
    ws.delete_rows(2, ws.max_row)
    for r, values in enumerate(rows, 2):
        for c, value in enumerate(values, 1):
            ws.cell(r, c).value = value
    wb.save(out)
    return out


def by_person(ratings) -> dict:
    """person → their rows without the place they were read from."""
    return {p: [dataclasses.replace(r, where="") for r in ratings.of(p)] for p in ratings.people}


# -- the template --------------------------------------------------------------------------

def test_template_lists_every_indicator_for_each_person(std):
    wb = load_workbook(io.BytesIO(write_workbook(team_template(std, 3))))
    assert wb.sheetnames == ["說明", "評分", "_meta"]
    assert wb.active.title == "說明" and wb["_meta"].sheet_state == "hidden"
    meta = dict(wb["_meta"].iter_rows(values_only=True))
    assert (meta["format"], meta["standard_code"], meta["version"]) == (
        "kmc-reports ratings", CODE, "V4")
    ws = wb["評分"]
    assert [c.value for c in ws[1]] == HEADERS
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    indicators = [(t.code, p.code, p.text) for _, t in std.tasks() for p in t.indicators]
    assert len(rows) == 3 * len(indicators)
    assert [(r[2].split()[0], r[1], r[3]) for r in rows[:len(indicators)]] == indicators
    assert {r[0] for r in rows} == {None} and {r[5] for r in rows} == {None}
    assert rows[0][4] == std.duties[0].tasks[0].level
    found = sorted((dv.formula1, str(dv.sqref)) for dv in ws.data_validations.dataValidation)
    assert found == [('"1,2,3,4,5"', f"F2:F{ws.max_row}"), ('"1,2,3,4,5"', f"G2:G{ws.max_row}")]
    assert ws.freeze_panes == "C2" and ws.auto_filter.ref == f"A1:H{ws.max_row}"
    assert ws.print_title_rows == "$1:$1" and ws.page_setup.orientation == "landscape"
    guide = " ".join(str(r[0]) for r in wb["說明"].iter_rows(values_only=True) if r[0])
    for words in ("姓名空白的列視為與上一列同一人", "1＝尚未具備", "工作表名稱為姓名", "預設 3"):
        assert words in guide
    assert write_workbook(team_template(std, 3)) == write_workbook(team_template(std, 3))


# -- reading -------------------------------------------------------------------------------

@pytest.mark.parametrize("size", [1, 12, 200])
def test_team_workbooks_read_back_as_filled_in(std, library, tmp_path, size):
    people = gapgen.team(std, size)
    path = gapgen.team_workbook(std, people, tmp_path / "team.xlsx", spare=1)
    got, ratings = read_ratings([path], library)
    assert got.code == CODE and (ratings.standard, ratings.version) == (CODE, "V4")
    assert ratings.people == [p.name for p in people] and ratings.files == [str(path)]
    assert rated(ratings) == expected(people)
    assert ratings.rows[0].where == f"{path}, 工作表「評分」第 2 列"


def test_names_on_every_row_and_one_sheet_per_person(std, library, tmp_path):
    people = gapgen.team(std, 4)
    every = gapgen.team_workbook(std, people[:2], tmp_path / "every.xlsx", name_every_row=True)
    sheets = gapgen.sheets_workbook(std, people[2:], tmp_path / "sheets.xlsx")
    _, ratings = read_ratings([every, sheets], library, CODE)
    assert rated(ratings) == expected(people)
    with pytest.raises(KmcError, match="請以 --standard 指定"):
        read_ratings([sheets], library)


def test_a_sorted_team_workbook_reads_as_the_unsorted_one(std, library, tmp_path):
    """The template's autofilter invites sorting: with the name on every row, one person's
    rows end up apart, and are still that person's."""
    people = gapgen.team(std, 6)
    path = gapgen.team_workbook(std, people, tmp_path / "team.xlsx", name_every_row=True)
    sorted_ = shuffled(path, tmp_path / "sorted.xlsx")
    _, want = read_ratings([path], library)
    _, got = read_ratings([sorted_], library)
    assert sorted(got.people) == sorted(want.people) and got.people != want.people
    assert by_person(got) == by_person(want) and rated(got) == expected(people)
    assert got.rows[0].where != want.rows[0].where  # read from where it now is


def test_a_sorted_workbook_still_refuses_a_repeated_or_missing_row(std, library, tmp_path):
    people = gapgen.team(std, 3)
    path = gapgen.team_workbook(std, people, tmp_path / "team.xlsx", name_every_row=True)
    ws = load_workbook(shuffled(path, tmp_path / "plain.xlsx"))["評分"]
    names = [c.value for c in ws["A"]]  # names[r - 1] is the name of row r
    name, code = ws["A6"].value, ws["B6"].value

    def refused(case, change):
        with pytest.raises(KmcError) as exc:
            read_ratings([shuffled(path, tmp_path / f"{case}.xlsx", change=change)], library)
        text = str(exc.value)
        assert "\n" not in text and text.startswith(f"{tmp_path / case}.xlsx: 工作表「評分」")
        return text.partition("工作表「評分」")[2]

    # row 6 again right below it, in the same person's stretch of rows
    assert refused("below", lambda rows: rows.insert(5, list(rows[4]))) == (
        f"B7：「{name}」的 {code} 重複評分（已評於 B6）")
    # row 6 again below another person's row: that name cell is where the person restarts
    other = next(r for r in range(7, len(names) + 1) if names[r - 1] != name)
    assert refused("apart", lambda rows: rows.insert(other - 1, list(rows[4]))).startswith(
        f"A{other + 1}：「{name}」重複出現，{code} 重複評分（B6 與 B{other + 1}）")
    # row 6 gone: the person lacks it, named where their name first is
    first = next(r for r in range(2, len(names) + 1) if names[r - 1] == name and r != 6)
    assert refused("lost", lambda rows: rows.pop(4)) == (
        f"A{first - (first > 6)}：「{name}」缺少 1 項行為指標的評分列（{code}）")


def test_one_row_is_one_cell_not_a_range(std, library, tmp_path):
    wb = Workbook()
    wb.active.append(["姓名", "代碼", "自評"])
    wb.active.append(["張雅婷", "P1.1.1", 3])
    wb.save(tmp_path / "one.xlsx")
    with pytest.raises(KmcError, match="工作表「Sheet」B2：「張雅婷」缺少 17 項"):
        read_ratings([tmp_path / "one.xlsx"], library, CODE)


def test_checklists_with_team_workbooks(std, library, tmp_path):
    people = gapgen.team(std, 3)
    files = [gapgen.checklist(std, people[0], tmp_path / "one.xlsx"),
             gapgen.team_workbook(std, people[1:], tmp_path / "team.xlsx")]
    _, ratings = read_ratings(files, library)
    assert rated(ratings) == expected(people)
    kinds = {r.kind for r in ratings.rows if r.person == people[0].name}
    assert kinds == {"P", "K", "S", "A"}  # a checklist's K/S/A rows are kept
    k = next(r for r in ratings.rows if r.kind == "K")
    assert (k.self, k.supervisor) == (3, None)


def test_a_version_1_checklist_is_still_read(std, library, tmp_path):
    """Format 1 had no 主管評 column: its 評分 are self ratings."""
    person = gapgen.team(std, 1)[0]
    wb = load_workbook(io.BytesIO(write_checklist_xlsx(std)))
    ws = wb["自我檢核"]
    ws.delete_cols(7)
    ws["F1"] = "評分(1–5)"
    wb["_meta"]["B2"] = 1
    wb["填表說明"]["B4"] = person.name
    ratings = iter(person.ratings)
    for r in range(2, ws.max_row + 1):
        if ws.cell(r, 1).value == "行為指標":
            ws.cell(r, 6).value = next(ratings)[0]
    path = tmp_path / "v1.xlsx"
    wb.save(path)
    _, got = read_ratings([path], library)
    assert rated(got) == {person.name: [(s, None) for s, _ in person.ratings]}


def test_real_standards_with_odd_codes(tmp_path):
    """AVA2173-005v3 prints P1.5 twice and one block for seven tasks; KPS3334-004v4 is large
    with duties missing from the table."""
    if not REAL.is_dir():
        pytest.skip("../shared/real is not beside the checkout")
    folder = tmp_path / "standards"
    folder.mkdir()
    for code in ("AVA2173-005v3", "KPS3334-004v4"):
        save_standard(import_file(REAL / "ocs-json" / f"{code}.json", lambda _: None),
                      folder / f"{code}.yaml")
    library = Library(folder)
    for code in library.codes():
        std = library.get(code)
        people = gapgen.team(std, 5)
        path = gapgen.team_workbook(std, people, tmp_path / f"{code}.xlsx")
        got, ratings = read_ratings([path], library)
        assert got.code == code and rated(ratings) == expected(people)
    ava = read_ratings([tmp_path / "AVA2173-005v3.xlsx"], library)[1]
    twice = [r.nth for r in ava.rows if r.code == "P1.5" and r.person == ava.people[0]]
    assert twice == [0, 1]
    # sorted, the two P1.5 are told apart by their words (行為指標), not by their order
    std = library.get("AVA2173-005v3")
    n = len(gapgen.indicators(std))
    people = [gapgen.Person(name, [(i % 5 + 1, (i + p) % 5 + 1) for i in range(n)])
              for p, name in enumerate(["王小明", "李大華"])]  # each P1.5 rated differently
    path = gapgen.team_workbook(std, people, tmp_path / "ava.xlsx", name_every_row=True)
    for seed in range(4):
        got = read_ratings([shuffled(path, tmp_path / "ava-sorted.xlsx", seed)], library)[1]
        assert by_person(got) == by_person(read_ratings([path], library)[1])


# -- malformed input -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def malformed(library, tmp_path_factory):
    return {b.name: b for b in gapgen.malformed(library.get(CODE), library.get(OTHER),
                                                tmp_path_factory.mktemp("malformed"))}


CASES = ["unknown-code", "out-of-scale", "half-point", "missing-rating", "unrated-row",
         "missing-row", "no-ratings", "same-person", "name-forgotten", "first-name-missing",
         "blank-code", "other-version", "other-standard", "unknown-standard",
         "same-person-across-files", "files-of-two-standards", "not-a-workbook", "not-ours",
         "empty-workbook", "template-not-filled", "checklist-without-name"]


def test_every_case_is_made(malformed):
    assert sorted(malformed) == sorted(CASES)


@pytest.mark.parametrize("case", CASES)
def test_malformed_input_is_one_line_naming_file_sheet_and_cell(malformed, library, case):
    bad = malformed[case]
    with pytest.raises(KmcError) as exc:
        read_ratings(bad.files, library, bad.standard)
    text = str(exc.value)
    assert "\n" not in text
    assert text.startswith(f"{bad.file}: {bad.place}"), text
    assert bad.word in text
