"""The 14 real standards of ../shared/real as OCS JSON and as pdftotext text: every field as
the gold, what is odd kept and warned about, and lint showing users what the source damaged."""

from __future__ import annotations

import re

import pytest

from kmc_reports.analyses.lint import lint_all
from kmc_reports.errors import KmcError
from kmc_reports.importers import import_file
from real_gold import REAL, REAL_CODES as CODES, compare, import_forms, load_gold

EXT = ["ocs-json", "text"]

pytestmark = pytest.mark.skipif(not REAL.is_dir(), reason="../shared/real is not beside the checkout")


@pytest.fixture(scope="module")
def imported():
    """(form, code) -> (Standard, warnings)."""
    return import_forms(EXT)


@pytest.mark.parametrize("code", CODES)
def test_ocs_json_gives_every_gold_field(imported, code):
    right, total, wrong = compare(imported["ocs-json", code][0],
                                  load_gold(REAL / "gold" / f"{code}.json"))
    assert wrong == [] and right == total


def test_text_copies_give_every_gold_field(imported):
    """pdftotext copies, with their rows cut at page breaks, give gold exactly (they gave
    98.9 % of the fields before rows cut by a page break were rejoined by line counts)."""
    for code in CODES:
        r, t, wrong = compare(imported["text", code][0], load_gold(REAL / "gold" / f"{code}.json"))
        assert wrong == [] and r == t, code


_FURNITURE = re.compile(r"職能內涵|knowledge|skills|第\s*\d+\s*頁|總共\s*\d+\s*頁")


@pytest.mark.parametrize("code", CODES)
def test_no_header_row_or_page_furniture_in_any_cell(imported, code):
    std = imported["text", code][0]
    texts = [d.name for d in std.duties]
    for _, t in std.tasks():
        texts.append(t.name)
        for b in t.bands:
            texts += [o.name for o in b.outputs] + [p.text for p in b.indicators]
            texts += [r.name for r in b.knowledge + b.skills]
    assert [x for x in texts if _FURNITURE.search(x)] == []


def test_odd_structures_are_kept_with_warnings(imported):
    kps, warnings = imported["ocs-json", "KPS3334-004v4"]
    assert [t.code for t in kps.duties[0].tasks] == ["T1.1", "T1.2", "T1.3", "T2.1", "T2.2", "T2.3"]
    assert any("T2.1 印在主要職責 T1 之下" in w for w in warnings)
    ava, warnings = imported["text", "AVA2173-005v3"]
    block = ava.task("T1.1").bands[0]
    assert block.items_shared and block.shared_with == [f"T1.{n}" for n in range(2, 8)]
    assert [p.code for p in block.indicators] == ["P1.1", "P1.2", "P1.3", "P1.4", "P1.5", "P1.5"]
    assert not ava.task("T1.5").indicators  # P1.5 does not name T1.5: two-level codes
    cap, _ = imported["text", "CAP2421-001"]
    assert [(t.code, t.name) for _, t in cap.tasks()] == [("T1", ""), ("T2", ""), ("T3", ""),
                                                           ("T4", "")]
    assert imported["ocs-json", "LLS2619-005"][0].code == "LLS2619-005"  # no vN


def test_lint_shows_what_the_sources_damaged(imported):
    stds = [imported["ocs-json", c][0] for c in CODES]
    found = {(f.standard, f.id, f.place) for f in lint_all(stds)}
    for expected in [
            ("AVA2173-005v3", "duplicate-code", "T1.1/P1.5"),
            ("AVA2173-005v3", "duplicate-code", "T1.1/S06"),
            ("AVA2173-005v3", "damaged-text", "T1"),  # an attitude list as duty name
            ("AVA2173-005v3", "task-structure", "T1.1"),  # one block for seven tasks
            ("IDC2172-002v3", "duplicate-code", "T1.2/O1.2.1"),
            ("KPS3334-004v4", "task-structure", "T2.1"),  # duty T2 missing
            ("CAP2421-001", "task-structure", "T1"),  # a task printed with T1 only
            ("CAP2421-001", "damaged-text", "T1"),  # 「Unknown」
            ("LLS2619-005", "damaged-text", "notes.qualifications"),  # 基準更新紀錄
            ("MPD3114-002v2", "truncated", "P2.1.4")]:
        assert expected in found
    assert not any(f[1] == "foreign-code" for f in found)  # two-level codes name no task
    # one finding per slip, not one per task of a merged cell
    assert sum(1 for f in found if f[:2] == ("AVA2173-005v3", "duplicate-code")) == 2


def test_levels_that_are_not_one_level_are_kept_as_printed_and_linted(tmp_path):
    import json

    doc = json.loads((REAL / "ocs-json" / "BAS1219-001v4.json").read_text(encoding="utf-8"))
    doc["ocs_profile"]["ocs_level"] = None
    blocks = doc["ocs_content"]["ocu_units"][0]["tasks"][0]["competency_blocks"]
    blocks[0]["competency_level"] = "4級以上"
    path = tmp_path / "odd.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    warnings: list[str] = []
    std = import_file(path, warnings.append)
    assert std.level is None and std.task("T1.1").level is None
    assert std.task("T1.1").bands[0].printed_level == "4級以上"
    assert std.task("T1.1").level_label == "4級以上"
    assert len([w for w in warnings if "不推定級別" in w]) == 2
    found = {(f.id, f.place) for f in lint_all([std])}
    assert {("odd-level", "level"), ("odd-level", "T1.1")} <= found


def test_a_code_glued_to_the_text_before_it_is_split_with_a_warning(tmp_path):
    from conftest import SOURCES

    text = (SOURCES / "KMC2432-002v4.txt").read_text(encoding="utf-8")
    text = text.replace("O1.2.1 活動分析報告", "O1.2.1 活動分析報告O.1.2.2市場區隔表", 1)
    path = tmp_path / "glued.txt"
    path.write_text(text, encoding="utf-8")
    warnings: list[str] = []
    std = import_file(path, warnings.append)
    assert [(o.code, o.name) for o in std.task("T1.2").outputs] == [
        ("O1.2.1", "活動分析報告"), ("O1.2.2", "市場區隔表")]
    assert any("O.1.2.2 黏在前一段文字之後" in w for w in warnings)


def _text_pages(code: str) -> list[str]:
    return (REAL / "text" / f"{code}.txt").read_text(encoding="utf-8").split("\f")


@pytest.mark.parametrize("pages, message", [
    (lambda p: p[:2] + p[3:], "缺第 3 頁"),
    (lambda p: p[:3] + p[2:], "第 3 頁重複出現")])
def test_a_missing_or_doubled_page_is_warned_and_nothing_carries_over_it(tmp_path, pages, message):
    path = tmp_path / "pages.txt"
    path.write_text("\f".join(pages(_text_pages("KPS3334-004v4"))), encoding="utf-8")
    warnings: list[str] = []
    std = import_file(path, warnings.append)
    assert any(message in w for w in warnings)
    if "缺" in message:  # page 3 held the rest of P2.2.3; page 4 must not be glued to it
        texts = {p.code: p.text for _, t in std.tasks() for p in t.indicators}
        assert texts["P2.2.3"].endswith("和相關人員商議")


def test_side_by_side_layout_text_is_refused_with_what_to_do(tmp_path):
    import subprocess
    import shutil

    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext is not installed")
    out = tmp_path / "layout.txt"
    subprocess.run(["pdftotext", "-layout", str(REAL / "pdf" / "BAS1219-001v4.pdf"), str(out)],
                   check=True)
    with pytest.raises(KmcError, match="pdftotext -raw"):
        import_file(out, lambda _: None)


def test_a_utf8_file_cut_inside_a_character_is_still_utf8(tmp_path):
    data = (REAL / "text" / "BAS1219-001v4.txt").read_bytes()
    cut = data[:data.index("說明與補充事項".encode()) + 2]  # inside 說
    path = tmp_path / "cut.txt"
    path.write_bytes(cut)
    with pytest.raises(KmcError) as exc:
        import_file(path, lambda _: None)
    assert "編碼" not in str(exc.value) and "不完整" in str(exc.value)


def test_two_level_codes_and_blocks_give_no_false_lint(imported):
    found = {(f.id, f.place) for f in lint_all([imported["ocs-json", "NEP3295-002v3"][0]])}
    assert not any(i in ("code-gap", "no-outputs") for i, _ in found)


def test_diff_compares_a_first_version_whose_code_has_no_vn(imported):
    from kmc_reports.analyses.diff import diff

    std = imported["ocs-json", "CAP2421-001"][0]
    assert diff(std, std).changes == []


def test_a_pdf_with_a_page_missing_is_warned(tmp_path):
    from pypdf import PdfReader, PdfWriter

    reader, writer = PdfReader(REAL / "pdf" / "KPS3334-004v4.pdf"), PdfWriter()
    for i, page in enumerate(reader.pages):
        if i != 2:
            writer.add_page(page)
    path = tmp_path / "missing.pdf"
    writer.write(path)
    warnings: list[str] = []
    import_file(path, warnings.append)
    assert any("缺第 3 頁" in w for w in warnings)
