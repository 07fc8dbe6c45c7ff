"""The OCS JSON importer, through import_file so file reading and dispatch are covered too."""

import copy
import json
from pathlib import Path

import pytest

from kmc_reports.errors import KmcError
from kmc_reports.importers import import_file
from kmc_reports.importers.ocs_json import read_ocs_json
from kmc_reports.store import dump_standard, load_standard

SAMPLE = Path(__file__).parent / "fixtures" / "BAS1219-001v4-excerpt.json"
SAMPLE_DOC = json.loads(SAMPLE.read_text(encoding="utf-8"))


def sample_doc() -> dict:
    return copy.deepcopy(SAMPLE_DOC)


def import_doc(doc, tmp_path):
    """Import a JSON document written to a file; returns (standard, warnings)."""
    path = tmp_path / "standard.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    warnings: list[str] = []
    return import_file(path, warnings.append), warnings


def entry(task_codes, *blocks):
    return {"task_codes": [{"code": c, "name": f"任務{c}"} for c in task_codes],
            "competency_blocks": list(blocks)}


def block(level, indicators=(), outputs=(), knowledge=(("K01", "知識一"),),
          skills=(("S01", "技能一"),)):
    return {"competency_level": level,
            "indicators": [{"code": c, "text": f"行為{c}"} for c in indicators],
            "outputs": [{"code": c, "name": n} for c, n in outputs],
            "knowledge": [{"code": c, "name": n} for c, n in knowledge],
            "skills": [{"code": c, "name": n} for c, n in skills]}


def with_tasks(*entries) -> dict:
    doc = sample_doc()
    doc["ocs_content"]["ocu_units"] = [{"ocu_code": "T1", "ocu_name": "職責一",
                                        "tasks": list(entries)}]
    return doc


@pytest.fixture(scope="module")
def sample():
    warnings: list[str] = []
    return import_file(SAMPLE, warnings.append), warnings


# -- the sample -----------------------------------------------------------------------------


def test_sample_profile(sample):
    std, warnings = sample
    assert warnings == []
    assert (std.code, std.name, std.level) == ("BAS1219-001v4", "企劃助理", 2)
    assert std.description == "依組織需求，協助規劃及執行企劃案。"
    cats = std.categories
    assert [(c.name, c.code) for c in cats.job_categories] == [("企業經營管理/行政支援", "BAS")]
    assert [(c.name, c.code) for c in cats.occupations] == [("企劃助理", "1219")]
    assert [c.code for c in cats.industries] == ["M7010"]
    assert [(v.version, v.code, v.status, v.date) for v in std.versions] == [
        ("V4", "BAS1219-001v4", "最新版本", "2024/12/15"),
        ("V3", "BAS1219-001v3", "歷史版本", "2020/12/21")]
    assert std.versions[1].note == "已被《BAS1219-001v4》取代"
    assert std.source == SAMPLE.name


def test_sample_duties_and_tasks(sample):
    std, _ = sample
    assert [(d.code, d.name, [t.code for t in d.tasks]) for d in std.duties] == [
        ("T1", "企劃案前置準備", ["T1.1", "T1.2"]), ("T2", "協助推動企劃案", ["T2.3"])]
    t11, t12, t23 = (std.task(c) for c in ("T1.1", "T1.2", "T2.3"))
    assert (t11.name, t12.name, t23.name) == ("蒐集資訊及分類", "協助企劃案需求", "蒐集意見及建檔")
    assert [t.levels for t in (t11, t12, t23)] == [[3], [3], [3]]
    assert all(b.shared_with == [] for _, t in std.tasks() for b in t.bands)

    def refs(items):
        return [(r.code, r.name) for r in items]

    assert refs(t11.knowledge) == [("K01", "產業現況與發展趨勢"), ("K02", "組織政策與流程"),
                                   ("K03", "企劃活動規範")]
    assert refs(t11.skills) == [("S01", "資料蒐集能力")]
    assert refs(t12.knowledge) == [("K02", "組織政策與流程"), ("K03", "企劃活動規範"),
                                   ("K05", "企劃案內容及所需資訊"),
                                   ("K06", "會議禮儀、流程與應備 文件")]  # stray space kept
    assert [r.code for r in t12.skills] == ["S01", "S02", "S03", "S04", "S05", "S06"]
    assert refs(t23.knowledge) == [("K04", "組織建檔規範及流程"), ("K05", "企劃案內容及所需資訊")]
    assert refs(t23.skills) == [("S01", "資料蒐集能力"), ("S11", "資料建檔能力"),
                                ("S12", "科技應用能力")]
    assert [p.code for p in t11.indicators] == ["P1.1.1", "P1.1.2"]
    assert [p.code for p in t12.indicators] == ["P1.2.1", "P1.2.2", "P1.2.3", "P1.2.4"]
    assert [p.code for p in t23.indicators] == ["P2.3.1", "P2.3.2", "P2.3.3"]
    assert t12.indicators[1].text == "辦理企劃需求討論會議,並記錄"  # cut short: kept as given
    assert t23.indicators[0].text == "依組織意見回饋機制及指示,蒐"
    assert t11.outputs == []
    assert [(o.code, o.name) for o in t12.outputs] == [("O1.2.1", "會議紀錄")]
    assert [(o.code, o.name) for o in t23.outputs] == [("O2.3.1", "企劃案檔案")]


def test_sample_attitudes_and_notes(sample):
    std, _ = sample
    a01, a03 = std.attitudes
    assert (a01.code, a01.name) == ("A01", "自我管理")
    assert a01.description.startswith("設立定義明確且實際可行的個人目標；")
    assert (a03.code, a03.name) == ("A03", "謹慎細心")
    assert a03.description.endswith("並持續對其保持高度關注。")
    assert [q.text for q in std.notes.qualifications] == ["無。"]
    assert std.notes.remarks == [SAMPLE_DOC["notes"]["supplements"][0]]
    assert std.notes.footnotes == []


def test_sample_round_trips_through_the_store(sample, tmp_path):
    std, _ = sample
    text = dump_standard(std)
    path = tmp_path / "BAS1219-001v4.yaml"
    path.write_text(text, encoding="utf-8")
    again = load_standard(path)
    assert again == std
    assert dump_standard(again) == text


# -- structure ------------------------------------------------------------------------------


def test_shared_task_entry(tmp_path):
    doc = with_tasks(entry(["T1.1", "T1.2"], block(
        3, indicators=["P1.1.1", "P1.2.1", "P1.2.2"],
        outputs=[("O1.2.1", "會議紀錄"), (None, "未編碼產出")],
        knowledge=[("K01", "知識一"), ("K02", "知識二")], skills=[("S01", "技能一")])))
    std, warnings = import_doc(doc, tmp_path)
    t11, t12 = std.duties[0].tasks
    assert (t11.code, t12.code) == ("T1.1", "T1.2")
    assert t11.bands[0].shared_with == ["T1.2"] and t12.bands[0].shared_with == ["T1.1"]
    assert t11.level == t12.level == 3
    assert t11.knowledge == t12.knowledge and [r.code for r in t11.knowledge] == ["K01", "K02"]
    assert t11.skills == t12.skills
    assert t11.knowledge[0] is not t12.knowledge[0]  # copies, not one shared object
    assert [p.code for p in t11.indicators] == ["P1.1.1"]
    assert [p.code for p in t12.indicators] == ["P1.2.1", "P1.2.2"]
    # an output without a code names no task: the block keeps its outputs together
    assert [(o.code, o.name) for o in t11.outputs] == [("O1.2.1", "會議紀錄"), (None, "未編碼產出")]
    assert t11.bands[0].items_shared and not t12.outputs
    assert std.tasks_with_unassigned_items() == {"T1.1", "T1.2"}
    assert warnings == ["BAS1219-001v4：T1.1、T1.2 共用一個區塊，其工作產出（O1.2.1、無代碼）"
                        "沒有標明屬於哪一項工作任務；保留為整個區塊的工作產出"]


def test_items_naming_no_task_of_their_block_stay_with_the_block(tmp_path):
    doc = with_tasks(entry(["T1.1", "T1.2"], block(2, indicators=["P1.3.1", "P1.2"],
                                                   outputs=[("O1.4.1", "產出")])))
    std, warnings = import_doc(doc, tmp_path)
    band = std.task("T1.1").bands[0]
    assert band.items_shared and [p.code for p in band.indicators] == ["P1.3.1", "P1.2"]
    assert [o.code for o in band.outputs] == ["O1.4.1"]
    assert not std.task("T1.2").indicators
    assert len(warnings) == 2 and "保留為整個區塊的行為指標" in warnings[0]


def test_odd_but_readable_input_is_kept_with_warnings(tmp_path):
    doc = with_tasks(entry(["T1.1"], block("4級以上", indicators=["P1.1.1"])),
                     entry(["T2.1"], block(9, indicators=["P2.1.1"])))
    doc["ocs_profile"]["ocs_code"] = "BAS1219-001"
    std, warnings = import_doc(doc, tmp_path)
    assert std.code == "BAS1219-001"
    assert std.task("T1.1").level is None and std.task("T1.1").bands[0].printed_level == "4級以上"
    assert std.task("T2.1").bands[0].printed_level == "9"
    assert [t.code for t in std.duties[0].tasks] == ["T1.1", "T2.1"]
    assert any("T2.1 印在主要職責 T1 之下" in w for w in warnings)
    assert any("「4級以上」不是 1–6 級" in w for w in warnings)


def test_two_blocks_give_two_bands(tmp_path):
    doc = with_tasks(entry(["T1.1"], block(2, indicators=["P1.1.1"]),
                           block(3, indicators=["P1.1.2"], knowledge=[("K02", "知識二")])))
    std, warnings = import_doc(doc, tmp_path)
    task = std.task("T1.1")
    assert warnings == []
    assert [b.level for b in task.bands] == [2, 3] and task.levels == [2, 3]
    assert [[p.code for p in b.indicators] for b in task.bands] == [["P1.1.1"], ["P1.1.2"]]
    assert [[r.code for r in b.knowledge] for b in task.bands] == [["K01"], ["K02"]]


def test_a_level_written_as_text_is_read(tmp_path):
    doc = with_tasks(entry(["T1.1"], block("4")))
    doc["ocs_profile"]["ocs_level"] = "4"
    std, _ = import_doc(doc, tmp_path)
    assert std.level == 4 and std.task("T1.1").level == 4


def test_name_falls_back_to_job_category_then_code(tmp_path):
    doc = sample_doc()
    doc["ocs_profile"]["ocs_name"] = {"job_category_name": "職類名", "occupation_name": None}
    assert import_doc(doc, tmp_path)[0].name == "職類名"
    del doc["ocs_profile"]["ocs_name"]
    std, warnings = import_doc(doc, tmp_path)
    assert std.name == "BAS1219-001v4"
    assert len(warnings) == 1 and warnings[0].startswith("BAS1219-001v4：")


# -- footnotes --------------------------------------------------------------------------------


def test_footnote_markers_become_refs(tmp_path):
    doc = with_tasks({"task_codes": [{"code": "T1.1", "name": "任務【註1】"}],
                      "competency_blocks": [{
                          "competency_level": 3,
                          "indicators": [{"code": "P1.1.1", "text": "行為^{【註2】}說明"}],
                          "outputs": [{"code": "O1.1.1", "name": "產出【註 2】"}],
                          "knowledge": [{"code": "K03", "name": "知識【註1】"}],
                          "skills": []}]})
    doc["ocs_content"]["ocu_units"][0]["ocu_name"] = "職責【註3】"
    doc["ocs_profile"]["job_description"] = "描述【註1】"
    doc["ocs_attitude"]["attitudes"] = [{"code": "A01", "name": "自我管理【註2】：說明"},
                                        {"code": None, "name": "無代碼態度"}]
    doc["notes"]["supplements"] = ["【註1】第一則說明", "【註 2】 第二則說明", "其他說明"]
    std, warnings = import_doc(doc, tmp_path)
    task = std.task("T1.1")
    assert (std.duties[0].name, task.name, std.description) == ("職責", "任務", "描述")
    assert task.knowledge[0].name == "知識"
    assert task.indicators[0].text == "行為說明" and task.outputs[0].name == "產出"
    assert [(a.code, a.name, a.description) for a in std.attitudes] == [
        ("A01", "自我管理", "說明"), (None, "無代碼態度", "")]
    f1, f2 = std.notes.footnotes
    assert (f1.number, f1.text, [r.place for r in f1.refs]) == (
        1, "第一則說明", ["description", "T1.1", "T1.1/K03"])
    assert (f2.number, f2.text, [r.place for r in f2.refs]) == (
        2, "第二則說明", ["P1.1.1", "O1.1.1", "A01"])
    assert std.notes.remarks == ["其他說明"]
    assert warnings == ["BAS1219-001v4：【註3】（T1）沒有對應的註解內容"]


# -- bad input ----------------------------------------------------------------------------------


def _drop_profile(doc):
    del doc["ocs_profile"]


def _units_not_a_list(doc):
    doc["ocs_content"]["ocu_units"] = {"T1": "x"}


def _no_units(doc):
    doc["ocs_content"]["ocu_units"] = []


def _no_tasks(doc):
    doc["ocs_content"]["ocu_units"][1]["tasks"] = []


def _no_code(doc):
    del doc["ocs_profile"]["ocs_code"]


def _bad_code(doc):
    doc["ocs_profile"]["ocs_code"] = "企劃助理"


def _name_not_text(doc):
    doc["ocs_content"]["ocu_units"][0]["tasks"][0]["competency_blocks"][0]["knowledge"][1][
        "name"] = 5


def _task_twice(doc):
    doc["ocs_content"]["ocu_units"][0]["tasks"][1]["task_codes"][0]["code"] = "T1.1"


def _entry_not_object(doc):
    doc["ocs_content"]["ocu_units"][0]["tasks"][0] = "T1.1 蒐集資訊及分類"


def _empty_indicator(doc):
    doc["ocs_content"]["ocu_units"][0]["tasks"][0]["competency_blocks"][0]["indicators"][0][
        "text"] = " 【註1】 "


@pytest.mark.parametrize("spoil, message", [
    (_drop_profile, "ocs_profile：缺少此欄位"),
    (_units_not_a_list, "ocs_content.ocu_units：應為清單（實際：物件）"),
    (_no_units, "ocs_content.ocu_units：清單不可空白"),
    (_no_tasks, "ocs_content.ocu_units[1].tasks：清單不可空白"),
    (_no_code, "ocs_profile.ocs_code：缺少此欄位"),
    (_bad_code, "ocs_profile.ocs_code：代碼格式應如 BAS1219-001v4（實際：'企劃助理'）"),
    (_name_not_text, "ocs_content.ocu_units[0].tasks[0].competency_blocks[0].knowledge[1].name："
                     "應為文字（實際：5）"),
    (_task_twice, "ocs_content.ocu_units[0].tasks[1].task_codes[0].code："
                  "工作任務 T1.1 重複出現"),
    (_entry_not_object, "ocs_content.ocu_units[0].tasks[0]：應為物件（實際："
                        "'T1.1 蒐集資訊及分類'）"),
    (_empty_indicator, "competency_blocks[0].indicators[0].text：去除【註N】標記後沒有文字"),
])
def test_bad_input_names_the_field(spoil, message, tmp_path):
    doc = sample_doc()
    spoil(doc)
    with pytest.raises(KmcError) as exc:
        import_doc(doc, tmp_path)
    assert message in str(exc.value)
    assert str(exc.value).startswith(str(tmp_path / "standard.json") + ": ")
    assert "\n" not in str(exc.value)


def test_other_json_is_not_a_standard(tmp_path):
    with pytest.raises(KmcError, match="不是 OCS JSON 職能基準：.*（實際：欄位 a）"):
        import_doc({"a": 1}, tmp_path)


@pytest.mark.parametrize("doc", [[], [SAMPLE_DOC], "text", None])
def test_a_document_that_is_not_an_object_is_not_a_standard(doc):
    # import_file only sends files starting with "{" here, so call the reader directly.
    with pytest.raises(KmcError, match=r"^x\.json: 不是 OCS JSON 職能基準："):
        read_ocs_json(doc, "x.json", [].append)
