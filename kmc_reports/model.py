"""The model of one iCAP competency standard (職能基準): the single source of truth.

Importers build it, analyses and reports only read it.  It keeps what the source printed
(names as printed at each place, cells shared between tasks, level bands inside a task) so
nothing downstream has to guess.
"""

from __future__ import annotations

import re
from typing import Annotated, Iterator

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

STANDARD_CODE = r"^[A-Z]{3}\d{4}-\d{3}(?:v\d+)?$"  # the first version often has no vN


def _code(pattern: str):
    return Annotated[str, StringConstraints(pattern=pattern)]


NonEmpty = Annotated[str, StringConstraints(min_length=1)]
Level = Annotated[int, Field(ge=1, le=6)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False)


class Ref(_Model):
    """A knowledge or skill item as printed at one place (the name may differ elsewhere)."""

    code: _code(r"^[KS]\d+$")
    name: NonEmpty


class Output(_Model):
    """A work output (工作產出); real standards sometimes print it without a code, or with a
    two-level code (O1.2) that names no task."""

    code: _code(r"^O\d+\.\d+(?:\.\d+)?$") | None = None
    name: NonEmpty


class Indicator(_Model):
    """A behaviour indicator (行為指標) with its full text.  Older standards number them
    per duty (P1.2), which names no task."""

    code: _code(r"^P\d+\.\d+(?:\.\d+)?$")
    text: NonEmpty


class Band(_Model):
    """One level cell of a task with what is printed beside it.

    Most tasks have one band.  A task whose rows carry different levels keeps one band per
    level.  ``shared_with`` lists the other tasks of the duty whose level/K/S cell is the
    same merged cell in the source; each of them repeats the shared level, K and S.

    ``level`` is None when the source prints no level or something that is not one level
    1–6 (「34」, 「4級以上」): ``printed_level`` keeps what was printed, nothing is guessed.

    ``items_shared``: the source prints one block for several tasks (this one and
    ``shared_with``) and its outputs and indicators name no task (P1.2 in a block of T1.1–
    T1.5).  They are kept once, here, on the block's first task, and belong to the block.
    """

    level: Level | None = None
    printed_level: str = ""
    outputs: list[Output] = []
    indicators: list[Indicator] = []
    knowledge: list[Ref] = []
    skills: list[Ref] = []
    shared_with: list[_code(r"^T\d+(?:\.\d+)?$")] = []
    items_shared: bool = False

    @property
    def level_label(self) -> str:
        """The level as documents print it: the number, else what the source printed."""
        return level_label(self.level, self.printed_level)


class Task(_Model):
    """A task (工作任務).  Its code is normally T1.1; some converted standards print only the
    duty's code (T1) and no name, which is kept as printed."""

    code: _code(r"^T\d+(?:\.\d+)?$")
    name: str = ""
    bands: list[Band] = Field(min_length=1)

    @property
    def level(self) -> int | None:
        return self.bands[0].level

    @property
    def levels(self) -> list[int]:
        """The task's levels 1–6 (a band printed without one has none)."""
        return sorted({b.level for b in self.bands if b.level is not None})

    @property
    def level_label(self) -> str:
        return "、".join(dict.fromkeys(b.level_label for b in self.bands if b.level_label))

    @property
    def outputs(self) -> list[Output]:
        return [o for b in self.bands for o in b.outputs]

    @property
    def indicators(self) -> list[Indicator]:
        return [p for b in self.bands for p in b.indicators]

    @property
    def knowledge(self) -> list[Ref]:
        return _union(b.knowledge for b in self.bands)

    @property
    def skills(self) -> list[Ref]:
        return _union(b.skills for b in self.bands)


def _union(lists) -> list[Ref]:
    seen, out = set(), []
    for refs in lists:
        for r in refs:
            if (r.code, r.name) not in seen:
                seen.add((r.code, r.name))
                out.append(r)
    return out


class Duty(_Model):
    """A duty (主要職責).  Its tasks are those printed beside it, even when their codes name
    another duty (a duty missing from the table): the importer warns, the model keeps."""

    code: _code(r"^T\d+$")
    name: str = ""
    tasks: list[Task] = Field(min_length=1)


class Category(_Model):
    name: NonEmpty
    code: str = ""


class Categories(_Model):
    """所屬類別: 職類別, 職業別, 行業別 — each a list, since some standards name several."""

    job_categories: list[Category] = []
    occupations: list[Category] = []
    industries: list[Category] = []


class Version(_Model):
    version: NonEmpty
    code: NonEmpty
    name: str = ""
    status: str = ""
    note: str = ""
    date: str = ""

    @property
    def printed_date(self) -> str:
        """The date as documents print it: "" for a placeholder (「Unknown」)."""
        return "" if placeholder(self.date) else self.date

    @property
    def printed_version(self) -> str:
        """The version as documents print it: 「V4」 also where the source's version cell
        holds the whole code (「BHR2422-006v4」, which the import keeps, warning)."""
        found = re.fullmatch(r"[A-Z]{3}\d{4}-\d{3}v(\d+)", self.version.strip())
        return f"V{found.group(1)}" if found else self.version


class Attitude(_Model):
    code: _code(r"^A\d+$") | None = None
    name: NonEmpty
    description: str = ""


class FootnoteRef(_Model):
    """Where a 【註N】 marker stands: a code path such as ``T1``, ``T1.1``, ``T1.1/K01``
    or ``P2.1.1``, and the marked words when the source underlines them."""

    place: NonEmpty
    text: str = ""


class Footnote(_Model):
    number: int = Field(ge=1)
    text: str
    refs: list[FootnoteRef] = []


class Qualification(_Model):
    """A line of 建議擔任此職類/職業之學歷/經驗/或能力條件, with its sub-items."""

    text: NonEmpty
    items: list[str] = []


class Notes(_Model):
    qualifications: list[Qualification] = []
    footnotes: list[Footnote] = []
    remarks: list[str] = []


class Correction(_Model):
    """A hand correction of the imported data, re-applied on every import."""

    place: NonEmpty
    printed: str
    corrected: str
    reason: NonEmpty


class Standard(_Model):
    code: _code(STANDARD_CODE)
    name: NonEmpty
    level: Level | None = None
    printed_level: str = ""
    categories: Categories = Categories()
    description: str = ""
    versions: list[Version] = []
    duties: list[Duty] = Field(min_length=1)
    attitudes: list[Attitude] = []
    notes: Notes = Notes()
    corrections: list[Correction] = []
    source: str = ""

    @model_validator(mode="after")
    def _check_structure(self) -> "Standard":
        seen: set[str] = set()
        for duty in self.duties:
            for task in duty.tasks:
                if task.code in seen:
                    raise ValueError(f"工作任務 {task.code} 重複出現")
                seen.add(task.code)
        for duty in self.duties:
            codes = {t.code for t in duty.tasks}
            for task in duty.tasks:
                for band in task.bands:
                    for other in band.shared_with:
                        if other not in codes or other == task.code:
                            raise ValueError(
                                f"{task.code} 與 {other} 共用級別／知識／技能儲存格，"
                                f"但 {other} 不是主要職責 {duty.code} 的其他工作任務")
        return self

    @property
    def level_label(self) -> str:
        return level_label(self.level, self.printed_level)

    # -- navigation -----------------------------------------------------------------
    def tasks(self) -> Iterator[tuple[Duty, Task]]:
        for duty in self.duties:
            for task in duty.tasks:
                yield duty, task

    def task(self, code: str) -> Task | None:
        return next((t for _, t in self.tasks() if t.code == code), None)

    def shared_items(self, task_code: str) -> Band | None:
        """The band holding the outputs/indicators of the block ``task_code`` is printed in,
        when the source does not assign them to its tasks."""
        for _, task in self.tasks():
            for band in task.bands:
                if band.items_shared and task_code in (task.code, *band.shared_with):
                    return band
        return None

    def tasks_with_unassigned_items(self) -> set[str]:
        """Tasks of blocks whose outputs/indicators the source does not assign to a task."""
        out: set[str] = set()
        for _, task in self.tasks():
            for band in task.bands:
                if band.items_shared:
                    out.update([task.code, *band.shared_with])
        return out

    def catalogue(self, kind: str) -> dict[str, list[str]]:
        """Every K or S code with the distinct names it is printed with, in order."""
        field = {"K": "knowledge", "S": "skills"}[kind]
        out: dict[str, list[str]] = {}
        for _, task in self.tasks():
            for band in task.bands:
                for ref in getattr(band, field):
                    names = out.setdefault(ref.code, [])
                    if ref.name not in names:
                        names.append(ref.name)
        return dict(sorted(out.items(), key=lambda kv: code_key(kv[0])))

    def texts(self) -> Iterator[tuple[str, str]]:
        """Every printed name and text with its place; K/S names once per distinct name."""
        yield "name", self.name
        yield "description", self.description
        for field in ("job_categories", "occupations", "industries"):
            for c in getattr(self.categories, field):
                yield f"categories.{field}", c.name
        for duty in self.duties:
            yield duty.code, duty.name
            for task in duty.tasks:
                yield task.code, task.name
                for o in task.outputs:
                    yield o.code or task.code, o.name
                for p in task.indicators:
                    yield p.code, p.text
        for kind in ("K", "S"):
            for code, names in self.catalogue(kind).items():
                for name in names:
                    yield code, name
        for a in self.attitudes:
            yield a.code or "attitudes", a.name
            yield a.code or "attitudes", a.description
        for q in self.notes.qualifications:
            for text in (q.text, *q.items):
                yield "notes.qualifications", text
        for f in self.notes.footnotes:
            yield f"註{f.number}", f.text
        for text in self.notes.remarks:
            yield "notes.remarks", text

    def latest_version(self) -> Version:
        """The version row of this standard's own code, else the first row; a standard
        printed without a version table still has the version its code ends with
        (…-003v1 → V1; a code without vN is a first version, V1)."""
        for v in self.versions:
            if v.code == self.code:
                return v
        if self.versions:
            return self.versions[0]
        number = re.search(r"v(\d+)$", self.code)
        return Version(version=f"V{number.group(1)}" if number else "V1", code=self.code,
                       name=self.name)

    @property
    def occupation_code(self) -> str:
        m = re.match(r"^[A-Z]{3}(\d{4})-", self.code)
        return m.group(1) if m else ""


# Names converters print where the source has none (「Unknown」): kept as printed, but
# never used as a name of something a report makes.
PLACEHOLDERS = {"unknown", "n/a", "na", "none", "null", "未知", "無資料", "-", "—"}


def placeholder(name: str) -> bool:
    return squash(name).lower() in PLACEHOLDERS or not name.strip()


# What converters leak into a name or a note line (lint reports it as damaged-text): the
# codes of other cells (「A01敏銳的觀察A02熱情…」 as a duty name), page furniture, headings.
CELL_CODES = re.compile(r"(?<![A-Za-z0-9])[KSA]\d{2,}(?![\d.])")
FURNITURE = re.compile(r"職能內涵\s*[（(]\s*[KSA]\s*=|第\s*\d+\s*頁\s*[，,]\s*(?:總共|共)")
_HEADINGS = re.compile(r"^(?:基準更新紀錄|說明與補充事項|職能基準代碼|職能基準名稱|所屬類別|工作描述|"
                       r"基準級別|主要職責|工作任務|行為指標|職能內涵.*)$")
_OPENING, _CLOSING = "（(「『【〔［[《〈", "）)」』】〕］]》〉"


def heading(text: str) -> bool:
    """A heading of the standard's layout standing alone as text (「基準更新紀錄」)."""
    return bool(_HEADINGS.match(squash(text)))


def damaged(name: str) -> bool:
    """A duty or task name that carries another cell's text: item codes (K01, S02, A03),
    page furniture, or a lone heading.  Kept as printed; never printed as a name."""
    return bool(CELL_CODES.search(name) or FURNITURE.search(name) or heading(name))


def fragment(text: str) -> bool:
    """A note line that is only the tail of a sentence cut at a line break: it closes a
    bracket it never opened and has fewer than 4 characters of its own (「件】。」)."""
    depth, unopened = 0, False
    for ch in text:
        if ch in _OPENING:
            depth += 1
        elif ch in _CLOSING:
            unopened |= depth == 0
            depth = max(depth - 1, 0)
    own = re.sub(r"[\W_]", "", text)
    return not own or (unopened and len(own) < 4)


def level_label(level: int | None, printed: str) -> str:
    return str(level) if level is not None else printed


def code_key(code: str) -> tuple:
    """Sort key for codes such as K2 < K10 and T1.2 < T1.10."""
    return tuple(int(p) if p.isdigit() else p for p in re.findall(r"\d+|\D+", code))


# A Chinese character or full-width punctuation mark.
CJK = r"[\u3001-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff01-\uff60]"


def squash(text: str) -> str:
    """Text as compared everywhere: sources break and space Chinese text at random, so
    whitespace never makes two texts differ."""
    return re.sub(r"\s+", "", text)
