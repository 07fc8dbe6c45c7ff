"""The crosswalk: matching K/S/A items of different standards by the meaning of their names."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import yaml

from kmc_reports.analyses import crosswalk
from kmc_reports.analyses.crosswalk import (Decisions, Item, attitude_dictionary,
                                            build_crosswalk, items_of, load_decisions,
                                            load_thresholds, normalise, pair_score,
                                            save_decisions, to_json)
from kmc_reports.errors import KmcError
from kmc_reports.model import Standard
from kmc_reports.store import Library

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import calibrate_crosswalk as calibration  # noqa: E402

THRESHOLDS = {"K": (80.0, 50.0), "S": (80.0, 50.0), "A": (80.0, 50.0)}


@pytest.fixture(scope="module")
def bundled() -> list[Standard]:
    return Library(ROOT / "data" / "standards").load()


@pytest.fixture(scope="module")
def cw(bundled):
    return build_crosswalk(bundled)


def tiny(code: str, knowledge=(), skills=(), attitudes=()) -> Standard:
    """A one-task standard with the given K, S and attitude names."""
    refs = lambda p, names: [{"code": f"{p}{k:02d}", "name": n}  # noqa: E731
                             for k, n in enumerate(names, 1)]
    return Standard.model_validate({
        "code": code, "name": "測試", "level": 3,
        "duties": [{"code": "T1", "name": "職責", "tasks": [{"code": "T1.1", "name": "任務", "bands": [
            {"level": 3, "knowledge": refs("K", knowledge), "skills": refs("S", skills)}]}]}],
        "attitudes": refs("A", attitudes)})


def item(name: str, std: str = "TST0001-001v1", kind: str = "S") -> Item:
    return Item(std, kind, "S01", (name,), (), ())


# -- names and scores ---------------------------------------------------------------------

@pytest.mark.parametrize("printed, expected", [
    ("ＡＩ　技術認識與應用", "ai技術認識與應用"),            # full width, ideographic space
    ("視覺化 簡報\n製作", "視覺化簡報製作"),                 # spaces and line breaks
    ("成本概念【註1】", "成本概念"), ("成本概念【註 12】", "成本概念"),
    ("成本概念^{2}", "成本概念"), ("<u>成本</u><b>概念</b>", "成本概念"),
    ("活動類型、場地及設備", "活動類型場地及設備"),          # punctuation
    ("相關特別保護法規(性平法、兒少法)", "相關特別保護法規性平法兒少法"),
    ("媒體/社群媒體規範", "媒體社群媒體規範"),
])
def test_normalise(printed, expected):
    assert normalise(printed) == expected


def test_reasons():
    assert pair_score(item("成本概念"), item("成本概念", "TST0002-001v1")) == (100.0, "exact")
    assert pair_score(item("視覺化 簡報製作"), item("視覺化簡報製作【註1】")) == \
        (100.0, "normalised")
    score, reason = pair_score(item("視覺化簡報製作"), item("視覺化簡報製作能力"))
    assert reason == "fuzzy" and 95 <= score < 100


def test_generic_words_count_little_and_core_words_much():
    score = lambda a, b: pair_score(item(a), item(b))[0]  # noqa: E731
    assert score("視覺化簡報製作", "視覺化簡報製作能力") > score("活動溝通協調", "客訴溝通協調")
    assert score("溝通技能", "溝通技巧") >= 95
    assert score("財務報表概念", "財務管理") < 50
    assert score("活動溝通協調", "客訴溝通協調") < 75


def test_domain_prefix_is_ignored(bundled):
    """Most 001v4 skills start with 活動: the standard's domain, not part of the meaning."""
    a = next(it for it in items_of(bundled[0]) if it.ref.endswith(" S03"))  # 活動溝通協調
    b = next(it for it in items_of(bundled[3]) if it.ref.endswith(" S02"))  # 溝通協調能力
    c = next(it for it in items_of(bundled[0]) if it.ref.endswith(" S15"))  # 客訴溝通協調
    assert a.domain == "活動" and pair_score(a, b)[0] >= 95 > 80 > pair_score(c, b)[0]


def test_items_of(bundled):
    items = items_of(bundled[1])  # KMC2432-002v4
    k07 = next(it for it in items if it.ref == "KMC2432-002v4 K07")
    assert k07.names == ("專案活動管理規範", "專案活動管理") and k07.name == "專案活動管理規範"
    assert k07.tasks == ("T1.1", "T2.1") and k07.levels == (4,) and k07.description == ""
    assert [it.kind for it in items] == sorted((it.kind for it in items), key="KSA".index)
    assert Item("X", "A", None, ("獨立",), (), ()).ref == "X 獨立"
    a01 = next(it for it in items if it.ref == "KMC2432-002v4 A01")  # 持續學習
    assert a01.description.startswith("能夠展現持續學習的企圖心")


# -- conjunct parts, minor extensions, synonyms ---------------------------------------------

@pytest.mark.parametrize("core, parts", [
    ("資源盤點與分析", ("資源盤點", "分析")),
    ("產業現況與發展趨勢及輿情", ("產業現況", "發展趨勢", "輿情")),
    ("溝通與協商技能", ("溝通", "協商")),           # generic words leave each part
    ("成本概念與財務知識", ("成本", "財務")),
    ("親和力", ("親和力",)),                       # 和 between one-character pieces
    ("參與及溝通", ("參與", "溝通")),              # 與 inside 參與 is no connector
    ("團隊和諧與溝通", ("團隊和諧", "溝通")),
    ("以及時間管理", ("以及時間管理",)),
])
def test_parts(core, parts):
    assert crosswalk._parts(core) == parts


def test_minor_extension_scores_high_and_a_qualifier_does_not():
    def score(a: str, b: str, domain_a: str = "", domain_b: str = "") -> float:
        return pair_score(Item("X", "S", "S01", (a,), (), (), domain_a),
                          Item("Y", "S", "S01", (b,), (), (), domain_b))[0]

    assert score("活動資源盤點", "資源盤點與分析能力", "活動") >= 84      # 資源盤點 + 分析
    assert score("活動資源盤點", "活動資源盤點與分析", "活動", "活動") >= 88
    assert score("產業現況與發展趨勢", "產業現況與發展趨勢及輿情") >= 88
    assert score("資源盤點與分析", "分析與資源盤點") >= 90            # parts in another order
    assert score("資源盤點", "資源盤點與分析與分配") < score("資源盤點", "資源盤點與分析")
    # not extensions: a trailing part alone, a qualifier in front
    assert score("資料分析", "資料蒐集與分析") < 75
    assert score("分析", "資源盤點與分析") < 75
    assert score("客訴溝通協調", "溝通協調能力", "活動") < 80
    assert score("客訴問題判別及解決", "問題判別及解決能力", "活動") < 90


def test_domain_word_generic_words_and_synonyms():
    score = lambda a, b, d="": pair_score(Item("X", "S", "S01", (a,), (), (), d),  # noqa: E731
                                           Item("Y", "S", "S01", (b,), (), (), d))[0]
    assert score("撰寫計畫書", "撰寫活動計畫", "活動") >= 85   # the domain word in the middle
    assert score("辦理採購作業", "採購技巧") >= 90              # 辦理 …作業 say little
    assert score("組織內外溝通協調", "溝通協調能力") >= 90      # 組織內外 widens
    assert score("科技運用", "科技應用") == 100 * crosswalk.CORE_WEIGHT + 15 * 0.75
    assert crosswalk._core("相關法令規範") == crosswalk._core("法規規範")


# -- attitudes: descriptions --------------------------------------------------------------

def test_attitudes_with_one_description_are_one_attitude(bundled):
    items = {it.ref: it for s in bundled for it in items_of(s)}
    dictionary = attitude_dictionary(items.values())
    affable, related = items["KMC2432-001v4 A01"], items["KMC2432-003v1 A01"]  # 親和力, 親和關係
    score, reason = pair_score(affable, related)
    assert reason == "fuzzy" and 90 <= score < 100
    assert pair_score(affable, items["KMC3332-002v3 A45"])[0] < 50  # 同理心: no description
    # KMC3332-002v3 prints no descriptions: its 親和力 is read with the dictionary's
    bare = items["KMC3332-002v3 A20"]
    assert bare.description == "" and pair_score(bare, related)[0] < 60
    assert pair_score(bare, related, dictionary) == (score, "fuzzy")
    assert pair_score(bare, affable, dictionary) == (100.0, "exact")
    different = Item("X", "A", "A01", ("親和力",), (), (), "完全不同的描述")
    assert pair_score(different, related)[0] < 60


def test_related_attitude_joins_through_its_description(cw):
    concept = cw.concept_of("KMC2432-003v1 A01")  # 親和關係
    assert concept is cw.concept_of("KMC3332-002v3 A20") is cw.concept_of("KMC2432-001v4 A01")
    member = next(m for m in concept.members if m.item.ref == "KMC2432-003v1 A01")
    assert member.reason == "fuzzy" and member.score >= cw.thresholds["A"][0]


# -- both paths score alike ------------------------------------------------------------------

def _check_paths(items: list[Item], review: float) -> int:
    """The vectorised scores (`_key_scores`) are `pair_score`'s, and no pair ≥ review is lost
    to the bigram filter; returns how many key pairs were compared."""
    dictionary = attitude_dictionary(items)
    compared = 0
    for kind in "KSA":
        ours = [it for it in items if it.kind == kind]
        item_key, scores = crosswalk._key_scores(ours, review, dictionary)
        first = {}
        for n, k in enumerate(item_key):
            first.setdefault(k, n)
        for (k1, k2), s in scores.items():
            assert s == pytest.approx(pair_score(ours[first[k1]], ours[first[k2]],
                                                 dictionary)[0], abs=1e-9)
        for k1 in first:
            for k2 in first:
                if k1 < k2:
                    s = pair_score(ours[first[k1]], ours[first[k2]], dictionary)[0]
                    assert s < review or (k1, k2) in scores, (ours[first[k1]], ours[first[k2]])
                    compared += 1
    return compared


def test_key_scores_are_pair_scores(bundled):
    assert _check_paths([it for s in bundled for it in items_of(s)], 50.0) > 1000


def test_key_scores_are_pair_scores_on_synthetic_standards():
    from synthetic import generate
    items = [it for s in generate(8, seed=3) for it in items_of(s)]
    assert _check_paths(items, 75.0) > 10_000


def test_extension_pairs_are_found_whatever_their_ratio():
    """溝通 / 溝通與協商: ratio 57, an extension 87; found by the part join, not the ratio."""
    units = [("溝通", "溝通"), ("溝通與協商", "溝通與協商"), ("協商", "協商"),
             ("溝通與協商與談判", "溝通與協商與談判")]
    i, j, s = crosswalk.score_pairs(units, 70.0)
    found = {(a, b): v for a, b, v in zip(i.tolist(), j.tolist(), s.tolist())}
    assert set(found) == {(0, 1), (1, 3), (0, 3)}
    assert found[0, 1] == pytest.approx(pair_score(item("溝通"), item("溝通與協商", "T"))[0])
    assert found[0, 3] < found[0, 1]  # two extra parts


# -- concepts -----------------------------------------------------------------------------

def test_stress_tolerance_is_one_concept(cw, bundled):
    having = [s.code for s in bundled if any(a.name == "壓力容忍" for a in s.attitudes)]
    concept = cw.concept_of("KMC2432-001v4 A04")
    assert concept.label == "壓力容忍" and concept.standards == having and len(having) == 5
    assert concept.members[0].band == "auto" and concept.members[0].score == 100.0
    assert concept.id == "A-0001"


def test_visual_presentation_joins(cw):
    concept = cw.concept_of("KMC2432-001v4 S07")
    assert concept is cw.concept_of("KMC2432-004v2 S06")
    assert concept.label == "視覺化簡報製作"


def test_no_chaining():
    """A~B and B~C reach auto, A~C does not: A and C stay apart."""
    names = ["專案管理", "專案活動管理", "活動管理"]
    stds = [tiny(f"TST000{k}-001v1", knowledge=[n]) for k, n in enumerate(names, 1)]
    a, b, c = (items_of(s)[0] for s in stds)
    assert pair_score(a, b)[0] >= 79 and pair_score(b, c)[0] >= 79 > pair_score(a, c)[0]
    cw = build_crosswalk(stds, thresholds={"K": (79.0, 50.0)})
    assert cw.concept_of(a.ref) is not cw.concept_of(c.ref)
    assert cw.concept_of(b.ref) is cw.concept_of(a.ref)  # equal scores: input order
    assert [({p.a.ref, p.b.ref}, p.score) for p in cw.possible] == [
        ({b.ref, c.ref}, pair_score(b, c)[0])]  # kept apart by complete link: for review


def test_one_standard_never_twice_in_a_concept(cw):
    """003v1 prints 科技運用技能 under S3 and S9; another standard has two near variants."""
    assert cw.concept_of("KMC2432-003v1 S3") is not cw.concept_of("KMC2432-003v1 S9")
    stds = [tiny("TST0001-001v1", skills=["視覺化簡報製作", "視覺化簡報製作能力"]),
            tiny("TST0002-001v1", skills=["視覺化簡報製作"])]
    cw2 = build_crosswalk(stds, thresholds=THRESHOLDS)
    assert cw2.concept_of("TST0001-001v1 S01") is cw2.concept_of("TST0002-001v1 S01")
    assert cw2.concept_of("TST0001-001v1 S02") is not cw2.concept_of("TST0002-001v1 S01")
    for concept in cw.concepts:
        assert len(concept.standards) == len(concept.members)


def test_every_item_in_exactly_one_concept(cw, bundled):
    refs = [m.item.ref for c in cw.concepts for m in c.members]
    assert sorted(refs) == sorted(it.ref for s in bundled for it in items_of(s))
    assert len(refs) == len(set(refs))


def test_order_and_ids(cw):
    kinds = [c.kind for c in cw.concepts]
    assert kinds == sorted(kinds, key="KSA".index)
    for kind in "KSA":
        ours = [c for c in cw.concepts if c.kind == kind]
        assert [c.id for c in ours] == [f"{kind}-{k:04d}" for k in range(1, len(ours) + 1)]
        assert [(-len(c.standards), c.label) for c in ours] == \
            sorted((-len(c.standards), c.label) for c in ours)
    assert [p.score for p in cw.possible] == sorted((p.score for p in cw.possible), reverse=True)


def test_possible_lists_review_band_pairs(cw):
    auto, review = cw.thresholds["S"]
    pair = next(p for p in cw.possible if {p.a.ref, p.b.ref} == {
        "KMC2432-003v1 S3", "KMC3332-002v3 S12"})  # 科技運用技能 / 資訊科技應用能力
    assert review <= pair.score < auto and pair.reason == "fuzzy"
    assert all(cw.concept_of(p.a.ref) is not cw.concept_of(p.b.ref) for p in cw.possible)


# -- decisions ----------------------------------------------------------------------------

def test_manual_decisions_win(bundled, tmp_path):
    path = tmp_path / "crosswalk.yaml"
    path.write_text(
        "same:\n- [KMC2432-001v4 S13, KMC2432-003v1 S5]\n"       # 活動文書表件製作 / 文書處理技能
        "different:\n- [KMC2432-001v4 A04, KMC2432-002v4 A03]\n"  # 壓力容忍 / 壓力容忍
        "- [KMC2432-003v1 S3, KMC3332-002v3 S12]\n"
        "labels:\n  KMC2432-001v4 S13: 文書作業\n", encoding="utf-8")
    cw = build_crosswalk(bundled, load_decisions(path, bundled))
    joined = cw.concept_of("KMC2432-001v4 S13")
    assert joined is cw.concept_of("KMC2432-003v1 S5") and joined.label == "文書作業"
    manual = next(m for m in joined.members if m.item.ref == "KMC2432-003v1 S5")
    assert (manual.band, manual.reason) == ("manual", "manual") and manual.score < 50
    assert cw.concept_of("KMC2432-001v4 A04") is not cw.concept_of("KMC2432-002v4 A03")
    refs = [{p.a.ref, p.b.ref} for p in cw.possible]
    assert {"KMC2432-003v1 S3", "KMC3332-002v3 S12"} not in refs
    assert {"KMC2432-001v4 A04", "KMC2432-002v4 A03"} not in refs


def test_decisions_on_other_standards_are_ignored(bundled, tmp_path):
    path = tmp_path / "crosswalk.yaml"
    path.write_text("same:\n- [KMC2432-001v4 S13, KMC9999-001v1 S01]\n", encoding="utf-8")
    decisions = load_decisions(path, bundled[:2])
    cw = build_crosswalk(bundled[:2], decisions)
    assert len(cw.concept_of("KMC2432-001v4 S13").members) == 1
    problems = decisions.check(bundled)
    assert [p.line for p in problems] == [2] and "KMC9999-001v1 S01" in str(problems[0])


def test_load_decisions_errors(bundled, tmp_path):
    assert load_decisions(tmp_path / "missing.yaml") == Decisions(path=str(tmp_path /
                                                                           "missing.yaml"))
    bad = tmp_path / "bad.yaml"
    bad.write_text("same:\n- [KMC2432-001v4 S13, KMC2432-003v1 S5\ndifferent: []\n",
                   encoding="utf-8")
    with pytest.raises(KmcError) as exc:
        load_decisions(bad)
    assert (exc.value.path, exc.value.line) == (str(bad), 3)
    assert "YAML 格式錯誤" in str(exc.value)
    unknown = tmp_path / "unknown.yaml"
    unknown.write_text("same: []\ndifferent:\n- [KMC2432-001v4 S13, KMC2432-001v4 S99]\n",
                       encoding="utf-8")
    with pytest.raises(KmcError) as exc:
        load_decisions(unknown, bundled)
    assert "KMC2432-001v4 S99" in str(exc.value) and str(unknown) in str(exc.value)
    assert exc.value.line == 3
    shape = tmp_path / "shape.yaml"
    shape.write_text("labels:\n  K05: 成本\n", encoding="utf-8")
    with pytest.raises(KmcError, match="應為項目") as exc:
        load_decisions(shape)
    assert exc.value.line == 2


def test_save_decisions_round_trip(bundled, tmp_path):
    decisions = Decisions(same=[("KMC2432-003v1 S5", "KMC2432-001v4 S13")],
                          different=[("KMC2432-002v4 A03", "KMC2432-001v4 A04"),
                                     ("KMC2432-001v4 K02", "KMC2432-001v4 K10")],
                          labels={"KMC2432-001v4 S13": "文書作業", "KMC2432-001v4 K05": "成本"})
    path = tmp_path / "crosswalk.yaml"
    save_decisions(decisions, path)
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# Crosswalk decisions") and "#   different:" in text
    assert "- [KMC2432-001v4 S13, KMC2432-003v1 S5]" in text
    assert text.index("A04, KMC2432-002v4") < text.index("KMC2432-001v4 K02, KMC2432-001v4 K10")
    again = load_decisions(path)
    assert {frozenset(p) for p in again.same} == {frozenset(p) for p in decisions.same}
    assert again.labels == decisions.labels
    save_decisions(again, path)
    assert path.read_text(encoding="utf-8") == text
    merged = again.merged(Decisions(different=[("KMC2432-001v4 S13", "KMC2432-003v1 S5")]))
    assert merged.same == [] and len(merged.different) == 3


# -- output and calibration ---------------------------------------------------------------

def test_to_json_is_deterministic(bundled, cw):
    text = to_json(cw)
    assert text == to_json(build_crosswalk(bundled))
    data = json.loads(text)
    assert list(data) == ["standards", "thresholds", "concepts", "possible"]
    k07 = next(m for c in data["concepts"] for m in c["members"]
               if (m["standard"], m["code"]) == ("KMC2432-002v4", "K07"))
    assert k07["name"] == "專案活動管理規範／專案活動管理"
    assert set(data["possible"][0]) == {"a", "b", "score", "reason"}
    assert "壓力容忍" in text


def test_thresholds_come_from_the_calibration(cw):
    committed = yaml.safe_load((ROOT / "data" / "crosswalk-thresholds.yaml").read_text(
        encoding="utf-8"))
    assert cw.thresholds == load_thresholds() == {
        k: (v["auto"], v["review"]) for k, v in committed["thresholds"].items()}


@pytest.fixture(scope="module")
def measured(bundled):
    pairs = calibration.read_labels(bundled)
    return calibration.measure(bundled, pairs, load_thresholds())


def test_calibration_is_current(bundled):
    """The committed thresholds are what the calibration picks with today's scorer."""
    pairs = calibration.read_labels(bundled)
    items = {it.ref: it for s in bundled for it in items_of(s)}
    assert calibration.choose(bundled, pairs, items) == load_thresholds()


def test_labels_precision_and_committed_recall(measured):
    committed = yaml.safe_load((ROOT / "data" / "crosswalk-thresholds.yaml").read_text(
        encoding="utf-8"))["measured"]
    for kind, m in measured.items():
        assert m["grouped"]["precision"] >= 0.9, kind
        assert m["grouped"]["recall"] >= committed[kind]["grouped"]["recall"], kind


@pytest.mark.xfail(strict=True, reason="target not reached: the scorer joins 0.73 of the "
                   "labelled same pairs (conjunct extensions, domain and generic words, "
                   "attitude descriptions); synonyms such as 法令規範/會展相關法律知識, "
                   "文書處理/工作表件製作與撰寫 and the structural twin 問題解決 ⊂ 問題判別及解決 "
                   "(same) / 資料分析 ⊂ 資料蒐集與分析 (different) are out of its reach; 0.89 "
                   "are joined or listed for review")
def test_labels_recall_target(measured):
    assert measured["all"]["grouped"]["recall"] >= 0.8


def test_a_same_decision_joins_whole_concepts():
    """An auditor's `same` brings the two items' automatic matches along."""
    stds = Library(ROOT / "data" / "standards").load()
    before = crosswalk.build_crosswalk(stds)
    assert before.concept_of("KMC2432-001v4 K02") is before.concept_of("KMC2432-002v4 K01")
    assert before.concept_of("KMC2432-001v4 K02") is not before.concept_of("KMC3332-002v3 K21")
    decided = crosswalk.build_crosswalk(stds, crosswalk.Decisions(
        same=[("KMC2432-001v4 K02", "KMC3332-002v3 K21")]))
    concept = decided.concept_of("KMC2432-001v4 K02")
    assert {m.item.ref for m in concept.members} >= {
        "KMC2432-001v4 K02", "KMC2432-002v4 K01", "KMC3332-002v3 K21"}
    assert {m.band for m in concept.members if m.item.ref == "KMC3332-002v3 K21"} == {"manual"}


def test_the_shipped_decisions_fit_the_bundled_standards():
    stds = Library(ROOT / "data" / "standards").load()
    decisions = crosswalk.load_decisions(ROOT / "data" / "crosswalk.yaml", stds)
    assert decisions.check(stds) == []
