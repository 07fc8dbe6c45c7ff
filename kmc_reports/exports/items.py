"""One standard as the flat tree every export writes: duties → tasks → outputs and
indicators, then 知識, 技能 and 態度 with their items.

Each node has a key unique in its standard, from which its identifier is made
(`ids.item_id`): the code as printed; a code printed twice (two P1.5, a task printed with
its duty's code T1) gets ``#2`` on its second use; an output printed without a code is
``<task>/O<n>`` (its place among the task's outputs), an attitude without a code
``A:<name>``.  Keys follow the source's order, so they stay the same from one export to the
next.  A K or S code printed with two similar names is one item (`views.competencies`),
two different items under one code are two.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from ..model import Standard, placeholder
from ..views import competencies

LABELS = {"duty": "主要職責", "task": "工作任務", "output": "工作產出", "indicator": "行為指標",
          "group": "職能內涵", "knowledge": "知識", "skill": "技能", "attitude": "態度"}
GROUPS = (("K", "knowledge"), ("S", "skill"), ("A", "attitude"))
UNNAMED = "（來源未載名稱）"


@dataclass(frozen=True)
class Node:
    key: str
    kind: str  # a key of LABELS
    code: str  # as printed; "" when none
    text: str  # name or indicator text, on one line
    parent: str  # the parent's key; "" at the top
    levels: tuple[int, ...] = ()  # task: the levels 1–6 of its bands
    needs: tuple[str, ...] = ()  # task: the keys of the K and S items it needs
    note: str = ""  # what the source adds: other printed names, a description, a level


@dataclass
class Tree:
    standard: Standard
    nodes: list[Node]
    _refs: dict[tuple[str, str, str], str] = field(default_factory=dict, repr=False)

    def children(self, key: str) -> list[Node]:
        return [n for n in self.nodes if n.parent == key]

    def first(self, kind: str, code: str) -> Node | None:
        """The first node of a kind printed with a code (a syllabus names items by code)."""
        return next((n for n in self.nodes if n.kind == kind and n.code == code), None)

    def key_of(self, kind: str, code: str | None, name: str) -> str | None:
        """The key of a K, S or A item named as the crosswalk names it."""
        return self._refs.get((kind, code or "", name)) or self._refs.get((kind, code or "", ""))


def one_line(text: str) -> str:
    """A name wrapped by the source joined again: no break between two CJK characters, a
    space elsewhere."""
    text = re.sub(r"(?<=[^\x00-\x7f])[ \t]*\n\s*(?=[^\x00-\x7f])", "", text.strip())
    return re.sub(r"\s*\n\s*", " ", text)


def _name(text: str) -> str:
    return UNNAMED if placeholder(text) else one_line(text)


def build(std: Standard) -> Tree:
    seen: Counter = Counter()

    def unique(base: str) -> str:
        seen[base] += 1
        return base if seen[base] == 1 else f"{base}#{seen[base]}"

    refs: dict[tuple[str, str, str], str] = {}
    items: list[Node] = []
    for letter, kind in GROUPS[:2]:
        found = competencies(std, letter)
        if found:
            items.append(Node(letter, "group", "", LABELS[kind], ""))
        for c in found:
            key = unique(c.code)
            others = "、".join(f"「{n}」" for n in c.other_names)
            items.append(Node(key, kind, c.code, _name(c.name), letter,
                              note=f"另處印作{others}" if others else ""))
            for n in c.names:
                refs[letter, c.code, n] = key
            refs.setdefault((letter, c.code, ""), key)
    if std.attitudes:
        items.append(Node("A", "group", "", LABELS["attitude"], ""))
    for a in std.attitudes:
        key = unique(a.code or f"A:{one_line(a.name)}")
        items.append(Node(key, "attitude", a.code or "", _name(a.name), "A",
                          note=one_line(a.description)))
        refs["A", a.code or "", a.name] = key
        refs.setdefault(("A", a.code or "", ""), key)

    nodes: list[Node] = []
    for duty in std.duties:
        duty_key = unique(duty.code)
        nodes.append(Node(duty_key, "duty", duty.code, _name(duty.name), ""))
        for task in duty.tasks:
            task_key = unique(task.code)
            needs = [refs[letter, r.code, r.name] for band in task.bands
                     for letter, rs in (("K", band.knowledge), ("S", band.skills)) for r in rs]
            printed = [b.printed_level for b in task.bands if b.level is None and b.printed_level]
            nodes.append(Node(task_key, "task", task.code, _name(task.name), duty_key,
                              tuple(task.levels), tuple(dict.fromkeys(needs)),
                              f"職能級別印作「{'、'.join(printed)}」" if printed else ""))
            shared = "、".join(b for band in task.bands if band.items_shared
                              for b in band.shared_with)
            note = f"與 {shared} 共用" if shared else ""
            for n, out in enumerate(task.outputs, 1):
                nodes.append(Node(unique(out.code or f"{task.code}/O{n}"), "output",
                                  out.code or "", _name(out.name), task_key, note=note))
            for p in task.indicators:
                nodes.append(Node(unique(p.code), "indicator", p.code, _name(p.text), task_key,
                                  note=note))
    return Tree(std, nodes + items, refs)
