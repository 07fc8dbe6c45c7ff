"""The syllabus as the iCAP course report draft: every table, the checked appendix, the
coverage workbook, the command line and upskilling courses."""

from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from conftest import CODES, ROOT
from docs_text import docx_text, pdf_text, squash
from kmc_reports.analyses import crosswalk
from kmc_reports.analyses.syllabus import load_levels, plan
from kmc_reports.analyses.upskill import upskill_exclusions
from kmc_reports.cli import main
from kmc_reports.course import load_course
from kmc_reports.document import find_table
from kmc_reports.reports import Options, Output, syllabus_document
from kmc_reports.staging import Staged
from kmc_reports.store import Library
from kmc_reports.syllabus_check import check_syllabus

LIBRARY = Library(ROOT / "data" / "standards")
COURSES = ROOT / "data" / "courses"


def _plan(code, **changes):
    spec = load_course(COURSES / f"{code}.yaml")
    spec = spec.model_copy(update=changes)
    return plan([LIBRARY.get(c) for c in spec.standards], spec, load_levels())


@pytest.mark.parametrize("code", CODES)
def test_every_check_passes_on_the_default_courses(code):
    p = _plan(code)
    doc, checks = syllabus_document(p, Options())
    assert [c.ok for c in checks] == [c.ok for c in check_syllabus(doc, p)]
    assert len(checks) == 14 and all(c.ok for c in checks), [c for c in checks if not c.ok]
    appendix = find_table(doc, "checks")
    assert [row[1].text for row in appendix.rows[1:]] == ["符合"] * 14


def test_the_check_reads_the_document_not_the_plan(tmp_path):
    """A user's template that drops a unit from 表4 is caught."""
    folder = tmp_path / "tpl"
    folder.mkdir()
    text = (ROOT / "templates" / "syllabus.xml.j2").read_text(encoding="utf-8")
    text = text.replace('''    {% for u in plan.units %}
    <tr>
      <td>{{ u.name }}</td><td align="center">{{ u.hours | hours }}</td>''', '''    {% for u in plan.units[1:] %}
    <tr>
      <td>{{ u.name }}</td><td align="center">{{ u.hours | hours }}</td>''')
    (folder / "syllabus.xml.j2").write_text(text, encoding="utf-8")
    p = _plan("KMC2432-004v2")
    checks = {c.name: c for c in syllabus_document(p, Options(templates=str(folder)))[1]}
    assert not checks["課程時數一致（壹／表2／表4）"].ok
    assert not checks["單元名稱於各表完全相同"].ok
    assert checks["表3 對應行為指標與表1 逐字相同"].ok


def test_documents_hold_every_indicator_word_for_word(tmp_path):
    p = _plan("KMC2432-001v4")
    output = Output(Options(formats=("docx", "pdf", "xlsx")), Staged())
    paths, _ = output.syllabus(p, tmp_path, "KMC2432-001v4")
    output.staged.commit()
    assert [x.name for x in paths] == ["KMC2432-001v4-syllabus.docx",
                                       "KMC2432-001v4-syllabus.pdf",
                                       "KMC2432-001v4-coverage.xlsx"]
    docx = squash(docx_text(paths[0]))
    pdf = pdf_text(paths[1])
    std = LIBRARY.get("KMC2432-001v4")
    for _, task in std.tasks():
        for ind in task.indicators:
            assert squash(ind.text) in docx and squash(ind.text) in pdf
    for heading in ("壹、課程資訊", "表1", "表2", "表3", "表4", "表5", "表8", "一致性檢核"):
        assert heading in docx
    for unit in p.units:
        assert squash(unit.name) in docx


def test_coverage_workbook_traces_every_item_to_units(tmp_path):
    p = _plan("KMC3332-002v3")
    output = Output(Options(formats=("xlsx",)), Staged())
    path = output.syllabus(p, tmp_path, "x")[0][0]
    output.staged.commit()
    ws = load_workbook(path).active
    rows = list(ws.iter_rows(min_row=5, values_only=True))
    assert all(r[0] == "KMC3332-002v3" and r[1] == "V3" for r in rows)
    kinds = {r[2] for r in rows}
    assert kinds == {"工作任務", "行為指標", "知識", "技能"}
    assert all(r[-1] >= 1 for r in rows)  # every item covered by at least one unit
    assert sum(1 for r in rows if r[2] == "行為指標") == sum(
        len(t.indicators) for _, t in LIBRARY.get("KMC3332-002v3").tasks())
    assert ws.freeze_panes == "F5" and ws.print_title_rows == "$4:$4"


def test_tasks_without_names_are_never_the_same_task():
    """A task is left out as 「相同」 only by its name: two nameless tasks (converted
    standards print tasks coded T1 with no name) are not the same job, however alike their
    K/S."""
    a = LIBRARY.get("KMC2432-001v4")
    b = a.model_copy(deep=True, update={"code": "KMC2432-009v1"})
    named_out = upskill_exclusions(a, b, crosswalk.build_crosswalk([a, b]))
    assert any(ref.startswith("KMC2432-009v1 T") for ref in named_out)  # same names: same task
    for std in (a, b):
        for _, task in std.tasks():
            task.name = ""
    out = upskill_exclusions(a, b, crosswalk.build_crosswalk([a, b]))
    assert out and not any(ref.startswith("KMC2432-009v1 T") for ref in out)


def test_upskilling_leaves_out_what_the_source_gives():
    a, b = LIBRARY.get("KMC2432-001v4"), LIBRARY.get("KMC2432-002v4")
    cw = crosswalk.build_crosswalk([a, b])
    exclude = upskill_exclusions(a, b, cw)
    assert exclude and all(ref.startswith("KMC2432-002v4 ") for ref in exclude)
    for ref, reason in exclude.items():
        assert "KMC2432-001v4" in reason
    p = _plan("KMC2432-002v4")
    spec = p.spec
    up = plan([b], spec, load_levels(), exclude)
    taught = {k.code for u in up.units for k in u.knowledge + u.skills}
    assert not taught & {ref.split()[1] for ref in exclude}
    assert {x.ref for x in up.left_out} == set(exclude)
    _, checks = syllabus_document(up, Options(), source=a)
    assert all(c.ok for c in checks)


@pytest.fixture
def data(tmp_path):
    target = tmp_path / "data"
    shutil.copytree(ROOT / "data", target)
    return target


def _run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_syllabus_command(data, tmp_path):
    out = tmp_path / "out"
    result = _run("--data", data, "syllabus", "KMC2432-003v1", "--hours", "30", "--format",
                  "docx,xlsx", "--out", out)
    assert result.exit_code == 0, result.output
    assert "一致性檢核：14/14 項符合" in result.output
    assert sorted(p.name for p in out.iterdir()) == ["KMC2432-003v1-coverage.xlsx",
                                                     "KMC2432-003v1-syllabus.docx"]
    assert "30" in docx_text(out / "KMC2432-003v1-syllabus.docx")
    result = _run("--data", data, "syllabus", "--from", "KMC2432-003v1", "--to",
                  "KMC2432-001v4", "--format", "docx", "--out", out)
    assert result.exit_code == 0, result.output
    text = docx_text(out / "KMC2432-001v4-from-KMC2432-003v1-syllabus.docx")
    assert "進階課程的起點" in text and "KMC2432-003v1" in text


@pytest.mark.parametrize("spec, words", [
    ("name: 測試\nstandards: [KMC2432-001v4]\ntotal_hours: 30\ntasks: [T9.9]\n",
     ["spec.yaml", "tasks[0]", "T9.9"]),
    ("name: 測試\nstandards: [KMC2432-001v4]\ntotal_hours: 2\n", ["spec.yaml", "total_hours"]),
    ("name: 測試\nstandards: [KMC2432-001v4]\ntotal_hours: -3\n", ["spec.yaml", "total_hours"]),
    ("name: 職能基準課程\nstandards: [KMC2432-001v4]\ntotal_hours: 30\n", ["spec.yaml", "name"]),
    ("name: 測試\nstandards: [KMC9999-001v1]\ntotal_hours: 30\n", ["spec.yaml", "KMC9999-001v1"]),
    ("name: [測試\n", ["spec.yaml"]),
])
def test_bad_specs_fail_with_one_line(data, tmp_path, spec, words):
    path = tmp_path / "spec.yaml"
    path.write_text(spec, encoding="utf-8")
    out = tmp_path / "out"
    result = _run("--data", data, "syllabus", path, "--out", out)
    assert result.exit_code == 2, result.output
    err = result.stderr.strip()
    assert len(err.splitlines()) == 1 and err.startswith("kmc-reports：錯誤：")
    for w in words:
        assert w in err, err
    assert not out.exists()


@pytest.mark.parametrize("args", [["KMC2432-001v4", "--hours", "0"],
                                  ["--from", "KMC2432-001v4"], []])
def test_bad_syllabus_options(data, tmp_path, args):
    result = _run("--data", data, "syllabus", *args, "--out", tmp_path / "o")
    assert result.exit_code == 2 and result.stderr.startswith("kmc-reports：錯誤：")
    assert not (tmp_path / "o").exists()


def _drop_skills(p):
    p.units[2].skills = []


def _empty_unit(p):
    p.units[1].knowledge, p.units[1].skills = [], []


def _rename_item(p):
    for u in p.units:
        for k in u.knowledge:
            if k.code == "K03":
                k.name = "另一個名稱"


def _short_hours(p):
    p.units[0].hours, p.units[1].hours = p.units[0].hours + 1, p.units[1].minimum_hours - 1


def _objective_reworded(p):
    o = p.units[3].objectives[0]
    o.text = o.text.replace(o.behaviour.rstrip("。")[2:8], "改寫過的")


@pytest.mark.parametrize("break_plan, rule", [
    (_drop_skills, "各單元的知識、技能恰為其工作任務所需（表1／表2／表3）"),
    (_empty_unit, "每一單元都有知識或技能（或註明原因）"),
    (_rename_item, "表1 的知識、技能名稱都出現在表3"),
    (_short_hours, "各單元時數不少於其評量所需（表4／表8）"),
    (_objective_reworded, "教學目標逐字包含對應行為指標（表3）"),
], ids=lambda x: getattr(x, "__name__", "")[:20])
def test_each_unit_rule_fails_on_a_plan_broken_on_purpose(break_plan, rule):
    p = _plan("KMC3332-002v3")
    checks = {c.name: c for c in syllabus_document(p, Options())[1]}
    assert checks[rule].ok
    break_plan(p)
    checks = {c.name: c for c in syllabus_document(p, Options())[1]}
    assert not checks[rule].ok, checks[rule]
    assert any(word in checks[rule].detail for word in ["K03", *(u.name for u in p.units)])


def test_a_task_printed_without_a_name_still_passes_the_unit_checks():
    """Converted standards print some tasks with only their code (「T1.1」 and no name)."""
    std = LIBRARY.get("KMC2432-004v2")
    std.duties[0].tasks[0].name = ""
    spec = load_course(COURSES / "KMC2432-004v2.yaml")
    p = plan([std], spec, load_levels())
    checks = syllabus_document(p, Options())[1]
    assert all(c.ok for c in checks), [c for c in checks if not c.ok]
