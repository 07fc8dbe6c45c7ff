"""What changed between two versions of one standard, as records an auditor can check.

Items are matched by code first, but a code only holds its item while the text still looks
alike: identical texts pair first (a renumbered indicator is *moved*, not removed + added),
then same code with similar text, then similar text under another code, and last same code
with any text (a rewritten item).  Similarity is rapidfuzz's ``fuzz.ratio`` when rapidfuzz is
installed, else difflib's ``SequenceMatcher.ratio`` — both the same edit-based 0…1 measure.
Texts are compared without whitespace and with full-width forms folded (NFKC): spaces in
Chinese text and ／ against / are noise from the PDFs, not edits.

The contents of an added or removed task (indicators, outputs, K/S) are part of that one
change and are not listed again; an item that moved out of a removed task still is.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Collection

from ..errors import KmcError
from ..model import Standard, Task, code_key, squash

try:
    from rapidfuzz import fuzz

    def _ratio(a: str, b: str) -> float:
        return fuzz.ratio(a, b) / 100
except ImportError:
    def _ratio(a: str, b: str) -> float:
        return SequenceMatcher(None, a, b, autojunk=False).ratio()

# Kinds and changes with their printed labels, in the order reports list them.
KINDS = {"header": "基本資料", "duty": "主要職責", "task": "工作任務",
         "output": "工作產出", "indicator": "行為指標", "level": "職能級別",
         "knowledge": "知識", "skill": "技能", "attitude": "態度"}
CHANGES = {"added": "新增", "removed": "刪除", "changed": "修改",
           "moved": "改編號", "renamed": "更名"}
SIMILAR = 0.7  # texts at least this alike are one item edited, not two different items


@dataclass(frozen=True)
class Change:
    """One difference.  ``place`` is the code path where the item is now (where it was, if
    removed); ``old_place`` is where a moved item was."""

    kind: str
    change: str
    place: str
    old: str = ""
    new: str = ""
    old_place: str = ""

    @property
    def where(self) -> str:
        return f"{self.old_place} → {self.place}" if self.old_place else self.place

    def marked(self) -> tuple[list[tuple[str, bool]], list[tuple[str, bool]]]:
        """Old and new text as (piece, differs) runs, so a reader sees the edit at once.
        Texts less than half alike are one plain run each: marking the few characters they
        happen to share would only scatter noise over a rewrite."""
        matcher = SequenceMatcher(None, self.old, self.new, autojunk=False)
        if matcher.ratio() < 0.5:
            return [(self.old, False)], [(self.new, False)]
        old: list[tuple[str, bool]] = []
        new: list[tuple[str, bool]] = []
        for op, i1, i2, j1, j2 in matcher.get_opcodes():
            if i2 > i1:
                old.append((self.old[i1:i2], op != "equal"))
            if j2 > j1:
                new.append((self.new[j1:j2], op != "equal"))
        return old, new


@dataclass
class StandardDiff:
    old: Standard
    new: Standard
    changes: list[Change]
    warnings: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, dict[str, int]]:
        """kind → change → number, every kind and change present (zeros included)."""
        out = {k: dict.fromkeys(CHANGES, 0) for k in KINDS}
        for c in self.changes:
            out[c.kind][c.change] += 1
        return out


@dataclass(frozen=True)
class _Item:
    key: str | None  # the code that identifies it; None for uncoded outputs and attitudes
    place: str
    text: str
    parent: str = ""  # the duty or task it belongs to; that one's add/remove covers it
    obj: object = None


def _squash(text: str) -> str:
    """Text as compared: no whitespace, full-width forms folded (／ and / are one)."""
    return squash(unicodedata.normalize("NFKC", text))


def _base(code: str) -> str:
    return re.sub(r"v\d+$", "", code)


def _version(code: str) -> int:
    """v3 → 3; a code without vN is the first version."""
    m = re.search(r"v(\d+)$", code)
    return int(m.group(1)) if m else 1


def diff(old: Standard, new: Standard, force: bool = False) -> StandardDiff:
    warnings = []
    if _base(old.code) != _base(new.code):
        if not force:
            raise KmcError(f"{old.code} 與 {new.code} 不是同一職能基準的兩個版本"
                           "（確定要比較請加 --force）")
        warnings.append(f"{old.code} 與 {new.code} 不是同一職能基準的兩個版本，"
                        "依要求仍予比較")
    elif _version(old.code) > _version(new.code):
        warnings.append(f"舊版 {old.code} 的版本號比新版 {new.code} 大，"
                        "兩者可能放反了")
    return StandardDiff(old, new, _header(old, new) + sorted(
        _body(old, new), key=lambda c: (list(KINDS).index(c.kind), code_key(c.place),
                                        list(CHANGES).index(c.change))), warnings)


def _header(old: Standard, new: Standard) -> list[Change]:
    def cats(items) -> str:
        return "；".join(c.name + (f"（{c.code}）" if c.code else "") for c in items)

    fields = [("職能基準名稱", old.name, new.name),
              ("基準級別", old.level_label, new.level_label),
              ("工作描述", old.description, new.description)]
    for label, attr in (("職類別", "job_categories"), ("職業別", "occupations"),
                        ("行業別", "industries")):
        fields.append((label, cats(getattr(old.categories, attr)),
                       cats(getattr(new.categories, attr))))
    return [Change("header", "changed", label, a, b) for label, a, b in fields
            if _squash(a) != _squash(b)]


def _body(old: Standard, new: Standard) -> list[Change]:
    out: list[Change] = []
    _, gone_duties, new_duties = _compare(
        "duty", [_Item(d.code, d.code, d.name) for d in old.duties],
        [_Item(d.code, d.code, d.name) for d in new.duties], out)
    tasks, gone, born = _compare("task", _tasks(old), _tasks(new), out,
                                 gone_duties, new_duties)
    for kind, items in (("indicator", _indicators), ("output", _outputs)):
        _compare(kind, items(old), items(new), out, gone, born)
    for a, b in tasks:
        if [x.level_label for x in a.obj.bands] != [x.level_label for x in b.obj.bands]:
            out.append(Change("level", "changed", b.place, _levels(a.obj), _levels(b.obj)))
    for kind, letter, attr in (("knowledge", "K", "knowledge"), ("skill", "S", "skills")):
        catalogue, _, _ = _compare(kind, _catalogue(old, letter), _catalogue(new, letter), out)
        renumber = {a.key: b.key for a, b in catalogue}
        for a, b in tasks:
            was = {renumber.get(r.code, r.code): r for r in getattr(a.obj, attr)}
            now = {r.code: r for r in getattr(b.obj, attr)}
            out += [Change(kind, "removed", f"{a.place}/{r.code}", r.name)
                    for code, r in was.items() if code not in now]
            out += [Change(kind, "added", f"{b.place}/{r.code}", "", r.name)
                    for code, r in now.items() if code not in was]
    attitudes, _, _ = _compare("attitude", _attitudes(old), _attitudes(new), out)
    out += [Change("attitude", "changed", b.place, a.obj.description, b.obj.description)
            for a, b in attitudes if _squash(a.obj.description) != _squash(b.obj.description)]
    return out


def _tasks(std: Standard) -> list[_Item]:
    return [_Item(t.code, t.code, t.name, d.code, t) for d, t in std.tasks()]


def _indicators(std: Standard) -> list[_Item]:
    return [_Item(p.code, p.code, p.text, t.code)
            for _, t in std.tasks() for p in t.indicators]


def _outputs(std: Standard) -> list[_Item]:
    return [_Item(o.code, o.code or t.code, o.name, t.code)
            for _, t in std.tasks() for o in t.outputs]


def _catalogue(std: Standard, letter: str) -> list[_Item]:
    return [_Item(code, code, "；".join(names)) for code, names in std.catalogue(letter).items()]


def _attitudes(std: Standard) -> list[_Item]:
    return [_Item(a.code, a.code or "A", a.name, obj=a) for a in std.attitudes]


def _levels(task: Task) -> str:
    """「3」, or per band 「3（P1.1.1、P1.1.2）；4（P1.1.3）」 for a task of several levels."""
    if len(task.bands) == 1:
        return task.level_label
    return "；".join(f"{b.level_label}（{'、'.join(p.code for p in b.indicators)}）"
                    for b in task.bands)


def _compare(kind: str, old: list[_Item], new: list[_Item], out: list[Change],
             gone_parents: Collection[str] = (), new_parents: Collection[str] = ()):
    """Pair the items, record their changes in ``out``; return the pairs and the keys of the
    removed and of the added items."""
    pairs = _pair(old, new)
    edited = "changed" if kind == "indicator" else "renamed"  # the others are names
    for a, b in pairs:
        if a.place != b.place:
            out.append(Change(kind, "moved", b.place, a.text, b.text, a.place))
        elif _squash(a.text) != _squash(b.text):
            out.append(Change(kind, edited, b.place, a.text, b.text))
    paired_old = {id(a) for a, _ in pairs}
    paired_new = {id(b) for _, b in pairs}
    removed = [a for a in old if id(a) not in paired_old]
    added = [b for b in new if id(b) not in paired_new]
    out += [Change(kind, "removed", a.place, a.text) for a in removed
            if a.parent not in gone_parents]
    out += [Change(kind, "added", b.place, "", b.text) for b in added
            if b.parent not in new_parents]
    return pairs, {a.key for a in removed}, {b.key for b in added}


def _pair(old: list[_Item], new: list[_Item]) -> list[tuple[_Item, _Item]]:
    """Best pairs first: same text, same code and alike, alike, same code."""
    ranked = []
    new_texts = [_squash(b.text) for b in new]
    for i, a in enumerate(old):
        text = _squash(a.text)
        for j, b in enumerate(new):
            same_code = a.key is not None and a.key == b.key
            alike = _ratio(text, new_texts[j])
            tier = (0 if alike == 1 else 1 if same_code and alike >= SIMILAR
                    else 2 if alike >= SIMILAR else 3 if same_code else None)
            if tier is not None:
                ranked.append((tier, -alike, not same_code, a.place != b.place, i, j))
    pairs, used_old, used_new = [], set(), set()
    for *_, i, j in sorted(ranked):
        if i not in used_old and j not in used_new:
            used_old.add(i)
            used_new.add(j)
            pairs.append((old[i], new[j]))
    return pairs
