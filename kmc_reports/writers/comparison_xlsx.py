"""The auditors' comparison workbook: standards side by side, item by item.

Every automatic decision is visible (band, score, reason) and the possible matches come
with a decision column that `kmc-reports crosswalk apply` reads back.
"""

from __future__ import annotations

from openpyxl import Workbook, load_workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.formatting.rule import ColorScaleRule
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from ..analyses.comparison import KINDS, jaccard, overview, shared_unique, task_matches
from ..analyses.crosswalk import Crosswalk, Decisions
from ..analyses.lint import Finding
from ..errors import KmcError
from ..model import Standard
from .xlsx import BORDER, CENTER, INPUT_FILL, WRAP, fill, header, print_setup, save, table, \
    text, validation, widths

PRESENT = fill("E2EFDA")
REVIEW = "待確認"
REVIEW_HEADERS = ["類別", "職能基準 A", "代碼 A", "名稱 A", "職能基準 B", "代碼 B", "名稱 B",
                  "分數", "判定", "概念名稱（選填）", "ref A", "ref B"]
DECISIONS = {"相同": "same", "不同": "different"}
SEVERITY = {"error": "錯誤", "warning": "警告", "info": "提示"}
BANDS = {"auto": "自動", "manual": "人工"}
REASONS = {"exact": "完全相同", "normalised": "正規化後相同", "fuzzy": "相似", "manual": "人工"}


def write_comparison_xlsx(standards: list[Standard], cw: Crosswalk,
                          findings: list[Finding]) -> bytes:
    wb = Workbook()
    _overview(wb.active, standards, cw)
    for kind, label in KINDS:
        _concepts(wb.create_sheet(label), standards, cw, kind)
    _pairs(wb.create_sheet("兩兩比較"), cw)
    _tasks(wb.create_sheet("任務對照"), standards, cw)
    _review(wb.create_sheet(REVIEW), cw)
    _lint(wb.create_sheet("檢核"), findings)
    return save(wb, "職能基準比較")


def _row(ws, row: int, values: list, center: set[int] = frozenset()) -> None:
    for col, value in enumerate(values, 1):
        cell = text(ws.cell(row, col), value)
        cell.border = BORDER
        cell.alignment = CENTER if col in center else WRAP


def _overview(ws, standards: list[Standard], cw: Crosswalk) -> None:
    ws.title = "總覽"
    heads = ["職能基準代碼", "名稱", "級別", "職類別", "職業別", "行業別", "最新版本",
             "發展更新日期", "主要職責", "工作任務", "行為指標", "知識(K)", "技能(S)", "態度(A)",
             "與他基準共有項目", "獨有項目"]
    header(ws, 1, heads)
    counts = shared_unique(cw)
    for row, std in enumerate(standards, 2):
        o = overview(std)
        v = o.version
        cats = std.categories
        _row(ws, row, [
            std.code, std.name, std.level_label,
            "、".join(f"{c.name}（{c.code}）" for c in cats.job_categories),
            "、".join(f"{c.name}（{c.code}）" for c in cats.occupations),
            "、".join(f"{c.name}（{c.code}）" for c in cats.industries),
            v.version, v.date, o.duties, o.tasks, o.indicators,
            o.counts["K"], o.counts["S"], o.counts["A"], *counts[std.code]],
            center=set(range(3, 17)) - {4, 5, 6})
    last = len(standards) + 1
    widths(ws, [15, 18, 6, 20, 20, 26, 8, 12, 8, 8, 8, 8, 8, 8, 10, 9])
    table(ws, 1, last, len(heads), freeze_col=2)
    print_setup(ws, 1)
    chart = BarChart()
    chart.type, chart.grouping, chart.overlap = "col", "stacked", 100
    chart.title = "各職能基準與他基準共有／獨有的項目數"
    chart.y_axis.title, chart.x_axis.title = "項目數", "職能基準"
    chart.add_data(Reference(ws, min_col=15, max_col=16, min_row=1, max_row=last),
                   titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=last))
    chart.height, chart.width = 9, 22
    ws.add_chart(chart, f"B{last + 3}")


def _concepts(ws, standards: list[Standard], cw: Crosswalk, kind: str) -> None:
    codes = [s.code for s in standards]
    names = {s.code: s.name for s in standards}
    heads = ["概念編號", "概念", "共有基準數", *[f"{c}\n{names[c]}" for c in codes],
             "比對方式", "最低分數"]
    header(ws, 1, heads)
    ws.row_dimensions[1].height = 32
    row = 1
    for concept in (c for c in cw.concepts if c.kind == kind):
        row += 1
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
        _row(ws, row, [concept.id, concept.label, len(concept.standards),
                       *["\n".join(cells.get(c, [])) for c in codes], how,
                       round(low, 1) if low is not None else ""],
             center={1, 3, len(heads)})
        for i, c in enumerate(codes, 4):
            if c in cells:
                ws.cell(row, i).fill = PRESENT
    widths(ws, [9, 20, 8, *[24] * len(codes), 12, 8])
    table(ws, 1, row, len(heads), freeze_col=4)  # id, concept and count stay in view
    print_setup(ws, 1)


def _pairs(ws, cw: Crosswalk) -> None:
    """Jaccard overlap per kind: shared concepts / concepts of either standard."""
    codes = cw.standards
    row = 1
    text(ws.cell(row, 1), "兩兩重疊程度（Jaccard：共有概念數 ÷ 兩者概念聯集數）").font = \
        Font(bold=True, size=12)
    for kind, label in KINDS:
        row += 2
        text(ws.cell(row, 1), f"{label}（{kind}）").font = Font(bold=True)
        header(ws, row + 1, ["", *codes])
        matrix = jaccard(cw, kind)
        for i, code in enumerate(codes):
            r = row + 2 + i
            header(ws, r, [code])
            for j, value in enumerate(matrix[i], 2):
                cell = ws.cell(r, j, round(value, 3))
                cell.number_format, cell.border, cell.alignment = "0.00", BORDER, CENTER
        first, last = row + 2, row + 1 + len(codes)
        ws.conditional_formatting.add(
            f"B{first}:{get_column_letter(len(codes) + 1)}{last}",
            ColorScaleRule(start_type="num", start_value=0, start_color="FFFFFF",
                           end_type="num", end_value=1, end_color="5B9BD5"))
        row = last
    widths(ws, [16, *[15] * len(codes)])
    ws.freeze_panes = "B1"
    print_setup(ws, None)


def _tasks(ws, standards: list[Standard], cw: Crosswalk) -> None:
    heads = ["職能基準", "任務代碼", "工作任務", "相似職能基準", "相似任務代碼", "相似工作任務",
             "綜合分數", "共同概念比例", "名稱相似度", "共同需要的知識／技能"]
    header(ws, 1, heads)
    row = 1
    for m in task_matches(standards, cw):
        row += 1
        _row(ws, row, [m.standard, m.task.code, m.task.name, m.other_standard, m.other.code,
                       m.other.name, round(100 * m.score), round(100 * m.concept_score),
                       round(100 * m.name_score), "；".join(m.shared)],
             center={1, 2, 4, 5, 7, 8, 9})
    widths(ws, [15, 8, 24, 15, 8, 24, 8, 9, 9, 40])
    table(ws, 1, row, len(heads), freeze_col=4)
    print_setup(ws, 1)


def _review(ws, cw: Crosswalk) -> None:
    header(ws, 1, REVIEW_HEADERS)
    row = 1
    for c in cw.possible:
        row += 1
        _row(ws, row, [dict(KINDS)[c.a.kind], c.a.standard, c.a.code or "", "／".join(c.a.names),
                       c.b.standard, c.b.code or "", "／".join(c.b.names), round(c.score, 1),
                       "", "", c.a.ref, c.b.ref], center={1, 2, 3, 5, 6, 8, 9})
        for col in (9, 10):
            ws.cell(row, col).fill = INPUT_FILL
    widths(ws, [6, 15, 7, 24, 15, 7, 24, 7, 8, 18, 4, 4])
    for col in ("K", "L"):  # the refs the reader needs, out of the way
        ws.column_dimensions[col].hidden = True
    validation(ws, 9, 2, max(row, 2), list(DECISIONS), "判定",
               "請選擇「相同」或「不同」；留空表示暫不判定。")
    table(ws, 1, row, 10, freeze_col=2)
    print_setup(ws, 1)


def _lint(ws, findings: list[Finding]) -> None:
    heads = ["職能基準", "嚴重度", "規則", "位置", "說明"]
    header(ws, 1, heads)
    for row, f in enumerate(findings, 2):
        _row(ws, row, [f.standard, SEVERITY.get(f.severity, f.severity), f.id, f.place,
                       f.message], center={2})
    widths(ws, [15, 7, 18, 20, 80])
    table(ws, 1, len(findings) + 1, len(heads))
    print_setup(ws, 1)


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
