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
from .text import (Marker, clean, code_parts, glued_codes, join_cjk, named_task, parse_level,
                   split_items, strip_markup)

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
    printed: str = ""  # a level cell that is not one level 1–6, as printed
    knowledge: list[Ref] = field(default_factory=list)
    skills: list[Ref] = field(default_factory=list)
    tasks: list[str] = field(default_factory=list)


@dataclass
class _Band:
    group: _Group
    outputs: list[Output] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)
    block: list["_Task"] = field(default_factory=list)  # tasks printed in one cell with it


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
    def __init__(self, warn):
        self.warn = warn
        self.duties: list[_Duty] = []
        self.task: _Task | None = None  # the task printed last (its name may continue)
        self.band: _Band | None = None  # where the row's items go
        self._items_band: dict[str, _Band] = {}
        self.markers: list[tuple[Marker, str]] = []
        self._reported: set[tuple[str, str]] = set()

    # -- rows -------------------------------------------------------------------------
    def add(self, row: Row) -> None:
        cells = {c: row.cells.get(c, "").strip() for c in COLUMNS}
        if not any(cells.values()):
            return
        self._duty_cell(cells["duty"], row.line)
        new_tasks = self._task_cell(cells["task"], row.line)
        if self.task is None:
            self.warn(f"第 {row.line} 行：第一項工作任務之前有文字："
                      f"「{join_cjk(strip_markup(' '.join(cells.values())))[:60]}」")
            return
        level = self._level(cells["level"], row.line)
        printed = {p.code for b in self.task.bands for p in b.indicators}
        new_indicators = any(code not in printed for code, _ in split_items(
            strip_markup(cells["indicator"]), "indicator")[1])
        if new_tasks:
            self.band = self._start_band(new_tasks, level)
        elif level is not None and self.band.group.level is None and not self.band.group.printed:
            self.band.group.level, self.band.group.printed = level
        elif level is not None and (new_indicators or
                                    level != (self.band.group.level, self.band.group.printed)):
            # a level cell of its own beside new indicators: the task's next band
            if new_indicators and not self.band.block:
                self.band = self._start_band([self.task], level, own=True)
            else:
                self.warn(f"{self.task.code}：沒有行為指標的續行印有級別 "
                          f"{level[0] or level[1]}（保留級別 "
                          f"{self.band.group.level or self.band.group.printed}）")
        self._items(cells["output"], self.band, "output")
        self._items(cells["indicator"], self.band, "indicator")
        self._refs(cells["knowledge"], "knowledge", self.band.group.knowledge)
        self._refs(cells["skill"], "skill", self.band.group.skills)

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

    def _task_cell(self, text: str, line: int) -> list[_Task]:
        """The tasks this cell starts (several when one cell prints a block of tasks); a
        reprinted task (after a page break) becomes current again and starts nothing."""
        if not text:
            return []
        lead, items = split_items(text, "task")
        bare = re.match(r"\s*(T\d+)(?![.\d])(.*)", strip_markup(text), re.S)
        if not items and bare:  # a task printed with its duty's code only
            lead, items = "", [(bare.group(1), bare.group(2))]
        if strip_markup(lead).strip():
            if self.task is not None:
                self.task.name = join_cjk(self.task.name + " " + self._clean(lead, self.task.code))
            else:
                self.warn(f"第 {line} 行：工作任務文字沒有代碼：「{join_cjk(lead)}」")
        new: list[_Task] = []
        for code, raw in items:
            name = self._clean(raw, code)
            known = self._find_task(code)
            if known:
                if squash(name) != squash(known.name):
                    self.warn(f"{code}：再次出現時名稱不同「{name}」（保留「{known.name}」）")
                self.task = known
                self.band = self._items_band.get(code, known.bands[-1] if known.bands else None)
                continue
            duty = self._duty_for(code)
            if duty.tasks and "." in code and "." in duty.tasks[-1].code and \
                    code_parts(code) <= code_parts(duty.tasks[-1].code):
                self.warn(f"{code}：工作任務編號順序有誤（接在 {duty.tasks[-1].code} 之後）")
            if "." not in code:
                self.warn(f"工作任務只印出主要職責的代碼 {code}" + ("" if name else "，沒有名稱"))
            self.task = _Task(code, name)
            duty.tasks.append(self.task)
            new.append(self.task)
        return new

    def _duty_for(self, task_code: str) -> _Duty:
        """The duty printed beside a new task.  A task whose duty is not printed (T2.1 in
        the rows of T1, T2 missing) stays where it is printed, with a warning."""
        duty_code = task_code.split(".")[0]
        if not self.duties:
            self.warn(f"{task_code}：之前沒有印出主要職責 {duty_code}；已建立 {duty_code}（沒有名稱）")
            self.duties.append(_Duty(duty_code, ""))
        duty = self.duties[-1]
        if duty.code != duty_code:
            self.warn(f"工作任務 {task_code} 印在主要職責 {duty.code} 之下（保留來源的位置）")
        return duty

    def _find_task(self, code: str) -> _Task | None:
        return next((t for d in self.duties for t in d.tasks if t.code == code), None)

    def _level(self, text: str, line: int) -> tuple[int | None, str] | None:
        """(level, printed) of a level cell, None when the cell is empty."""
        text = join_cjk(strip_markup(text))
        if not text:
            return None
        level, printed = parse_level(text)
        if level is None:
            self.warn(f"{self.task.code if self.task else f'第 {line} 行'}："
                      f"級別欄「{printed}」不是 1–6 級；不推定級別")
        return level, printed

    def _start_band(self, tasks: list[_Task], level, own: bool = False) -> _Band:
        """A band for new tasks: their own level cell, or a share of the cell above (an empty
        level cell is the merged cell of the task before).  Tasks printed in one cell are a
        block: one band each, on one group; the block's items gather on the first band."""
        duty = self.duties[-1]
        prev = None
        if level is None and not own:
            prev_tasks = [t for t in duty.tasks if t not in tasks and t.bands]
            prev = prev_tasks[-1].bands[-1].group if prev_tasks else None
        group = prev or _Group(*(level or (None, "")))
        bands = []
        for task in tasks:
            group.tasks.append(task.code)
            band = _Band(group)
            task.bands.append(band)
            bands.append(band)
        if len(tasks) > 1:
            bands[0].block = list(tasks)
        for task in tasks:
            self._items_band[task.code] = bands[0]
        return bands[0]

    # -- items ------------------------------------------------------------------------
    def _owner_bands(self, band: _Band) -> list[_Band]:
        """The bands of the task whose items ``band`` holds (a block's first task)."""
        owner = next(t for d in self.duties for t in d.tasks if band in t.bands)
        return owner.bands

    def _items(self, text: str, band: _Band, kind: str) -> None:
        """Outputs or indicators of one cell.  Text before the first code continues the last
        item (carried over a page break); outputs printed without codes are kept uncoded."""
        if not text:
            return
        field, attr, cls = {"output": ("outputs", "name", Output),
                            "indicator": ("indicators", "text", Indicator)}[kind]
        known = [x for b in self._owner_bands(band) for x in getattr(b, field)]
        lead, items = split_items(text, kind)
        for code in glued_codes(text, kind):
            self.warn(f"{self.task.code}：{_KIND[kind]}代碼 {code} 黏在前一段文字之後；已分開")
        if strip_markup(lead).strip():
            frag = self._clean(lead, known[-1].code if known and known[-1].code
                               else self.task.code)
            if known:
                setattr(known[-1], attr, join_cjk(getattr(known[-1], attr) + " " + frag))
            elif kind == "output":
                for part in strip_markup(lead).split("\n"):
                    if part.strip():
                        band.outputs.append(Output(code=None,
                                                   name=self._clean(part, self.task.code)))
            else:
                self.warn(f"{self.task.code}：行為指標文字沒有代碼：「{frag}」"
                          f"（已併入工作任務名稱）")
                self.task.name = join_cjk(self.task.name + " " + frag)
        for code, raw in items:
            self._check_owner(code, kind, band, known)
            value = self._clean(raw, code)
            old = next((x for x in known if x.code == code), None)
            if old is not None and squash(getattr(old, attr)) == squash(value):
                continue  # a row reprinted after a page break
            if old is not None:
                self.warn(f"{code}：{_KIND[kind]}代碼重複（「{getattr(old, attr)}」／「{value}」）")
            # an empty text may still come on the next page
            item = cls.model_construct(code=code, **{attr: value})
            getattr(band, field).append(item)
            known.append(item)

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
            same = next((r for r in into if r.code == code), None)
            if same is not None:
                self.warn(f"{self.task.code}/{code}：同一儲存格中代碼重複，名稱不同"
                          f"（「{same.name}」／「{name}」）")
            into.append(Ref.model_construct(code=code, name=name))

    def _check_owner(self, code: str, kind: str, band: _Band, known: list) -> None:
        """An item whose code names a task must stand in that task's rows (a block sorts its
        items out at the end) and follow the item before it."""
        task = named_task(code)
        if band.block:
            return
        if task is not None and "." in self.task.code and task != self.task.code:
            self.warn(f"{code}：此{_KIND[kind]}印在工作任務 {self.task.code} 之下")
            return
        before = [x.code for x in known if x.code and len(code_parts(x.code)) ==
                  len(code_parts(code))]
        expected = code_parts(before[-1])[-1] + 1 if before else 1
        if code_parts(code)[-1] != expected and code not in before:
            after = f"接在 {before[-1]} 之後" if before else f"為第一項{_KIND[kind]}"
            self.warn(f"{code}：{self.task.code} 的{_KIND[kind]}編號順序有誤（{after}）")

    def _clean(self, raw: str, place: str) -> str:
        text, markers = clean(raw)
        self.markers.extend((m, place) for m in markers)
        return text

    # -- result -----------------------------------------------------------------------
    def duties_model(self) -> list[Duty]:
        shared = self._sort_blocks()
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
                    if g.level is None and not g.printed and t.code == g.tasks[0]:
                        self.warn(f"{t.code}：沒有印出級別；不推定級別")
                    bands.append(Band(
                        level=g.level, printed_level=g.printed,
                        outputs=self._named(b.outputs, "name", t.code),
                        indicators=self._named(b.indicators, "text", t.code),
                        knowledge=self._named(g.knowledge, "name", t.code),
                        skills=self._named(g.skills, "name", t.code),
                        shared_with=[c for c in g.tasks if c != t.code],
                        items_shared=id(b) in shared))
                if not t.name and "." in t.code:
                    self.warn(f"{t.code}：工作任務沒有名稱")
                tasks.append(Task(code=t.code, name=t.name, bands=bands))
            if not d.name:
                self.warn(f"{d.code}：主要職責沒有名稱")
            out.append(Duty(code=d.code, name=d.name, tasks=tasks))
        return out

    def _sort_blocks(self) -> set[int]:
        """Give each item of a block of tasks to the task its code names; when one names no
        task of the block, the block keeps them all on its first band (ids returned)."""
        shared: set[int] = set()
        for d in self.duties:
            for t in d.tasks:
                for band in t.bands:
                    if not band.block:
                        continue
                    codes = [x.code for x in band.outputs + band.indicators]
                    if all(c and named_task(c) in {b.code for b in band.block} for c in codes):
                        for task in band.block[1:]:
                            mine = next(b for b in task.bands if b.group is band.group)
                            for kind in ("outputs", "indicators"):
                                items = getattr(band, kind)
                                getattr(mine, kind).extend(
                                    x for x in items if named_task(x.code) == task.code)
                                setattr(band, kind, [x for x in items
                                                     if named_task(x.code) != task.code])
                    else:
                        shared.add(id(band))
                        names = "、".join(b.code for b in band.block)
                        self.warn(f"{names} 共用一個區塊，其工作產出與行為指標沒有標明屬於哪一項"
                                  f"工作任務；保留為整個區塊的項目")
        return shared

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

