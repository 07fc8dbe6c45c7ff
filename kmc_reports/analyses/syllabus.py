"""Syllabus planning: standard(s) + course spec → the design part of an iCAP course report
(職能導向課程規劃與執行報告書, 表1–表5 and 表8), as plain data the documents print.

Pure and deterministic: the same standards, spec and exclusions give an equal plan.

Knowledge and skills.  Every unit carries every K and S its tasks need.  The first unit (in
course order) that needs an item teaches it (講授); later units apply it again (應用).  A code
printed with several names in the standard is one item showing all of them.

Hours follow the work.  Each unit proposed (not fixed by ``spec.hours``) weighs

    w = (P·1 + O·1 + K/S taught·1/4 + K/S applied·1/20 + ways·1/2) × (3 + L) / 6

P: its behaviour indicators; O: its work outputs; K/S taught: the items it teaches first,
K/S applied: the items it applies again (a fifth of the weight of first teaching); ways: its
ways of assessment (測驗, 實作評量, 作業評量 — the attitude observation shares the practice
checklist); L: its level (a level-4 unit gets 7/6 of the time of an otherwise equal level-3
unit).  ``WEIGHTS`` holds these figures; the syllabus prints them.

A unit needs at least ``minimum_hours``: 30 minutes of teaching plus 15 minutes per way of
assessment, rounded up to the half hour, and never less than ``spec.min_unit_hours`` (a unit
assessed three ways: 1.5 h).  Hours left after the fixed units are split in proportion to w
in half-hour steps: a unit whose share falls below its minimum gets the minimum and the rest
is split again; the others get the floor of their share and the half hours still left go to
the largest remainders (ties: course order).  So units add up to ``total_hours`` exactly.  When
the total cannot give every unit its assessments' minimum, units fall back to
``spec.min_unit_hours`` and the check says which units are short.

Outline (表4).  A unit's time is split over numbered topics in 5-minute steps: 知識主題 (its
K), 技能演練 (its S, practising its indicators), 實作產出 (its outputs) by the same weights,
and 學習評量 with 15 minutes per way of assessment.

Methods and assessment (表5, 表8), by item kind and unit level L:
  K → 講述, + 案例 at L ≥ 4; assessed by 測驗 with 測驗卷.
  S and indicators → 示範 + 演練, + 專題 at L ≥ 4; assessed by 實作評量 with 檢核表
    (observation checklist), which names the unit's P and S codes.
  work outputs → assessed by 作業評量 (the product) with 評量題目, naming the outputs.
  attitudes → observed during every unit's practice: 實作評量 with 檢核表, naming the A codes
    (the attitudes themselves are listed once, course-wide, in ``Plan.attitudes``).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Mapping, NamedTuple, Sequence

import yaml

from ..course import CourseSpec, UnitChoice, locate, validate_against
from ..errors import KmcError, yaml_problem
from ..model import Band, Duty, Ref, Standard, Task, code_key
from ..views import bare, duty_name
from .objectives import Objective, write_objectives

DATA = Path(__file__).resolve().parents[2] / "data"
METHODS = ("講述", "討論", "演練", "協同", "專題", "示範", "案例", "其他")  # 表5, in form order
ASSESSMENTS = ("測驗", "作業評量", "實作評量", "口頭報告", "其他")  # 表8, in form order
TOOLS = ("測驗卷", "評量題目", "意見回饋表", "檢核表", "其他")  # 表8 評量工具, in form order
AUDIENCE = "學員"
KINDS = ("知識主題", "技能演練", "實作產出", "學習評量")  # 表4 topics, in outline order
# Weights of the hours (see the module docstring); printed in the syllabus's appendix.
WEIGHTS = {"indicator": Fraction(1), "output": Fraction(1), "taught": Fraction(1, 4),
           "applied": Fraction(1, 20), "assessment": Fraction(1, 2)}
TEACHING_MINUTES = 30  # the least teaching a unit has, besides its assessments
ASSESSMENT_MINUTES = 15  # per way of assessment
TOPIC_STEP, TOPIC_MINIMUM = 5, 10  # minutes
TAUGHT, APPLIED = "講授", "應用"


def load_levels(path: str | Path | None = None) -> dict[int, str]:
    """The official level descriptors 1–6 (data/levels.yaml)."""
    path = Path(path) if path else DATA / "levels.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise KmcError("找不到檔案", str(path)) from None
    except yaml.YAMLError as exc:
        message, line = yaml_problem(exc)
        raise KmcError(message, str(path), line) from None
    levels = {k: v for k, v in data.items() if k != "source"} if isinstance(data, dict) else {}
    if set(levels) != set(range(1, 7)) or not all(
            isinstance(v, str) and v.strip() for v in levels.values()):
        raise KmcError("應列出職能級別 1–6 的能力內涵（及 source）", str(path))
    return levels


# -- the plan ----------------------------------------------------------------------------

@dataclass
class StandardRef:
    code: str
    name: str
    version: str
    date: str


@dataclass
class Item:
    """A task, K, S, work output or attitude of one standard (code may be empty).  A K or S
    code printed with several names is one item whose name shows them all (「創意思考／創新思考」).
    ``role`` (units' K and S only): 講授 where the course first teaches it, 應用 where a later
    unit applies it again."""

    standard: str
    code: str
    name: str
    role: str = ""


@dataclass
class Topic:
    """One numbered topic of a unit's outline (表4), with its share of the unit's time."""

    kind: str  # 知識主題 | 技能演練 | 實作產出 | 學習評量
    text: str
    codes: list[str]
    minutes: int


@dataclass
class Indicator:
    standard: str
    task: str
    code: str
    text: str  # word for word
    level: int  # the level of its band


@dataclass
class Assessment:
    method: str  # 測驗 | 作業評量 | 實作評量 | 口頭報告 | 其他
    tool: str  # 測驗卷 | 評量題目 | 意見回饋表 | 檢核表 | 其他
    focus: str
    assesses: list[str]  # P, K, S, A codes or output names of the unit's standard


@dataclass
class TaskRow:
    """A row of 表1 本課程之職能表: a selected task with what the course teaches of it."""

    standard: str
    duty: str
    code: str
    name: str
    level: int
    indicators: list[Indicator]
    knowledge: list[Item]
    skills: list[Item]
    outputs: list[Item]


@dataclass
class Unit:
    key: str
    name: str
    standard: str
    duty: str
    tasks: list[Item]
    level: int  # the highest level of its tasks' bands
    hours: float
    indicators: list[Indicator]
    objectives: list[Objective]
    knowledge: list[Item]
    skills: list[Item]
    outputs: list[Item]
    methods: list[str]
    assessments: list[Assessment]
    topics: list[Topic] = field(default_factory=list)
    minimum_hours: float = 0.0  # what its assessments need (see ``minimum_hours``)
    fixed_hours: bool = False  # hours set by the spec
    item_notes: dict[str, str] = field(default_factory=dict)  # knowledge/skills → why none
    english_name: str = ""
    subject: str = ""  # what it is about in running text ("" when nothing has a name)

    @property
    def named(self) -> bool:
        """Whether its title is a name (not the neutral 「主要職責 T1」 of a nameless duty)."""
        return bool(self.subject) and self.subject == self.name


@dataclass
class ModulePlan:
    name: str
    units: list[str]  # unit keys
    hours: float


@dataclass
class LeftOut:
    """A task or K/S item the caller left out, with why (e.g. a source standard covers it)."""

    ref: str  # "<standard code> <code>"
    kind: str  # task | knowledge | skill
    name: str
    reason: str


class Finding(NamedTuple):
    id: str
    message: str


@dataclass
class Plan:
    spec: CourseSpec
    standards: list[StandardRef]
    level: int
    total_hours: float
    needs: str
    purpose: str
    summary: str
    tasks: list[TaskRow]
    units: list[Unit]  # in course order
    modules: list[ModulePlan]  # empty when the spec groups no modules
    attitudes: list[Item]  # course-wide; observed in every unit (its attitude assessment)
    left_out: list[LeftOut] = field(default_factory=list)
    level_descriptors: dict[int, str] = field(default_factory=dict)  # the levels used, printed once
    findings: list[Finding] = field(default_factory=list)

    def to_dict(self) -> dict:
        data = asdict(self)
        data["spec"] = self.spec.model_dump(mode="json")
        data["findings"] = [list(f) for f in self.findings]
        data["level_descriptors"] = {str(k): v for k, v in self.level_descriptors.items()}
        return data


# -- planning ----------------------------------------------------------------------------

def plan(standards: Sequence[Standard], spec: CourseSpec, levels: Mapping[int, str],
         exclude: Mapping[str, str] | None = None) -> Plan:
    """Plan the course.  ``standards`` may hold more than the spec names (e.g. the whole
    library); ``levels`` is ``load_levels()``.  ``exclude`` maps task/duty or K/S references
    (as in the spec) to the reason they are left out: they land in ``Plan.left_out`` and are
    neither taught nor flagged as uncovered.  References outside the selected tasks are
    ignored; references to nothing in the standard are errors."""
    stds = [s for s in standards if s.code in spec.standards]
    skip, skip_items, left_out = _exclusions(stds, spec, exclude or {})
    layout = validate_against(spec, list(standards), skip=skip)
    rows = [_row(u.standard, u.duty, t, skip_items) for u in layout.units for t in u.tasks]
    rows.sort(key=lambda r: (spec.standards.index(r.standard), code_key(r.code)))
    taught: set[tuple[str, str]] = set()
    units = [_unit(u, skip_items, taught) for u in layout.units]
    fixed = {i: layout.fixed[u.key] for i, u in enumerate(units) if u.key in layout.fixed}
    _unit_hours(units, spec, fixed)
    for i, unit in enumerate(units):
        unit.fixed_hours = i in fixed
        unit.topics = _topics(unit)
        unit.english_name = spec.english_units.get(unit.key, "")
    level = spec.level or max(Counter(r.level for r in rows).most_common(),
                              key=lambda lc: (lc[1], lc[0]))[0]
    hours = {u.key: u.hours for u in units}
    modules = [ModulePlan(name, keys, sum(hours[k] for k in keys))
               for name, keys in layout.modules]
    result = Plan(
        spec=spec,
        standards=[_standard_ref(s) for s in layout.standards],
        level=level, total_hours=spec.total_hours, needs="", purpose="", summary="",
        tasks=rows, units=units, modules=modules,
        attitudes=[Item(s.code, a.code or "", a.name) for s in layout.standards
                   for a in s.attitudes],
        left_out=left_out)
    result.needs = spec.needs or _needs(layout.standards)
    duties: dict[int, tuple[Duty, list[Task]]] = {}
    for u in layout.units:
        duties.setdefault(id(u.duty), (u.duty, []))[1].extend(u.tasks)
    result.purpose = spec.purpose or _purpose(
        result, [duty_name(d, ts, title=False) for d, ts in duties.values()], levels)
    result.summary = spec.summary or _summary(result)
    result.level_descriptors = {lv: levels[lv] for lv in sorted(
        {level} | {u.level for u in units} | {p.level for u in units for p in u.indicators})}
    result.findings = check(result)
    return result


def _exclusions(stds: list[Standard], spec: CourseSpec, exclude: Mapping[str, str]):
    """Resolve ``exclude`` into left-out tasks and K/S items, as (standard code, code) pairs,
    and the records of ``Plan.left_out``; only what the spec selects can be left out."""
    selected = [(u.standard, u.duty, t) for u in validate_against(spec, stds).units
                for t in u.tasks]
    skip_tasks: set[tuple[str, str]] = set()
    skip_items: set[tuple[str, str]] = set()
    left: dict[str, LeftOut] = {}

    def has(std: Standard, code: str) -> bool:
        return code in std.catalogue(code[0]) if code[0] in "KS" else \
            any(code in (d.code, t.code) for d, t in std.tasks())

    for ref, reason in exclude.items():
        field = f"exclude.{ref}"
        if not re.fullmatch(r"(\S+ )?([KS]\d+|T\d+(\.\d+)?)", ref.strip()):
            raise KmcError(f"{field}：只能排除主要職責、工作任務、知識（K）或技能（S）")
        std, code = locate(ref, stds, has, field)
        kind = {"T": "task", "K": "knowledge", "S": "skill"}[code[0]]
        if kind == "task":
            hits = [(t.code, t.name) for s, d, t in selected
                    if s is std and code in (d.code, t.code)]
            skip_tasks.update((std.code, c) for c, _ in hits)
        else:
            hits = [(r.code, r.name) for s, _, t in selected if s is std
                    for r in (t.knowledge if kind == "knowledge" else t.skills)
                    if r.code == code][:1]
            skip_items.update((std.code, c) for c, _ in hits)
        for c, name in hits:
            left.setdefault(f"{std.code} {c}", LeftOut(f"{std.code} {c}", kind, name, reason))

    def order(x: LeftOut):
        std, code = x.ref.split()
        return spec.standards.index(std), "TKS".index(code[0]), code_key(code)

    return skip_tasks, skip_items, sorted(left.values(), key=order)


def _items(std: Standard, refs: list[Ref], skip_items) -> list[Item]:
    """Distinct items by code, in code order, without the left-out ones; each named with
    every name its code is printed with in the standard."""
    codes = {r.code for r in refs if (std.code, r.code) not in skip_items}
    names = {kind: std.catalogue(kind) for kind in {c[0] for c in codes}}
    return [Item(std.code, code, "／".join(names[code[0]][code]))
            for code in sorted(codes, key=code_key)]


def planning_level(std: Standard, band: Band) -> int:
    """The level a course plans a band for: its own, else the standard's, else 3 (the most
    common level of iCAP tasks).  Only the plan assumes it; the model never guesses."""
    return band.level or std.level or 3


def _indicators(std: Standard, task_code: str, band: Band) -> list[Indicator]:
    return [Indicator(std.code, task_code, p.code, p.text, planning_level(std, band))
            for p in band.indicators]


def _row(std: Standard, duty: Duty, task: Task, skip_items) -> TaskRow:
    return TaskRow(
        std.code, duty.code, task.code, task.name,
        max(planning_level(std, b) for b in task.bands),
        [p for b in task.bands for p in _indicators(std, task.code, b)],
        _items(std, task.knowledge, skip_items), _items(std, task.skills, skip_items),
        [Item(std.code, o.code or "", o.name) for o in task.outputs])


def _unit(choice: UnitChoice, skip_items, taught: set[tuple[str, str]]) -> Unit:
    """One unit with every K and S its tasks need: 講授 where first needed, else 應用
    (``taught`` collects the items taught so far, in course order)."""
    std, bands = choice.standard, [(t, b) for t in choice.tasks for b in t.bands]
    level = max(planning_level(std, b) for _, b in bands)
    indicators = [p for t, b in bands for p in _indicators(std, t.code, b)]
    objectives = write_objectives(std, choice.tasks, indicators)
    knowledge = _items(std, [r for _, b in bands for r in b.knowledge], skip_items)
    skills = _items(std, [r for _, b in bands for r in b.skills], skip_items)
    for item in knowledge + skills:
        item.role = APPLIED if (item.standard, item.code) in taught else TAUGHT
    notes = {kind: f"（本單元之工作任務未列{word}）" for kind, word, items in (
        ("knowledge", "知識", knowledge), ("skills", "技能", skills)) if not items}
    taught.update((x.standard, x.code) for x in knowledge + skills)
    outputs = [Item(std.code, o.code or "", o.name) for _, b in bands for o in b.outputs]
    methods = set()
    if knowledge:
        methods |= {"講述", "案例"} if level >= 4 else {"講述"}
    if skills or indicators:
        methods |= {"示範", "演練", "專題"} if level >= 4 else {"示範", "演練"}
    assessments = []
    if knowledge:
        assessments.append(Assessment("測驗", "測驗卷", "知識測驗", [k.code for k in knowledge]))
    if skills or indicators:
        assessments.append(Assessment("實作評量", "檢核表", "技能實作與行為表現觀察",
                                      [p.code for p in indicators] + [s.code for s in skills]))
    if outputs:
        assessments.append(Assessment("作業評量", "評量題目", "工作產出評量",
                                      [o.name for o in outputs]))
    if std.attitudes:
        assessments.append(Assessment("實作評量", "檢核表", "態度觀察（於演練中觀察）",
                                      [a.code or a.name for a in std.attitudes]))
    return Unit(choice.key, choice.name, std.code, choice.duty.code,
                [Item(std.code, t.code, t.name) for t in choice.tasks], level, 0.0,
                indicators, objectives, knowledge, skills, outputs,
                [m for m in METHODS if m in methods], assessments, item_notes=notes,
                subject=choice.subject)


def ways(unit: Unit) -> int:
    """How many ways a unit is assessed (the attitude observation shares the practice
    checklist, so it is no way of its own)."""
    return len({(a.method, a.tool) for a in unit.assessments})


def minimum_hours(ways: int, min_unit_hours: float) -> float:
    """The least time a unit assessed ``ways`` ways needs: 30 minutes of teaching plus 15 per
    way, rounded up to the half hour, and never less than the spec's minimum."""
    minutes = TEACHING_MINUTES + ASSESSMENT_MINUTES * ways
    return max(min_unit_hours, math.ceil(minutes / 30) / 2)


def _topic_weights(unit: Unit) -> dict[str, Fraction]:
    """The weight of each kind of topic of a unit (see the module docstring)."""
    def items(xs: list[Item]) -> Fraction:
        return sum((WEIGHTS["taught"] if x.role == TAUGHT else WEIGHTS["applied"] for x in xs),
                   Fraction(0))
    return {"知識主題": items(unit.knowledge),
            "技能演練": items(unit.skills) + WEIGHTS["indicator"] * len(unit.indicators),
            "實作產出": WEIGHTS["output"] * len(unit.outputs),
            "學習評量": WEIGHTS["assessment"] * ways(unit)}


def weight(unit: Unit) -> Fraction:
    """w of the module docstring."""
    return sum(_topic_weights(unit).values(), Fraction(0)) * (3 + unit.level) / 6


def hour_basis(plan: Plan) -> list[dict]:
    """What each unit's hours rest on, as the syllabus's appendix prints it."""
    def count(xs, role):
        return sum(1 for x in xs if x.role == role)

    return [{"unit": u, "indicators": len(u.indicators), "outputs": len(u.outputs),
             "taught": count(u.knowledge + u.skills, TAUGHT),
             "applied": count(u.knowledge + u.skills, APPLIED), "ways": ways(u),
             "weight": f"{float(weight(u)):.2f}", "fixed": u.fixed_hours} for u in plan.units]


def split_hours(total: float, weights: Sequence[Fraction | int],
                minimum: float | Sequence[float], fixed: Mapping[int, float] | None = None,
                step: float = 0.5) -> list[float]:
    """Split ``total`` over parts by weight in steps of ``step``, each part at least its
    ``minimum`` (one for all, or one per part), parts in ``fixed`` (index → amount) exactly as
    given; largest remainder, so the parts add up to ``total`` exactly.  The caller has
    checked that this is possible."""
    def steps(x: float) -> int:
        return round(x / step)

    n = len(weights)
    floors = [steps(m) for m in (minimum if isinstance(minimum, Sequence) else [minimum] * n)]
    parts = {i: steps(h) for i, h in (fixed or {}).items()}
    left = steps(total) - sum(parts.values())
    free = [i for i in range(n) if i not in parts]
    w = {i: Fraction(weights[i]) for i in free}
    if not any(w.values()):
        w = dict.fromkeys(free, Fraction(1))  # nothing to weigh: equal shares
    while free:  # parts whose share falls below their minimum get the minimum
        low = [i for i in free if left * w[i] < floors[i] * sum(w[j] for j in free)]
        if not low:
            break
        parts.update((i, floors[i]) for i in low)
        left -= sum(floors[i] for i in low)
        free = [i for i in free if i not in low]
    if free:
        share = {i: left * w[i] / sum(w[j] for j in free) for i in free}
        parts.update((i, math.floor(share[i])) for i in free)
        rest = left - sum(parts[i] for i in free)
        for i in sorted(free, key=lambda i: (parts[i] - share[i], i))[:rest]:
            parts[i] += 1
    return [parts[i] * step for i in range(n)]


def _unit_hours(units: list[Unit], spec: CourseSpec, fixed: dict[int, float]) -> None:
    """Hours by weight; each unit at least what its assessments need when the total allows
    it, else at least the spec's minimum (the check then names the short units)."""
    for unit in units:
        unit.minimum_hours = minimum_hours(ways(unit), spec.min_unit_hours)
    free = sum(u.minimum_hours for i, u in enumerate(units) if i not in fixed)
    floors: float | list[float] = [u.minimum_hours for u in units] \
        if free <= spec.total_hours - sum(fixed.values()) else spec.min_unit_hours
    for unit, hours in zip(units, split_hours(spec.total_hours, [weight(u) for u in units],
                                              floors, fixed)):
        unit.hours = hours


def _topics(unit: Unit) -> list[Topic]:
    """表4's numbered topics with their minutes: 學習評量 15 per way when the unit's time
    allows, the rest by the topic weights in 5-minute steps."""
    def names(xs) -> str:
        return "、".join(f"{x.code} {bare(x.name)}" if x.code else bare(x.name) for x in xs)

    def items(xs: list[Item]) -> str:
        taught = [x for x in xs if x.role == TAUGHT]
        applied = [x for x in xs if x.role == APPLIED]
        return "；".join(part for part in (
            f"{names(taught)}（講授）" if taught else "",
            f"{names(applied)}（複習與應用）" if applied else "") if part)

    practice = [p.code for p in unit.indicators]
    texts = {
        "知識主題": items(unit.knowledge),
        "技能演練": "；".join(part for part in (
            items(unit.skills),
            f"依行為指標 {'、'.join(practice)} 演練與回饋" if practice else "") if part),
        "實作產出": f"完成{' ' if unit.outputs and unit.outputs[0].code else ''}"
                    f"{names(unit.outputs)}，並依行為指標檢視" if unit.outputs else "",
        "學習評量": "、".join(dict.fromkeys(a.focus for a in unit.assessments)),
    }
    codes = {"知識主題": [x.code for x in unit.knowledge],
             "技能演練": [x.code for x in unit.skills] + practice,
             "實作產出": [o.code for o in unit.outputs if o.code],
             "學習評量": []}
    weights = _topic_weights(unit)
    kinds = [k for k in KINDS if texts[k] and (weights[k] or k == "學習評量")]
    minutes = round(unit.hours * 60)
    fixed = {}
    if "學習評量" in kinds:
        assess = ASSESSMENT_MINUTES * ways(unit)
        if minutes - assess >= TOPIC_MINIMUM * (len(kinds) - 1):
            fixed[kinds.index("學習評量")] = assess
    floor = min(TOPIC_MINIMUM, minutes // len(kinds) // TOPIC_STEP * TOPIC_STEP)
    split = split_hours(minutes, [weights[k] for k in kinds], floor, fixed, TOPIC_STEP)
    return [Topic(k, texts[k], codes[k], round(m)) for k, m in zip(kinds, split)]


# -- texts -------------------------------------------------------------------------------

def _standard_ref(std: Standard) -> StandardRef:
    v = std.latest_version()
    return StandardRef(std.code, std.name, v.printed_version, v.printed_date)


def _sentence(text: str) -> str:
    text = text.strip()
    return text if not text or text.endswith("。") else text + "。"


def _needs(stds: list[Standard]) -> str:
    parts = [f"{s.name}（{s.code}）的工作為：{_sentence(s.description)}" if s.description
             else f"{s.name}（{s.code}）的工作任務需要相應的知識、技能與態度。" for s in stds]
    return "".join(parts) + "本課程依其工作任務培養學員所需的知識、技能與態度。"


def _purpose(p: Plan, duties: list[str], levels: Mapping[int, str]) -> str:
    """``duties``: each duty's name to print in running text, "" for one without any (see
    ``views``); when none has one, the work is named in general words."""
    work = "、".join(dict.fromkeys(d for d in duties if d))
    return (f"使學員能勝任{'、'.join(s.name for s in p.standards)}的"
            f"{f'{work}等工作' if work else '各項工作任務'}，"
            f"表現達到職能級別 {p.level}（{levels[p.level].split('。')[0]}）的要求。")


def _summary(p: Plan) -> str:
    """Units by what they are about (``Unit.subject``; the title of a unit that has none)."""
    methods = {m for u in p.units for m in u.methods}
    assessed = {a.method for u in p.units for a in u.assessments}
    return (f"本課程依據{'、'.join(f'{s.name}職能基準（{s.code}）' for s in p.standards)}規劃，"
            f"共 {len(p.units)} 個單元、{p.total_hours:g} 小時，內容包括"
            f"{'、'.join(dict.fromkeys(u.subject or u.name for u in p.units))}。"
            f"教學採{'、'.join(m for m in METHODS if m in methods)}，"
            f"學習成果之評量方式為{'、'.join(a for a in ASSESSMENTS if a in assessed)}。")


# -- coverage ----------------------------------------------------------------------------

def check(plan: Plan) -> list[Finding]:
    """What the reviewers check by hand: every task of 表1 in a unit, every K and S of 表1
    taught, every indicator assessed, every unit traced to a task of 表1, each unit carrying
    exactly the K and S its tasks need, unique unit names, hours that add up and give every
    unit the time its assessments need."""
    out: list[Finding] = []
    rows = {(r.standard, r.code): r for r in plan.tasks}
    in_units = {(t.standard, t.code) for u in plan.units for t in u.tasks}
    taught = {(u.standard, i.code) for u in plan.units for i in u.knowledge + u.skills}
    assessed = {(u.standard, c) for u in plan.units for a in u.assessments for c in a.assesses}
    for key, row in rows.items():
        if key not in in_units:
            out.append(Finding("task-unmapped", f"工作任務 {' '.join(key)} {row.name} 不在任何單元"))
    items = {(i.standard, i.code): i for r in plan.tasks for i in r.knowledge + r.skills}
    for key, i in items.items():
        if key not in taught:
            out.append(Finding("knowledge-untaught" if i.code[0] == "K" else "skill-untaught",
                               f"{i.standard} {i.code} {i.name} 沒有單元教授"))
    for p in (p for r in plan.tasks for p in r.indicators):
        if (p.standard, p.code) not in assessed:
            out.append(Finding("indicator-unassessed",
                               f"行為指標 {p.standard} {p.code} 沒有任何評量"))
    for u in plan.units:
        if not u.tasks or any((t.standard, t.code) not in rows for t in u.tasks):
            out.append(Finding("unit-untraced", f"單元「{u.name}」對應不到本課程的工作任務"))
            continue
        need = {i.code for t in u.tasks for i in rows[(t.standard, t.code)].knowledge
                + rows[(t.standard, t.code)].skills}
        have = {i.code for i in u.knowledge + u.skills}
        if need != have:
            out.append(Finding("unit-items", f"單元「{u.name}」的知識、技能與其工作任務所需不同："
                                             + _difference(need, have)))
        if u.hours < u.minimum_hours:
            out.append(Finding("unit-hours-minimum", f"單元「{u.name}」{u.hours:g} 小時，少於其 "
                                                     f"{ways(u)} 種評量所需的 {u.minimum_hours:g} 小時"))
    for name, n in Counter(u.name for u in plan.units).items():
        if n > 1:
            out.append(Finding("unit-name-duplicate", f"單元名稱「{name}」出現 {n} 次"))
    if sum(u.hours for u in plan.units) != plan.total_hours:
        out.append(Finding("hours-total", f"單元時數合計 {sum(u.hours for u in plan.units):g} "
                                          f"小時，不等於課程時數 {plan.total_hours:g} 小時"))
    hours = {u.key: u.hours for u in plan.units}
    for m in plan.modules:
        if m.hours != sum(hours.get(k, 0) for k in m.units):
            out.append(Finding("module-hours", f"模組「{m.name}」時數 {m.hours:g} 小時不等於其單元合計"))
    return out


TAUGHT_MARK, APPLIED_MARK = "●", "○"


def _difference(need: set[str], have: set[str]) -> str:
    parts = [f"缺 {'、'.join(sorted(need - have, key=code_key))}" if need - have else "",
             f"多 {'、'.join(sorted(have - need, key=code_key))}" if have - need else ""]
    return "；".join(p for p in parts if p)


def coverage(plan: Plan) -> list[tuple[str, str, str, str, list[str]]]:
    """(standard, kind, code, text, mark for unit i) for every item the course selects: ● a
    unit covering its task or indicator, or teaching its K/S (講授); ○ applying it again
    (應用); "" not covered."""
    rows = []
    for t in plan.tasks:
        items = [("T", t.code, t.name)] + [("P", p.code, p.text) for p in t.indicators]
        items += [("K", k.code, k.name) for k in t.knowledge]
        items += [("S", s.code, s.name) for s in t.skills]
        for kind, code, words in items:
            rows.append((t.standard, kind, code, words,
                         [_covers(u, t.standard, kind, code) for u in plan.units]))
    seen, out = set(), []
    for row in rows:  # a K/S needed by several tasks: one row
        if (row[0], row[2]) not in seen:
            seen.add((row[0], row[2]))
            out.append(row)
    return out


def _covers(unit, standard: str, kind: str, code: str) -> str:
    items = {"T": unit.tasks, "P": unit.indicators, "K": unit.knowledge, "S": unit.skills}[kind]
    hit = next((i for i in items if i.standard == standard and i.code == code), None)
    if hit is None:
        return ""
    return APPLIED_MARK if getattr(hit, "role", "") == APPLIED else TAUGHT_MARK
