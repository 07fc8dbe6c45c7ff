"""The auditors' comparison workbook: standards side by side, item by item.

Every automatic decision is visible (band, score, reason) and the possible matches come
with a decision column that `kmc-reports crosswalk apply` reads back.

Up to `LIMIT` (30) standards the concept sheets have a column per standard and 兩兩比較 is an
N×N table per kind; above it the concept sheets have a row per concept member (filterable)
and 兩兩比較 lists each standard's `CLOSEST` (10) closest standards per kind — a sheet a
person can use, and written in seconds, for a catalogue of thousands.
"""

from __future__ import annotations

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from ..analyses.comparison import (CLOSEST, KINDS, LIMIT, MATCH_MINIMUM, MATCH_TOP, jaccard,
                                   large, overview, shared_unique, task_matches)
from ..analyses.crosswalk import Crosswalk, Decisions
from ..analyses.lint import Finding
from ..errors import KmcError
from ..model import Standard
from ..workbook import BarChart, Cell, Column, ColorScale, Print, Validation, Workbook
from .xlsx import INPUT_FILL, write_workbook

_MINIMUM = round(100 * MATCH_MINIMUM)  # as the sheet prints scores: a percentage

PRESENT = "E2EFDA"
REVIEW = "待確認"
REVIEW_HEADERS = ["類別", "職能基準 A", "代碼 A", "名稱 A", "職能基準 B", "代碼 B", "名稱 B",
                  "分數", "判定", "概念名稱（選填）", "ref A", "ref B"]
DECISIONS = {"相同": "same", "不同": "different"}
SEVERITY = {"error": "錯誤", "warning": "警告", "info": "提示"}
BANDS = {"auto": "自動", "manual": "人工"}
REASONS = {"exact": "完全相同", "normalised": "正規化後相同", "fuzzy": "相似", "manual": "人工"}
# The lint rules by their Chinese names (the ids are for the command line and JSON).
RULES = {
    "name-conflict": "同一代碼名稱不一", "shared-name": "不同代碼同名",
    "occupation-code": "職業別代碼不符", "level-distance": "任務級別與基準級別差距大",
    "no-outputs": "沒有工作產出", "code-gap": "代碼跳號", "foreign-code": "代碼不屬於所在任務",
    "truncated": "文字疑似不完整", "stray-space": "多餘空格", "duplicate-indicator": "行為指標重複",
    "odd-level": "級別不是 1–6 級", "duplicate-code": "同一代碼印了兩次",
    "task-structure": "任務結構異常", "damaged-text": "文字混入其他欄位",
    "unprintable": "PDF 字型無法印出的字", "footnote": "註釋標記不符",
}
# Places of the model, as a reader of the standard calls them.
PLACES = {
    "name": "職能基準名稱", "description": "職能基準說明", "level": "基準級別",
    "categories.job_categories": "職類別", "categories.occupations": "職業別",
    "categories.industries": "行業別", "attitudes": "態度",
    "notes.qualifications": "建議擬任人員應具備之資格條件", "notes.remarks": "說明與補充事項",
    "K": "知識（K）", "S": "技能（S）",
}
GUIDE = "說明"
SCALE_LOW, SCALE_HIGH = "FFFFFF", "5B9BD5"


def write_comparison_xlsx(standards: list[Standard], cw: Crosswalk,
                          findings: list[Finding]) -> bytes:
    return write_workbook(comparison_workbook(standards, cw, findings))


def comparison_workbook(standards: list[Standard], cw: Crosswalk,
                        findings: list[Finding]) -> Workbook:
    book = Workbook("職能基準比較")
    _guide(book, cw)
    _overview(book, standards, cw)
    many = large(len(cw.standards))
    for kind, label in KINDS:
        (_members if many else _concepts)(book, label, standards, cw, kind)
    (_closest if many else _pairs)(book, standards, cw)
    _tasks(book, standards, cw)
    _review(book, cw)
    _lint(book, findings)
    return book


def _overview(book: Workbook, standards: list[Standard], cw: Crosswalk) -> None:
    ws = book.sheet("總覽", [Column(15), Column(18), Column(6, "center"), Column(16),
                           Column(16), Column(20), *[Column(w, "center") for w in
                                                    (7, 11, 7, 7, 7, 7, 7, 7, 9, 7)]])
    heads = ["職能基準代碼", "名稱", "級別", "職類別", "職業別", "行業別", "最新版本",
             "發展更新日期", "主要職責", "工作任務", "行為指標", "知識(K)", "技能(S)", "態度(A)",
             "與他基準共有項目", "獨有項目"]
    ws.head(heads)
    counts = shared_unique(cw)
    for std in standards:
        o = overview(std)
        v = o.version
        cats = std.categories
        ws.add([std.code, std.name, std.level or std.level_label,
                "、".join(f"{c.name}（{c.code}）" for c in cats.job_categories),
                "、".join(f"{c.name}（{c.code}）" for c in cats.occupations),
                "、".join(f"{c.name}（{c.code}）" for c in cats.industries),
                v.printed_version, v.printed_date, o.duties, o.tasks, o.indicators,
                o.counts["K"], o.counts["S"], o.counts["A"], *counts[std.code]])
    last = ws.last
    ws.freeze, ws.filter = (2, 2), (1, len(heads), last)
    ws.print = Print(title_rows=(1, 1), title_columns=(1, 1), header="職能基準比較　總覽")
    ws.charts.append(BarChart("各職能基準與他基準共有／獨有的項目數", "職能基準", "項目數（項）",
                              (15, 16), 1, last, stacked=True))


def _concepts(book: Workbook, label: str, standards: list[Standard], cw: Crosswalk,
              kind: str) -> None:
    codes = [s.code for s in standards]
    names = {s.code: s.name for s in standards}
    ws = book.sheet(label, [Column(9, "center"), Column(20), Column(8, "center"),
                            *[Column(24) for _ in codes], Column(12), Column(8, "center")])
    heads = ["概念編號", "概念", "共有基準數", *[f"{c}\n{names[c]}" for c in codes],
             "比對方式", "最低分數"]
    ws.head(heads)
    for concept in (c for c in cw.concepts if c.kind == kind):
        cells: dict[str, list[str]] = {}
        for m in concept.members:
            item = m.item
            where = "、".join(item.tasks)
            levels = "、".join(str(x) for x in item.levels)
            use = "｜".join(p for p in (where, f"級別 {levels}" if levels else "") if p)
            cells.setdefault(item.standard, []).append(
                f"{item.code or ''} {'／'.join(item.names)}".strip() + (f"\n{use}" if use else ""))
        how = "、".join(dict.fromkeys(REASONS[m.reason] for m in concept.members[1:])) or "—"
        low = min((m.score for m in concept.members[1:]), default=None)
        ws.add([concept.id, concept.label, len(concept.standards),
                *[Cell("\n".join(cells[c]), fill=PRESENT) if c in cells else ""
                  for c in codes], how, round(low, 1) if low is not None else ""])
    ws.freeze = (2, 4)  # id, concept and count stay in view
    ws.filter = (1, len(heads), ws.last)
    ws.print = Print(title_rows=(1, 1), title_columns=(1, 3),
                     header=f"職能基準比較　{label}")


def _members(book: Workbook, label: str, standards: list[Standard], cw: Crosswalk,
             kind: str) -> None:
    """Above LIMIT standards: one row per concept member (a column per standard would be
    thousands of columns wide)."""
    ws = book.sheet(label, [Column(9, "center"), Column(20), Column(8, "center"), Column(15),
                            Column(7, "center"), Column(24), Column(18), Column(8, "center"),
                            Column(12), Column(8, "center")])
    ws.add([f"{label}：比較 {len(cw.standards)} 項職能基準（超過 {LIMIT} 項，不逐基準分欄）："
            "每一列是概念中的一個項目，同一概念的項目相鄰；可用篩選選出概念或職能基準"], "note")
    heads = ["概念編號", "概念", "共有基準數", "職能基準", "代碼", "名稱", "工作任務", "級別",
             "比對方式", "分數"]
    ws.head(heads)
    for concept in (c for c in cw.concepts if c.kind == kind):
        count = len(concept.standards)
        for k, m in enumerate(concept.members):
            item = m.item
            ws.add([concept.id, concept.label, count, item.standard, item.code or "",
                    "／".join(item.names), "、".join(item.tasks),
                    "、".join(str(x) for x in item.levels),
                    REASONS[m.reason] if k else "—", round(m.score, 1) if k else ""])
    ws.freeze = (3, 4)  # id, concept and count stay in view
    ws.filter = (2, len(heads), ws.last)
    ws.print = Print(title_rows=(2, 2), title_columns=(1, 2),
                     header=f"職能基準比較　{label}")


def _closest(book: Workbook, standards: list[Standard], cw: Crosswalk) -> None:
    """Above LIMIT standards: each standard's closest standards per kind, with the overlap
    of all three kinds (an N×N table per kind would be millions of cells)."""
    names = {s.code: s.name for s in standards}
    overlaps = {kind: jaccard(cw, kind) for kind, _ in KINDS}
    index = {code: i for i, code in enumerate(cw.standards)}
    ws = book.sheet("兩兩比較", [Column(15), Column(18), Column(8, "center"),
                               Column(6, "center"), Column(15), Column(18),
                               *[Column(9, "center", "0.000") for _ in KINDS],
                               Column(9, "center")])
    ws.add([f"各職能基準最相近的職能基準（比較 {len(cw.standards)} 項，超過 {LIMIT} 項，"
            f"不列 N×N 表）：每項基準在知識、技能、態度各列重疊程度最高的 {CLOSEST} 項，"
            "依該類別的 Jaccard 係數由高而低（同分時共有概念多者在前）；三類的係數並列，"
            "顏色越深重疊越多"], "note")
    heads = ["職能基準", "職能基準名稱", "依此類別", "名次", "相近職能基準", "相近職能基準名稱",
             *[f"{label}（{kind}）\nJaccard" for kind, label in KINDS], "該類共有概念數"]
    ws.head(heads)
    first = ws.last + 1
    closest = {kind: o.closest(CLOSEST) for kind, o in overlaps.items()}
    for code in cw.standards:
        i = index[code]
        for kind, label in KINDS:
            near = closest[kind][code]
            values = {k: o.values(i, [index[p.b] for p in near])
                      for k, o in overlaps.items()}
            for rank, p in enumerate(near, 1):
                ws.add([code, names.get(code, ""), label, rank, p.b, names.get(p.b, ""),
                        *[round(values[k][rank - 1], 3) for k, _ in KINDS], p.shared])
    last_col = get_column_letter(6 + len(KINDS))
    if ws.last >= first:
        ws.scales.append(ColorScale(f"G{first}:{last_col}{ws.last}", 0, 1,
                                    SCALE_LOW, SCALE_HIGH))
    ws.freeze, ws.filter = (3, 2), (2, len(heads), ws.last)
    ws.print = Print(title_rows=(2, 2), title_columns=(1, 1), header="職能基準比較　兩兩比較")


def _pairs(book: Workbook, standards: list[Standard], cw: Crosswalk) -> None:
    """Jaccard overlap per kind: shared concepts / concepts of either standard."""
    codes = cw.standards
    ws = book.sheet("兩兩比較", [Column(16), *[Column(15, "center", "0.00") for _ in codes]])
    ws.add(["兩兩重疊程度（Jaccard：共有概念數 ÷ 兩者概念聯集數；0＝沒有共同項目，"
            "1＝完全相同；顏色越深重疊越多）"], "title")
    last_col = len(codes) + 1
    for kind, label in KINDS:
        ws.blank()
        ws.add([f"{label}（{kind}）"], "subtitle")
        ws.head(["", *codes])
        matrix = jaccard(cw, kind)
        first = ws.last + 1
        for i, code in enumerate(codes):
            ws.add([Cell(code, bold=True, fill="DCE3EA"), *[round(v, 3) for v in matrix[i]]])
        ws.scales.append(ColorScale(f"B{first}:{get_column_letter(last_col)}{ws.last}", 0, 1,
                                    SCALE_LOW, SCALE_HIGH))
    ws.freeze = (1, 2)
    ws.print = Print(title_columns=(1, 1), header="職能基準比較　兩兩比較")


def _tasks(book: Workbook, standards: list[Standard], cw: Crosswalk) -> None:
    ws = book.sheet("任務對照", [
        Column(15), Column(8, "center"), Column(24), Column(15), Column(8, "center"),
        Column(24), Column(10, "center"), Column(10, "center"), Column(10, "center"),
        Column(40)])
    heads = ["職能基準 A", "任務代碼 A", "工作任務 A", "職能基準 B", "任務代碼 B", "工作任務 B",
             "綜合相似度（%）", "共同概念比例（%）", "名稱相似度（%）", "共同需要的知識／技能"]
    ws.head(heads)
    seen: set[frozenset] = set()
    for m in task_matches(standards, cw):
        pair = frozenset({(m.standard, m.task.code), (m.other_standard, m.other.code)})
        if pair in seen:  # B–A after A–B: the same pair, the same scores
            continue
        seen.add(pair)
        ws.add([m.standard, m.task.code, m.task.name, m.other_standard, m.other.code,
                m.other.name, round(100 * m.score), round(100 * m.concept_score),
                round(100 * m.name_score), "；".join(m.shared)])
    if not seen:
        ws.add([Cell(f"沒有綜合相似度達 {_MINIMUM} % 的任務配對。", span=len(heads))], "note")
    ws.freeze, ws.filter = (2, 4), (1, len(heads), ws.last)
    ws.print = Print(title_rows=(1, 1), title_columns=(1, 3), header="職能基準比較　任務對照")


def _review(book: Workbook, cw: Crosswalk) -> None:
    ws = book.sheet(REVIEW, [
        Column(6, "center"), Column(15, "center"), Column(7, "center"), Column(24),
        Column(15, "center"), Column(7, "center"), Column(24), Column(7, "center"),
        Column(8, "center", fill=INPUT_FILL), Column(18, fill=INPUT_FILL),
        Column(4, hidden=True), Column(4, hidden=True)])  # the refs the reader needs
    ws.head(REVIEW_HEADERS)
    for c in cw.possible:
        ws.add([dict(KINDS)[c.a.kind], c.a.standard, c.a.code or "", "／".join(c.a.names),
                c.b.standard, c.b.code or "", "／".join(c.b.names), round(c.score, 1),
                "", "", c.a.ref, c.b.ref])
    ws.validations.append(Validation(9, 2, max(ws.last, 2), list(DECISIONS), "判定",
                                     "請選擇「相同」或「不同」；留空表示暫不判定。"))
    ws.freeze, ws.filter = (2, 2), (1, 10, ws.last)
    ws.print = Print(title_rows=(1, 1), header="職能基準比較　待確認")


def _lint(book: Workbook, findings: list[Finding]) -> None:
    ws = book.sheet("檢核", [Column(15), Column(7, "center"), Column(18), Column(18),
                           Column(70)])
    heads = ["職能基準", "嚴重度", "檢核項目", "位置", "說明"]
    ws.head(heads)
    for f in findings:
        ws.add([f.standard, SEVERITY.get(f.severity, f.severity), RULES.get(f.id, f.id),
                place_name(f.place), place_text(f.message)])
    ws.freeze, ws.filter = (2, 1), (1, len(heads), ws.last)
    ws.print = Print(title_rows=(1, 1), header="職能基準比較　資料檢核")


def place_name(place: str) -> str:
    """A place of the model as the standard calls it: 職業別, not categories.occupations."""
    if place in PLACES:
        return PLACES[place]
    return place.replace("/", " 之 ")


def place_text(message: str) -> str:
    for key in sorted((k for k in PLACES if "." in k or k == "attitudes"), key=len,
                      reverse=True):
        message = message.replace(key, PLACES[key])
    return message


def _guide(book: Workbook, cw: Crosswalk) -> None:
    """說明: what every sheet and column means, for an auditor who opens the file cold."""
    ws = book.sheet(GUIDE, [Column(16), Column(72)])
    ws.add(["職能基準比較活頁簿　說明"], "title")
    many = large(len(cw.standards))
    ws.add([f"比較的職能基準：{len(cw.standards)} 項（清單見「總覽」）" if many else
            f"比較的職能基準：{'、'.join(cw.standards)}"], "note")
    ws.blank()
    ws.head(["項目", "說明"])
    members = ("每一列是概念中的一個項目（比較超過 {LIMIT} 項職能基準時，不逐基準分欄）："
               "同一概念的項目相鄰，列出概念編號、概念、共有基準數，以及項目所屬職能基準、代碼、名稱、"
               "工作任務與級別；可用篩選選出一個概念或一項職能基準。"
               "「共有基準數」是具有此概念的基準數。").format(LIMIT=LIMIT)
    side_by_side = ("每一列是一個「概念」：各職能基準中意思相同的項目歸在同一列。"
                    "綠底表示該基準具有此概念，格內列出代碼、名稱、所屬工作任務與級別。"
                    "「共有基準數」是具有此概念的基準數。")
    closest = (f"兩項職能基準重疊的程度（Jaccard 係數）：共有概念數 ÷ 兩者概念聯集數，"
               f"0＝沒有共同項目，1＝完全相同。比較超過 {LIMIT} 項職能基準時不列 N×N 表，"
               f"改列每項基準在知識、技能、態度各自最相近的 {CLOSEST} 項基準（依該類別的係數由高而低），"
               "三類的係數並列；色階由白（0）到藍（1），顏色越深重疊越多。")
    matrix = ("兩項職能基準重疊的程度（Jaccard 係數）：共有概念數 ÷ 兩者概念聯集數，"
              "0＝沒有共同項目，1＝完全相同。色階由白（0）到藍（1），顏色越深重疊越多。")
    for term, meaning in [
        ("總覽", "每項職能基準的基本資料與項目數；「與他基準共有項目」是至少有一項其他基準具有"
                 "相同概念的知識、技能、態度數，「獨有項目」是只有該基準具有的項目數。圖表畫出這兩個數字。"),
        ("知識／技能／態度", members if many else side_by_side),
        ("比對方式", "項目如何歸入概念：「完全相同」名稱一字不差；「正規化後相同」去除全半形、"
                    "標點、空格與註記後相同；「相似」名稱相似度達自動門檻；「人工」依人工判定"
                    "（「待確認」工作表填寫後讀回的判定）。第一個項目為基準，不列比對方式。"),
        ("分數" if many else "最低分數",
         "項目與概念第一個項目的名稱相似度（0–100 分）；100 表示完全相同，分數越低越需要人工確認。"
         "第一個項目不列分數。" if many else
         "概念中各項目與第一個項目的名稱相似度（0–100 分）之最低值；100 表示完全相同，"
         "分數越低越需要人工確認。只有一個項目的概念不列分數。"),
        ("兩兩比較", closest if many else matrix),
        ("任務對照", "每項工作任務在其他職能基準中最相似的任務（每一對只列一次）。"
                    "綜合相似度（%）＝ 70 % 共同概念比例 ＋ 30 % 名稱相似度；"
                    "共同概念比例（%）是兩任務所需知識／技能中共同概念所佔比例；"
                    "名稱相似度（%）比較任務名稱的文字。"
                    f"每項任務最多列 {MATCH_TOP} 項，只列綜合相似度達 {_MINIMUM} % 者。"),
        ("待確認", "名稱相似但未達自動門檻的項目配對，請在「判定」欄選「相同」或「不同」，"
                  "必要時填寫概念名稱；留空表示暫不判定。判定讀回後，下次比較即依人工判定歸類。"),
        ("檢核", "各職能基準資料本身的問題（例如代碼跳號、名稱不一、文字疑似不完整），"
                "依嚴重度分為錯誤、警告與提示，「位置」是問題所在的代碼或欄位。"),
    ]:
        ws.add([Cell(term, bold=True), meaning])
    ws.print = Print(landscape=False, title_rows=(4, 4), header="職能基準比較　說明")


def read_review_decisions(path, known: set[str]) -> Decisions:
    """The 判定 of a filled-in 待確認 sheet; rows left empty are skipped."""
    where = str(path)
    try:
        wb = load_workbook(path, data_only=True)
    except FileNotFoundError:
        raise KmcError("找不到檔案", where) from None
    except Exception:  # openpyxl raises many kinds for files that are not workbooks
        raise KmcError("不是 Excel 活頁簿", where) from None
    if REVIEW not in wb.sheetnames:
        raise KmcError(f"沒有「{REVIEW}」工作表：不是 kmc-reports 產生的比較活頁簿", where)
    ws = wb[REVIEW]
    found = [c.value for c in ws[1][:len(REVIEW_HEADERS)]]
    if found != REVIEW_HEADERS:
        raise KmcError(f"工作表「{REVIEW}」第 1 列不是表頭（欄位是否被移動過？）", where)
    decisions = Decisions(same=[], different=[], labels={})
    for cells in ws.iter_rows(min_row=2, max_col=len(REVIEW_HEADERS)):
        value = cells[8].value
        verdict = "" if value is None else str(value).strip()
        if not verdict:
            continue
        if verdict not in DECISIONS:
            raise KmcError(f"工作表「{REVIEW}」{cells[8].coordinate}：判定「{verdict}」應為"
                           f"「相同」或「不同」", where)
        a, b = str(cells[10].value or ""), str(cells[11].value or "")
        for ref in (a, b):
            if ref not in known:
                raise KmcError(f"工作表「{REVIEW}」第 {cells[0].row} 列：項目 {ref!r} "
                               f"不在資料夾的職能基準中", where)
        getattr(decisions, DECISIONS[verdict]).append((a, b))
        label = str(cells[9].value or "").strip()
        if label and verdict == "相同":
            decisions.labels[a] = label
    return decisions
