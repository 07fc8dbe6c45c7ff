"""Syllabi of the 14 real standards of ../shared/real and the 5 bundled ones: the self-check
checks what the model holds whatever the codes look like (T1, P1.2, P1.2.3), a check with
nothing to check never passes, and no drafted text prints a placeholder, leaked text or
doubled punctuation as a name."""

from __future__ import annotations

import copy
import re
from collections import Counter

import pytest

from conftest import ROOT
from kmc_reports.analyses import crosswalk
from kmc_reports.analyses.course_report import report_tables
from kmc_reports.analyses.syllabus import Indicator, load_levels, plan
from kmc_reports.analyses.upskill import upskill_exclusions
from kmc_reports.course import CourseSpec
from kmc_reports.document import document_text, find_table
from kmc_reports.model import damaged, placeholder
from kmc_reports.reports import Options, syllabus_document
from kmc_reports.store import Library
from kmc_reports.syllabus_check import check_syllabus
from real_gold import REAL, REAL_CODES, bundled_and_real

LIBRARY = Library(ROOT / "data" / "standards")
ALL = REAL_CODES + sorted(LIBRARY.codes())
real = pytest.mark.skipif(not REAL.is_dir(), reason="../shared/real is not beside the checkout")


@pytest.fixture(scope="module")
def standards():
    return bundled_and_real()


def _plan(standards, code):
    """The plain course a standard without a course spec gets (every task)."""
    std = standards[code]
    spec = CourseSpec(name=f"{std.name}實務", standards=[code],
                      total_hours=max(6, 3 * sum(1 for _ in std.tasks())))
    return plan(list(standards.values()), spec, load_levels())


@pytest.fixture(scope="module")
def syllabi(standards):
    """code → (plan, document, checks) for every standard."""
    out = {}
    for code in ALL:
        p = _plan(standards, code)
        doc, checks = syllabus_document(p, Options())
        out[code] = (p, doc, checks)
    return out


def _checks(syllabi, code):
    return {c.name: c for c in syllabi[code][2]}


@pytest.mark.parametrize("code", ALL)
def test_the_check_counts_what_the_model_holds(standards, syllabi, code):
    """Two-level indicators (P1.1) and tasks coded T1 are counted like any other."""
    std = standards[code]
    checks = _checks(syllabi, code)
    tasks = sum(1 for _ in std.tasks())
    indicators = sum(len(t.indicators) for _, t in std.tasks())
    assert checks["表1 每一工作任務都在課程地圖（表2）"].detail == f"{tasks} 項工作任務全數涵蓋"
    assert checks["每一行為指標都有評量（表8）"].detail == f"{indicators} 項行為指標全數涵蓋"
    assert all(c.ok for c in checks.values()), [c for c in checks.values() if not c.ok]
    for c in checks.values():  # nothing passes on nothing
        assert not re.search(r"(^|[^\d.])0 (項|個)", c.detail), c


@real
@pytest.mark.parametrize("code", ["NEP3295-002v3", "AVA2173-005v3", "CAP2522-001",
                                  "CAP2421-001"])
def test_the_check_finds_what_the_document_leaves_out(syllabi, code):
    """An indicator or task the plan has but the document does not print is named."""
    p, doc, _ = syllabi[code]
    changed = copy.deepcopy(p)
    row = changed.tasks[0]
    row.indicators.append(Indicator(code, row.code, "P1.99", "多出的行為指標", 3))
    extra = copy.deepcopy(row)
    extra.code, extra.indicators, extra.knowledge, extra.skills = "T9", [], [], []
    changed.tasks.append(extra)
    checks = {c.name: c for c in check_syllabus(doc, changed)}
    assessed = checks["每一行為指標都有評量（表8）"]
    assert not assessed.ok and assessed.detail == "表1 未列：P1.99；未評量：P1.99"
    mapped = checks["表1 每一工作任務都在課程地圖（表2）"]
    assert not mapped.ok and mapped.detail == "表1 未列：T9；未列入課程地圖：T9"


@real
def test_a_check_with_nothing_to_check_fails(syllabi):
    p, doc, _ = syllabi["CAP2522-001"]
    changed = copy.deepcopy(p)
    for row in changed.tasks:
        row.indicators = []
        row.knowledge = row.skills = []
    checks = {c.name: c for c in check_syllabus(doc, changed)}
    for name in ("每一行為指標都有評量（表8）", "表1 每一知識、技能都有單元涵蓋"):
        assert not checks[name].ok and "無從檢核" in checks[name].detail


# -- names -----------------------------------------------------------------------------

def _bad_names(std) -> list[str]:
    """Names the source damaged or left as placeholders (duties and tasks)."""
    out = [d.name for d in std.duties if d.name and (placeholder(d.name) or damaged(d.name))]
    return out + [t.name for _, t in std.tasks() if t.name and (placeholder(t.name)
                                                                or damaged(t.name))]


def _drafted(p) -> list[str]:
    """Every text the syllabus drafts (not the tables that quote the standard)."""
    report = report_tables(p)
    texts = [p.summary, p.purpose] + [u.name for u in p.units]
    texts += [m.text for r in report.resources for m in r.materials]
    texts += [line for t in report.teachers for s in t.staff for line in s.lines]
    texts += [x for e in report.evidence for line in e.lines for x in line]
    texts += [t.text for u in p.units for t in u.topics]
    return texts


@pytest.mark.parametrize("code", ALL)
def test_drafted_text_prints_no_placeholder_or_damaged_name(standards, syllabi, code):
    std = standards[code]
    p, doc, _ = syllabi[code]
    duties = {d.code for d in std.duties}
    for text in _drafted(p):
        assert "Unknown" not in text, text
        for bad in _bad_names(std):
            assert bad not in text, (bad, text)
        for duty in duties:  # a duty is never called a task
            assert not re.search(rf"工作任務 {re.escape(duty)}(?![.\d])", text), text
        assert not re.search(r"[。．.][、，。]", text), text
    for u in p.units:
        assert not u.name.endswith(("。", "；")) and "\n" not in u.name, u.name
    whole = document_text(doc)
    assert "Unknown" not in whole and "基準更新紀錄" not in whole  # names and version dates


@real
def test_names_fall_back_to_tasks_or_the_duty_code(syllabi):
    ava, cap, cap2 = (syllabi[c][0] for c in ("AVA2173-005v3", "CAP2421-001", "CAP2522-001"))
    assert [u.name for u in ava.units] == ["主要職責 T1"]  # its 7 task names make no title
    assert "內容包括協助資深設計師設計工作執行、市場資料蒐集及分析" in ava.summary
    assert "A01" not in ava.summary + ava.purpose
    assert [u.name for u in cap.units] == [f"主要職責 T{i}" for i in range(1, 5)]
    assert "的各項工作任務" in cap.purpose
    assert "勝任智慧綠建築產業系統整合工程師的確認業主/雇主需求" in cap2.purpose
    report = report_tables(cap)
    assert "具本單元工作任務相關實務經驗" in report.teachers[0].staff[0].lines[1]


@pytest.mark.parametrize("code", ["LLS2619-005", "AVA2173-005v3"])
@real
def test_no_doubled_punctuation_around_sentence_names(syllabi, code):
    p, doc, _ = syllabi[code]
    assert "。、" not in p.summary and "。。" not in p.summary
    for table_id in ("t2", "t3", "t4", "t5", "t6", "t7", "t8", "t9", "t10", "t11"):
        table = find_table(doc, table_id)
        for row in table.rows[table.header_rows:]:
            first = row[0].text.split("\n")[0] if table_id != "t2" else ""
            assert not first.endswith("。"), (table_id, first)
    if code == "LLS2619-005":
        assert "內容包括協助各類契約之審查及修訂、協助或代表公司進行法律訴訟等法律相關業務。教學" \
            in p.summary


@real
def test_upskilling_between_nameless_standards_names_nothing_unknown(standards):
    a, b = standards["CAP2421-001"], standards["CAP2522-001"]
    exclude = upskill_exclusions(a, b, crosswalk.build_crosswalk([a, b]))
    spec = CourseSpec(name="智慧綠建築產業系統整合工程師實務（進階）", standards=[b.code],
                      total_hours=18)
    p = plan([a, b], spec, load_levels(), exclude)
    doc, checks = syllabus_document(p, Options(), source=a)
    assert all(c.ok for c in checks)
    assert "Unknown" not in p.summary + p.purpose
    assert not re.search(r"工作任務 T1(?![.\d])", p.summary)
    assert Counter(u.name for u in p.units) == Counter(["主要職責 T1"])
