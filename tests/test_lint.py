"""Lint rules on the five bundled standards (expected findings, no false alarms) and on
small synthetic standards, one per rule."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from kmc_reports.analyses.lint import _width, lint_all, render
from kmc_reports.importers import import_file
from kmc_reports.model import Standard

SOURCES = Path(__file__).parent.parent / "data" / "sources"


@pytest.fixture(scope="module")
def bundled() -> list[Standard]:
    warnings: list[str] = []
    return [import_file(p, warnings.append) for p in sorted(SOURCES.glob("*.txt"))]


@pytest.fixture(scope="module")
def findings(bundled):
    return lint_all(bundled)


def pick(findings, id, standard=None, place=None):
    return [f for f in findings if f.id == id and standard in (None, f.standard)
            and place in (None, f.place)]


# -- bundled data ------------------------------------------------------------------------

def test_name_conflicts_on_bundled_data(findings):
    places = {(f.standard, f.place) for f in pick(findings, "name-conflict")}
    assert places == {("KMC3332-002v3", "K03"), ("KMC2432-002v4", "K07"),
                      ("KMC2432-002v4", "S13")}
    [k03] = pick(findings, "name-conflict", "KMC3332-002v3", "K03")
    assert k03.severity == "warning"
    assert k03.message == ("K03 在不同任務中名稱不一：創意思考（T2.1…T2.4）、"
                           "創新思考（T4.1、T4.2）")
    [k07] = pick(findings, "name-conflict", "KMC2432-002v4", "K07")
    assert "專案活動管理規範（T1.1）" in k07.message and "專案活動管理（T2.1）" in k07.message


def test_whitespace_is_no_name_conflict(findings):
    assert not pick(findings, "name-conflict", "KMC3332-002v3", "K82")

    def spaced(d):
        d["duties"][0]["tasks"].append(task_data("T1.2"))
        band(d, 0)["knowledge"].append({"code": "K82", "name": "AI 技術認識與應用"})
        band(d, 1)["knowledge"].append({"code": "K82", "name": "AI技術認識與應用"})
    std = make(spaced)
    assert len(std.catalogue("K")["K82"]) == 2  # printed two ways, one name
    assert "name-conflict" not in {f.id for f in lint_all([std])}


def test_shared_name(findings):
    [f] = pick(findings, "shared-name")
    assert (f.standard, f.place) == ("KMC2432-003v1", "S3")
    assert "S3、S9" in f.message and "科技運用技能" in f.message


def test_occupation_code(findings):
    [f] = pick(findings, "occupation-code")
    assert (f.standard, f.place) == ("KMC2432-001v4", "categories.occupations")
    assert "2432" in f.message and "3332" in f.message


def test_no_outputs(findings):
    assert {(f.standard, f.place) for f in pick(findings, "no-outputs")} == {
        ("KMC3332-002v3", "T1.1"), ("KMC2432-002v4", "T1.1"), ("KMC2432-002v4", "T3.1"),
        ("KMC2432-003v1", "T1.2"), ("KMC2432-004v2", "T2.1")}
    assert all(f.severity == "info" for f in pick(findings, "no-outputs"))


def test_sparse_catalogues_are_info_once_per_kind(findings):
    gaps = pick(findings, "code-gap")
    assert all(f.severity == "info" for f in gaps)
    [k] = pick(gaps, "code-gap", "KMC2432-002v4", "K")
    assert k.message.endswith("缺 1 個：K14")
    assert sorted(f.place for f in pick(gaps, "code-gap", "KMC3332-002v3")) == ["A", "K", "S"]


def test_legitimately_unpunctuated_indicators_pass(findings):
    # P2.3.1 ends 「…規劃」, P6.1.1 「…檢討報告」: long, complete, only without 「。」.
    assert not pick(findings, "truncated")
    assert not pick(findings, "stray-space")


def test_no_errors_on_bundled_data(findings):
    assert not [f for f in findings if f.severity == "error"]


# -- synthetic standards -----------------------------------------------------------------

def task_data(code: str) -> dict:
    """A complete task whose indicator and output codes belong to it."""
    n = code[1:]
    return {"code": code, "name": f"測試任務{n}", "bands": [{
        "level": 3,
        "outputs": [{"code": f"O{n}.1", "name": "測試報告"}],
        "indicators": [{"code": f"P{n}.1", "text": f"依組織規範完成任務{n}的測試報告。"}],
        "knowledge": [{"code": "K01", "name": "測試方法"}],
        "skills": [{"code": "S01", "name": "測試技巧"}]}]}


BASE = {
    "code": "KMC1234-001v1", "name": "測試人員", "level": 3,
    "categories": {"occupations": [{"name": "測試", "code": "1234"}]},
    "duties": [{"code": "T1", "name": "測試職責", "tasks": [task_data("T1.1")]}],
}


def make(edit=None) -> Standard:
    """BASE with ``edit(data)`` applied; validated like any imported standard."""
    data = copy.deepcopy(BASE)
    if edit:
        edit(data)
    return Standard.model_validate(data)


def band(data, task=0, duty=0):
    return data["duties"][duty]["tasks"][task]["bands"][0]


def ids(std: Standard) -> list[tuple[str, str, str]]:
    return [(f.id, f.severity, f.place) for f in lint_all([std])]


def test_clean_standard_has_no_findings():
    assert ids(make()) == []


def test_level_distance():
    def far(d):
        band(d)["level"] = 5
    assert ids(make(far)) == [("level-distance", "warning", "T1.1")]

    def near(d):
        band(d)["level"] = 4
    assert ids(make(near)) == []


def test_foreign_code():
    def foreign(d):
        band(d)["indicators"].append({"code": "P2.1.1", "text": "放錯任務的行為指標。"})
        band(d)["outputs"].append({"code": "O2.1.1", "name": "放錯任務的產出"})
    found = lint_all([make(foreign)])
    assert [(f.id, f.severity, f.place) for f in found] == [
        ("foreign-code", "error", "T1.1/O2.1.1"), ("foreign-code", "error", "T1.1/P2.1.1")]
    assert "屬於 T2.1" in found[1].message


def test_code_gaps():
    def gaps(d):
        d["duties"][0]["tasks"].append(task_data("T1.3"))
        d["duties"].append({"code": "T3", "name": "第三職責", "tasks": [task_data("T3.1")]})
        band(d)["indicators"].append({"code": "P1.1.3", "text": "第三條行為指標。"})
        band(d)["outputs"][0]["code"] = "O1.1.2"
        band(d)["knowledge"].append({"code": "K04", "name": "另一方法"})
    found = lint_all([make(gaps)])
    assert [(f.severity, f.place) for f in found if f.id == "code-gap"] == [
        ("info", "K"), ("warning", "O1.1.1"), ("warning", "P1.1.2"), ("warning", "T1.2"),
        ("warning", "T2")]
    assert next(f for f in found if f.place == "K").message == "K 代碼不連續，缺 2 個：K02、K03"


def test_truncated_brackets_and_short_text():
    def cut(d):
        band(d)["indicators"] += [{"code": "P1.1.2", "text": "確認活動資源（含人員、經費"},
                                  {"code": "P1.1.3", "text": "確認。"}]
        band(d)["outputs"][0]["name"] = "測試報告「"
    found = [f for f in lint_all([make(cut)]) if f.id == "truncated"]
    assert [f.place for f in found] == ["O1.1.1", "P1.1.2", "P1.1.3"]
    assert "括號不成對" in found[1].message and "過短" in found[2].message


def test_truncated_missing_stop_depends_on_convention():
    texts = [f"依組織規範完成第{n}項測試工作。" for n in range(1, 10)]

    def mostly_stopped(d):
        band(d)["indicators"] = [{"code": f"P1.1.{n}", "text": t}
                                 for n, t in enumerate(texts + ["確認測試結果"], 1)]
    assert ids(make(mostly_stopped)) == [("truncated", "warning", "P1.1.10")]

    def none_stopped(d):
        band(d)["indicators"] = [{"code": f"P1.1.{n}", "text": t.rstrip("。")}
                                 for n, t in enumerate(texts + ["確認測試結果"], 1)]
    assert ids(make(none_stopped)) == []

    def dangling(d):
        band(d)["indicators"][0]["text"] = "依組織規範完成測試報告與"
    assert ids(make(dangling)) == [("truncated", "warning", "P1.1.1")]


def test_stray_space_between_cjk_only():
    def spaced(d):
        band(d)["outputs"][0]["name"] = "會議禮儀、流程與應備 文件"
        band(d)["knowledge"][0]["name"] = "AI 技術認識與應用"
    assert ids(make(spaced)) == [("stray-space", "info", "O1.1.1")]


def test_duplicate_indicator_ignores_whitespace_and_punctuation():
    def dup(d):
        band(d)["indicators"] += [{"code": "P1.1.2", "text": "依組織規範 完成任務1.1的測試報告。"},
                                  {"code": "P1.1.3", "text": "依組織規範完成任務1.1的測試。報告"}]
    [f] = [f for f in lint_all([make(dup)]) if f.id == "duplicate-indicator"]
    assert f.place == "P1.1.1"
    assert f.message.startswith("P1.1.1、P1.1.2、P1.1.3 內容相同（標點有異）")


def test_footnotes():
    def notes(d):
        d["notes"] = {"footnotes": [
            {"number": 1, "text": "未被引用的註。"},
            {"number": 2, "text": "指向不存在代碼的註。", "refs": [{"place": "T1.1/K09"}]},
            {"number": 3, "text": "正常的註。", "refs": [{"place": "T1.1/K01"},
                                                     {"place": "description"}]}]}
    found = lint_all([make(notes)])
    assert [(f.id, f.place) for f in found] == [("footnote", "T1.1/K09"), ("footnote", "註1")]
    assert "K09" in found[0].message


def test_occupation_code_skipped_without_code():
    def no_code(d):
        d["categories"]["occupations"][0]["code"] = ""
    assert ids(make(no_code)) == []

    def other(d):
        d["categories"]["occupations"][0]["code"] = "9999"
    assert ids(make(other)) == [("occupation-code", "warning", "categories.occupations")]


# -- rendering ---------------------------------------------------------------------------

def test_sorted_and_deterministic(bundled, findings):
    assert lint_all(list(reversed(bundled))) == findings
    assert [f.standard for f in findings] == sorted(f.standard for f in findings)


def test_render_json_round_trips(findings):
    text = render(findings, "json")
    assert text.endswith("]\n")
    data = json.loads(text)
    assert len(data) == len(findings)
    assert list(data[0]) == ["id", "severity", "standard", "place", "message"]
    assert "創意思考" in text  # not \u-escaped


def test_render_table(findings):
    text = render(findings, "table")
    lines = text.rstrip("\n").split("\n")
    counts = {s: sum(f.severity == s for f in findings) for s in ("error", "warning", "info")}
    assert lines[-1] == (f"共 {len(findings)} 項：錯誤 {counts['error']}、"
                         f"警告 {counts['warning']}、提示 {counts['info']}")
    assert "KMC3332-002v3（" in text
    rows = [line for line in lines if line.startswith("  ")]
    assert len(rows) == len(findings)
    # The message column starts at the same display column in every row.
    starts = {_width(row[:row.index(f.message)]) for row, f in zip(rows, findings)}
    assert len(starts) == 1


def test_render_empty_table():
    assert render([], "table") == "共 0 項：錯誤 0、警告 0、提示 0\n"
    assert render([], "json") == "[]\n"


def test_a_cut_attitude_description_is_flagged():
    from kmc_reports.store import Library
    std = Library(Path(__file__).resolve().parent.parent / "data" / "standards").get(
        "KMC2432-001v4")
    cut = [a.model_copy(update={"description": a.description[:12]}) if a.code == "A05" else a
           for a in std.attitudes]
    findings = lint_all([std.model_copy(update={"attitudes": cut})])
    assert [(f.id, f.place) for f in findings if f.id == "truncated"] == [("truncated", "A05")]
    assert not [f for f in lint_all([std]) if f.id == "truncated"]
