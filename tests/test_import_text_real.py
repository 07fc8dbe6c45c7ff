"""The 14 real standards as `pdftotext -raw` copies (../shared/real/text) give what their DOCX
and PDF give: cells a page break cut are joined again in the right cells, pdftotext's spaces
between Chinese and Latin text are gone, and where a carried-over line could belong to more
than one cell the importer says so.  Placeholder version rows are kept as gold keeps them,
with a warning, in every form."""

from __future__ import annotations

import pytest

from conftest import ROOT
from kmc_reports.importers import import_file
from kmc_reports.store import dump_standard, load_standard
from pdftotext_sim import render
from real_gold import FORMS as EXT, REAL, REAL_CODES as CODES, compare, import_forms, load_gold, sq

pytestmark = pytest.mark.skipif(not CODES, reason="../shared/real is not beside the checkout")

GUESS = "跨頁接續的文字"


@pytest.fixture(scope="module")
def imported():
    """(form, code) -> (Standard, warnings) for every form of every real standard."""
    return import_forms(EXT)


def _dump(std) -> str:
    return dump_standard(std.model_copy(update={"source": ""}))


@pytest.mark.parametrize("code", CODES)
def test_text_copy_gives_every_gold_field(imported, code):
    right, total, wrong = compare(imported["text", code][0],
                                  load_gold(REAL / "gold" / f"{code}.json"))
    assert wrong == [] and right == total


@pytest.mark.parametrize("code", CODES)
def test_text_copy_gives_what_the_docx_and_pdf_give(imported, code):
    text = imported["text", code][0]
    assert _dump(text) == _dump(imported["docx", code][0])  # spaces included
    pdf = imported["pdf", code][0].model_dump(mode="json", exclude={"source"})
    assert sq(text.model_dump(mode="json", exclude={"source"})) == sq(pdf)
    assert not [w for w in imported["text", code][1] if GUESS in w]  # nothing left to guess


def test_cells_cut_by_a_page_break_are_joined_in_their_own_cells(imported):
    def std(code):
        return imported["text", code][0]

    def texts(code):
        s = std(code)
        out = {}
        for _, t in s.tasks():
            for b in t.bands:
                out |= {o.code: o.name for o in b.outputs}
                out |= {p.code: p.text for p in b.indicators}
                out |= {r.code: r.name for r in b.knowledge + b.skills}
        return out

    kps = texts("KPS3334-004v4")
    assert std("KPS3334-004v4").duties[2].name == "提出建案銷售改善計畫"  # T4
    assert kps["O5.2.1"] == "業主服務記錄"
    assert kps["P5.2.2"] == "發展業主服務策略,並能將策略整合到提供代銷服務的個人和團隊作業內。"
    assert kps["P8.3.2"].endswith("及相關服務建議。") and kps["S18"] == "資料庫維護管理能力"
    bgm = texts("BGM1219-001v4")
    assert (bgm["K09"], bgm["S06"]) == ("相關風險控管要求", "企業經營溝通及諮詢技巧")
    assert bgm["P3.4.3"].endswith("取得銷售共識並確認銷售方案。")
    assert (bgm["K20"], bgm["S15"]) == ("銷售項目及競品分析", "視覺化簡報製作能力")
    mpd = texts("MPD2145-001v5")
    assert mpd["O2.2.1"] == "管線儀錶流程圖" and "管線材料選用、壓力容器/換熱器" in mpd["S05"]
    nep = std("NEP3295-002v3")
    assert nep.task("T1.6").name == "ISO17025實驗室管理系統及環境檢驗相關法規"
    assert texts("NEP3295-002v3")["O1.4"] == "檢驗室設施及運作規範之運作及督導"


def test_pdftotext_spaces_between_chinese_and_latin_text_are_dropped(imported):
    mpd = imported["text", "MPD3114-002v2"][0]
    assert mpd.name == "PCB品檢員" and mpd.versions[0].name == "PCB品檢員"
    assert mpd.description == "負責PCB外觀檢驗、簡易維修工作。"
    set_ = imported["text", "SET2529-001v2"][0]
    assert set_.duties[0].name == "AI系統辨識、標註制定及訓練規劃"
    nep = imported["text", "NEP3295-002v3"][0]
    k06 = nep.task("T1.3").knowledge[-1]
    assert (k06.code, k06.name) == ("K06", "ISO/IEC 17025環境污染管制法規之通盤了解")  # Latin
    # words keep their space; a web copy keeps every space it has
    web = load_standard(ROOT / "data" / "standards" / "KMC3332-002v3.yaml")
    assert web.task("T1.1").indicators[0].text.startswith("運用 AI 科技")


def test_a_line_that_fits_two_cut_cells_is_placed_with_a_warning(tmp_path):
    """A task name and an output both cut at the page's foot, and one short line after the
    break that either could end: the importer keeps every character, places it and says it
    guessed, naming the file, the line and both cells."""
    std = load_standard(ROOT / "data" / "standards" / "KMC2432-004v2.yaml")
    path = tmp_path / "cut.txt"
    path.write_text(render(std, 31, 0), encoding="utf-8")
    warnings: list[str] = []
    got = import_file(path, warnings.append)
    guesses = [w for w in warnings if GUESS in w]
    assert len(guesses) == 1
    assert guesses[0].startswith("KMC2432-004v2：cut.txt 第 ") and "T2.2、O2.2.1" in guesses[0]
    both = got.task("T2.2").name + got.task("T2.2").outputs[0].name
    assert sorted(sq(both)) == sorted(sq(std.task("T2.2").name + std.task("T2.2").outputs[0].name))


@pytest.mark.parametrize("form", list(EXT))
def test_placeholder_dates_and_codes_as_versions_are_kept_and_warned(imported, form):
    """BHR2422-006v4 prints 「Unknown」 as every date and the whole code as every version:
    gold keeps both as printed, so every form does, and says what is odd, naming the file."""
    std, warnings = imported[form, "BHR2422-006v4"]
    gold = load_gold(REAL / "gold" / "BHR2422-006v4.json")
    assert [[v.version, v.code, v.name, v.date] for v in std.versions] == gold["versions"]
    name = f"BHR2422-006v4.{EXT[form]}"
    dates = [w for w in warnings if "發展更新日期印作「Unknown」" in w]
    assert len(dates) == 1 and name in dates[0]
    assert all(f"BHR2422-006v{n}" in dates[0] for n in range(1, 5))
    versions = [w for w in warnings if "版本欄印的是職能基準代碼" in w]
    assert len(versions) == 1 and name in versions[0]
    assert "「BHR2422-006v4」應為「V4」" in versions[0]
    # no other standard has such rows
    others = [w for (f, c), (_, ws) in imported.items() if c != "BHR2422-006v4"
              for w in ws if "發展更新日期印作" in w or "版本欄印的是" in w]
    assert others == []
