"""The course spec (``data/courses/<code>.yaml``): which standards and tasks a syllabus covers,
in how many hours, for whom — and how it is laid out in units and modules.

References to tasks, duties and units are bare codes (``T1``, ``T1.2``) when only one of the
course's standards has that code, else ``"<standard code> <code>"`` (``KMC2432-001v4 T1.2``),
the form the crosswalk uses.  Unit keys follow the same rule: bare codes in a one-standard
course, qualified codes when the course combines standards.

Unit rule (``units``): ``task`` makes one unit per task, ``duty`` one per duty (its selected
tasks), ``auto`` one per duty when it has at least two selected tasks and every one of them
is small (at most ``SMALL_TASK`` behaviour indicators), else one per task.  Units are named
by the rule of names to print (``views.printable``; see ``unit_name``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Callable, Collection, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, \
    field_validator

from .errors import KmcError
from .model import STANDARD_CODE, Duty, Level, NonEmpty, Standard, Task
from .store import read_yaml, validate
from .views import duty_name, names, task_title

SMALL_TASK = 2  # indicators; small tasks of one duty make one unit under units="auto"
Hours = Annotated[float, Field(gt=0, le=2000, multiple_of=0.5, allow_inf_nan=False)]

# The course report forbids the level and these words in a course name.
FORBIDDEN_WORDS = ("職能基準", "職能單元", "職能課程", "職能級別", "認證", "證照")
_LEVEL_IN_NAME = re.compile(r"[0-9一二三四五六]\s*級|級\s*別?\s*[0-9一二三四五六]|level",
                            re.IGNORECASE)


def name_problem(name: str) -> str:
    """Why a course name would be refused by reviewers (a level, 職能基準, 認證 …), or ""."""
    folded = unicodedata.normalize("NFKC", name)
    word = next((w for w in FORBIDDEN_WORDS if w in folded), None)
    if word:
        return f"課程名稱不可包含「{word}」"
    m = _LEVEL_IN_NAME.search(folded)
    return f"課程名稱不可標示職能級別（「{m.group(0)}」）" if m else ""


class Module(BaseModel):
    """A group of units in the course map (表2), in the order listed; a duty code stands for
    the units of its tasks."""

    model_config = ConfigDict(extra="forbid")
    name: NonEmpty
    units: list[NonEmpty] = Field(min_length=1)


class CourseSpec(BaseModel):
    """One course to plan (see the module docstring for references and the unit rule)."""

    model_config = ConfigDict(extra="forbid")

    name: NonEmpty  # 課程名稱
    english_name: str = ""
    organisation: str = ""  # 申請單位; empty: the caller's configured organisation
    standards: list[Annotated[str, StringConstraints(pattern=STANDARD_CODE)]] = Field(
        min_length=1)
    tasks: list[NonEmpty] = []  # duty/task references; empty: every task of the standards
    total_hours: Hours
    level: Level | None = None  # 課程職能級別; None: the level most selected tasks have
    audience: str = ""  # 主要對象（參訓資格）
    prerequisites: str = ""  # 先備條件
    delivery: Literal["實體", "線上", "混成"] = "實體"
    units: Literal["task", "duty", "auto"] = "auto"
    min_unit_hours: Hours = 1.0
    modules: list[Module] = []
    hours: dict[str, Hours] = {}  # unit key → fixed hours
    english_units: dict[str, NonEmpty] = {}  # unit key → English unit name (英文證書用)
    needs: str = ""  # 訓練需求; empty: drafted from the job description
    purpose: str = ""  # 課程目的; empty: drafted
    summary: str = ""  # 課程簡介; empty: drafted

    @field_validator("name", "english_name")
    @classmethod
    def _allowed_name(cls, value: str) -> str:
        problem = name_problem(value)
        if problem:
            raise ValueError(problem)
        return value


# -- loading -----------------------------------------------------------------------------

def load_course(path: str | Path) -> CourseSpec:
    """Read a course spec; errors name the file, the line, the field and the value."""
    data, node = read_yaml(path)
    return validate(CourseSpec, data, str(path), node, "課程設定檔應為「欄位: 值」對照")


def dump_course(spec: CourseSpec, comment: str) -> bytes:
    """A course spec as a file `load_course` reads and a designer edits: only the keys that
    differ from the defaults, in the order of the model, under a comment saying what it is."""
    import yaml

    data = spec.model_dump(mode="json", exclude_defaults=True)
    lines = "".join(f"# {line}\n" for line in comment.splitlines())
    return (lines + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=88)
            ).encode("utf-8")


# -- checking and layout -----------------------------------------------------------------

@dataclass
class UnitChoice:
    """One unit as the spec lays it out: the tasks it covers, all from one duty."""

    key: str  # code, qualified by the standard in a course of several standards
    code: str  # the duty code of a duty unit, else the task code
    name: str  # its title (``unit_name``)
    standard: Standard
    duty: Duty
    tasks: list[Task]
    whole_duty: bool  # named after the duty (a duty unit, or a block of all its tasks); else
    # named after its task (the block's tasks)
    subject: str = ""  # what it is about in running text; "" when nothing has a name


def unit_name(duty: Duty, tasks: list[Task], whole: bool) -> tuple[str, str]:
    """(title, subject) of a unit, by the rule of names to print (``views``): a unit of a
    whole duty is named after the duty — after its tasks when the duty's name is a
    placeholder or damaged (as a title only when they are short), else 「主要職責 T1」; a unit
    of tasks after its tasks (「工作任務 T1.2」 for one without a name; a task carrying only its
    duty's code as that duty).  Names are bare: no final 「。」.  The subject is what running
    text (課程簡介) says the unit is about: the title when it is a name, the tasks' names
    when the title had to be neutral, "" when nothing has a name."""
    if whole:
        return (duty_name(duty, tasks) or f"主要職責 {duty.code}",
                duty_name(duty, tasks, title=False))
    title = "、".join(dict.fromkeys(task_title(t, duty) for t in tasks))
    subject = "、".join(names(t.name for t in tasks))
    if not subject and all("." not in t.code for t in tasks):  # T1: the task is its duty
        subject = duty_name(duty, tasks, title=False)
    return title, subject


@dataclass
class Layout:
    """What a spec asks for, resolved against its standards (in the spec's order)."""

    standards: list[Standard]
    units: list[UnitChoice]  # in course order: module order when modules are given
    modules: list[tuple[str, list[str]]]  # (name, unit keys)
    fixed: dict[str, float]  # unit key → hours fixed by the spec


def _hours(h: float) -> str:
    return f"{h:g}"


def locate(ref: str, standards: list[Standard], has: Callable[[Standard, str], bool],
           field: str) -> tuple[Standard, str]:
    """Resolve ``T1.2`` or ``KMC2432-001v4 T1.2`` to (standard, code); errors name the field."""
    std_code, _, code = ref.strip().rpartition(" ")
    pool = [s for s in standards if s.code == std_code] if std_code else standards
    if std_code and not pool:
        raise KmcError(f"{field}：{std_code} 不是本課程的職能基準")
    found = [s for s in pool if has(s, code)]
    if not found:
        raise KmcError(f"{field}：{code} 不在 {'、'.join(s.code for s in pool)}")
    if len(found) > 1:
        raise KmcError(f"{field}：{code} 不明確（{'、'.join(s.code for s in found)} 都有），"
                       f"請寫成「{found[0].code} {code}」")
    return found[0], code


def _has_task_or_duty(std: Standard, code: str) -> bool:
    return any(code in (d.code, t.code) for d, t in std.tasks())


def validate_against(spec: CourseSpec, standards: list[Standard], path: str | Path | None = None,
                     skip: Collection[tuple[str, str]] = ()) -> Layout:
    """Check the spec against the standards and return its layout; any problem is a KmcError
    naming the spec file and the field.  ``skip`` holds (standard code, task code) pairs left
    out by the caller: their units disappear, and so do module entries and fixed hours that
    named only them."""
    try:
        return _layout(spec, standards, set(skip))
    except KmcError as exc:
        raise KmcError(exc.message, str(path) if path else None) from None


def _task_units(tasks: list[Task]) -> list[list[Task]]:
    """Units of one task each, except that the tasks of a block — one set of indicators and
    K/S the source prints for several tasks (``Band.items_shared``) — make one unit: apart,
    every unit after the first would only repeat the block."""
    lead: dict[str, str] = {}
    for t in tasks:
        for band in t.bands:
            if band.items_shared:
                for code in band.shared_with:
                    lead.setdefault(code, lead.get(t.code, t.code))
    groups: dict[str, list[Task]] = {}
    for t in tasks:
        groups.setdefault(lead.get(t.code, t.code), []).append(t)
    return list(groups.values())


def _layout(spec: CourseSpec, standards: list[Standard], skip: set[tuple[str, str]]) -> Layout:
    by_code = {s.code: s for s in standards}
    stds: list[Standard] = []
    for i, code in enumerate(spec.standards):
        if code not in by_code:
            raise KmcError(f"standards[{i}]：找不到職能基準 {code}")
        if by_code[code] in stds:
            raise KmcError(f"standards[{i}]：{code} 重複")
        stds.append(by_code[code])

    chosen: set[tuple[str, str]] = set()  # (standard, duty or task code)
    for i, ref in enumerate(spec.tasks):
        std, code = locate(ref, stds, _has_task_or_duty, f"tasks[{i}]")
        chosen.add((std.code, code))
    for std in stds:
        if spec.tasks and not any(s == std.code for s, _ in chosen):
            raise KmcError(f"tasks：沒有選取 {std.code} 的任何工作任務（請選取，或自 standards 移除）")

    multi = len(stds) > 1
    units: list[UnitChoice] = []
    blocks: set[str] = set()  # units made of a block's tasks: each task names the unit
    titles: set[str] = set()
    for std in stds:
        for duty in std.duties:
            tasks = [t for t in duty.tasks if (std.code, t.code) not in skip and (
                not spec.tasks or {(std.code, duty.code), (std.code, t.code)} & chosen)]
            if not tasks:
                continue
            small = len(tasks) > 1 and all(len(t.indicators) <= SMALL_TASK for t in tasks)
            as_duty = spec.units == "duty" or (spec.units == "auto" and small)
            for group in [tasks] if as_duty else _task_units(tasks):
                whole = as_duty or len(group) == len(duty.tasks) > 1
                code = duty.code if whole else group[0].code
                base, subject = unit_name(duty, group, whole)
                name = base
                for candidate in (base, f"{base}（{std.name}）", f"{base}（{std.code} {code}）"):
                    if candidate not in titles:
                        name = candidate
                        break
                if subject == base:  # a name told apart from another unit's stays a name
                    subject = name
                titles.add(name)
                units.append(UnitChoice(f"{std.code} {code}" if multi else code, code, name,
                                        std, duty, group, whole, subject))
                if not as_duty and len(group) > 1:
                    blocks.add(units[-1].key)

    if not units:
        raise KmcError("tasks：所選工作任務都已排除，課程沒有單元")

    def unit_keys(ref: str, field: str) -> list[str]:
        """The units a reference stands for: a unit, or the units of a duty's tasks; none
        when everything it names was left out (``skip``)."""
        std, code = locate(ref, stds, _has_task_or_duty, field)
        hits = [u.key for u in units if u.standard is std and (
            code in (u.code, u.duty.code)
            or u.key in blocks and any(t.code == code for t in u.tasks))]
        named = [t.code for d, t in std.tasks() if code in (d.code, t.code)]
        if hits or all((std.code, t) in skip for t in named):
            return hits
        raise KmcError(f"{field}：{ref} 不是本課程的單元（單元：{'、'.join(u.key for u in units)}）")

    fixed: dict[str, float] = {}
    for ref, h in spec.hours.items():
        keys = unit_keys(ref, f"hours.{ref}")
        if len(keys) > 1:
            raise KmcError(f"hours.{ref}：{ref} 含 {len(keys)} 個單元，請逐一指定單元時數")
        if keys:
            if keys[0] in fixed:
                raise KmcError(f"hours.{ref}：單元 {keys[0]} 的時數重複指定")
            if h < spec.min_unit_hours:
                raise KmcError(f"hours.{ref}：{_hours(h)} 小時低於每單元最少 "
                               f"{_hours(spec.min_unit_hours)} 小時")
            fixed[keys[0]] = h
    _check_hours(spec, len(units), fixed)
    for ref in spec.english_units:
        keys = unit_keys(ref, f"english_units.{ref}")
        if len(keys) != 1 or keys[0] != ref.strip():
            raise KmcError(f"english_units.{ref}：請以單元代碼指定英文名稱（單元："
                           f"{'、'.join(u.key for u in units)}）")

    modules: list[tuple[str, list[str]]] = []
    placed: dict[str, str] = {}
    for i, module in enumerate(spec.modules):
        if any(module.name == m.name for m in spec.modules[:i]):
            raise KmcError(f"modules[{i}].name：模組名稱「{module.name}」重複")
        keys: list[str] = []
        for j, ref in enumerate(module.units):
            for key in unit_keys(ref, f"modules[{i}].units[{j}]"):
                if key in placed:
                    raise KmcError(f"modules[{i}].units[{j}]：單元 {key} 已編入模組「{placed[key]}」")
                placed[key] = module.name
                keys.append(key)
        if keys:
            modules.append((module.name, keys))
    if modules:
        missing = [u.key for u in units if u.key not in placed]
        if missing:
            raise KmcError(f"modules：單元 {'、'.join(missing)} 未編入任何模組")
        order = {k: n for n, k in enumerate(k for _, keys in modules for k in keys)}
        units.sort(key=lambda u: order[u.key])
    return Layout(stds, units, modules, fixed)


def _check_hours(spec: CourseSpec, count: int, fixed: dict[str, float]) -> None:
    total, minimum, set_sum = spec.total_hours, spec.min_unit_hours, sum(fixed.values())
    free = count - len(fixed)
    if set_sum > total:
        raise KmcError(f"hours：指定時數合計 {_hours(set_sum)} 小時，超過課程總時數 "
                       f"{_hours(total)} 小時")
    if not free and set_sum != total:
        raise KmcError(f"hours：每個單元都已指定時數，合計 {_hours(set_sum)} 小時，"
                       f"須等於課程總時數 {_hours(total)} 小時")
    if total - set_sum < free * minimum:
        left = f"扣除指定時數後剩 {_hours(total - set_sum)} 小時，" if fixed else \
            f"{_hours(total)} 小時"
        raise KmcError(f"total_hours：{left}不足以安排 {free} 個單元"
                       f"（每單元至少 {_hours(minimum)} 小時）")
