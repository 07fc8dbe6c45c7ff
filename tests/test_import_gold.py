"""Importing each bundled source gives exactly its gold file (texts compared without spaces)."""

from __future__ import annotations

import json

import pytest

from conftest import CODES, GOLD
from real_gold import as_gold, sq


FIELDS = ["code", "name", "level", "category", "description", "versions", "attitudes"]


@pytest.mark.parametrize("code", CODES)
def test_header_fields_match_gold(imported, code):
    gold = json.loads((GOLD / f"{code}.json").read_text(encoding="utf-8"))
    got = as_gold(imported[code][0])
    for field in FIELDS:
        assert sq(got[field]) == sq(gold[field]), field


@pytest.mark.parametrize("code", CODES)
def test_duties_and_tasks_match_gold(imported, code):
    gold = json.loads((GOLD / f"{code}.json").read_text(encoding="utf-8"))
    got = as_gold(imported[code][0])
    assert [(d["code"], sq(d["name"])) for d in got["duties"]] == \
        [(d["code"], sq(d["name"])) for d in gold["duties"]]
    got_tasks = {t["code"]: t for d in got["duties"] for t in d["tasks"]}
    gold_tasks = {t["code"]: t for d in gold["duties"] for t in d["tasks"]}
    assert list(got_tasks) == list(gold_tasks)
    for tc, gt in gold_tasks.items():
        assert sq(got_tasks[tc]) == sq(gt), tc


@pytest.mark.parametrize("code", CODES)
def test_hard_indicator_texts_match_gold(imported, code):
    gold = json.loads((GOLD / f"{code}.json").read_text(encoding="utf-8"))
    texts = {p.code: p.text for _, t in imported[code][0].tasks() for p in t.indicators}
    for pc, text in gold["indicator_texts"].items():
        assert sq(texts[pc]) == sq(text), pc


@pytest.mark.parametrize("code", CODES)
def test_name_conflicts_are_kept_not_resolved(imported, code):
    gold = json.loads((GOLD / f"{code}.json").read_text(encoding="utf-8"))
    std = imported[code][0]
    for ref_code, names in gold["name_conflicts"].items():
        printed = std.catalogue(ref_code[0])[ref_code]
        assert sq(printed) == sq(names)


@pytest.mark.parametrize("code", CODES)
def test_bundled_sources_import_without_warnings(imported, code):
    assert imported[code][1] == []


def test_shared_cells_are_remembered(imported):
    std = imported["KMC3332-002v3"][0]
    t21, t24 = std.task("T2.1"), std.task("T2.4")
    assert t21.bands[0].shared_with == ["T2.2", "T2.3", "T2.4"]
    assert t24.bands[0].shared_with == ["T2.1", "T2.2", "T2.3"]
    assert t21.knowledge == t24.knowledge
    # KMC2432-001v4 prints a level/K/S cell per task: nothing shared
    assert all(not b.shared_with for _, t in imported["KMC2432-001v4"][0].tasks() for b in t.bands)


def test_footnote_markers_point_at_their_places(imported):
    notes = imported["KMC2432-004v2"][0].notes
    places = {f.number: [(r.place, r.text) for r in f.refs] for f in notes.footnotes}
    assert places == {1: [("T1", "")], 2: [("T1.1/K06", "")],
                      3: [("P2.1.1", "內外部公共關係")], 4: [("P2.1.2", "公關事務性工作")],
                      5: [("T2.2", "")]}
    assert notes.footnotes[4].text.startswith("代理商：")
    k05 = imported["KMC2432-002v4"][0].notes.footnotes[0]
    assert k05.number == 1 and k05.refs[0].place == "T1.1/K05"


def test_notes_keep_qualifications_and_remarks(imported):
    notes = imported["KMC3332-002v3"][0].notes
    assert [q.text[:4] for q in notes.qualifications] == \
        ["學歷要求", "工作經歷", "語文能力", "文書軟體", "專業認證"]
    assert len(notes.qualifications[2].items) == 2
    assert imported["KMC2432-003v1"][0].notes.remarks == [
        "此項職能基準乃參考國外職能資料發展並經國內專家本土化及檢視完成。"]


def test_attitude_descriptions_are_split_from_names(imported):
    a = imported["KMC2432-002v4"][0].attitudes[0]
    assert (a.code, a.name) == ("A01", "持續學習")
    assert a.description.startswith("能夠展現持續學習的企圖心")
