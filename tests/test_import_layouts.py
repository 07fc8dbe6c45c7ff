"""The importer reads the same standard in every encoding and layout users have."""

from __future__ import annotations

import pytest

from conftest import SOURCES
from kmc_reports.importers import import_file
from kmc_reports.importers.text import drop_font_gaps
from kmc_reports.store import dump_standard

TSV = ["KMC3332-002v3", "KMC2432-002v4", "KMC2432-003v1", "KMC2432-004v2"]


def _import(path):
    warnings: list[str] = []
    std = import_file(path, warnings.append)
    return std, warnings


def _same(a, b) -> bool:
    return dump_standard(a.model_copy(update={"source": ""})) == \
        dump_standard(b.model_copy(update={"source": ""}))


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-le", "cp950"])
@pytest.mark.parametrize("code", ["KMC2432-001v4", "KMC2432-004v2"])
def test_encodings_and_crlf(tmp_path, code, encoding, imported):
    text = (SOURCES / f"{code}.txt").read_text(encoding="utf-8").replace("\n", "\r\n")
    if encoding == "cp950":  # characters Big5 cannot hold stay out of a Big5 file
        text = text.encode("cp950", errors="replace").decode("cp950")
    path = tmp_path / f"{code}.txt"
    path.write_bytes(text.encode(encoding))
    std, warnings = _import(path)
    if encoding == "cp950":
        assert std.code == code and len(list(std.tasks())) == len(list(imported[code][0].tasks()))
    else:
        assert _same(std, imported[code][0])
        assert warnings == []


def _to_markdown(text: str) -> str:
    """A markdown conversion: every tab-separated row becomes a pipe table row."""
    out, in_table = [], False
    for line in text.split("\n"):
        if "\t" in line:
            out.append("| " + " | ".join(line.split("\t")) + " |")
            if not in_table:
                out.append("|" + "---|" * len(line.split("\t")))
            in_table = True
        else:
            out.append(line)
            in_table = False
    return "\n".join(out)


@pytest.mark.parametrize("code", TSV)
def test_markdown_tables_read_like_tab_separated(tmp_path, code, imported):
    path = tmp_path / f"{code}.md"
    path.write_text(_to_markdown((SOURCES / f"{code}.txt").read_text(encoding="utf-8")),
                    encoding="utf-8")
    std, warnings = _import(path)
    assert _same(std, imported[code][0])
    assert warnings == []


def test_pdftotext_form_feeds_instead_of_page_markers(tmp_path, imported):
    import re
    text = (SOURCES / "KMC2432-001v4.txt").read_text(encoding="utf-8")
    text = re.sub(r"^第\d+頁，總共\d+頁\s*$", "\f", text, flags=re.M)
    path = tmp_path / "ff.txt"
    path.write_text(text, encoding="utf-8")
    std, warnings = _import(path)
    # pages ending in form feeds are pdftotext's: its spaces where Chinese meets Latin text or
    # digits (「具 1 年」) are not in the PDF, and go
    assert _same(std, drop_font_gaps(imported["KMC2432-001v4"][0]))
    assert "具 1 年" in imported["KMC2432-001v4"][0].notes.qualifications[0].text


HEAD = """測試人員職能基準

職能基準代碼\t\tKMC2432-901v1
職能基準名稱\t\t職業\t測試人員
所屬 類別\t職類別\t行銷與銷售\t\t職類別代碼\tKMC
\t職業別\t公關專業人員\t\t職業別代碼\t2432
\t行業別\t專業服務業\t\t行業別代碼\tM7310
工作描述\t\t測試用。
基準級別\t\t3

主要職責\t工作任務\t工作產出\t行為指標\t職能級別\t職能內涵 (K=knowledge 知識)\t職能內涵 (S=skills 技能)
"""
TAIL = """
職能內涵 (A=attitude 態度)
A01 主動積極：主動。

說明與補充事項
無。
"""


def _tsv(tmp_path, rows: str):
    path = tmp_path / "t.txt"
    path.write_text(HEAD + rows + TAIL, encoding="utf-8")
    return _import(path)


def test_a_task_with_two_level_bands(tmp_path):
    std, warnings = _tsv(tmp_path, (
        "T1 規劃\tT1.1 企劃需求\tO1.1.1 需求書\tP1.1.1 蒐集資料。 P1.1.2 彙整需求。\t3\t"
        "K01 法令\tS01 溝通\n"
        "\t\tO1.1.2 評估表\tP1.1.3 評估可行性。\t4\tK02 財務\tS02 分析\n"))
    task = std.task("T1.1")
    assert [(b.level, [p.code for p in b.indicators], [o.code for o in b.outputs],
             [k.code for k in b.knowledge], [s.code for s in b.skills]) for b in task.bands] == [
        (3, ["P1.1.1", "P1.1.2"], ["O1.1.1"], ["K01"], ["S01"]),
        (4, ["P1.1.3"], ["O1.1.2"], ["K02"], ["S02"])]
    assert warnings == []


def test_uncertain_content_is_warned_about_never_dropped(tmp_path):
    std, warnings = _tsv(tmp_path, (
        "T1 規劃\tT1.1 企劃需求\t需求書\tP1.1.1 蒐集資料。\t3\tK01 法令\tS01 溝通\n"
        "\tT1.3 跳號任務\tO1.3.1 表\tP1.2.1 放錯的指標。\t3\tK02 財務\tS02 分析\n"
        "\tT1.2 晚到任務\tO1.2.1 表\tP1.2.2 指標。\t3\tK02 財務\tS02 分析\n"))
    assert std.task("T1.1").outputs[0].code is None  # an output printed without a code
    assert std.task("T1.1").outputs[0].name == "需求書"
    assert any("P1.2.1" in w and "T1.3" in w for w in warnings)
    assert any("T1.2" in w and "順序有誤" in w for w in warnings)
    assert all(w.startswith("KMC2432-901v1：") for w in warnings)


def test_headings_sharing_a_line_with_their_text(tmp_path):
    path = tmp_path / "t.txt"
    path.write_text(HEAD + "T1 規劃\tT1.1 企劃需求\tO1.1.1 需求書\tP1.1.1 蒐集資料。\t3\tK01 法令\tS01 溝通\n"
                    "職能內涵 (A=attitude 態度)\tA01 主動積極：主動。 A02 謹慎細心\n"
                    "說明與補充事項：建議擔任此職類/職業之學歷/經驗/或能力條件：大專以上畢業。\n"
                    "其他補充說明：【註1】法令：如勞基法。\n", encoding="utf-8")
    std, warnings = _import(path)
    assert [(a.code, a.name, a.description) for a in std.attitudes] == [
        ("A01", "主動積極", "主動。"), ("A02", "謹慎細心", "")]
    assert [q.text for q in std.notes.qualifications] == ["大專以上畢業。"]
    assert [(f.number, f.text) for f in std.notes.footnotes] == [(1, "法令：如勞基法。")]


def test_text_cut_before_the_notes_is_a_truncated_standard(tmp_path):
    from kmc_reports.errors import KmcError
    text = (SOURCES / "KMC2432-001v4.txt").read_text(encoding="utf-8")
    path = tmp_path / "cut.txt"
    path.write_text(text[: text.index("A06 應對不確定性")], encoding="utf-8")
    with pytest.raises(KmcError) as exc:
        _import(path)
    assert "檔案不完整" in str(exc.value) and "cut.txt" in str(exc.value)


def test_indicator_out_of_sequence_is_warned(tmp_path):
    std, warnings = _tsv(tmp_path, (
        "T1 規劃\tT1.1 企劃需求\tO1.1.1 需求書\tP1.1.1 蒐集資料。 P1.1.7 彙整需求。\t3\t"
        "K01 法令\tS01 溝通\n"))
    assert [p.code for p in std.task("T1.1").indicators] == ["P1.1.1", "P1.1.7"]
    assert any("P1.1.7" in w and "順序有誤" in w and "P1.1.1" in w for w in warnings)
