"""The rest of the iCAP course report (職能導向課程規劃與執行報告書), drafted from the plan:
the cover's choices, 表6 教材與教學資源, 表7 師資條件, 表11's list of evidence and 表12 課程結訓標準.
表9 and 表10 are blank forms the template prints with the unit names; they need no data.

Pure and deterministic: every function reads only the plan.  Names follow the rule of names
to print (``views.printable``): a unit's work is its title when that is a name, else
「本單元工作任務」 (a unit titled 「主要職責 T1」 because the source names nothing); outputs
without a printable name are left out of the lists.  ``report_tables(plan)`` gathers
them in one object the syllabus template reads (``course_report`` in its context).

Cover.  職能依據: 職能基準 when the course covers its standards whole (the spec selects no
tasks and nothing is left out), else 職能單元 (a course on some units of a standard).
課程類型: 模組課程 when the spec groups units into modules, else 單一課程.  辦理方式: the spec's
delivery (實體／線上／混成).

表6 教材, per unit (each a line the designer edits):
  自編講義 on its K: those it teaches first (講授) by code and name, those it applies again
    (複習) by code,
  演練教材 (situation and steps) for its S, in the same way,
  案例教材 when its methods include 案例,
  範例與空白範本 of each of its work outputs,
  評量工具 named after its assessments (知識測驗卷, 實作檢核表, 作業評量題目 …),
  and a blank line for 選用教材 (book, author, publisher).
表6 教學資源／設備: fixed options (``EQUIPMENT``), ticked by these rules only —
  電腦與投影設備: always (every unit is taught, shown or presented in class);
  網路連線: the course is 線上 or 混成, or the unit's K/S/outputs name digital work
    (``DIGITAL`` words: 數位, 網路, 社群, 電子, 軟體, 系統, 科技, AI);
  線上學習平台: the course is 線上 or 混成;
  學員電腦與文書軟體: the unit has work outputs (documents the learners produce);
  分組演練空間（白板、海報紙）: its methods include 演練, 討論, 專題 or 協同;
  實作場地與器材: its tasks, S or outputs name on-site work (``ON_SITE`` words: 現場, 場地,
    報到, 佈置／布置, 器材, 設備, 設置);
  其他: never (a blank to fill).

表7 師資條件, per unit: 授課講師 (knowledge: up to ``NAMES`` of the K it teaches first, else
its K; skills to demonstrate: up to ``NAMES`` of its S, those it teaches first before those
it applies; years of practice in the unit's work left blank ＿＿, able to bring learners to the
unit's level; teaching hours blank), 評量人員 (its assessment tools and indicator codes; the
teacher or someone with ＿＿ years of practice), 助教 (needed — ticked — when its methods
include 演練, 專題 or 協同: practice in groups).  Head counts are blanks.

表11 佐證資料, per unit, as boxes to tick after the course: the class record (簽到表, 教學活動
照片, 教材講義, 學員意見回饋表), the record of each of its ways of assessment, and its work
outputs as the learners' work when it has 作業評量.

表12 課程結訓標準, from the assessments the units actually use (``PASS`` holds the figures,
which the designer may edit in the document): attendance at least 80 % of the course hours;
測驗 at least 60 of 100; 實作評量 with 檢核表: at least 80 % of the checklist items achieved
(態度 observed on the same checklist); 作業評量: handed in and at least 60; 口頭報告: at least
60; 其他: the designer's rule (blank).  A learner completes the course when every row is
met; a unit not passed may be re-assessed once (the days left blank).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from ..views import bare, names
from .syllabus import ASSESSMENTS, TAUGHT, Item, Plan, Unit

BLANK = "＿＿"
LINE = "＿＿＿＿＿＿＿＿"
NAMES = 4  # K or S names a teacher requirement lists before 「等」
EQUIPMENT = ("電腦與投影設備", "網路連線", "線上學習平台", "學員電腦與文書軟體",
             "分組演練空間（白板、海報紙）", "實作場地與器材")
DIGITAL = ("數位", "網路", "社群", "電子", "軟體", "系統", "科技", "AI")
ON_SITE = ("現場", "場地", "報到", "佈置", "布置", "器材", "設備", "設置")
GROUP_METHODS = ("演練", "討論", "專題", "協同")
ASSISTED_METHODS = ("演練", "專題", "協同")
# 表12's default figures (percent, score out of 100)
PASS = {"attendance": 80, "test": 60, "checklist": 80, "assignment": 60, "oral": 60}
TOOL_NAMES = {"測驗卷": "知識測驗卷", "檢核表": "實作檢核表", "評量題目": "作業評量題目",
              "意見回饋表": "意見回饋表", "其他": "其他評量工具"}


@dataclass
class Choice:
    """One option of a form's check boxes."""

    label: str
    on: bool


@dataclass
class Material:
    kind: str  # 自編講義 | 演練教材 | 案例教材 | 範例與範本 | 評量工具 | 選用教材
    text: str


@dataclass
class Resources:
    """表6 for one unit."""

    unit: Unit
    materials: list[Material]
    equipment: list[Choice]  # EQUIPMENT in order; 其他 is the template's blank


@dataclass
class Staff:
    """One row of 表7: who, what they must bring (lines with ＿＿ blanks), and whether the unit
    needs them (None: always)."""

    role: str  # 授課講師 | 評量人員 | 助教
    lines: list[str]
    needed: bool | None = None


@dataclass
class Teachers:
    """表7 for one unit."""

    unit: Unit
    staff: list[Staff]


@dataclass
class Evidence:
    """表11 for one unit: the evidence to keep, as boxes to tick after the course, in lines:
    the class record, the assessment record, the learners' work (when there is any)."""

    unit: Unit
    lines: list[list[str]]


@dataclass
class Criterion:
    """One row of 表12."""

    method: str  # 出席 | an assessment method
    tool: str
    standard: str
    units: list[int]  # 1-based unit numbers (表2's order)
    scope: str = ""  # the units as printed: 全部單元, or 單元 1–3、5


@dataclass
class Completion:
    """表12 課程結訓標準."""

    criteria: list[Criterion]
    rule: str  # how the rows combine, with the re-assessment


@dataclass
class ReportTables:
    basis: list[Choice]  # 職能依據
    course_type: list[Choice]  # 課程類型
    delivery: list[Choice]  # 辦理方式
    resources: list[Resources] = field(default_factory=list)  # 表6, one per unit
    teachers: list[Teachers] = field(default_factory=list)  # 表7, one per unit
    evidence: list[Evidence] = field(default_factory=list)  # 表11, one per unit
    completion: Completion | None = None  # 表12


def report_tables(plan: Plan) -> ReportTables:
    """Everything the course report drafts besides 表1–表5 and 表8 (see the module docstring)."""
    return ReportTables(
        basis=basis(plan), course_type=course_type(plan), delivery=delivery(plan),
        resources=[resources(u, plan) for u in plan.units],
        teachers=[teachers(u) for u in plan.units],
        evidence=[evidence(u) for u in plan.units],
        completion=completion(plan))


# -- cover -------------------------------------------------------------------------------

def basis(plan: Plan) -> list[Choice]:
    whole = not plan.spec.tasks and not plan.left_out
    return [Choice("職能基準", whole), Choice("職能單元", not whole), Choice("自行職能分析", False)]


def course_type(plan: Plan) -> list[Choice]:
    return [Choice("單一課程", not plan.modules), Choice("模組課程", bool(plan.modules))]


def delivery(plan: Plan) -> list[Choice]:
    return [Choice(d, d == plan.spec.delivery) for d in ("實體", "線上", "混成")]


# -- 表6 ---------------------------------------------------------------------------------

def _coded(xs: list[Item]) -> str:
    return "、".join(f"{x.code} {bare(x.name)}" if x.code else bare(x.name) for x in xs)


def _about(unit: Unit) -> str:
    """The unit's work in running text: its title when that is a name, else general words
    (a unit titled 「主要職責 T1」 because the source names nothing; see ``views``)."""
    return unit.name if unit.named else "本單元工作任務"


def _outputs(unit: Unit) -> str:
    """Its work outputs' printable names (placeholders left out), bare, with 「、」."""
    return "、".join(names(o.name for o in unit.outputs))


def _taught_and_applied(xs: list[Item], lead: str = "") -> str:
    """「講授 K01 名稱、K02 名稱；複習 K03、K04」: what the unit teaches first by code and name,
    what it applies again by code only (an earlier unit's material names it)."""
    taught = [x for x in xs if x.role == TAUGHT]
    applied = [x for x in xs if x.role != TAUGHT]
    parts = [lead + _coded(taught)] if taught else []
    if applied:
        parts.append("複習 " + "、".join(x.code or x.name for x in applied))
    return "；".join(parts)


def _quoted(xs: list[Item], limit: int = NAMES) -> str:
    """「A」、「B」… up to ``limit`` names, then 等."""
    found = names(x.name for x in xs)
    text = "、".join(f"「{n}」" for n in found[:limit])
    return text + ("等" if len(found) > limit else "")


def _taught_first(xs: list[Item]) -> list[Item]:
    return [x for x in xs if x.role == TAUGHT] + [x for x in xs if x.role != TAUGHT]


def _has(words: tuple[str, ...], texts: list[str]) -> bool:
    return any(w in t for w in words for t in texts)


def tools(unit: Unit) -> list[str]:
    """The unit's assessment tools as 表6/表11 name them (態度 observed on the checklist)."""
    out = []
    for a in unit.assessments:
        name = TOOL_NAMES.get(a.tool, a.tool)
        if name not in out:
            out.append(name)
    return out


def resources(unit: Unit, plan: Plan) -> Resources:
    materials = []
    if unit.knowledge:
        materials.append(Material("自編講義", _taught_and_applied(unit.knowledge, "講授 ")))
    if unit.skills:
        materials.append(Material("演練教材", f"情境說明與操作步驟（{_taught_and_applied(unit.skills)}）"))
    if "案例" in unit.methods:
        materials.append(Material("案例教材", f"{_about(unit)}實務案例{BLANK}則"))
    if _outputs(unit):
        materials.append(Material("範例與範本", f"{_outputs(unit)}之範例與空白範本"))
    if unit.assessments:
        attitude = any("態度" in a.focus for a in unit.assessments)
        names = [n + ("（含態度觀察項目）" if attitude and n == "實作檢核表" else "")
                 for n in tools(unit)]
        materials.append(Material("評量工具", "、".join(names)))
    materials.append(Material("選用教材", f"{LINE}（書名、作者、出版者）"))

    online = plan.spec.delivery in ("線上", "混成")
    items = [x.name for x in unit.knowledge + unit.skills + unit.outputs]
    site = [x.name for x in unit.tasks + unit.skills + unit.outputs]
    ticked = {
        "電腦與投影設備": True,
        "網路連線": online or _has(DIGITAL, items),
        "線上學習平台": online,
        "學員電腦與文書軟體": bool(unit.outputs),
        "分組演練空間（白板、海報紙）": any(m in unit.methods for m in GROUP_METHODS),
        "實作場地與器材": _has(ON_SITE, site),
    }
    return Resources(unit, materials, [Choice(e, ticked[e]) for e in EQUIPMENT])


# -- 表7 ---------------------------------------------------------------------------------

def teachers(unit: Unit) -> Teachers:
    knowledge = [k for k in unit.knowledge if k.role == TAUGHT] or unit.knowledge
    skills = _taught_first(unit.skills)
    teacher = []
    if knowledge:
        teacher.append(f"專業知識：具備{_quoted(knowledge)}專業知識。")
    practice = f"實務經驗：具{_about(unit)}相關實務經驗{BLANK}年以上"
    if skills:
        practice += f"，能示範{_quoted(skills)}技能"
    teacher.append(practice + f"，並指導學員達到職能級別 {unit.level} 之表現。")
    teacher.append(f"教學經驗：具相關課程授課經驗{BLANK}小時以上。")
    teacher.append(f"其他條件：{LINE}")
    codes = [p.code for p in unit.indicators]
    judge = f"，能依行為指標 {'、'.join(codes)} 判定學員表現" if codes else ""
    assessor = [f"熟悉本單元評量工具（{'、'.join(tools(unit))}）{judge}。",
                f"由授課講師擔任，或具{_about(unit)}相關實務經驗{BLANK}年以上者擔任。"]
    hands_on = [m for m in unit.methods if m in ASSISTED_METHODS]
    assistant = [f"協助{'、'.join(hands_on) if hands_on else '課堂活動'}之分組進行、器材準備與評量紀錄。",
                 f"具{_about(unit)}相關基礎知識，或曾完成本課程者。"]
    return Teachers(unit, [Staff("授課講師", teacher), Staff("評量人員", assessor),
                           Staff("助教", assistant, bool(hands_on))])


# -- 表11 --------------------------------------------------------------------------------

def evidence(unit: Unit) -> Evidence:
    methods = {a.method for a in unit.assessments}
    record = [name for method, name in (("測驗", "測驗卷與成績紀錄"), ("實作評量", "實作檢核表紀錄"),
                                        ("作業評量", "作業評量紀錄"), ("口頭報告", "口頭報告評分紀錄"))
              if method in methods]
    lines = [["簽到表", "教學活動照片", "教材講義", "學員意見回饋表"]]
    if record:
        lines.append(record)
    if "作業評量" in methods and _outputs(unit):
        lines.append([f"學員作品：{_outputs(unit)}"])
    return Evidence(unit, lines)


# -- 表12 --------------------------------------------------------------------------------

def completion(plan: Plan) -> Completion:
    """One row for attendance and one per (method, tool) the units use, in form order."""
    n = len(plan.units)
    least = math.ceil(plan.total_hours * PASS["attendance"] / 100 * 2) / 2
    rows = [Criterion("出席", "簽到表",
                      f"出席時數達課程總時數 {PASS['attendance']}% 以上（{plan.total_hours:g} 小時中"
                      f"至少 {least:g} 小時）", list(range(1, n + 1)))]
    used: dict[tuple[str, str], list[int]] = {}
    attitude: set[tuple[str, str]] = set()
    for i, u in enumerate(plan.units, 1):
        for a in u.assessments:
            units = used.setdefault((a.method, a.tool), [])
            if i not in units:
                units.append(i)
            if "態度" in a.focus:
                attitude.add((a.method, a.tool))
    order = {m: i for i, m in enumerate(ASSESSMENTS)}
    for (method, tool), units in sorted(used.items(), key=lambda kv: order.get(kv[0][0], 99)):
        rows.append(Criterion(method, tool, _standard(method, tool, (method, tool) in attitude),
                              units))
    for row in rows:
        row.scope = "全部單元" if len(row.units) == n else f"單元 {_ranges(row.units)}"
    rule = (f"以上各項均達標準者，始得結訓；單元評量未達標準者，得於{BLANK}日內補考（補評）"
            f"一次，補考（補評）仍未達標準者不予結訓。")
    return Completion(rows, rule)


def _ranges(numbers: list[int]) -> str:
    """[1, 2, 3, 5] → 「1–3、5」."""
    runs: list[list[int]] = []
    for x in sorted(numbers):
        if runs and x == runs[-1][-1] + 1:
            runs[-1].append(x)
        else:
            runs.append([x])
    return "、".join(f"{r[0]}–{r[-1]}" if len(r) > 2 else "、".join(map(str, r)) for r in runs)


def _standard(method: str, tool: str, attitude: bool) -> str:
    if method == "測驗":
        return f"各單元測驗成績達 {PASS['test']} 分以上（滿分 100 分）"
    if method == "實作評量" and tool == "檢核表":
        text = f"各單元實作檢核表之項目達成比率達 {PASS['checklist']}% 以上"
        return text + "（態度觀察項目併同評定）" if attitude else text
    if method == "實作評量":
        return f"各單元實作評量成績達 {PASS['test']} 分以上（滿分 100 分）"
    if method == "作業評量":
        return f"各單元作業於期限內繳交，評量成績達 {PASS['assignment']} 分以上（滿分 100 分）"
    if method == "口頭報告":
        return f"口頭報告評分達 {PASS['oral']} 分以上（滿分 100 分）"
    return f"評量標準：{LINE}"
