"""The rule of notes to print (views.printed_notes): notes that are the source's PDF lines,
not its items, print as items in profiles and job descriptions — a sentence cut over two lines
is one item, an enumerated heading (「一、學經歷資格：」) holds the lines under it — while the
model keeps the lines as imported."""

from __future__ import annotations

import pytest

from conftest import ROOT
from kmc_reports.document import Heading, ListBlock
from kmc_reports.model import Footnote, Notes, Qualification, squash
from kmc_reports.reports import Options, job_document, profile_document
from kmc_reports.store import Library
from kmc_reports.views import (join_lines, note_lines, printed_notes, printed_qualifications,
                               starts_item, wrapped)
from real_gold import REAL, REAL_CODES, bundled_and_real

LIBRARY = Library(ROOT / "data" / "standards")
real = pytest.mark.skipif(not REAL.is_dir(), reason="../shared/real is not beside the checkout")

# A line that fills its line (68 Chinese characters, no final punctuation) and its tail.
CUT = "具有與環境檢驗測定機構許可檢測類別相關之檢測經驗五年以上而有證明文件者但持有相關大學學士學位者得減少二年檢測經驗持有相關碩士學位者得減少"
TAIL = "三年檢測經驗。"
FULL = 100  # columns: CUT is 136 wide


@pytest.fixture(scope="module")
def standards():
    return bundled_and_real()


def _items(entries):
    return [(q.text, q.items) for q in entries]


def _list_after(doc, heading: str) -> list[tuple[str, list[str]]]:
    """The items (with sub-items) of the list printed under ``heading``."""
    blocks = [b for s in doc.sections for b in s.blocks]
    at = next(i for i, b in enumerate(blocks) if isinstance(b, Heading) and b.text == heading)
    lst = next(b for b in blocks[at + 1:] if isinstance(b, ListBlock))
    text = lambda runs: "".join(r.text for r in runs)  # noqa: E731
    return [(text(i.runs), [text(c.runs) for sub in i.children for c in sub.items])
            for i in lst.items]


# -- the rule on crafted lines -----------------------------------------------------------


def test_a_cut_line_and_its_tail_are_one_item():
    assert wrapped(CUT, FULL) and not wrapped(TAIL, FULL)
    assert note_lines([CUT, TAIL], FULL) == [CUT + TAIL]  # Chinese joined without a space
    # over several lines, each cut: one item; the item ends at a complete line
    assert note_lines([CUT, CUT, TAIL, CUT, TAIL], FULL) == [CUT + CUT + TAIL, CUT + TAIL]


def test_a_complete_line_is_never_joined():
    for end in "。！？；：」』）)】…":
        assert note_lines([CUT + end, "為業務相關科系專科以上畢業者。"], FULL) == [
            CUT + end, "為業務相關科系專科以上畢業者。"], end


@pytest.mark.parametrize("start", ["一、", "二．", "（一）", "(二)", "1.", "2、", "(1)", "（3）",
                                   "①", "⑵", "• ", "● ", "‧", "- ", "【註1】", "【註】"])
def test_a_line_that_starts_an_item_is_not_joined(start):
    line = start + "學歷條件相關科系畢業。"
    assert starts_item(line)
    assert note_lines([CUT, line], FULL) == [CUT, line]


def test_what_is_not_an_enumerator_continues_the_line():
    for line in ["1.5倍以上之工作經驗。", "5年以上相關經驗。", "3D建模能力。", "「新進工程師」。",
                 "法。", "甲級技術士證照者。"]:
        assert not starts_item(line), line
        assert note_lines([CUT, line], FULL) == [CUT + line], line


def test_a_leaked_heading_is_an_item_of_its_own():
    assert note_lines([CUT, "基準更新紀錄", "件】。"], FULL) == [CUT, "基準更新紀錄", "件】。"]
    assert note_lines(["基準更新紀錄", TAIL], FULL) == ["基準更新紀錄", TAIL]


def test_short_items_without_final_punctuation_stay_apart():
    """CAP2421-001's 「大專（含）以上學歷」 / 「自動控制、電機…或相關科系」 are two items: a
    line that did not fill its line was not cut."""
    notes = Notes(qualifications=[Qualification(text="大專（含）以上學歷"),
                                  Qualification(text="自動控制、電機、資訊工程、資訊管理或相關科系")])
    assert _items(printed_notes(notes).qualifications) == _items(notes.qualifications)
    # nor when nothing in the notes is wider: a wrap needs WRAP_MIN columns
    notes = Notes(remarks=["大專以上", "相關科系"])
    assert [r.text for r in printed_notes(notes).remarks] == ["大專以上", "相關科系"]


def test_a_line_is_cut_when_it_is_about_as_wide_as_the_widest():
    lines = [CUT + "。", CUT[:-15], TAIL]  # 106 of 138 columns: not a full line
    notes = Notes(remarks=lines)
    assert [r.text for r in printed_notes(notes).remarks] == lines
    notes = Notes(remarks=[CUT + "。", CUT[:-2], TAIL])  # 132 of 138
    assert [r.text for r in printed_notes(notes).remarks] == [CUT + "。", CUT[:-2] + TAIL]


def test_latin_and_digits_keep_their_space():
    assert join_lines("認證規範：如企業社會責任CSR", "ISO、RBA等。") == "認證規範：如企業社會責任CSR ISO、RBA等。"
    assert join_lines("多益 600", "分以上。") == "多益 600分以上。"
    assert join_lines("具備 TOEIC", "500 分以上。") == "具備 TOEIC 500 分以上。"
    assert join_lines("…保 ", " 護法。") == "…保護法。"
    long = "認證規範：如企業社會責任、國際標準組織與責任商業聯盟等相關之規範與國際驗證制度之運作原則與實務做法CSR"
    assert note_lines([long, "ISO等。"], FULL) == [long + " ISO等。"]


def test_an_enumerated_heading_holds_the_lines_under_it():
    """NEP3295-002v3's shape: 「一、學經歷資格：」, three items (two cut over two lines), then
    「二、…」, the next of its kind."""
    lines = ["一、學經歷資格：", CUT, TAIL, "若僅從事噪音檢測類之檢驗室，得為物理或工科專科以上畢業者。",
             CUT, TAIL, "二、取得中央主管機關舉辦相關課程訓練之結業證書者。"]
    notes = Notes(qualifications=[Qualification(text=t) for t in lines])
    assert _items(printed_notes(notes).qualifications) == [
        ("一、學經歷資格：", [CUT + TAIL, lines[3], CUT + TAIL]),
        ("二、取得中央主管機關舉辦相關課程訓練之結業證書者。", [])]
    # sub-items with enumerators of another kind stay under it; a heading with nothing
    # under it, or a line with items of its own, is left as it is
    lines = ["（一）學歷：", "1.大專以上。", "2.相關科系。", "（二）經歷：", "（三）證照：",
             "甲級技術士。"]
    notes = Notes(qualifications=[Qualification(text=t) for t in lines]
                  + [Qualification(text="語文能力：", items=["英文"])])
    assert _items(printed_notes(notes).qualifications) == [
        ("（一）學歷：", ["1.大專以上。", "2.相關科系。"]), ("（二）經歷：", []),
        ("（三）證照：", ["甲級技術士。"]), ("語文能力：", ["英文"])]


def test_items_of_a_line_follow_the_rule_too():
    notes = Notes(qualifications=[Qualification(text="語文能力：", items=[CUT, TAIL, "英文。"])])
    assert _items(printed_notes(notes).qualifications) == [("語文能力：", [CUT + TAIL, "英文。"])]


def test_footnotes_print_as_they_are_and_sections_are_not_joined():
    notes = Notes(qualifications=[Qualification(text=CUT)], remarks=[TAIL, CUT, TAIL],
                  footnotes=[Footnote(number=1, text=CUT), Footnote(number=2, text=TAIL)])
    printed = printed_notes(notes)
    assert _items(printed.qualifications) == [(CUT, [])]
    assert [f.text for f in printed.footnotes] == [CUT, TAIL]
    assert _items(printed.remarks) == [(TAIL, []), (CUT + TAIL, [])]


def test_the_model_is_untouched():
    quals = [Qualification(text=t) for t in ["一、學經歷資格：", CUT, TAIL]]
    notes = Notes(qualifications=quals, remarks=[CUT, TAIL])
    before = notes.model_dump()
    printed_notes(notes)
    printed_qualifications(notes)
    assert notes.model_dump() == before and notes.qualifications[0] is quals[0]


def test_qualifications_still_leave_out_leaked_headings_and_fragments():
    notes = Notes(qualifications=[Qualification(text=t) for t in [
        "大專（含）以上學歷", CUT, TAIL, "基準更新紀錄", "件】。"]]
        + [Qualification(text="語文能力：", items=["英文", "基準更新紀錄"])])
    assert _items(printed_qualifications(notes)) == [
        ("大專（含）以上學歷", []), (CUT + TAIL, []), ("語文能力：", ["英文"])]
    # a cut fragment's own line joins the line it was cut from, and is printed there
    notes = Notes(qualifications=[Qualification(text=CUT[:-2] + "相關條"),
                                  Qualification(text="件】。")])
    assert _items(printed_qualifications(notes)) == [(CUT[:-2] + "相關條件】。", [])]


def test_documents_print_the_items():
    std = LIBRARY.get("KMC2432-001v4").model_copy(deep=True)
    std.notes = Notes(qualifications=[Qualification(text=t) for t in ["一、學經歷資格：", CUT, TAIL]],
                      remarks=[CUT, TAIL, "基準更新紀錄"])
    quals = [("一、學經歷資格：", [CUT + TAIL])]
    job = job_document(std, Options())
    assert _list_after(job, "三、任用資格") == quals
    profile = profile_document(std, Options())
    assert _list_after(profile, "建議擔任此職類／職業之學歷／經驗／或能力條件") == quals
    assert _list_after(profile, "其他補充說明") == [(CUT + TAIL, []), ("基準更新紀錄", [])]


@pytest.mark.parametrize("code", sorted(LIBRARY.codes()))
def test_bundled_notes_are_items_already(code):
    """The bundled standards' notes are items: printed as they are."""
    notes = LIBRARY.get(code).notes
    printed = printed_notes(notes)
    assert _items(printed.qualifications) == _items(notes.qualifications)
    assert [r.text for r in printed.remarks] == notes.remarks and not any(
        r.items for r in printed.remarks)
    assert printed.footnotes == notes.footnotes


# -- the rule on real standards' notes ---------------------------------------------------


@real
@pytest.mark.parametrize("code", REAL_CODES)
def test_real_notes_lose_no_text(standards, code):
    """Joined or grouped, every line is printed, in order, and nothing else."""
    notes = standards[code].notes
    printed = printed_notes(notes)
    flat = lambda entries: squash("".join(q.text + "".join(q.items) for q in entries))  # noqa: E731
    assert flat(printed.qualifications) == flat(notes.qualifications)
    assert squash("".join(r.text for r in printed.remarks)) == squash("".join(notes.remarks))


@real
def test_nep3295_qualifications_in_the_job_description(standards):
    std = standards["NEP3295-002v3"]
    lines = [q.text for q in std.notes.qualifications]
    assert _list_after(job_document(std, Options()), "三、任用資格") == [
        ("一、學經歷資格：", [lines[1] + lines[2], lines[3] + lines[4], lines[5]]),
        (lines[6], [])]
    assert lines[0] == "一、學經歷資格：" and len(lines) == 7  # the model keeps the lines


@real
@pytest.mark.parametrize("code, joined", [
    ("BGM1219-001v4", ["…設備資產或投資之變化、政府補助及獎勵措施、稅額減免／豁免等。",
                       "…證券投資人及期貨交易人保護法。"]),
    ("BHR2422-006v4", ["…性騷擾防治法、個人資料保護法、勞資爭議處理法等。"]),
    ("CCM7114-002", ["…施工規劃與統籌等，相關修復與管理工作之傳統技術工匠。"]),
    ("KPS3334-004v4", ["…洗錢防制法、不動產經紀業管理條例與施行細則及相關規範、",
                       "…土地法、平均地權條例與施行細則、不動產相關稅法、土地徵收條例、",
                       "…各縣市建築工程樣品屋及臨時廣告管理辦法、地政士及不動產經紀業防制洗錢"]),
    ("AVA2173-005v3", ["…已直接將職能基準定義為「新進工程師」。"]),
])
def test_real_remarks_in_the_profile(standards, code, joined):
    std = standards[code]
    printed = _list_after(profile_document(std, Options()), "其他補充說明")
    texts = [squash(t) for t, _ in printed]
    for words in joined:
        assert any(words.strip("…") in t for t in texts), words
    assert len(printed) < len(std.notes.remarks)
    for t in texts:  # no item is the tail of another's sentence
        assert t in ("基準更新紀錄",) or not starts_with_tail(t), t


def starts_with_tail(text: str) -> bool:
    return text.startswith(("及獎勵", "法。", "護法", "修復與管理", "業管理", "稅法", "管理辦法", "「新進"))


@real
def test_cap2421_short_qualifications_stay_apart(standards):
    std = standards["CAP2421-001"]
    assert _list_after(job_document(std, Options()), "三、任用資格") == [
        ("大專（含）以上學歷", []), ("自動控制、電機、資訊工程、資訊管理或相關科系", [])]
