"""The team's gap workbook (職能落差分析): people × tasks as a heat map, every rating in a
filterable table, the most common gaps, the K/S most people need and the suggested team
course — for HR staff who sort, filter and print it.

Scores are numbers (two decimals shown), never text, so a person can sort and average them;
a task below the bar is also bold, so the map reads in black and white too.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl.utils import get_column_letter

from ..analyses.gaps import TeamGaps
from ..model import Standard
from ..analyses.gaps import TEAM_SHARE
from ..views import RATING_SCALE, named
from ..workbook import BarChart, Cell, Column, ColorScale, Print, Workbook
from .xlsx import write_workbook

GUIDE, MAP, DETAIL, COMMON, NEEDS, COURSE = ("說明", "落差熱度圖", "評分明細", "常見落差",
                                             "學習需求", "建議課程")
LOW, MID, HIGH = "F8696B", "FFEB84", "63BE7B"  # red below the bar, yellow at it, green above
SCORE = "0.00"
KINDS = {"K": "知識", "S": "技能"}


def write_gap_xlsx(team: TeamGaps, std: Standard, plan, files: list[str], bar: str,
                   course_tasks: list[str], plan_file: str) -> bytes:
    return write_workbook(gap_workbook(team, std, plan, files, bar, course_tasks, plan_file))


def gap_workbook(team: TeamGaps, std: Standard, plan, files: list[str], bar: str,
                 course_tasks: list[str], plan_file: str) -> Workbook:
    book = Workbook(f"{std.name} 團隊職能落差分析")
    header = f"{std.code} {std.name}　團隊職能落差分析"
    _guide(book, team, std, files, bar, course_tasks, header)
    _heat_map(book, team, header)
    _detail(book, team, header)
    _common(book, team, header)
    _needs(book, team, header)
    _course(book, plan, course_tasks, plan_file, header)
    return book


def _score(value: float | None):
    return "" if value is None else round(value, 2)


def _result(task) -> str:
    return "未評" if not task.rated else "落差" if task.gap else "達成"


def _heat_map(book: Workbook, team: TeamGaps, header: str) -> None:
    tasks = [t for d in team.duties for t in d.tasks]
    counts = dict((t.code, n) for t, n in team.common_gaps)
    fixed = 3
    ws = book.sheet(MAP, [Column(14), Column(8, "center", SCORE), Column(8, "center"),
                          *[Column(10, "center", SCORE) for _ in tasks]])
    ws.head(["受評者", "採計分數", "落差任務數", *[f"{t.code}\n{t.name}" for t in tasks]])
    first = ws.last + 1
    for pg in team.people:
        ws.add([pg.person, _score(pg.score.value), len(pg.gaps),
                *[Cell(_score(t.score.value), bold=t.gap or None) for t in pg.tasks]])
    last = ws.last
    if last >= first:
        scale = {"low": 1, "high": 5, "low_color": LOW, "high_color": HIGH,
                 "mid": team.bar.required, "mid_color": MID}
        ws.scales.append(ColorScale(f"B{first}:B{last}", **scale))
        if tasks:
            ws.scales.append(ColorScale(f"{get_column_letter(fixed + 1)}{first}:"
                                        f"{get_column_letter(fixed + len(tasks))}{last}",
                                        **scale))
    ws.add([Cell("團隊平均", bold=True), _score(team.score.value if team.score else None), "",
            *[_score(t.score.value) for t in tasks]], "total")
    ws.add([Cell("落差人數", bold=True), "", sum(len(p.gaps) for p in team.people),
            *[Cell(counts.get(t.code, 0), number_format="0") for t in tasks]], "total")
    ws.freeze, ws.filter = (2, fixed + 1), (1, fixed + len(tasks), last)
    ws.print = Print(title_rows=(1, 1), title_columns=(1, 1), header=f"{header}　{MAP}")


def _detail(book: Workbook, team: TeamGaps, header: str) -> None:
    ws = book.sheet(DETAIL, [Column(14), Column(18), Column(8, "center"), Column(28),
                             Column(6, "center"), *[Column(9, "center", SCORE)
                                                    for _ in range(2)],
                             Column(9, "center", "+0.00;-0.00;0.00"),
                             Column(9, "center", SCORE), Column(7, "center")])
    heads = ["受評者", "主要職責", "任務代碼", "工作任務", "級別", "自評", "主管評分",
             "差異", "採計分數", "結果"]
    ws.head(heads)
    for pg in team.people:
        for d in pg.duties:
            for t in d.tasks:
                s = t.score
                ws.add([pg.person, f"{d.code} {d.name}", t.code, t.name, _level(t),
                        _score(s.self), _score(s.supervisor), _score(s.diff), _score(s.value),
                        Cell(_result(t), bold=t.gap or None)])
    ws.freeze, ws.filter = (2, 2), (1, len(heads), ws.last)
    ws.print = Print(title_rows=(1, 1), title_columns=(1, 1), header=f"{header}　{DETAIL}")


def _level(t) -> int | str:
    """A task's level as a number, as the course sheet has it (Excel flags numbers stored as
    text); the printed label where the source gives no single level (「34」)."""
    return t.level if t.level is not None else t.level_label


def _common(book: Workbook, team: TeamGaps, header: str) -> None:
    size = max(len(team.people), 1)
    ws = book.sheet(COMMON, [Column(6, "center"), Column(8, "center"), Column(30),
                             Column(20), Column(6, "center"), Column(10, "center", SCORE),
                             Column(10, "center"), Column(10, "center", "0%")])
    heads = ["排序", "任務代碼", "工作任務", "主要職責", "級別", "團隊平均", "落差人數", "落差比例"]
    ws.head(heads)
    duties = {d.code: d.name for d in team.duties}
    for rank, (t, count) in enumerate(team.common_gaps, 1):
        ws.add([rank, t.code, t.name, f"{t.duty} {duties.get(t.duty, '')}".strip(),
                _level(t), _score(t.score.value), count, count / size])
    last = ws.last
    if last > 1:
        ws.scales.append(ColorScale(f"H2:H{last}", 0, 1, "FFFFFF", LOW))
        ws.charts.append(BarChart("各工作任務未達門檻的人數", "工作任務", "人數（人）", (7, 7), 1,
                                  last, category_column=2))
    ws.freeze, ws.filter = (2, 3), (1, len(heads), last)
    ws.print = Print(title_rows=(1, 1), header=f"{header}　{COMMON}")


def _needs(book: Workbook, team: TeamGaps, header: str) -> None:
    size = max(len(team.people), 1)
    ws = book.sheet(NEEDS, [Column(6, "center"), Column(6, "center"), Column(7, "center"),
                            Column(30), Column(24), Column(10, "center"),
                            Column(10, "center", "0%")])
    heads = ["排序", "類別", "代碼", "名稱", "需要的工作任務", "需要人數", "比例"]
    ws.head(heads)
    for rank, n in enumerate(team.needs, 1):
        ws.add([rank, KINDS.get(n.kind, n.kind), n.code, n.label or n.name, "、".join(n.tasks),
                n.people,
                n.people / size])
    if ws.last > 1:
        ws.scales.append(ColorScale(f"G2:G{ws.last}", 0, 1, "FFFFFF", LOW))
    ws.freeze, ws.filter = (2, 4), (1, len(heads), ws.last)
    ws.print = Print(title_rows=(1, 1), header=f"{header}　{NEEDS}")


def _course(book: Workbook, plan, course_tasks: list[str], plan_file: str,
            header: str) -> None:
    ws = book.sheet(COURSE, [Column(6, "center"), Column(26), Column(30), Column(7, "center"),
                             Column(22), Column(22), Column(8, "center", "0.0")])
    if plan is None:
        ws.add(["沒有工作任務達到排入團隊課程的人數，不另安排團隊課程。"], "note")
        ws.print = Print(header=f"{header}　{COURSE}")
        return
    ws.add([f"{plan.spec.name}：{len(plan.units)} 個單元、{plan.total_hours:g} 小時，"
            f"課程職能級別 {plan.level}；涵蓋 {'、'.join(course_tasks)}。"
            f"完整課程規劃見 {plan_file}"], "note")
    ws.head(["單元", "單元名稱", "對應工作任務", "級別", "講授的知識、技能", "應用的知識、技能",
             "時數"])
    head = ws.last
    for i, u in enumerate(plan.units, 1):
        items = u.knowledge + u.skills
        ws.add([i, u.name, "\n".join(f"{t.code} {t.name}" for t in u.tasks), u.level,
                "、".join(x.code for x in items if x.role == "講授"),
                "、".join(x.code for x in items if x.role == "應用"), u.hours])
    ws.add(["", Cell("合計", bold=True), "", "", "", "", plan.total_hours], "total")
    ws.freeze = (head + 1, 3)
    ws.print = Print(title_rows=(head, head), header=f"{header}　{COURSE}")


def _guide(book: Workbook, team: TeamGaps, std: Standard, files: list[str], bar: str,
           course_tasks: list[str], header: str) -> None:
    """說明: what every sheet, column and colour means, for HR staff who open the file cold."""
    version = std.latest_version()
    ws = book.sheet(GUIDE, [Column(16), Column(76)])
    ws.add([f"{std.name} 團隊職能落差分析　說明"], "title")
    ws.add([f"職能基準：{named(std.code, std.name, version.printed_version, version.printed_date)}；"
            f"受評 {len(team.people)} 人"], "note")
    names = [Path(f).name for f in files]
    ws.add([f"評分來源：{'、'.join(names) if len(names) <= 6 else f'{len(names)} 個檔案'}"],
           "note")
    ws.blank()
    ws.head(["項目", "說明"])
    head = ws.last
    scale = "；".join(f"{s}＝{label}" for s, label in RATING_SCALE)
    for term, meaning in [
        ("評分量尺", f"{scale}。每項行為指標由受評者自評，並可由直屬主管評分。"),
        ("落差門檻", f"{bar}。工作任務、主要職責與整體的分數，都是其所屬行為指標評分的平均。"),
        (MAP, "每一列是一位受評者，每一欄是一項工作任務，格內為採計分數。顏色由紅（1 分）經黃"
              f"（門檻 {team.bar.required:g} 分）到綠（5 分）；未達門檻的分數另以粗體標示，"
              "黑白列印也能辨識；空白表示未評分。表尾列出團隊平均與每項任務的落差人數。"
              "可用篩選依受評者或分數排序。"),
        (DETAIL, "每位受評者每項工作任務一列：自評、主管評分、差異（主管評分－自評，正值表示"
                 "主管評價較高）、採計分數與結果（達成、落差、未評）。可依任何欄篩選。"),
        (COMMON, "各工作任務未達門檻的人數，由多至少排列；團隊平均是受評者採計分數的平均，"
                 "落差比例＝落差人數 ÷ 受評人數（顏色越紅比例越高）。圖表畫出落差人數。"),
        (NEEDS, "落差任務所需的知識（K）與技能（S），依需要的人數由多至少排列：每位受評者"
                "只要有一項落差任務需要該項目，即計為需要一人。這是規劃訓練的學習需求。"),
        (COURSE, f"以職能導向課程規劃的方式，將至少 {round(100 * TEAM_SHARE)}% 受評者（至少一人）"
                 "未達門檻的工作任務"
                 f"排成團隊課程{'（' + '、'.join(course_tasks) + '）' if course_tasks else ''}："
                 "單元、對應任務、講授與應用的知識技能及時數；完整的課程規劃草案另存為同名的"
                 "課程規劃文件（-syllabus），可由課程設計人員開啟後補充完成。"),
    ]:
        ws.add([Cell(term, bold=True), meaning])
    ws.print = Print(landscape=False, title_rows=(head, head), header=f"{header}　{GUIDE}")
