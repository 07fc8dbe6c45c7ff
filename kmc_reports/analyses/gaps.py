"""Gaps of people against a standard: ratings rolled up indicator → task → duty → standard
and held against a bar.  Pure: no I/O; figures keep full precision (documents round).

- A score is the mean of the behaviour-indicator ratings under a node (each indicator once;
  an indicator of a block whose indicators name no task counts for every task of the block),
  self and supervisor apart, with their difference (supervisor − self) when both are given.
- The value a bar is held against is the rating ``Bar.by`` names: ``supervisor`` (default),
  ``self``, or ``lower`` (the lower of the two means); when a person gave only one kind of
  rating, that one.
- A task is a **gap** when its value is below ``Bar.required`` (default 3 = 大致具備) and a
  **strength** when it is at least ``Bar.strong`` (default 4 = 熟練).  The behaviour
  indicators already describe each task at the level the standard requires of it, so one
  bar on the rating scale serves every task; the level is shown beside it.
- The knowledge and skills the gap tasks need are the learning needs; for a team, each is
  counted in people (a person counts once, however many of their gap tasks need it).
- A team's score of a task is the mean over people of their task scores (self, supervisor
  and value each over the people who have one; the difference is the mean of the people's
  differences); a common gap is a task below the bar for at least one person, most people
  first.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from statistics import fmean
from typing import Mapping, Sequence

from ..errors import KmcError
from ..model import Standard, code_key
from ..ratings import Rating, Ratings, indicator_slots
from ..views import RATING_SCALE, competencies

BY = {"supervisor": "主管評", "self": "自評", "lower": "兩者較低者"}
LOW, HIGH = RATING_SCALE[0][0], RATING_SCALE[-1][0]


@dataclass(frozen=True)
class Bar:
    """What a task must score (kmc-reports.yaml ``gap_bar``/``gap_by``, ``--bar``)."""

    required: float = 3.0   # a task meets the bar when its value ≥ this (3 = 大致具備)
    by: str = "supervisor"  # which rating decides when both are given: supervisor|self|lower
    strong: float = 4.0     # a strength from this value on (4 = 熟練)

    def __post_init__(self):
        for what, x in (("門檻", self.required), ("強項門檻", self.strong)):
            if isinstance(x, bool) or not isinstance(x, (int, float)) or not LOW <= x <= HIGH:
                raise KmcError(f"{what} {x} 應為 {LOW} 到 {HIGH} 之間的數字")
        if self.by not in BY:
            raise KmcError(f"判定依據「{self.by}」應為 {'、'.join(BY)} 之一")

    def decide(self, self_: float | None, supervisor: float | None) -> float | None:
        given = [x for x in (self_, supervisor) if x is not None]
        if len(given) < 2:
            return given[0] if given else None
        return {"supervisor": supervisor, "self": self_, "lower": min(given)}[self.by]


@dataclass(frozen=True)
class Score:
    self: float | None
    supervisor: float | None
    value: float | None     # the one the Bar decides on
    diff: float | None      # supervisor − self, when both


@dataclass
class IndicatorResult:
    code: str
    text: str
    score: Score


@dataclass
class TaskResult:
    code: str
    name: str
    duty: str
    level: int | None
    score: Score
    gap: bool
    rated: bool             # False: the task has no behaviour indicator to rate
    indicators: list[IndicatorResult] = field(default_factory=list)
    knowledge: list[str] = field(default_factory=list)   # K codes it needs
    skills: list[str] = field(default_factory=list)      # S codes it needs
    strong: bool = False    # value ≥ Bar.strong
    level_label: str = ""   # the level as printed (「34」 where no single level)


@dataclass
class DutyResult:
    code: str
    name: str
    score: Score
    tasks: list[TaskResult] = field(default_factory=list)


@dataclass
class Need:
    """A K or S learning need: the item, the gap tasks needing it, the people needing it."""

    kind: str
    code: str
    name: str
    tasks: list[str]
    people: int
    label: str = ""         # the name with the other names it is printed with


@dataclass
class PersonGaps:
    person: str
    standard: str
    version: str
    bar: Bar
    score: Score
    duties: list[DutyResult]
    gaps: list[TaskResult]
    strengths: list[TaskResult]
    needs: list[Need]

    @property
    def tasks(self) -> list[TaskResult]:
        return [t for d in self.duties for t in d.tasks]


@dataclass
class TeamGaps:
    standard: str
    version: str
    bar: Bar
    people: list[PersonGaps]
    common_gaps: list[tuple[TaskResult, int]]   # task (team mean score) × people below the bar
    needs: list[Need]                           # K/S counted across people, most needed first
    score: Score | None = None                  # the team's mean of the people's scores
    duties: list[DutyResult] = field(default_factory=list)  # team means, standard order


# -- one person ----------------------------------------------------------------------------

def _mean(xs) -> float | None:
    xs = [x for x in xs if x is not None]
    return fmean(xs) if xs else None


def _score(bar: Bar, self_: float | None, supervisor: float | None) -> Score:
    diff = supervisor - self_ if self_ is not None and supervisor is not None else None
    return Score(self_, supervisor, bar.decide(self_, supervisor), diff)


class _Shape:
    """What a standard's rollup needs, computed once: the slots each task and duty holds
    and the K/S items each task needs."""

    def __init__(self, std: Standard):
        self.std = std
        self.slots = indicator_slots(std)
        self.index = {(s.code, s.nth): i for i, s in enumerate(self.slots)}
        self.task_slots: dict[str, list[int]] = defaultdict(list)
        self.duty_slots: dict[str, list[int]] = defaultdict(list)
        for i, s in enumerate(self.slots):
            self.duty_slots[s.duty.code].append(i)
            for t in s.tasks:
                self.task_slots[t.code].append(i)
        items = {kind: competencies(std, kind) for kind in "KS"}
        self.needs = {task.code: self._needs(task, items) for _, task in std.tasks()}

    @staticmethod
    def _needs(task, items) -> list[tuple]:
        """The K/S items (kind, Competency) a task needs, in the order it lists them."""
        out = []
        for kind, refs in (("K", task.knowledge), ("S", task.skills)):
            for ref in refs:
                c = next(c for c in items[kind] if c.code == ref.code and ref.name in c.names)
                if all(c is not other for _, other in out):
                    out.append((kind, c))
        return out


def person_gaps(std: Standard, ratings: Ratings, person: str, bar: Bar = Bar()) -> PersonGaps:
    return _person(_Shape(std), ratings, person, ratings.of(person), bar)


def _person(shape: _Shape, ratings: Ratings, person: str, rows: list[Rating],
            bar: Bar) -> PersonGaps:
    n = len(shape.slots)
    selfs: list[int | None] = [None] * n
    sups: list[int | None] = [None] * n
    for r in rows:
        if r.kind == "P":
            i = shape.index[(r.code, r.nth)]
            selfs[i], sups[i] = r.self, r.supervisor

    def score(idx: list[int]) -> Score:
        return _score(bar, _mean(selfs[i] for i in idx), _mean(sups[i] for i in idx))

    duties = []
    for duty in shape.std.duties:
        tasks = []
        for task in duty.tasks:
            idx = shape.task_slots.get(task.code, [])
            s = score(idx)
            needs = shape.needs[task.code]
            tasks.append(TaskResult(
                task.code, task.name, duty.code, max(task.levels, default=None), s,
                gap=s.value is not None and s.value < bar.required, rated=bool(idx),
                indicators=[IndicatorResult(shape.slots[i].code, shape.slots[i].text,
                                            score([i])) for i in idx],
                knowledge=list(dict.fromkeys(c.code for k, c in needs if k == "K")),
                skills=list(dict.fromkeys(c.code for k, c in needs if k == "S")),
                strong=s.value is not None and s.value >= bar.strong,
                level_label=task.level_label))
        duties.append(DutyResult(duty.code, duty.name, score(shape.duty_slots[duty.code]),
                                 tasks))
    every = [t for d in duties for t in d.tasks]
    gaps = [t for t in every if t.gap]
    strengths = sorted((t for t in every if t.strong),
                       key=lambda t: (-t.score.value, code_key(t.code)))
    needs: dict[tuple, Need] = {}
    for t in gaps:
        for kind, c in shape.needs[t.code]:
            need = needs.setdefault((kind, c.code, c.name),
                                    Need(kind, c.code, c.name, [], 1, c.label))
            need.tasks.append(t.code)
    return PersonGaps(person, ratings.standard, ratings.version, bar, score(list(range(n))),
                      duties, gaps, strengths, _ordered(needs.values()))


def _ordered(needs) -> list[Need]:
    return sorted(needs, key=lambda x: (-x.people, x.kind, code_key(x.code), x.name))


# -- a team --------------------------------------------------------------------------------

def team_gaps(std: Standard, ratings: Ratings, bar: Bar = Bar()) -> TeamGaps:
    shape = _Shape(std)
    rows: dict[str, list[Rating]] = defaultdict(list)
    for r in ratings.rows:
        rows[r.person].append(r)
    people = [_person(shape, ratings, p, rows[p], bar) for p in ratings.people]
    by_task: dict[str, list[TaskResult]] = defaultdict(list)
    for p in people:
        for t in p.tasks:
            by_task[t.code].append(t)

    duties = []
    for i, duty in enumerate(people[0].duties if people else []):
        tasks = []
        for task in duty.tasks:
            mine = by_task[task.code]
            s = _combine(bar, [t.score for t in mine])
            tasks.append(TaskResult(
                task.code, task.name, task.duty, task.level, s,
                gap=s.value is not None and s.value < bar.required, rated=task.rated,
                indicators=[IndicatorResult(ind.code, ind.text, _combine(
                    bar, [t.indicators[j].score for t in mine]))
                    for j, ind in enumerate(task.indicators)],
                knowledge=task.knowledge, skills=task.skills,
                strong=s.value is not None and s.value >= bar.strong,
                level_label=task.level_label))
        duties.append(DutyResult(duty.code, duty.name,
                                 _combine(bar, [p.duties[i].score for p in people]), tasks))

    counts = {code: sum(t.gap for t in ts) for code, ts in by_task.items()}
    common = sorted(((t, counts[t.code]) for d in duties for t in d.tasks if counts[t.code]),
                    key=lambda tc: (-tc[1], tc[0].score.value, code_key(tc[0].code)))
    needs: dict[tuple, Need] = {}
    for p in people:
        for n in p.needs:
            need = needs.setdefault((n.kind, n.code, n.name),
                                    Need(n.kind, n.code, n.name, [], 0, n.label))
            need.people += 1
            need.tasks += [t for t in n.tasks if t not in need.tasks]
    for need in needs.values():
        need.tasks.sort(key=code_key)
    return TeamGaps(ratings.standard, ratings.version, bar, people, common, _ordered(
        needs.values()), _combine(bar, [p.score for p in people]), duties)


def _combine(bar: Bar, scores: Sequence[Score]) -> Score:
    """The team's score from the people's: each figure the mean over those who have it."""
    return Score(_mean(s.self for s in scores), _mean(s.supervisor for s in scores),
                 _mean(s.value for s in scores), _mean(s.diff for s in scores))


# -- the training plan ---------------------------------------------------------------------

TEAM_SHARE = 0.25  # a team course covers the tasks at least this share of the team lacks


def team_course_tasks(team: TeamGaps) -> list[str]:
    """The tasks a team course covers: those at least TEAM_SHARE of the people (and at
    least one) fall below the bar on, in the standard's order."""
    least = max(1, math.ceil(TEAM_SHARE * len(team.people) - 1e-9))
    return sorted((t.code for t, count in team.common_gaps if count >= least), key=code_key)


def gap_course(std: Standard, tasks: list[str], hours: float | None,
               levels: Mapping[int, str], name: str | None = None,
               audience: str | None = None):
    """The syllabus planner (`analyses.syllabus.plan`) on just these task codes: the Plan
    the syllabus report prints; None without tasks.  ``hours`` default as a syllabus
    without a spec: 3 per task, at least 6."""
    from pydantic import ValidationError

    from ..course import CourseSpec
    from ..errors import validation_message
    from .syllabus import plan

    if not tasks:
        return None
    total = hours if hours is not None else max(6, 3 * len(tasks))
    try:
        spec = CourseSpec(name=name or f"{std.name}職務實務精進", standards=[std.code],
                          tasks=list(tasks), total_hours=total,
                          audience=audience or f"經職能評鑑，下列工作任務未達標準之{std.name}")
    except ValidationError as exc:
        err = exc.errors()[0]
        what = f"--hours {total:g}" if err["loc"][:1] == ("total_hours",) else err["loc"][0]
        raise KmcError(f"{what}：{validation_message(err)}") from None
    return plan([std], spec, levels)
