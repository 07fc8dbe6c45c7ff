"""Syllabus planning: course specs, unit layout, hours, objectives, methods, coverage."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from kmc_reports.analyses.syllabus import check, load_levels, plan, split_hours
from kmc_reports.course import CourseSpec, load_course, validate_against
from kmc_reports.errors import KmcError
from kmc_reports.model import code_key
from kmc_reports.store import Library

ROOT = Path(__file__).resolve().parent.parent
COURSES = sorted((ROOT / "data" / "courses").glob("*.yaml"))


@pytest.fixture(scope="module")
def standards():
    return Library(ROOT / "data" / "standards").load()


@pytest.fixture(scope="module")
def levels():
    return load_levels()


def by_code(standards, code):
    return next(s for s in standards if s.code == code)


def spec(**fields) -> CourseSpec:
    return CourseSpec(**{"name": "活動企劃實務", "standards": ["KMC2432-001v4"],
                         "total_hours": 18, **fields})


def spec_file(tmp_path, **fields) -> Path:
    path = tmp_path / "course.yaml"
    data = {"name": "活動企劃實務", "standards": ["KMC2432-001v4"], "total_hours": 18, **fields}
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def error_of(path: Path, standards) -> str:
    with pytest.raises(KmcError) as exc:
        validate_against(load_course(path), standards, path)
    return str(exc.value)


def assert_hours(p, minimum=1.0):
    hours = [u.hours for u in p.units]
    assert sum(hours) == p.total_hours == p.spec.total_hours
    assert all(h * 2 == int(h * 2) and h >= minimum for h in hours)
    by_key = {u.key: u.hours for u in p.units}
    for m in p.modules:
        assert m.hours == sum(by_key[k] for k in m.units)


# -- bundled specs -----------------------------------------------------------------------

def test_a_default_spec_per_bundled_standard(standards):
    assert [p.stem for p in COURSES] == [s.code for s in standards]


@pytest.mark.parametrize("path", COURSES, ids=lambda p: p.stem)
def test_bundled_specs_plan_cleanly(path, standards, levels):
    course = load_course(path)
    validate_against(course, standards, path)
    p = plan(standards, course, levels)
    assert_hours(p, course.min_unit_hours)
    assert 18 <= p.total_hours <= 36
    assert p.findings == [] and p.left_out == []
    assert p.needs and p.purpose and p.summary


def test_bundled_modules_follow_the_duties(standards, levels):
    p = plan(standards, load_course(ROOT / "data/courses/KMC3332-002v3.yaml"), levels)
    assert [len(m.units) for m in p.modules] == [2, 4, 4, 2, 3, 2]
    assert [u.key for u in p.units] == [k for m in p.modules for k in m.units]
    assert sum(m.hours for m in p.modules) == 36


# -- hours -------------------------------------------------------------------------------

@settings(max_examples=300, deadline=None)
@given(st.data())
def test_split_hours_adds_up_exactly(data):
    n = data.draw(st.integers(1, 20))
    weights = data.draw(st.lists(st.fractions(0, 60, max_denominator=12), min_size=n,
                                 max_size=n))
    minimum = data.draw(st.sampled_from([0.5, 1.0, 1.5, 2.0]))
    fixed_at = data.draw(st.sets(st.integers(0, n - 1), max_size=n - 1))
    fixed = {i: data.draw(st.integers(int(minimum * 2), 12)) / 2 for i in sorted(fixed_at)}
    total = sum(fixed.values()) + (n - len(fixed)) * minimum + data.draw(st.integers(0, 200)) / 2
    hours = split_hours(total, weights, minimum, fixed)
    assert sum(hours) == total
    assert all(h * 2 == int(h * 2) and h >= minimum for h in hours)
    assert all(hours[i] == h for i, h in fixed.items())


def test_split_hours_follows_the_weights():
    assert split_hours(10, [Fraction(1), Fraction(1), Fraction(3)], 1) == [2, 2, 6]
    assert split_hours(8, [1, 1, 1, 1, 1], 1) == [2, 1.5, 1.5, 1.5, 1.5]  # ties: course order
    assert split_hours(6, [0, 0, 100], 1) == [1, 1, 4]  # the minimum first


@pytest.mark.parametrize("total", [7.5, 100, 5])
def test_awkward_totals(total, standards, levels):
    course = spec(tasks=["T1", "T2.1", "T2.2"], units="task", total_hours=total)
    p = plan(standards, course, levels)
    assert len(p.units) == 5
    assert_hours(p)


def test_overrides_are_kept_and_the_rest_is_split(standards, levels):
    p = plan(standards, spec(hours={"T1.1": 6, "T2.3": 1.5}), levels)
    hours = {u.key: u.hours for u in p.units}
    assert hours["T1.1"] == 6 and hours["T2.3"] == 1.5
    assert_hours(p)


def test_too_few_hours_names_the_file_and_field(tmp_path, standards):
    path = spec_file(tmp_path, standards=["KMC3332-002v3"], total_hours=10)
    assert error_of(path, standards) == (
        f"{path}: total_hours：10 小時不足以安排 17 個單元（每單元至少 1 小時）")
    path = spec_file(tmp_path, total_hours=7, hours={"T1.1": 4})
    assert error_of(path, standards) == (
        f"{path}: total_hours：扣除指定時數後剩 3 小時，不足以安排 5 個單元（每單元至少 1 小時）")


@pytest.mark.parametrize("fields, message", [
    ({"hours": {"T1.1": 20}}, "hours：指定時數合計 20 小時，超過課程總時數 18 小時"),
    ({"hours": {"T1.1": 0.5}}, "hours.T1.1：0.5 小時低於每單元最少 1 小時"),
    ({"hours": {"T1": 4}}, "hours.T1：T1 含 3 個單元，請逐一指定單元時數"),
    ({"tasks": ["T1"], "hours": {"T1.1": 6, "T1.2": 6, "T1.3": 5}},
     "hours：每個單元都已指定時數，合計 17 小時，須等於課程總時數 18 小時"),
])
def test_bad_overrides(tmp_path, standards, fields, message):
    path = spec_file(tmp_path, **fields)
    assert error_of(path, standards) == f"{path}: {message}"


@pytest.mark.parametrize("fields, field", [
    ({"total_hours": 0}, "total_hours = 0：必須大於 0"),
    ({"total_hours": -3}, "total_hours = -3：必須大於 0"),
    ({"total_hours": 7.3}, "total_hours = 7.3：必須是 0.5 的倍數"),
    ({"hours": {"T1.1": 0}}, "hours.T1.1 = 0：必須大於 0"),
    ({"delivery": "函授"}, "delivery = \"函授\"：必須是 實體、線上、混成 之一"),
    ({"teacher": "王"}, "teacher：不認得的欄位"),
])
def test_model_errors_name_file_field_and_value(tmp_path, fields, field):
    path = spec_file(tmp_path, **fields)
    with pytest.raises(KmcError) as exc:
        load_course(path)
    assert str(exc.value).startswith(f"{path}:") and field in str(exc.value)
    assert exc.value.line is not None


def test_malformed_yaml_names_the_line(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("name: 活動企劃實務\nstandards: [KMC2432-001v4\ntotal_hours: 18\n",
                    encoding="utf-8")
    with pytest.raises(KmcError) as exc:
        load_course(path)
    assert exc.value.path == str(path) and exc.value.line == 3
    assert "YAML 格式錯誤" in exc.value.message


# -- names and references ------------------------------------------------------------------

@pytest.mark.parametrize("name", ["職能基準課程", "活動企劃3級班", "活動企劃認證班", "活動企劃證照",
                                  "活動企劃職能單元", "級別３活動企劃", "活動企劃 Level 3"])
def test_forbidden_course_names(tmp_path, name):
    with pytest.raises(KmcError) as exc:
        load_course(spec_file(tmp_path, name=name))
    assert "name = " in str(exc.value) and "課程名稱不可" in str(exc.value)


def test_forbidden_english_name(tmp_path):
    with pytest.raises(KmcError, match="english_name"):
        load_course(spec_file(tmp_path, english_name="Event Planning Level 3"))


def test_plain_course_names_pass(tmp_path):
    assert load_course(spec_file(tmp_path, name="初級活動企劃實務")).name == "初級活動企劃實務"


@pytest.mark.parametrize("fields, message", [
    ({"tasks": ["T1.1", "T1.2", "T9.9"]}, "tasks[2]：T9.9 不在 KMC2432-001v4"),
    ({"standards": ["KMC9999-001v1"]}, "standards[0]：找不到職能基準 KMC9999-001v1"),
    ({"modules": [{"name": "A", "units": ["T1"]}, {"name": "B", "units": ["T2.9"]}]},
     "modules[1].units[0]：T2.9 不在 KMC2432-001v4"),
    ({"tasks": ["T1"], "modules": [{"name": "A", "units": ["T1", "T2.1"]}]},
     "modules[0].units[1]：T2.1 不是本課程的單元（單元：T1.1、T1.2、T1.3）"),
    ({"modules": [{"name": "A", "units": ["T1"]}]}, "modules：單元 T2.1、T2.2、T2.3 未編入任何模組"),
    ({"modules": [{"name": "A", "units": ["T1", "T2"]}, {"name": "B", "units": ["T2.1"]}]},
     "modules[1].units[0]：單元 T2.1 已編入模組「A」"),
    ({"units": "duty", "hours": {"T1.1": 3}},
     "hours.T1.1：T1.1 不是本課程的單元（單元：T1、T2）"),
])
def test_references_are_checked(tmp_path, standards, fields, message):
    path = spec_file(tmp_path, **fields)
    assert error_of(path, standards) == f"{path}: {message}"


# -- units -------------------------------------------------------------------------------

@pytest.mark.parametrize("rule, keys", [
    ("auto", ["T1.1", "T1.2", "T1.3", "T2"]),  # T2.1 and T2.2 have 2 indicators each
    ("task", ["T1.1", "T1.2", "T1.3", "T2.1", "T2.2"]),
    ("duty", ["T1", "T2"]),
])
def test_unit_rules(rule, keys, standards, levels):
    p = plan(standards, spec(standards=["KMC2432-004v2"], units=rule), levels)
    assert [u.key for u in p.units] == keys
    std = by_code(standards, "KMC2432-004v2")
    names = {d.code: d.name for d in std.duties} | {t.code: t.name for _, t in std.tasks()}
    assert [u.name for u in p.units] == [names[k] for k in keys]
    assert [t.code for u in p.units for t in u.tasks] == ["T1.1", "T1.2", "T1.3", "T2.1", "T2.2"]


def test_auto_keeps_a_lone_small_task_a_task_unit(standards, levels):
    p = plan(standards, spec(standards=["KMC2432-004v2"], tasks=["T1", "T2.1"]), levels)
    assert [u.key for u in p.units] == ["T1.1", "T1.2", "T1.3", "T2.1"]


def test_unit_level_is_the_highest_band(standards, levels):
    p = plan(standards, spec(units="duty"), levels)
    assert [u.level for u in p.units] == [3, 4]


@pytest.mark.parametrize("code, tasks, level", [
    ("KMC2432-001v4", [], 3), ("KMC2432-002v4", [], 4), ("KMC2432-003v1", [], 2),
    ("KMC2432-001v4", ["T1.1", "T2.1"], 4),  # a tie goes to the higher level
])
def test_course_level_default(code, tasks, level, standards, levels):
    assert plan(standards, spec(standards=[code], tasks=tasks), levels).level == level
    assert plan(standards, spec(standards=[code], tasks=tasks, level=5), levels).level == 5


# -- content -----------------------------------------------------------------------------

def test_objectives_are_abcd_with_indicator_and_descriptor(standards, levels):
    for course in COURSES:
        p = plan(standards, load_course(course), levels)
        for u in p.units:
            assert [o.indicator for o in u.objectives] == [i.code for i in u.indicators]
            for o, i in zip(u.objectives, u.indicators):
                assert o.audience == "學員" and o.text.startswith("學員")
                assert o.behaviour == i.text.rstrip("。；;．. ") and o.behaviour in o.text
                assert o.condition in o.text and o.degree in o.text
                assert "職能級別" not in o.degree and ("80%" in o.degree or "產出" in o.degree
                                                     or "工作產出" in o.degree)
                assert p.level_descriptors[i.level] == levels[i.level]


def test_objective_condition_and_degree_come_from_the_task(standards, levels):
    """Read as a reviewer would: the condition names what the task works with, the degree
    the output it produces or the checklist's bar."""
    p = plan(standards, spec(), levels)
    assert [o.text for o in p.units[0].objectives] == [
        "學員運用 K02 產業現況與發展趨勢相關知識，能蒐集專案活動產業現況、活動形式與注意事項，"
        "經檢核表評定 P1.1.1 各檢核項目 80% 以上達成。",
        "學員運用 S01 活動資料蒐集與判斷技能，能依客戶需求或組織服務項目定位，彙整並確認專案"
        "活動需求與預算，產出符合 O1.1.1 要求之活動需求書。"]


def test_indicators_and_items_are_copied_word_for_word(standards, levels):
    std = by_code(standards, "KMC2432-001v4")
    p = plan(standards, spec(), levels)
    taught_before: set[str] = set()
    for u in p.units:
        task = std.task(u.key)
        assert [(i.code, i.text) for i in u.indicators] == [(i.code, i.text)
                                                            for i in task.indicators]
        # every K and S the task needs, taught (講授) where first needed, applied (應用) after
        for have, need in ((u.knowledge, task.knowledge), (u.skills, task.skills)):
            assert [i.code for i in have] == sorted({r.code for r in need}, key=code_key)
            for item in have:
                assert item.name == "／".join(std.catalogue(item.code[0])[item.code])
                assert item.role == ("應用" if item.code in taught_before else "講授")
        taught_before |= {i.code for i in u.knowledge + u.skills}
        assert [o.name for o in u.outputs] == [o.name for o in task.outputs]


def test_every_unit_carries_the_items_its_tasks_need(standards, levels):
    """KMC3332-002v3 shares most K/S within a duty: no unit may be left without them, and
    K03, printed 創意思考 in one row and 創新思考 in another, is one item showing both."""
    p = plan(standards, load_course(ROOT / "data" / "courses" / "KMC3332-002v3.yaml"), levels)
    std = by_code(standards, "KMC3332-002v3")
    for u in p.units:
        need = {r.code for t in u.tasks for r in std.task(t.code).knowledge
                + std.task(t.code).skills}
        assert need and {i.code for i in u.knowledge + u.skills} == need
    names = {i.name for u in p.units for i in u.knowledge if i.code == "K03"}
    assert names == {"創意思考／創新思考"}
    roles = [i.role for u in p.units for i in u.knowledge if i.code == "K03"]
    assert roles[0] == "講授" and set(roles[1:]) == {"應用"}


@pytest.mark.parametrize("path", COURSES, ids=lambda p: p.stem)
def test_everything_selected_is_taught_and_assessed(path, standards, levels):
    course = load_course(path)
    p = plan(standards, course, levels)
    std = by_code(standards, course.standards[0])
    taught = {i.code for u in p.units for i in u.knowledge + u.skills}
    assessed = {c for u in p.units for a in u.assessments for c in a.assesses}
    for _, task in std.tasks():
        assert {r.code for r in task.knowledge + task.skills} <= taught
        assert {i.code for i in task.indicators} <= assessed
        assert {o.name for o in task.outputs} <= assessed
    assert {t.code for u in p.units for t in u.tasks} == {t.code for _, t in std.tasks()}


def test_methods_and_assessments_follow_kind_and_level(standards, levels):
    p = plan(standards, spec(), levels)
    level3, level4 = p.units[0], p.units[3]
    assert (level3.level, level4.level) == (3, 4)
    assert level3.methods == ["講述", "演練", "示範"]
    assert level4.methods == ["講述", "演練", "專題", "示範", "案例"]
    kinds = {(a.method, a.tool): a.assesses for a in level4.assessments if "態度" not in a.focus}
    assert kinds[("測驗", "測驗卷")] == [k.code for k in level4.knowledge]
    assert [k.code for k in level4.knowledge if k.role == "講授"] == ["K07"]
    assert kinds[("實作評量", "檢核表")][:5] == ["P2.1.1", "P2.1.2", "P2.1.3", "P2.1.4", "P2.1.5"]
    assert kinds[("作業評量", "評量題目")] == ["活動執行檢查表", "異常處理紀錄"]
    attitude = next(a for a in level4.assessments if "態度" in a.focus)
    assert (attitude.method, attitude.tool) == ("實作評量", "檢核表")
    assert attitude.assesses == [a.code for a in p.attitudes]
    assert [a.name for a in p.attitudes][:2] == ["親和力", "主動積極"]


def test_selecting_one_duty_covers_only_its_items(standards, levels):
    std = by_code(standards, "KMC2432-001v4")
    p = plan(standards, spec(tasks=["T1"]), levels)
    t1 = [t for d, t in std.tasks() if d.code == "T1"]
    assert [t.code for t in p.tasks] == ["T1.1", "T1.2", "T1.3"]
    assert {t.code for u in p.units for t in u.tasks} == {"T1.1", "T1.2", "T1.3"}
    assert {i.code for u in p.units for i in u.knowledge} == {r.code for t in t1
                                                              for r in t.knowledge}
    assert {i.code for u in p.units for i in u.skills} == {r.code for t in t1 for r in t.skills}
    assert {i.code for u in p.units for i in u.indicators} == {i.code for t in t1
                                                               for i in t.indicators}
    assert "K07" not in {i.code for u in p.units for i in u.knowledge}
    assert p.findings == []


def test_plan_is_deterministic_and_json(standards, levels):
    course = load_course(ROOT / "data/courses/KMC3332-002v3.yaml")
    first, second = plan(standards, course, levels), plan(list(standards), course, levels)
    assert first.to_dict() == second.to_dict()
    assert json.loads(json.dumps(first.to_dict(), ensure_ascii=False)) == first.to_dict()


# -- several standards -------------------------------------------------------------------

def test_several_standards(standards, levels):
    course = spec(standards=["KMC2432-001v4", "KMC2432-004v2"],
                  tasks=["KMC2432-001v4 T1", "T2.3", "KMC2432-004v2 T1.1"],
                  hours={"KMC2432-004v2 T1.1": 4}, total_hours=21)
    p = plan(standards, course, levels)
    assert [u.key for u in p.units] == ["KMC2432-001v4 T1.1", "KMC2432-001v4 T1.2",
                                        "KMC2432-001v4 T1.3", "KMC2432-001v4 T2.3",
                                        "KMC2432-004v2 T1.1"]
    assert p.units[-1].hours == 4 and p.units[-1].standard == "KMC2432-004v2"
    assert_hours(p)
    assert [s.code for s in p.standards] == ["KMC2432-001v4", "KMC2432-004v2"]
    assert p.standards[0].version == "V4" and p.standards[0].date == "2023/12/15"
    assert {a.standard for a in p.attitudes} == {"KMC2432-001v4", "KMC2432-004v2"}
    assert p.findings == []


def test_ambiguous_bare_codes_are_refused(tmp_path, standards):
    path = spec_file(tmp_path, standards=["KMC2432-001v4", "KMC2432-004v2"], tasks=["T1.1"])
    assert error_of(path, standards) == (
        f"{path}: tasks[0]：T1.1 不明確（KMC2432-001v4、KMC2432-004v2 都有），"
        "請寫成「KMC2432-001v4 T1.1」")


def test_duplicate_unit_names_get_the_standard_name(standards, levels):
    twin = by_code(standards, "KMC2432-004v2").model_copy(
        update={"code": "KMC2432-004v3", "name": "公關企劃人員（新版）"})
    course = spec(standards=["KMC2432-004v2", "KMC2432-004v3"], total_hours=30)
    p = plan([*standards, twin], course, levels)
    names = [u.name for u in p.units]
    assert len(set(names)) == len(names) == 8
    assert names[0] == "企劃公關活動" and names[4] == "企劃公關活動（公關企劃人員（新版））"


# -- leaving out and checking ------------------------------------------------------------

def test_exclusions_are_left_out_not_flagged(standards, levels):
    exclude = {"T1.1": "來源職能基準已涵蓋", "K05": "來源職能基準已涵蓋", "S99": "x"}
    with pytest.raises(KmcError, match="exclude.S99：S99 不在 KMC2432-001v4"):
        plan(standards, spec(), levels, exclude=exclude)
    del exclude["S99"]
    p = plan(standards, spec(), levels, exclude=exclude)
    assert [(x.ref, x.kind, x.name) for x in p.left_out] == [
        ("KMC2432-001v4 T1.1", "task", "企劃需求分析"),
        ("KMC2432-001v4 K05", "knowledge", "成本概念")]
    assert "T1.1" not in [u.key for u in p.units] and "T1.1" not in [t.code for t in p.tasks]
    assert "K05" not in {i.code for u in p.units for i in u.knowledge}
    assert "K05" not in {i.code for t in p.tasks for i in t.knowledge}
    assert p.findings == []
    assert_hours(p)


def test_check_reports_gaps(standards, levels):
    p = plan(standards, spec(), levels)
    needing = [u for u in p.units if any(k.code == "K06" for k in u.knowledge)]
    for u in p.units:
        u.knowledge = [k for k in u.knowledge if k.code != "K06"]
    p.units[0].assessments = [a for a in p.units[0].assessments if a.method != "實作評量"]
    p.units[0].hours += 0.5
    p.units[1].hours = p.units[1].minimum_hours - 0.5
    ids = [f.id for f in check(p)]
    assert ids == ["knowledge-untaught", "indicator-unassessed", "indicator-unassessed",
                   *["unit-items"] * len(needing), "unit-hours-minimum", "hours-total"]


def test_levels_file(levels):
    assert sorted(levels) == [1, 2, 3, 4, 5, 6]
    assert levels[2].startswith("能夠在大部分可預計及有規律的情況中") and "基本知識、技能" in levels[2]
    assert yaml.safe_load((ROOT / "data/levels.yaml").read_text(encoding="utf-8"))["source"]


# -- real standards ------------------------------------------------------------------------

def _real_standards():
    from kmc_reports.importers import import_file
    from real_gold import REAL

    return [import_file(p, lambda _: None) for p in sorted((REAL / "ocs-json").glob("*.json"))]


REAL_STANDARDS = _real_standards()


def _rank(values):
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):  # ties share their mean rank
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2
        i = j + 1
    return ranks


def _spearman(a, b) -> float:
    from statistics import correlation

    return correlation(_rank(a), _rank(b))


def _default_plan(std, levels):
    n = sum(1 for _ in std.tasks())
    spec = CourseSpec(name="實務課程", standards=[std.code], total_hours=max(6, 3 * n))
    return plan([std], spec, levels)


@pytest.mark.skipif(not REAL_STANDARDS, reason="../shared/real is not there")
@pytest.mark.parametrize("std", REAL_STANDARDS, ids=lambda s: s.code)
def test_real_standards_plan_units_with_their_items_and_time(std, levels):
    """No empty unit (unless its tasks list nothing, which the unit says), no dropped item,
    every item taught once and applied after, hours at least what assessments need."""
    p = _default_plan(std, levels)
    assert p.findings == []
    first: dict[str, str] = {}
    for u in p.units:
        need = {r.code for t in u.tasks for r in std.task(t.code).knowledge
                + std.task(t.code).skills}
        assert {i.code for i in u.knowledge + u.skills} == need
        if not u.knowledge:
            assert "知識" in u.item_notes["knowledge"]
        if not u.skills:
            assert "技能" in u.item_notes["skills"]
        for item in u.knowledge + u.skills:
            assert item.role == ("應用" if item.code in first else "講授")
            first.setdefault(item.code, u.key)
        assert u.hours >= u.minimum_hours >= 1
        assert sum(t.minutes for t in u.topics) == u.hours * 60
    assert set(first) == {r.code for _, t in std.tasks() for r in t.knowledge + t.skills}


def test_hours_follow_the_work(standards, levels):
    """Across each course, a unit's hours rise with its indicators and outputs (rank
    correlation); the K/S it teaches first count, but less."""
    plans = [plan(standards, load_course(c), levels) for c in COURSES]
    plans += [_default_plan(s, levels) for s in REAL_STANDARDS]
    for p in plans:
        if len(p.units) >= 3:
            work = [len(u.indicators) + len(u.outputs) for u in p.units]
            if len(set(work)) > 1:
                assert _spearman([u.hours for u in p.units], work) >= 0.5, p.spec.standards


def test_english_unit_names(tmp_path, standards, levels):
    p = plan(standards, spec(english_units={"T1.2": "Event Proposal Writing"}), levels)
    assert {u.key: u.english_name for u in p.units if u.english_name} == {
        "T1.2": "Event Proposal Writing"}
    path = spec_file(tmp_path, english_units={"T9.9": "Nothing"})
    assert "english_units.T9.9" in error_of(path, standards)
    path = spec_file(tmp_path, english_units={"T1": "A duty of several units"})
    assert "english_units.T1：請以單元代碼指定英文名稱" in error_of(path, standards)


def test_outline_topics_share_the_unit_time(standards, levels):
    for course in COURSES:
        for u in plan(standards, load_course(course), levels).units:
            kinds = [t.kind for t in u.topics]
            assert kinds == sorted(kinds, key=["知識主題", "技能演練", "實作產出", "學習評量"].index)
            assert sum(t.minutes for t in u.topics) == u.hours * 60
            assert all(t.minutes >= 10 and t.minutes % 5 == 0 and t.text for t in u.topics)
            practice = next(t for t in u.topics if t.kind == "技能演練")
            assert all(p.code in practice.text for p in u.indicators)
            if u.outputs:
                made = next(t for t in u.topics if t.kind == "實作產出")
                assert all(o.name in made.text for o in u.outputs)


def test_the_tasks_of_a_block_make_one_unit(tmp_path):
    """A block (one set of indicators and K/S printed for several tasks) is one unit: apart,
    every unit after the first only repeated it (a user's review of a gap plan on
    AVA2173-005v3: 7 units, the first with all the teaching).  Its tasks still name it."""
    from kmc_reports.analyses.syllabus import load_levels, plan
    from kmc_reports.course import CourseSpec
    from kmc_reports.importers import import_file
    from real_gold import REAL

    std = import_file(REAL / "ocs-json" / "CAP2522-001.json", lambda w: None)
    duty = std.duties[0]
    shared = [t for t in duty.tasks if any(b.items_shared for b in t.bands)]
    assert shared, "CAP2522-001 prints one block for several tasks"
    spec = CourseSpec(name="品質管理實務", standards=[std.code], total_hours=18,
                      hours={duty.tasks[1].code: 18})
    units = plan([std], spec, load_levels()).units
    block = next(u for u in units if duty.tasks[0].code in [t.code for t in u.tasks])
    assert len(block.tasks) > 1 and block.hours == 18
    assert all(u.tasks[0].code not in [t.code for t in block.tasks[1:]] for u in units
               if u is not block)
