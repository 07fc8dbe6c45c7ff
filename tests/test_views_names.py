"""The rule of names to print (views.py) and the job description that follows it: no
placeholder or leaked text printed as a name, no leaked heading or fragment as a
qualification, items under one code in the source's order."""

from __future__ import annotations

import pytest

from conftest import ROOT
from kmc_reports.analyses.lint import lint_all
from kmc_reports.document import document_text
from kmc_reports.model import Duty, Qualification, Task, damaged, fragment, placeholder
from kmc_reports.reports import Options, job_document
from kmc_reports.store import Library
from kmc_reports.views import (bare, competencies, duty_label, duty_name, duty_title,
                               printable, printed_qualifications, task_label, task_title)
from real_gold import REAL, REAL_CODES, bundled_and_real

LIBRARY = Library(ROOT / "data" / "standards")
real = pytest.mark.skipif(not REAL.is_dir(), reason="../shared/real is not beside the checkout")


@pytest.fixture(scope="module")
def standards():
    return bundled_and_real()


def _task(code, name=""):
    return Task.model_validate({"code": code, "name": name, "bands": [{"level": 3}]})


def test_bare_names_in_running_text():
    assert bare("協助各類契約之審查及修訂。") == "協助各類契約之審查及修訂"
    assert bare("選擇製程的評\n估") == "選擇製程的評估"
    assert bare("3D\nrendering") == "3D rendering"


def test_printable_names():
    assert not printable("Unknown") and not printable("") and not printable("基準更新紀錄")
    assert not printable("A01敏銳的觀察A02熱情、自主A03獨立思考能")
    assert printable("活動企劃") and printable("ISO17025實驗室管理系統") and printable("3D rendering")


def test_a_nameless_duty_is_named_by_its_tasks_or_its_code():
    short = Duty(code="T1", name="Unknown", tasks=[_task("T1.1", "蒐集資訊"), _task("T1.2", "分類。")])
    assert duty_name(short) == duty_title(short) == "蒐集資訊、分類"
    assert duty_label(short) == "T1 蒐集資訊、分類"
    long = Duty(code="T2", name="A01顧客導向A02問題分析與", tasks=[
        _task(f"T2.{i}", f"第{i}項名稱相當長的工作任務需要好幾個字") for i in range(1, 4)])
    assert duty_title(long) == "主要職責 T2" and duty_label(long) == "主要職責 T2"
    assert duty_name(long, title=False).startswith("第1項名稱相當長的工作任務需要好幾個字、第2項")
    empty = Duty(code="T3", name="Unknown", tasks=[_task("T3")])
    assert duty_name(empty, title=False) == "" and duty_title(empty) == "主要職責 T3"


def test_a_nameless_task_is_never_called_a_task_when_it_is_a_duty():
    duty = Duty(code="T1", name="Unknown", tasks=[_task("T1")])
    assert task_title(duty.tasks[0], duty) == "主要職責 T1"
    named = Duty(code="T2", name="系統整合", tasks=[_task("T2")])
    assert task_title(named.tasks[0], named) == "系統整合"
    assert task_title(_task("T1.2", "Unknown")) == "工作任務 T1.2"
    assert task_label(_task("T1.2", "Unknown")) == "T1.2"
    assert task_label(_task("T1.1", "審查及修訂。")) == "T1.1 審查及修訂"


def test_fragments_and_headings_are_not_qualifications():
    assert fragment("件】。") and fragment("。") and not fragment("無。")
    assert not fragment("年以上人力資源相關領域工作經驗。")
    assert not fragment("【註】部分高科技公司設計部門要求TOEIC 500分以上")
    from kmc_reports.model import Notes
    notes = Notes(qualifications=[Qualification(text="大專（含）以上學歷"),
                                  Qualification(text="基準更新紀錄"),
                                  Qualification(text="件】。"),
                                  Qualification(text="語文能力：", items=["英文", "基準更新紀錄"])])
    assert [(q.text, q.items) for q in printed_qualifications(notes)] == [
        ("大專（含）以上學歷", []), ("語文能力：", ["英文"])]
    assert len(notes.qualifications) == 4 and notes.qualifications[3].items == ["英文", "基準更新紀錄"]


@real
def test_every_duty_lint_calls_damaged_is_not_printed(standards):
    """The rule and lint's damaged-text agree on the duties the source damaged."""
    stds = [standards[c] for c in REAL_CODES]
    flagged = {(f.standard, f.place) for f in lint_all(stds) if f.id == "damaged-text"}
    for std in stds:
        for duty in std.duties:
            if (std.code, duty.code) in flagged and all(t.code != duty.code for t in duty.tasks):
                assert not printable(duty.name), (std.code, duty.code, duty.name)


@real
@pytest.mark.parametrize("code", REAL_CODES + sorted(LIBRARY.codes()))
def test_job_descriptions_print_no_placeholder_leak_or_fragment(standards, code):
    std = standards[code]
    text = document_text(job_document(std, Options()))
    assert "Unknown" not in text  # names, and BHR2422-006v4's version date
    for d in std.duties:
        if damaged(d.name):
            assert d.name not in text
    for q in std.notes.qualifications:
        if fragment(q.text) or q.text == "基準更新紀錄":
            assert f"\n{q.text}\n" not in f"\n{text}\n", q.text
    for _, t in std.tasks():
        if t.name and not placeholder(t.name):
            assert f"{t.code} {bare(t.name)}" in text


@real
def test_cap2421_job_description(standards):
    std = standards["CAP2421-001"]
    text = document_text(job_document(std, Options()))
    for i in range(1, 5):
        assert f"主要職責 T{i}" in text
    assert "A01顧客導向" not in text and "基準更新紀錄" not in text and "件】。" not in text
    assert "大專（含）以上學歷" in text
    assert [q.text for q in std.notes.qualifications][-2:] == ["基準更新紀錄", "件】。"]  # kept


@real
def test_items_under_one_code_keep_the_source_order(standards):
    std = standards["AVA2173-005v3"]
    s06 = [c.name for c in competencies(std, "S") if c.code == "S06"]
    assert s06 == ["提案及溝通能力", "基本結構與模具應用"]
    text = document_text(job_document(std, Options()))
    assert text.index("提案及溝通能力") < text.index("基本結構與模具應用")


@pytest.mark.parametrize("code", REAL_CODES + sorted(LIBRARY.codes()))
def test_competencies_follow_first_appearance_within_a_code(standards, code):
    std = standards[code]
    for kind, field in (("K", "knowledge"), ("S", "skills")):
        seen = list(dict.fromkeys((r.code, r.name) for _, t in std.tasks()
                                  for b in t.bands for r in getattr(b, field)))
        for c in competencies(std, kind):
            same = [x for x in competencies(std, kind) if x.code == c.code]
            firsts = [min(seen.index((x.code, n)) for n in x.names) for x in same]
            assert firsts == sorted(firsts), (code, c.code)
