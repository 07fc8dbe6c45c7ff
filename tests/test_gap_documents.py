"""`kmc-reports gap`'s documents read back (DOCX, PDF, XLSX), every figure recomputed here
from the generator's ratings — independently of kmc_reports.ratings and analyses.gaps."""

from __future__ import annotations

from pathlib import Path
from statistics import fmean

import pytest
from click.testing import CliRunner
from docx import Document
from openpyxl import load_workbook

import gapgen
from conftest import copy_data
from docs_text import docx_text, pdf_pages, pdf_text, squash
from kmc_reports.cli import main
from kmc_reports.reports import person_stems
from kmc_reports.store import Library

CODE = "KMC2432-001v4"  # 2 duties, 6 tasks, 18 indicators; no block of shared items
BAR = 3.0


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return copy_data(tmp_path_factory.mktemp("gapdocs") / "data")


@pytest.fixture(scope="module")
def std(data):
    return Library(data / "standards").get(CODE)


def gap(data: Path, *args: str) -> str:
    result = CliRunner().invoke(main, ["--data", str(data), "gap", *args])
    assert result.exit_code == 0, result.output
    return result.output


# -- the independent computation ---------------------------------------------------------

def expected(std, person: gapgen.Person, bar: float = BAR, by: str = "supervisor") -> dict:
    """task code → (self mean, supervisor mean, value, gap), and the person's K/S needs."""
    rows = list(zip(gapgen.indicators(std), person.ratings))
    tasks = {}
    for _, task in std.tasks():
        mine = [r for (_, t, _), r in rows if t == task.code]
        own = fmean(s for s, _ in mine)
        sup = fmean(v for _, v in mine) if all(v is not None for _, v in mine) else None
        value = own if sup is None else {"supervisor": sup, "self": own,
                                         "lower": min(own, sup)}[by]
        tasks[task.code] = (own, sup, value, value < bar)
    needs = set()
    for code, (*_, is_gap) in tasks.items():
        if is_gap:
            t = std.task(code)
            needs |= {("K", r.code) for r in t.knowledge} | {("S", r.code) for r in t.skills}
    return {"tasks": tasks, "needs": needs}


def fmt(x: float | None) -> str:
    return "—" if x is None else f"{x:.2f}"


# -- a team of 12 --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def team12(data, std, tmp_path_factory):
    """12 people (one of them with no gap), DOCX and XLSX, each person's plan drafted as a
    syllabus (--plans; PDF is read on the small team)."""
    folder = tmp_path_factory.mktemp("team12")
    people = gapgen.team(std, 12)
    people[5] = gapgen.Person(people[5].name, [(5, 5)] * len(people[5].ratings))
    path = gapgen.team_workbook(std, people, folder / "team.xlsx")
    gap(data, str(path), "--format", "docx,xlsx", "--plans", "--out", str(folder / "out"))
    return people, folder / "out"


def test_heat_map_and_detail_equal_the_ratings(std, team12):
    people, out = team12
    wb = load_workbook(out / f"{CODE}-gap-team.xlsx")
    ws = wb["落差熱度圖"]
    head = [c.value for c in ws[1]]
    codes = [h.split("\n")[0] for h in head[3:]]
    assert codes == [t.code for _, t in std.tasks()]
    assert head[:3] == ["受評者", "採計分數", "落差任務數"]
    for r, person in enumerate(people, 2):
        want = expected(std, person)["tasks"]
        row = [c.value for c in ws[r]]
        assert row[0] == person.name
        assert row[2] == sum(g for *_, g in want.values())
        for code, cell in zip(codes, ws[r][3:]):
            assert cell.value == pytest.approx(round(want[code][2], 2))
            assert bool(cell.font.b) == want[code][3]  # a gap is bold, too
    mean_row, count_row = ws.max_row - 1, ws.max_row
    assert ws.cell(mean_row, 1).value == "團隊平均"
    for c, code in enumerate(codes, 4):
        values = [expected(std, p)["tasks"][code] for p in people]
        assert ws.cell(mean_row, c).value == pytest.approx(round(fmean(v[2] for v in values), 2))
        assert ws.cell(count_row, c).value == sum(v[3] for v in values)
    assert ws.freeze_panes == "D2" and ws.auto_filter.ref == f"A1:I{1 + len(people)}"
    rule = ws.conditional_formatting
    assert any(r.colorScale and len(r.colorScale.cfvo) == 3 for cf in rule for r in cf.rules)

    detail = wb["評分明細"]
    got = {(row[0], row[2]): row for row in detail.iter_rows(min_row=2, values_only=True)}
    assert len(got) == len(people) * 6
    for person in people:
        for code, (own, sup, value, is_gap) in expected(std, person)["tasks"].items():
            row = got[(person.name, code)]
            assert row[5] == pytest.approx(round(own, 2))
            assert row[6] == (None if sup is None else pytest.approx(round(sup, 2)))
            assert row[7] == (None if sup is None else pytest.approx(round(sup - own, 2), abs=0.011))
            assert row[8] == pytest.approx(round(value, 2))
            assert row[9] == ("落差" if is_gap else "達成")


def test_common_gaps_and_needs_are_counted_in_people(std, team12):
    people, out = team12
    wb = load_workbook(out / f"{CODE}-gap-team.xlsx")
    counts = {code: sum(expected(std, p)["tasks"][code][3] for p in people)
              for _, code in ((d, t.code) for d, t in std.tasks())}
    rows = list(wb["常見落差"].iter_rows(min_row=2, values_only=True))
    assert {r[1]: r[6] for r in rows} == {c: n for c, n in counts.items() if n}
    assert [r[6] for r in rows] == sorted((r[6] for r in rows), reverse=True)
    assert all(r[7] == pytest.approx(r[6] / len(people)) for r in rows)
    needed: dict[tuple, int] = {}
    for p in people:
        for need in expected(std, p)["needs"]:
            needed[need] = needed.get(need, 0) + 1
    kinds = {"知識": "K", "技能": "S"}
    got = {(kinds[r[1]], r[2]): r[5] for r in wb["學習需求"].iter_rows(min_row=2, values_only=True)}
    assert got == needed
    assert wb.sheetnames[0] == "說明" and wb.active.title == "說明"
    course = wb["建議課程"]
    least = max(1, -(-len(people) // 4))
    team_tasks = sorted(c for c, n in counts.items() if n >= least)
    assert "、".join(team_tasks) in course["A1"].value
    hours = [r[6] for r in course.iter_rows(min_row=3, values_only=True) if r[6] is not None]
    assert hours[-1] == sum(hours[:-1]) == max(6, 3 * len(team_tasks))


def test_person_docx_lists_every_task_with_both_ratings(std, team12):
    people, out = team12
    stems = person_stems([p.name for p in people])
    for person, stem in list(zip(people, stems))[:4]:
        doc = Document(str(out / f"{CODE}-gap" / f"{stem}.docx"))
        table = next(t for t in doc.tables if [c.text for c in t.rows[0].cells][:2] == ["代碼", "工作任務"])
        want = expected(std, person)["tasks"]
        rows = {r.cells[0].text: [c.text for c in r.cells] for r in table.rows[1:]
                if r.cells[0].text in want}
        assert set(rows) == set(want)
        for code, (own, sup, value, is_gap) in want.items():
            row = rows[code]
            assert row[3:5] == [fmt(own), fmt(sup)]
            assert row[6:] == [fmt(value), "落差" if is_gap else "達成"]
            diff = "—" if sup is None else f"{sup - own:+.2f}".replace("-", "−") \
                if round(sup - own, 2) else "0.00"
            assert row[5] == diff
        text = squash(docx_text(out / f"{CODE}-gap" / f"{stem}.docx"))
        gaps = [c for c, v in want.items() if v[3]]
        assert f"{len(gaps)}項未達門檻" in text
        syllabus = out / f"{CODE}-gap" / f"{stem}-syllabus.docx"
        if gaps:
            plan = squash(docx_text(syllabus))
            assert all(squash(std.task(c).name) in plan for c in gaps)
            assert not any(squash(std.task(c).name) in plan for c in want if c not in gaps)
            assert f"{max(6, 3 * len(gaps))}小時" in text
        else:
            assert not syllabus.exists()


def test_a_person_without_gaps_gets_no_plan(team12):
    people, out = team12
    stem = person_stems([p.name for p in people])[5]
    text = squash(docx_text(out / f"{CODE}-gap" / f"{stem}.docx"))
    assert "沒有落差項目" in text and "無須安排補強訓練" in text
    assert "0項未達門檻" in text
    assert not (out / f"{CODE}-gap" / f"{stem}-syllabus.docx").exists()


# -- a small team, every format -------------------------------------------------------------

@pytest.fixture(scope="module")
def team3(data, std, tmp_path_factory):
    folder = tmp_path_factory.mktemp("team3")
    people = gapgen.team(std, 3, seed=3)
    files = [gapgen.checklist(std, p, folder / f"checklist-{i}.xlsx")
             for i, p in enumerate(people)]
    outs = []
    for k in range(2):
        gap(data, *map(str, files), "--format", "docx,pdf,html,xlsx", "--out",
            str(folder / f"out{k}"))
        outs.append(folder / f"out{k}")
    return people, outs


def test_same_input_same_bytes(team3):
    _, (a, b) = team3
    files = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    assert len(files) > 10
    for f in files:
        assert (a / f).read_bytes() == (b / f).read_bytes(), f


def test_person_pdf_reads_as_hr_reads_it(std, team3):
    people, (out, _) = team3
    stems = person_stems([p.name for p in people])
    for person, stem in zip(people, stems):
        text = pdf_text(out / f"{CODE}-gap" / f"{stem}.pdf")
        want = expected(std, person)
        assert f"受評者{person.name}" in text
        assert squash(f"{CODE} {std.name}") in text
        for code, (own, sup, value, is_gap) in want["tasks"].items():
            assert squash(f"{code}{std.task(code).name}") in text or code in text
        gaps = [c for c, v in want["tasks"].items() if v[3]]
        below = text.split("落差項目", 1)[1].split("需加強的知識與技能", 1)[0]
        for code in gaps:  # the gap table: each gap task with its score
            assert code in below and f"採計分數{fmt(want['tasks'][code][2])}" in below
        assert not any(f"{c}{squash(std.task(c).name)}" in below for c in want["tasks"]
                       if c not in gaps)
        for kind, code in want["needs"]:
            assert code in text.split("需加強的知識與技能", 1)[1]
        assert ("合計" + str(max(6, 3 * len(gaps)))) in text if gaps else "沒有落差項目" in text
        html = (out / f"{CODE}-gap" / f"{stem}.html").read_text(encoding="utf-8")
        assert person.name in html and "<svg" in html  # the chart
        # the report names only this person's own checklist, never a colleague's file
        source = squash(text.split("評分來源", 1)[1][:80])
        assert f"checklist-{people.index(person)}.xlsx" in source
        assert not any(f"checklist-{k}.xlsx" in source for k in range(len(people))
                       if people[k] is not person)
        # a heading is never the last line of a page: 三、落差項目 shares its page with
        # the start of its table
        for page in pdf_pages(out / f"{CODE}-gap" / f"{stem}.pdf"):
            if "三、落差項目" in page and gaps:
                assert "行為指標" in page.split("三、落差項目", 1)[1]


def test_team_pdf_summary(std, team3):
    people, (out, _) = team3
    text = pdf_text(out / f"{CODE}-gap-team.pdf")
    assert "受評人數3人" in text
    counts = {c: sum(expected(std, p)["tasks"][c][3] for p in people) for _, c in
              ((d, t.code) for d, t in std.tasks())}
    common = squash(text.split("最常見的落差", 1)[1].split("最多人需要", 1)[0])
    for code, n in counts.items():
        assert (code in common) == bool(n)
    for p in people:
        assert p.name in text


def test_file_names_are_safe_and_distinct():
    names = ["王/小明", "王:小明", "王 小明", "Ab", "ab", "..", "", "a" * 90, "CON", "x\ty"]
    stems = person_stems(names)
    assert len({s.lower() for s in stems}) == len(names)
    assert stems[:3] == ["001-王_小明", "002-王_小明", "003-王_小明"]
    assert stems[5] == "006-未具名" and stems[6] == "007-未具名"
    assert len(stems[7]) <= 44 and stems[9] == "010-x_y"
    assert not any(set(s) & set('/\\:*?"<>|\t') for s in stems)
    assert person_stems(names) == stems


def test_without_plans_each_person_gets_the_course_spec_to_make_it(data, std, tmp_path):
    """By default a person's plan is the course spec (<stem>-course.yaml) the report names:
    it reads back as a spec of just their gap tasks, and `kmc-reports syllabus` drafts it."""
    from kmc_reports.course import load_course

    people = gapgen.team(std, 4, seed=11)
    path = gapgen.team_workbook(std, people, tmp_path / "team.xlsx")
    out = tmp_path / "out"
    gap(data, str(path), "--format", "pdf", "--out", str(out))
    folder = out / f"{CODE}-gap"
    assert not list(folder.glob("*-syllabus.*"))
    for person, stem in zip(people, person_stems([p.name for p in people])):
        gaps = [c for c, v in expected(std, person)["tasks"].items() if v[3]]
        spec_path = folder / f"{stem}-course.yaml"
        report = squash(pdf_text(folder / f"{stem}.pdf"))
        if not gaps:
            assert not spec_path.exists()
            continue
        spec = load_course(spec_path)
        assert spec.standards == [CODE] and spec.tasks == gaps
        assert spec.total_hours == max(6, 3 * len(gaps))
        assert squash(f"{stem}-course.yaml") in report
    stem = next(s for p, s in zip(people, person_stems([p.name for p in people]))
                if (folder / f"{s}-course.yaml").exists())
    result = CliRunner().invoke(main, ["--data", str(data), "syllabus",
                                       str(folder / f"{stem}-course.yaml"), "--format", "docx",
                                       "--out", str(tmp_path / "syl")])
    assert result.exit_code == 0, result.output
    assert list((tmp_path / "syl").glob("*-syllabus.docx"))
