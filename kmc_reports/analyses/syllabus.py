"""Syllabus planning: standard(s) + course spec → the design part of an iCAP course report
(職能導向課程規劃與執行報告書, 表1–表5 and 表8), as plain data the documents print.

Pure and deterministic: the same standards, spec and exclusions give an equal plan.

Hours.  Each unit proposed (not fixed by ``spec.hours``) weighs

    w = (2·P + Σ 1/n) × (3 + L)

P: its behaviour indicators (the practice to observe, counted double); Σ 1/n: its K and S
items, each counted 1/n when n units teach it (an item several tasks need is taught in the
first unit that needs it, so n is 1 in practice); L: the unit's level (a level-4 unit gets 7/6 of the
time of an otherwise equal level-3 unit).  Hours left after the fixed units are split in
proportion to w in half-hour steps: a unit whose share falls below ``min_unit_hours`` gets
the minimum and the rest is split again; the others get the floor of their share and the
half hours still left go to the largest remainders (ties: course order).  So units add up to
``total_hours`` exactly.

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

DATA = Path(__file__).resolve().parents[2] / "data"
METHODS = ("講述", "討論", "演練", "協同", "專題", "示範", "案例", "其他")  # 表5, in form order
ASSESSMENTS = ("測驗", "作業評量", "實作評量", "口頭報告", "其他")  # 表8, in form order
TOOLS = ("測驗卷", "評量題目", "意見回饋表", "檢核表", "其他")  # 表8 評量工具, in form order
AUDIENCE = "學員"


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
    """A task, K, S, work output or attitude of one standard (code may be empty)."""

    standard: str
    code: str
    name: str


@dataclass
class Indicator:
    standard: str
    task: str
    code: str
    text: str  # word for word
    level: int  # the level of its band


@dataclass
class Objective:
    """A training objective in ABCD form for one indicator; ``text`` is the sentence."""

    indicator: str
    audience: str
    behaviour: str  # the indicator text, word for word
    condition: str
    degree: str
    text: str


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
    units = [_unit(u, skip_items, levels, taught) for u in layout.units]
    fixed = {i: layout.fixed[u.key] for i, u in enumerate(units) if u.key in layout.fixed}
    for unit, hours in zip(units, split_hours(spec.total_hours, _weights(units),
                                              spec.min_unit_hours, fixed)):
        unit.hours = hours
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
    result.purpose = spec.purpose or _purpose(
        result, list(dict.fromkeys(u.duty.name for u in layout.units)), levels)
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
    """Distinct (code, name) items in code order, without the left-out ones."""
    seen = {}
    for r in refs:
        if (std.code, r.code) not in skip_items:
            seen.setdefault((r.code, r.name), Item(std.code, r.code, r.name))
    return sorted(seen.values(), key=lambda i: code_key(i.code))


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


def _unit(choice: UnitChoice, skip_items, levels: Mapping[int, str],
          taught: set[tuple[str, str]]) -> Unit:
    """One unit; a K or S item an earlier unit already teaches is not taught again
    (``taught`` collects them in course order)."""
    std, bands = choice.standard, [(t, b) for t in choice.tasks for b in t.bands]
    level = max(planning_level(std, b) for _, b in bands)
    pairs = [(p, b) for t, b in bands for p in _indicators(std, t.code, b)]
    indicators = [p for p, _ in pairs]
    objectives = [_objective(p, b, levels) for p, b in pairs]
    knowledge = [k for k in _items(std, [r for _, b in bands for r in b.knowledge], skip_items)
                 if (k.standard, k.code) not in taught]
    skills = [x for x in _items(std, [r for _, b in bands for r in b.skills], skip_items)
              if (x.standard, x.code) not in taught]
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
                [m for m in METHODS if m in methods], assessments)


def _objective(p: Indicator, band: Band, levels: Mapping[int, str]) -> Objective:
    """ABCD: 學員 (A) 在<condition> (C)，能<indicator> (B)，達到<level> (D)。  The degree
    names the level, whose official descriptor the document prints once
    (``Plan.level_descriptors``); the outputs of the indicator's band, when it has any, are
    the material of the condition."""
    outputs = "、".join(o.name for o in band.outputs)
    condition = f"在課堂提供的案例情境與{outputs + '範例' if outputs else '工具'}下"
    degree = f"達到職能級別 {p.level} 的要求"
    text = f"{AUDIENCE}{condition}，能{p.text.rstrip('。；;. ')}，{degree}。"
    return Objective(p.code, AUDIENCE, p.text, condition, degree, text)


def _weights(units: list[Unit]) -> list[Fraction]:
    """w = (2·P + Σ 1/n) × (3 + L); see the module docstring."""
    items = [{(x.standard, x.code) for x in u.knowledge + u.skills} for u in units]
    teach = Counter(key for keys in items for key in keys)
    return [(2 * len(u.indicators) + sum((Fraction(1, teach[k]) for k in keys), Fraction(0)))
            * (3 + u.level) for u, keys in zip(units, items)]


def split_hours(total: float, weights: Sequence[Fraction | int], minimum: float,
                fixed: Mapping[int, float] | None = None) -> list[float]:
    """Split ``total`` hours over units by weight in half-hour steps, each unit at least
    ``minimum``, units in ``fixed`` (index → hours) exactly as given; largest remainder, so
    the parts add up to ``total`` exactly.  The caller has checked that this is possible."""
    halves = {i: round(h * 2) for i, h in (fixed or {}).items()}
    floor, left = round(minimum * 2), round(total * 2) - sum(halves.values())
    free = [i for i in range(len(weights)) if i not in halves]
    w = {i: Fraction(weights[i]) for i in free}
    if not any(w.values()):
        w = dict.fromkeys(free, Fraction(1))  # nothing to weigh: equal shares
    while free:  # units whose share falls below the minimum get the minimum
        low = [i for i in free if left * w[i] < floor * sum(w[j] for j in free)]
        if not low:
            break
        halves.update((i, floor) for i in low)
        left -= floor * len(low)
        free = [i for i in free if i not in low]
    if free:
        share = {i: left * w[i] / sum(w[j] for j in free) for i in free}
        halves.update((i, math.floor(share[i])) for i in free)
        rest = left - sum(halves[i] for i in free)
        for i in sorted(free, key=lambda i: (halves[i] - share[i], i))[:rest]:
            halves[i] += 1
    return [halves[i] / 2 for i in range(len(weights))]


# -- texts -------------------------------------------------------------------------------

def _standard_ref(std: Standard) -> StandardRef:
    v = std.latest_version()
    return StandardRef(std.code, std.name, v.version, v.date)


def _sentence(text: str) -> str:
    text = text.strip()
    return text if not text or text.endswith("。") else text + "。"


def _needs(stds: list[Standard]) -> str:
    parts = [f"{s.name}（{s.code}）的工作為：{_sentence(s.description)}" if s.description
             else f"{s.name}（{s.code}）的工作任務需要相應的知識、技能與態度。" for s in stds]
    return "".join(parts) + "本課程依其工作任務培養學員所需的知識、技能與態度。"


def _purpose(p: Plan, duties: list[str], levels: Mapping[int, str]) -> str:
    return (f"使學員能勝任{'、'.join(s.name for s in p.standards)}的{'、'.join(duties)}等工作，"
            f"表現達到職能級別 {p.level}（{levels[p.level].split('。')[0]}）的要求。")


def _summary(p: Plan) -> str:
    methods = {m for u in p.units for m in u.methods}
    assessed = {a.method for u in p.units for a in u.assessments}
    return (f"本課程依據{'、'.join(f'{s.name}職能基準（{s.code}）' for s in p.standards)}規劃，"
            f"共 {len(p.units)} 個單元、{p.total_hours:g} 小時，內容包括"
            f"{'、'.join(u.name for u in p.units)}。教學採{'、'.join(m for m in METHODS if m in methods)}，"
            f"並以{'、'.join(a for a in ASSESSMENTS if a in assessed)}評量學習成果。")


# -- coverage ----------------------------------------------------------------------------

def check(plan: Plan) -> list[Finding]:
    """What the reviewers check by hand: every task of 表1 in a unit, every K and S of 表1
    taught, every indicator assessed, every unit traced to a task of 表1, unique unit names,
    and hours that add up."""
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


def coverage(plan: Plan) -> list[tuple[str, str, str, str, list[bool]]]:
    """(standard, kind, code, text, covered by unit i) for every item the course selects."""
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


def _covers(unit, standard: str, kind: str, code: str) -> bool:
    items = {"T": unit.tasks, "P": unit.indicators, "K": unit.knowledge, "S": unit.skills}[kind]
    return any(i.standard == standard and i.code == code for i in items)
