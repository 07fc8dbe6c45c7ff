"""What the report templates show, computed from the model once, in Python.

Templates stay declarative: they loop over these rows and print cells; the arithmetic of
merged cells, selections and groupings is here, where it can be tested.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Iterable

from .errors import KmcError
from .model import (CJK, Band, Duty, Footnote, Notes, Qualification, Ref, Standard, Task, code_key,
                    damaged, fragment, heading, placeholder)


@dataclass
class ProfileRow:
    """One row of the iCAP table: one level band of one task.  A cell object is set only in
    the row where that (possibly merged) cell starts, with its span.  ``block`` lists the
    tasks printed in the row's task cell: the task itself, or every task of a block whose
    outputs and indicators name no task (printed in one row, as the source did)."""

    duty: Duty | None
    duty_span: int
    task: Task | None
    task_span: int
    band: Band
    shared: Band | None  # the level/K/S cell, where it starts
    shared_span: int
    block: list[Task] = field(default_factory=list)


def block_tasks(duty: Duty, band: Band, task: Task) -> list[Task]:
    """The tasks whose items ``band`` holds: its own task, or a whole block's."""
    if not band.items_shared:
        return [task]
    return [task] + [t for t in duty.tasks if t.code in band.shared_with]


def task_list(tasks: list[Task]) -> str:
    """Tasks in one cell: 「T1.1 name、T1.2 name」, each as :func:`task_label` prints it (no
    closing 「。」 before the 「、」, no placeholder or leaked name)."""
    return "、".join(task_label(t) for t in tasks)


# -- text and names to print (the rule: ``printable``) -------------------------------------

# Whitespace between two Chinese characters: a line wrap a converter kept (「審核能 力」).
_WRAP_SPACE = re.compile(rf"(?<={CJK})[ \t\r\n]+(?={CJK})")


def printed_text(text: str) -> str:
    """Text as every report prints it: without whitespace between two Chinese characters, so
    a standard reads the same whichever form it was imported from (the PDF and Word readers
    drop such wraps; the converter's JSON keeps them, and so does the model, which lint
    reports as stray-space)."""
    return _WRAP_SPACE.sub("", text)


TITLE_CHARS = 30  # the longest list of task names that still reads as a title
_FINAL = "。．.；;！!？?，,、 \t\n"


def bare(name: str) -> str:
    """A name as running text and titles print it: a line break the source put inside it
    dropped between two CJK characters (a space elsewhere), no final sentence punctuation."""
    text = re.sub(r"(?<=[^\x00-\x7f])[ \t]*\n\s*(?=[^\x00-\x7f])", "", name.strip())
    return re.sub(r"\s*\n\s*", " ", text).rstrip(_FINAL)


def printable(name: str) -> bool:
    """Whether a name may be printed as a name.  The rule of names to print, which every
    drafted text and heading of syllabi and job descriptions follows:

    * A name is *printable* when it is neither a placeholder (empty, 「Unknown」 …:
      ``model.placeholder``) nor damaged (another cell's text leaked into it — codes such
      as 「A01敏銳的觀察A02…」, page furniture, a lone heading: ``model.damaged``).  The
      importer keeps such names and lint reports them (``damaged-text``); documents never
      print them as names.
    * A printable name embedded in running text or used as a title is printed ``bare``: on
      one line, without its final sentence punctuation (「…審查及修訂。」 gives no 「。、」).
    * A duty whose name is not printable is named by the printable names of its (selected)
      tasks, joined with 「、」 — in running text always, as a title only when they fit in
      ``TITLE_CHARS`` — and otherwise neutrally by its code, 「主要職責 T1」
      (``duty_name``, ``duty_title``, ``duty_label``).  A task whose name is not printable
      is 「工作任務 T1.2」, or, when it carries only its duty's code (T1), is named as that
      duty (``task_title``); in a list under its duty it is its code alone
      (``task_label``).  Running text that finds no printable name at all says so in
      general words (「各項工作任務」, 「本單元工作任務」).
    * Qualification lines (任用資格) that are a leaked heading (「基準更新紀錄」) or the tail
      of a cut sentence (「件】。」: ``model.fragment``) are not printed
      (``printed_qualifications``); the model keeps them as imported.  Note lines that are
      the source's PDF lines, not its items, print as items (``printed_notes``).
    """
    return not placeholder(name) and not damaged(name)


def names(texts: Iterable[str]) -> list[str]:
    """The printable ones of ``texts``, bare, each once, in order."""
    return list(dict.fromkeys(bare(t) for t in texts if printable(t)))


def duty_name(duty: Duty, tasks: list[Task] | None = None, title: bool = True) -> str:
    """The duty's name to print, or "" when neither it nor its tasks (``tasks``: the ones
    selected, default all) have a printable name, or (``title``) theirs are too long for a
    title.  Callers print 「主要職責 T1」 (``duty_title``) or general words for ""."""
    if printable(duty.name):
        return bare(duty.name)
    listed = "、".join(names(t.name for t in (duty.tasks if tasks is None else tasks)))
    return listed if not title or len(listed) <= TITLE_CHARS else ""


def duty_title(duty: Duty, tasks: list[Task] | None = None) -> str:
    """A duty as a title: its name to print, else 「主要職責 T1」."""
    return duty_name(duty, tasks) or f"主要職責 {duty.code}"


def duty_label(duty: Duty) -> str:
    """A duty as a heading: 「T1 名稱」, else 「主要職責 T1」."""
    name = duty_name(duty)
    return f"{duty.code} {name}" if name else f"主要職責 {duty.code}"


def task_title(task: Task, duty: Duty | None = None) -> str:
    """A task as a title: its bare name, else (a task printed with only its duty's code)
    the duty's title, else 「工作任務 T1.2」."""
    if printable(task.name):
        return bare(task.name)
    if "." not in task.code:  # T1: the task is its duty
        return duty_title(duty, [task]) if duty is not None else f"主要職責 {task.code}"
    return f"工作任務 {task.code}"


def task_label(task: Task) -> str:
    """A task as a list item prints it: 「T1.1 名稱」, the code alone when its name is not
    printable."""
    return f"{task.code} {bare(task.name)}" if printable(task.name) else task.code


def printed_qualifications(notes: Notes) -> list[Qualification]:
    """The qualification lines documents print (任用資格): lines as items by the rule of notes
    to print (:func:`printed_notes`), then leaked headings and fragments left out (also among
    a line's items); the model keeps them as imported."""
    out = []
    for q in printed_notes(notes).qualifications:
        if heading(q.text) or fragment(q.text):
            continue
        items = [i for i in q.items if not heading(i) and not fragment(i)]
        out.append(q if items == q.items else q.model_copy(update={"items": items}))
    return out


# -- notes to print (the rule: ``printed_notes``) ------------------------------------------

# What ends a sentence or a clause at the end of a line: the line is complete.
_CLOSED = tuple("。．.！!？?；;：:」』）)】〕］]》〉…")
# What starts a new item: an enumerator (its kind is the group's name) or a bullet.
_ENUMERATOR = re.compile(
    r"\s*(?:(?P<cjk>[一二三四五六七八九十百]+|[甲乙丙丁戊己庚辛壬癸])\s*[、．.]"
    r"|(?P<cjk_paren>[（(]\s*[一二三四五六七八九十百]+\s*[)）])"
    r"|(?P<num>\d{1,3})\s*(?:[、．]|[.)）](?!\d))"
    r"|(?P<num_paren>[（(]\s*\d{1,3}\s*[)）])"
    r"|(?P<circled>[\u2460-\u24ff\u2776-\u2793])"
    r"|(?P<latin>[A-Za-z][.)])\s)")
_BULLET = re.compile(r"\s*(?:[•●⚫○◦■□◆◇▪▫‧・·※►▶➢✓✔*\-–—]|【\s*註)")
_LATIN = re.compile(r"[A-Za-z0-9]")
WRAP_MIN = 60  # display columns (a Chinese character is 2): shorter lines are never wraps
WRAP_SHARE = 0.8  # of the widest line of the notes: a line this wide filled its line


def _width(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1
               for c in printed_text(line).strip())


def _enumerator(line: str) -> str:
    """The kind of enumerator a line starts with (「一、」 cjk, 「（一）」 cjk_paren, 「1.」
    「1、」 num, 「(1)」 num_paren, 「①」 circled, 「a)」 latin), or ""."""
    m = _ENUMERATOR.match(line)
    return next(k for k, v in m.groupdict().items() if v) if m else ""


def starts_item(line: str) -> bool:
    """Whether a note line starts an item of its own: an enumerator, a bullet or 【註, or a
    heading of the layout standing alone (「基準更新紀錄」)."""
    return bool(_enumerator(line) or _BULLET.match(line) or heading(line))


def wrapped(line: str, full: int) -> bool:
    """Whether a note line was cut at a line break of its source: it ends no sentence or
    clause, is no heading, and is at least ``full`` columns wide (it filled its line)."""
    text = line.strip()
    return (bool(text) and not text.endswith(_CLOSED) and not heading(text)
            and _width(text) >= full)


def join_lines(first: str, second: str) -> str:
    """Two lines of one item as one text: Chinese joined without a space, a space kept
    between two Latin letters or digits (「CSR」 + 「ISO」 → 「CSR ISO」)."""
    first, second = first.rstrip(), second.lstrip()
    gap = " " if _LATIN.fullmatch(first[-1:]) and _LATIN.fullmatch(second[:1]) else ""
    return first + gap + second


def note_lines(lines: Iterable[str], full: int) -> list[str]:
    """``lines`` as items: a line joins the one before when that was cut (:func:`wrapped`)
    and it starts no item of its own (:func:`starts_item`)."""
    out: list[str] = []
    cut = False
    for line in lines:
        if out and cut and not starts_item(line):
            out[-1] = join_lines(out[-1], line)
        else:
            out.append(line)
        cut = wrapped(line, full)
    return out


def _note_items(entries: list[Qualification], full: int) -> list[Qualification]:
    """Lines (with items) as items: lines joined as :func:`note_lines` does (a line with
    items of its own ends an item), then each enumerated heading ending in 「：」 with no
    items of its own takes the lines that follow as its items, up to the next line with its
    kind of enumerator, a heading of the layout or a line with items of its own."""
    joined: list[Qualification] = []
    cut = False
    for q in entries:
        items = note_lines(q.items, full)
        if joined and cut and not joined[-1].items and not starts_item(q.text):
            joined[-1] = Qualification(text=join_lines(joined[-1].text, q.text), items=items)
        else:
            joined.append(q.model_copy(update={"items": items}))
        cut = not q.items and wrapped(q.text, full)
    out: list[Qualification] = []
    i = 0
    while i < len(joined):
        q, i = joined[i], i + 1
        kind = _enumerator(q.text)
        if kind and not q.items and q.text.rstrip().endswith(("：", ":")):
            start = i
            while (i < len(joined) and not joined[i].items and not heading(joined[i].text)
                   and _enumerator(joined[i].text) != kind):
                i += 1
            if i > start:
                q = Qualification(text=q.text, items=[e.text for e in joined[start:i]])
        out.append(q)
    return out


@dataclass
class PrintedNotes:
    """說明與補充事項 as documents print them (:func:`printed_notes`)."""

    qualifications: list[Qualification]
    footnotes: list[Footnote]
    remarks: list[Qualification]  # a remark is ``text``; under a heading, its ``items``


def printed_notes(notes: Notes) -> PrintedNotes:
    """The rule of notes to print, which profiles and job descriptions follow wherever they
    print notes (qualifications, footnotes, remarks).  Converted standards keep the lines
    of the source's PDF, not its items: one sentence cut over two lines, a heading
    (「一、學經歷資格：」) as a line of its own.  Printed as items:

    * A line is *cut* when it ends no sentence or clause (not in 「。！？；：」』）】》…」 or
      their ASCII forms), is no heading of the layout (「基準更新紀錄」) and filled its line:
      at least ``WRAP_SHARE`` of the widest line of the notes and ``WRAP_MIN`` columns (a
      Chinese character counts 2), so short items without a final 「。」 (「大專（含）以上學
      歷」 / 「自動控制、電機…相關科系」) stay apart.
    * The line after a cut line is joined to it, as one item, unless it starts an item of
      its own: an enumerator (「一、」「（一）」「1.」「1、」「(1)」「①」), a bullet or 【註, or a
      heading of the layout.  Chinese is joined without a space; a space stays between two
      Latin letters or digits.  A complete line is never joined with the next.
    * An enumerated heading ending in 「：」 (「一、學經歷資格：」) followed by lines becomes
      an item whose sub-items are those lines, up to the next line with its kind of
      enumerator (「二、」), a heading of the layout or a line with items of its own.
    * Qualifications and remarks are each such a list (a line's own items another);
      footnotes are items by their numbers and are printed as they are, and lines are never
      joined across the sections, whose order among each other the model does not keep.

    Returns new objects; the model keeps the lines as imported.  Job descriptions also
    leave out leaked headings and fragments (:func:`printed_qualifications`)."""
    lines = [q.text for q in notes.qualifications] + [i for q in notes.qualifications
                                                        for i in q.items]
    lines += notes.remarks + [f.text for f in notes.footnotes]
    widest = max((_width(line) for line in lines), default=0)
    full = max(WRAP_MIN, round(WRAP_SHARE * widest))
    return PrintedNotes(
        qualifications=_note_items(notes.qualifications, full),
        footnotes=list(notes.footnotes),
        remarks=_note_items([Qualification(text=r) for r in notes.remarks if r.strip()], full))


def profile_rows(std: Standard) -> list[ProfileRow]:
    rows: list[ProfileRow] = []
    for duty in std.duties:
        start = len(rows)
        prev_key = None
        shared_start = None
        in_block: set[str] = set()
        for task in duty.tasks:
            if task.code in in_block:
                continue  # printed in its block's row
            for i, band in enumerate(task.bands):
                key = (tuple(sorted([task.code, *band.shared_with], key=code_key)), band.level,
                       tuple((r.code, r.name) for r in band.knowledge),
                       tuple((r.code, r.name) for r in band.skills))
                block = block_tasks(duty, band, task)
                in_block.update(t.code for t in block[1:])
                row = ProfileRow(None, 0, task if i == 0 else None,
                                 len(task.bands) if i == 0 else 0, band, None, 0, block)
                if band.shared_with and key == prev_key and shared_start is not None:
                    rows[shared_start].shared_span += 1
                else:
                    row.shared, row.shared_span, shared_start = band, 1, len(rows)
                prev_key = key if band.shared_with else None
                rows.append(row)
        rows[start].duty, rows[start].duty_span = duty, len(rows) - start
    return rows


def select_tasks(std: Standard, spec: str | None) -> Standard:
    """Keep only the duties/tasks named in ``T1,T2.3`` (a duty keeps all its tasks)."""
    if not spec:
        return std
    wanted = [s.strip() for s in spec.split(",") if s.strip()]
    known = {d.code for d in std.duties} | {t.code for _, t in std.tasks()}
    unknown = [w for w in wanted if w not in known]
    if unknown:
        raise KmcError(f"--tasks：{'、'.join(unknown)} 不在 {std.code} 中"
                       f"（可用：{'、'.join(sorted(known, key=code_key))}）")
    duties = []
    for duty in std.duties:
        tasks = [t for t in duty.tasks if duty.code in wanted or t.code in wanted]
        if tasks:
            kept = {t.code for t in tasks}
            tasks = [t.model_copy(update={"bands": [b.model_copy(update={
                "shared_with": [c for c in b.shared_with if c in kept]}) for b in t.bands]})
                for t in tasks]
            duties.append(duty.model_copy(update={"tasks": tasks}))
    return std.model_copy(update={"duties": duties})


@dataclass
class Competency:
    """A K or S item with every task and level that needs it, for job descriptions.  A code
    the source prints with two similar names (K03 創意思考 / 創新思考) is one item: ``name`` is
    the first printed, ``names`` all of them, and ``label`` says so."""

    code: str
    name: str
    tasks: list[str] = field(default_factory=list)
    levels: list[int] = field(default_factory=list)
    names: list[str] = field(default_factory=list)

    @property
    def level_text(self) -> str:
        lv = sorted(set(self.levels))
        return "、".join(str(x) for x in lv)

    @property
    def other_names(self) -> list[str]:
        return [n for n in self.names if n != self.name]

    @property
    def label(self) -> str:
        """「創意思考（另處印作「創新思考」）」: the name with the other printed names."""
        others = self.other_names
        if not others:
            return self.name
        return f"{self.name}（另處印作{'、'.join(f'「{n}」' for n in others)}）"


def same_item(a: str, b: str) -> bool:
    """Two names printed for one code that are the same item printed differently (創意思考 /
    創新思考, 專案活動管理 / 專案活動管理規範), not two items that share a code by mistake."""
    if not a or not b:
        return False
    if a in b or b in a:
        return True
    return difflib.SequenceMatcher(None, a, b).ratio() >= 0.6


def competencies(std: Standard, kind: str) -> list[Competency]:
    """K or S items of the (selected) tasks, one per code and item, in code order (two items
    under one code in the order the source prints them); a code printed with two similar
    names is one item with both names (see :func:`same_item`)."""
    found: list[Competency] = []
    for _, task in std.tasks():
        for band in task.bands:
            refs: list[Ref] = band.knowledge if kind == "K" else band.skills
            for r in refs:
                c = next((c for c in found if c.code == r.code and (
                    r.name in c.names or any(same_item(r.name, n) for n in c.names))), None)
                if c is None:
                    c = Competency(r.code, r.name, names=[r.name])
                    found.append(c)
                elif r.name not in c.names:
                    c.names.append(r.name)
                if task.code not in c.tasks:
                    c.tasks.append(task.code)
                if band.level is not None:
                    c.levels.append(band.level)
    return sorted(found, key=lambda c: code_key(c.code))  # stable: equal codes in source order


def footnote_marks(std: Standard) -> dict[str, list[int]]:
    """Place → footnote numbers, so a report can print 【註N】 where the source did."""
    marks: dict[str, list[int]] = {}
    for f in std.notes.footnotes:
        for ref in f.refs:
            marks.setdefault(ref.place, []).append(f.number)
    return marks


# The self-assessment scale of the checklists (DOCX, PDF and XLSX read the same).
RATING_SCALE = [(1, "尚未具備"), (2, "初步具備"), (3, "大致具備"), (4, "熟練"), (5, "能指導他人")]


def merge_spans(values: list) -> list[int]:
    """Row spans for a column whose equal neighbours print as one merged cell: the first row
    of a run gets the run's length, the rows it covers 0 ([a, a, b] → [2, 0, 1])."""
    spans = [0] * len(values)
    start = 0
    for i in range(1, len(values) + 1):
        if i == len(values) or values[i] != values[start]:
            spans[start] = i - start
            start = i
    return spans


def named(code: str, name: str, version: str = "", date: str = "") -> str:
    """「KMC2432-001v4 活動企劃專員（V4，2023/12/15）」: how a standard and its version are
    cited in every report (templates call it as ``named``)."""
    tail = f"（{version}，{date}）" if version and date else f"（{version}）" if version else ""
    return f"{code} {name}{tail}"
