"""Assemble the main table (主要職責 … 職能內涵) from rows of cells, by the logic of the codes.

Every layout reader turns its text into :class:`Row` objects — one per printed table row,
including the continuation rows a page break creates — and this module rebuilds duties,
tasks, level bands and merged level/K/S cells from them.  It never relies on a particular
standard: structure comes from the codes (T1 → T1.1 → O1.1.1/P1.1.1) and from which cells
are empty, and whatever it cannot place is reported as a warning, never dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..model import Band, Duty, FootnoteRef, Indicator, Output, Ref, Task, squash
from .text import Marker, clean, code_parts, join_cjk, split_items, strip_markup

COLUMNS = ("duty", "task", "output", "indicator", "level", "knowledge", "skill")
# Column kinds as warnings name them.
_KIND = {"output": "工作產出", "indicator": "行為指標", "knowledge": "知識", "skill": "技能"}


@dataclass
class Row:
    cells: dict[str, str]
    line: int = 0


@dataclass
class _Group:
    """One level/K/S cell, possibly merged over several tasks."""

    level: int | None
    knowledge: list[Ref] = field(default_factory=list)
    skills: list[Ref] = field(default_factory=list)
    tasks: list[str] = field(default_factory=list)


@dataclass
class _Band:
    group: _Group
    outputs: list[Output] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)


@dataclass
class _Task:
    code: str
    name: str
    bands: list[_Band] = field(default_factory=list)


@dataclass
class _Duty:
    code: str
    name: str
    tasks: list[_Task] = field(default_factory=list)


class TableBuilder:
    def __init__(self, std_code: str, std_level: int | None, warn):
        self.std_code, self.std_level, self.warn = std_code, std_level, warn
        self.duties: list[_Duty] = []
        self.task: _Task | None = None
        self.markers: list[tuple[Marker, str]] = []
        self._reported: set[tuple[str, str]] = set()

    # -- rows -------------------------------------------------------------------------
    def add(self, row: Row) -> None:
        cells = {c: row.cells.get(c, "").strip() for c in COLUMNS}
        if not any(cells.values()):
            return
        self._duty_cell(cells["duty"], row.line)
        new_task = self._task_cell(cells["task"], row.line)
        if self.task is None:
            self.warn(f"第 {row.line} 行：第一項工作任務之前有文字："
                      f"「{join_cjk(strip_markup(' '.join(cells.values())))[:60]}」")
            return
        fresh = new_task == "new"
        band = self.task.bands[-1] if self.task.bands else None
        level = self._level(cells["level"], row.line)
        new_indicators = bool(split_items(strip_markup(cells["indicator"]), "indicator")[1])
        if fresh:
            band = self._start_band(level)
        elif level is not None and band is not None and band.group.level is None:
            band.group.level = level
        elif level is not None and band is not None and level != band.group.level:
            if new_indicators:
                band = self._start_band(level, own=True)
            else:
                self.warn(f"{self.task.code}：沒有行為指標的續行印有級別 {level}"
                          f"（保留級別 {band.group.level}）")
        if band is None:  # a repeated task row of a task we already have
            band = self.task.bands[-1]
        self._outputs(cells["output"], band)
        self._indicators(cells["indicator"], band)
        self._refs(cells["knowledge"], "knowledge", band.group.knowledge)
        self._refs(cells["skill"], "skill", band.group.skills)

    def _duty_cell(self, text: str, line: int) -> None:
        if not text:
            return
        lead, items = split_items(text, "duty")
        if strip_markup(lead).strip():
            if self.duties and not items:
                self.duties[-1].name = join_cjk(self.duties[-1].name + " " + self._clean(
                    lead, self.duties[-1].code))
                return
            self.warn(f"第 {line} 行：主要職責文字沒有代碼：「{join_cjk(lead)}」")
        for code, raw in items:
            name = self._clean(raw, code)
            known = next((d for d in self.duties if d.code == code), None)
            if known:
                if name and squash(name) != squash(known.name):
                    self.warn(f"{code}：再次出現時名稱不同「{name}」（保留「{known.name}」）")
                continue
            if self.duties and code_parts(code) <= code_parts(self.duties[-1].code):
                self.warn(f"{code}：主要職責編號順序有誤（接在 {self.duties[-1].code} 之後）")
            self.duties.append(_Duty(code, name))

    def _task_cell(self, text: str, line: int) -> str:
        """Returns 'new' for a new task, 'again' for a reprinted one, '' for no task code."""
        if not text:
            return ""
        lead, items = split_items(text, "task")
        if strip_markup(lead).strip():
            if self.task is not None:
                self.task.name = join_cjk(self.task.name + " " + self._clean(lead, self.task.code))
            else:
                self.warn(f"第 {line} 行：工作任務文字沒有代碼：「{join_cjk(lead)}」")
        result = ""
        for code, raw in items:
            name = self._clean(raw, code)
            known = self._find_task(code)
            if known:
                if squash(name) != squash(known.name):
                    self.warn(f"{code}：再次出現時名稱不同「{name}」（保留「{known.name}」）")
                self.task, result = known, "again"
                continue
            duty = self._duty_for(code, line)
            if duty.tasks and code_parts(code) <= code_parts(duty.tasks[-1].code):
                self.warn(f"{code}：工作任務編號順序有誤（接在 {duty.tasks[-1].code} 之後）")
            self.task = _Task(code, name)
            duty.tasks.append(self.task)
            result = "new"
        return result

    def _duty_for(self, task_code: str, line: int) -> _Duty:
        duty_code = task_code.split(".")[0]
        duty = next((d for d in self.duties if d.code == duty_code), None)
        if duty is None:
            self.warn(f"{task_code}：之前沒有印出主要職責 {duty_code}；"
                      f"已建立 {duty_code}，以此工作任務的名稱命名")
            duty = _Duty(duty_code, "")
            self.duties.append(duty)
        elif duty is not self.duties[-1]:
            self.warn(f"{task_code}：接在主要職責 {self.duties[-1].code} 之後，但屬於 {duty_code}")
        return duty

    def _find_task(self, code: str) -> _Task | None:
        return next((t for d in self.duties for t in d.tasks if t.code == code), None)

    def _level(self, text: str, line: int) -> int | None:
        text = join_cjk(strip_markup(text))
        if not text:
            return None
        m = re.fullmatch(r"([1-6])(?:\s*級)?", text)
        if not m:
            self.warn(f"{self.task.code if self.task else f'第 {line} 行'}："
                      f"級別欄「{text}」不是 1–6 級")
            return None
        return int(m.group(1))

    def _start_band(self, level: int | None, own: bool = False) -> _Band:
        """A band for the current task: its own level cell, or a share of the cell above."""
        assert self.task is not None
        duty = self.duties[-1]
        prev = None
        if level is None and not own:
            prev_tasks = [t for t in duty.tasks if t is not self.task and t.bands]
            prev = prev_tasks[-1].bands[-1].group if prev_tasks else None
        group = prev or _Group(level)
        group.tasks.append(self.task.code)
        band = _Band(group)
        self.task.bands.append(band)
        return band

    # -- items ------------------------------------------------------------------------
    def _outputs(self, text: str, band: _Band) -> None:
        if not text:
            return
        lead, items = split_items(text, "output")
        if strip_markup(lead).strip():
            outputs = [o for b in self.task.bands for o in b.outputs]
            if outputs:  # carried over from the previous page
                outputs[-1].name = join_cjk(outputs[-1].name + " " + self._clean(
                    lead, outputs[-1].code or self.task.code))
            else:
                for part in strip_markup(lead).split("\n"):
                    if part.strip():
                        band.outputs.append(Output(code=None,
                                                   name=self._clean(part, self.task.code)))
        for code, raw in items:
            self._check_owner(code, "output")
            name = self._clean(raw, code)
            old = next((o for b in self.task.bands for o in b.outputs if o.code == code), None)
            if old:
                if squash(old.name) != squash(name):
                    self.warn(f"{code}：出現兩次，名稱不同：「{old.name}」／「{name}」")
                continue
            # an empty name may still come on the next page
            band.outputs.append(Output.model_construct(code=code, name=name))

    def _indicators(self, text: str, band: _Band) -> None:
        if not text:
            return
        lead, items = split_items(text, "indicator")
        if strip_markup(lead).strip():
            inds = [p for b in self.task.bands for p in b.indicators]
            frag = self._clean(lead, inds[-1].code if inds else self.task.code)
            if inds:
                inds[-1].text = join_cjk(inds[-1].text + " " + frag)
            else:
                self.warn(f"{self.task.code}：行為指標文字沒有代碼：「{frag}」"
                          f"（已併入工作任務名稱）")
                self.task.name = join_cjk(self.task.name + " " + frag)
        for code, raw in items:
            self._check_owner(code, "indicator")
            text_ = self._clean(raw, code)
            old = next((p for b in self.task.bands for p in b.indicators if p.code == code), None)
            if old:
                if squash(old.text) != squash(text_):
                    self.warn(f"{code}：出現兩次，內容不同")
                continue
            band.indicators.append(Indicator.model_construct(code=code, text=text_))

    def _refs(self, text: str, kind: str, into: list[Ref]) -> None:
        if not text:
            return
        lead, items = split_items(text, kind)
        if strip_markup(lead).strip():
            frag = join_cjk(strip_markup(lead))
            if into:
                into[-1].name = join_cjk(into[-1].name + " " + self._clean(
                    lead, f"{self.task.code}/{into[-1].code}"))
            else:
                self.warn(f"{self.task.code}：{_KIND[kind]}文字沒有代碼：「{frag}」"
                          f"（未保留；請檢查來源）")
        for code, raw in items:
            name = self._clean(raw, f"{self.task.code}/{code}")
            if any(r.code == code and squash(r.name) == squash(name) for r in into):
                continue
            into.append(Ref.model_construct(code=code, name=name))

    def _check_owner(self, code: str, what: str) -> None:
        """An indicator or output must belong to its task and follow the one before it."""
        if code_parts(code)[:2] != code_parts(self.task.code):
            self.warn(f"{code}：此{_KIND[what]}印在工作任務 {self.task.code} 之下")
            return
        field = "indicators" if what == "indicator" else "outputs"
        before = [x.code for b in self.task.bands for x in getattr(b, field) if x.code]
        expected = code_parts(before[-1])[2] + 1 if before else 1
        if code_parts(code)[2] != expected and code not in before:
            after = f"接在 {before[-1]} 之後" if before else f"為第一項{_KIND[what]}"
            self.warn(f"{code}：{self.task.code} 的{_KIND[what]}編號順序有誤（{after}）")

    def _clean(self, raw: str, place: str) -> str:
        text, markers = clean(raw)
        self.markers.extend((m, place) for m in markers)
        return text

    # -- result -----------------------------------------------------------------------
    def duties_model(self) -> list[Duty]:
        out = []
        for d in self.duties:
            if not d.tasks:
                self.warn(f"{d.code}：主要職責「{d.name}」沒有工作任務（已略去）")
                continue
            tasks = []
            for t in d.tasks:
                bands = []
                for b in t.bands:
                    g = b.group
                    if g.level is None:
                        g.level = self.std_level or 1
                        self.warn(f"{t.code}：沒有印出級別；採用職能基準的級別 {g.level}")
                    bands.append(Band(
                        level=g.level,
                        outputs=self._named(b.outputs, "name", t.code),
                        indicators=self._named(b.indicators, "text", t.code),
                        knowledge=self._named(g.knowledge, "name", t.code),
                        skills=self._named(g.skills, "name", t.code),
                        shared_with=[c for c in g.tasks if c != t.code]))
                if not t.name:
                    self.warn(f"{t.code}：工作任務沒有名稱")
                tasks.append(Task(code=t.code, name=t.name or t.code, bands=bands))
            out.append(Duty(code=d.code, name=d.name or d.code, tasks=tasks))
        return out

    def _named(self, items: list, attr: str, task: str) -> list:
        """Validated copies of the items that got a text; a code never followed by one is
        reported (once, for the task that printed it)."""
        out = []
        for item in items:
            if getattr(item, attr):
                out.append(type(item).model_validate(item.model_dump()))
            elif (task, item.code) not in self._reported:
                self._reported.add((task, item.code))
                self.warn(f"{task}：{item.code} 沒有任何文字（已略去）")
        return out

    def footnote_refs(self) -> dict[int, list[FootnoteRef]]:
        refs: dict[int, list[FootnoteRef]] = {}
        for m, place in self.markers:
            refs.setdefault(m.number, []).append(FootnoteRef(place=place, text=m.text))
        return refs

