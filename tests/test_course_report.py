"""The rest of the iCAP course report in the syllabus: the cover's choices, 表6 教材與教學資源,
表7 師資條件, the implementation stage's blank forms 表9–表11 and 表12 課程結訓標準."""

from __future__ import annotations

import pytest

from conftest import CODES, ROOT
from docs_text import docx_text
from kmc_reports.analyses.course_report import (EQUIPMENT, PASS, _ranges, completion,
                                                report_tables)
from kmc_reports.analyses.syllabus import load_levels, plan
from kmc_reports.course import load_course
from kmc_reports.document import find_table, grid
from kmc_reports.reports import Options, Output, syllabus_document
from kmc_reports.staging import Staged
from kmc_reports.store import Library

LIBRARY = Library(ROOT / "data" / "standards")
COURSES = ROOT / "data" / "courses"


def _plan(code, **changes):
    spec = load_course(COURSES / f"{code}.yaml").model_copy(update=changes)
    return plan([LIBRARY.get(c) for c in spec.standards], spec, load_levels())


def _rows(doc, table_id):
    """Each body row's cell texts by grid column (a merged cell's text in every row)."""
    table = find_table(doc, table_id)
    assert table is not None, table_id
    return [[slot.cell.text for slot in row] for row in grid(table)[table.header_rows:]]


def _by_unit(rows, col=0):
    """Row texts joined per unit name (column ``col``), in order of first appearance."""
    out: dict[str, str] = {}
    for r in rows:
        out[r[col]] = out.get(r[col], "") + "\n".join(r)
    return out


@pytest.fixture(scope="module", params=CODES)
def rendered(request):
    p = _plan(request.param)
    doc, checks = syllabus_document(p, Options())
    return p, doc, checks


def test_cover_states_basis_type_and_delivery(rendered):
    p, doc, checks = rendered
    cover = dict(r[:2] for r in _rows(doc, "cover"))
    assert "■職能基準" in cover["職能依據"] and "□職能單元" in cover["職能依據"]
    assert ("■模組課程" if p.modules else "■單一課程") in cover["課程類型"]
    assert f"■{p.spec.delivery}" in cover["辦理方式"]
    assert cover["辦理方式"].count("■") == 1
    assert all(c.ok for c in checks), [c for c in checks if not c.ok]


def test_table_6_names_each_units_outputs_and_knowledge(rendered):
    p, doc, _ = rendered
    rows = _rows(doc, "t6")
    assert [r[0] for r in rows] == [u.name for u in p.units]
    for u, (_, materials, equipment) in zip(p.units, rows):
        for o in u.outputs:
            assert o.name in materials, (u.name, o.name)
        for k in u.knowledge:
            assert k.code in materials
        assert "■電腦與投影設備" in equipment and "□其他" in equipment
        assert sum(e in equipment for e in EQUIPMENT) == len(EQUIPMENT)
        assert "選用教材" in materials


def test_table_7_drafts_teachers_from_the_units_k_s_and_level(rendered):
    p, doc, _ = rendered
    rows = _rows(doc, "t7")
    assert list(dict.fromkeys(r[0] for r in rows)) == [u.name for u in p.units]
    assert [r[1].split("\n")[0] for r in rows[:3]] == ["授課講師", "評量人員", "助教"]
    units = _by_unit(rows)
    for u in p.units:
        text = units[u.name]
        if u.knowledge:
            assert any(f"「{k.name}」" in text for k in u.knowledge)
        if u.skills:
            assert any(f"「{s.name}」" in text for s in u.skills)
        assert f"職能級別 {u.level}" in text and "＿＿年以上" in text
        for p_ in u.indicators:
            assert p_.code in text


@pytest.mark.parametrize("table_id", ["t9", "t10", "t11"])
def test_blank_forms_list_every_unit(rendered, table_id):
    p, doc, _ = rendered
    rows = _rows(doc, table_id)
    col = 1 if table_id == "t10" else 0
    names = [r[col] for r in rows if r[col] != "合計"]
    assert list(dict.fromkeys(names)) == [u.name for u in p.units]


def test_blank_forms_leave_cells_to_fill(rendered):
    p, doc, _ = rendered
    t9 = _rows(doc, "t9")
    assert len(t9) == 3 * len(p.units)
    assert all(r[2] == r[3] == r[4] == "" and r[5] == "□符合" for r in t9)
    t10 = _rows(doc, "t10")
    assert t10[-1][0] == "合計" and t10[-1][2] == f"{p.total_hours:g}"
    assert [r[2] for r in t10[:-1]] == [f"{u.hours:g}" for u in p.units]
    assert all(r[3] == r[4] == r[8] == "" for r in t10[:-1])
    for u, row in zip(p.units, _rows(doc, "t11")):
        assert "□簽到表" in row[1] and row[2] == row[3] == ""
        for o in u.outputs if any(a.method == "作業評量" for a in u.assessments) else []:
            assert o.name in row[1]


def test_table_12_mentions_every_assessment_used(rendered):
    p, doc, _ = rendered
    rows = _rows(doc, "t12")
    used = {a.method for u in p.units for a in u.assessments}
    assert {r[0] for r in rows} == used | {"出席", "結訓判定"}
    text = "\n".join("\n".join(r) for r in rows)
    assert f"{PASS['attendance']}%" in text and f"{PASS['test']} 分" in text
    assert "全部單元" in text


def test_courses_on_some_tasks_are_based_on_units():
    p = _plan("KMC2432-001v4", tasks=["T1"])
    r = report_tables(p)
    assert [(c.label, c.on) for c in r.basis] == [("職能基準", False), ("職能單元", True),
                                                  ("自行職能分析", False)]
    assert [c.on for c in r.course_type] == [True, False]


def test_equipment_follows_delivery_and_the_units_work():
    blended = report_tables(_plan("KMC3332-002v3"))  # 混成
    assert all(dict((c.label, c.on) for c in r.equipment)["線上學習平台"]
               for r in blended.resources)
    onsite = report_tables(_plan("KMC2432-003v1"))  # 實體; 設置報到處, 進行現場報到登記
    ticks = {r.unit.name: dict((c.label, c.on) for c in r.equipment) for r in onsite.resources}
    assert ticks["設置報到處"]["實作場地與器材"] and ticks["進行現場報到登記"]["實作場地與器材"]
    assert not any(t["線上學習平台"] for t in ticks.values())
    assert not ticks["取得活動籌辦產業實務、產品和服務的資訊"]["實作場地與器材"]


def test_completion_standard_figures():
    p = _plan("KMC2432-001v4")  # 30 hours
    c = completion(p)
    assert c.criteria[0].method == "出席" and "至少 24 小時" in c.criteria[0].standard
    assert [r.method for r in c.criteria[1:]] == ["測驗", "作業評量", "實作評量"]
    checklist = next(r for r in c.criteria if r.tool == "檢核表")
    assert "態度" in checklist.standard and f"{PASS['checklist']}%" in checklist.standard
    assert "＿＿日內補考" in c.rule
    assert _ranges([1, 2, 3, 5, 7, 8]) == "1–3、5、7、8"


def test_the_docx_holds_the_whole_report(tmp_path):
    p = _plan("KMC2432-004v2")
    output = Output(Options(formats=("docx",)), Staged())
    paths, _ = output.syllabus(p, tmp_path, "x")
    output.staged.commit()
    text = docx_text(paths[0])
    for heading in ("表6　教材與教學資源", "表7　師資條件", "肆、實施與評估階段", "表9　實施階段人員",
                    "表10　試辦／開班成果", "表11　佐證資料", "表12　課程結訓標準"):
        assert heading in text
    assert "■職能基準" in text and "■單一課程" in text
    assert text.index("表5") < text.index("表6") < text.index("表7") < text.index("表8")
    assert text.index("表8") < text.index("表9") < text.index("表12") < text.index("一致性檢核")
