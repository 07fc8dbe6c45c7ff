"""Read a standard in the OCS JSON field contract that public iCAP PDF-to-JSON converters write.

The JSON already has the table's structure (duties → task entries → level blocks), so this
reader only checks it and maps it onto the model.  Texts are kept as the converter wrote them,
slips included: lint reports those, an importer must not guess.  Every problem in the input is
a one-line KmcError naming the JSON field path, since users fix these files by hand.
"""

from __future__ import annotations

import json
import re
from typing import NoReturn

from ..errors import KmcError
from ..model import (STANDARD_CODE, Attitude, Band, Categories, Category, Duty, Footnote,
                     FootnoteRef, Indicator, Notes, Output, Qualification, Ref, Standard, Task,
                     Version)
from .text import QUAL_HEAD, named_task, parse_level, split_glued, take_markers

_FOOTNOTE = re.compile(r"^【\s*註\s*(\d+)\s*】\s*(.*)$", re.S)
_KIND = {"output": "工作產出", "indicator": "行為指標"}  # as warnings name them


def _show(value) -> str:
    if isinstance(value, dict):
        return "物件"
    if isinstance(value, list):
        return "清單"
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    shown = repr(value)
    return shown if len(shown) <= 40 else shown[:39] + "…"


class _At:
    """A JSON value with its field path, so every complaint can say where it is."""

    def __init__(self, value, where: str, path: str):
        self.value, self.where, self.path = value, where, path

    def fail(self, message: str) -> NoReturn:
        raise KmcError(f"{self.where}：{message}", self.path)

    def key(self, name: str, required: bool = True) -> _At:
        if not isinstance(self.value, dict):
            self.fail(f"應為物件（實際：{_show(self.value)}）")
        node = _At(self.value.get(name), f"{self.where}.{name}" if self.where else name,
                   self.path)
        if required and node.value is None:
            node.fail("缺少此欄位")
        return node

    def items(self, nonempty: bool = False) -> list[_At]:
        """The entries of a list; an absent optional list (null) has none."""
        if self.value is None:
            return []
        if not isinstance(self.value, list):
            self.fail(f"應為清單（實際：{_show(self.value)}）")
        if nonempty and not self.value:
            self.fail("清單不可空白")
        return [_At(v, f"{self.where}[{i}]", self.path) for i, v in enumerate(self.value)]

    def text(self, required: bool = True) -> str:
        if self.value is None and not required:
            return ""
        if not isinstance(self.value, str):
            self.fail(f"應為文字（實際：{_show(self.value)}）")
        text = self.value.strip()
        if required and not text:
            self.fail("文字不可空白")
        return text

    def code(self, pattern: str, example: str) -> str:
        code = self.text()
        if not re.fullmatch(pattern, code):
            self.fail(f"代碼格式應如 {example}（實際：{code!r}）")
        return code


def read_ocs_json(doc, path: str, warn) -> Standard:
    """Build the standard from the parsed JSON; ``warn`` gets what is kept but looks wrong."""
    if not isinstance(doc, dict) or not {"ocs_profile", "ocs_content"} & doc.keys():
        found = ("欄位 " + ", ".join(list(doc)[:5])) if isinstance(doc, dict) and doc \
            else _show(doc)
        raise KmcError("不是 OCS JSON 職能基準：應為含 ocs_profile 與 ocs_content 的物件"
                       f"（實際：{found}）", path)
    return _Reader(_At(doc, "", path), warn).standard()


class _Reader:
    def __init__(self, root: _At, warn):
        self.root, self._warn = root, warn
        self.profile = root.key("ocs_profile")
        self.code = self.profile.key("ocs_code").code(STANDARD_CODE[1:-1], "BAS1219-001v4")
        self.refs: dict[int, list[FootnoteRef]] = {}
        self.task_codes: set[str] = set()

    def warn(self, message: str) -> None:
        self._warn(f"{self.code}：{message}")

    def clean(self, node: _At, place: str, required: bool = True) -> str:
        """The text without its 【註N】 markers, which are recorded at ``place``."""
        text, markers = take_markers(node.text(required))
        for m in markers:
            ref = FootnoteRef(place=place, text=m.text)
            if ref not in self.refs.setdefault(m.number, []):
                self.refs[m.number].append(ref)
        text = text.strip()
        if required and not text:
            node.fail("去除【註N】標記後沒有文字")
        return text

    def standard(self) -> Standard:
        return Standard(
            code=self.code,
            name=self.name(),
            **dict(zip(("level", "printed_level"),
                       self.level(self.profile.key("ocs_level", required=False), "基準級別"))),
            categories=self.categories(),
            description=self.clean(self.profile.key("job_description", required=False),
                                   "description", required=False),
            versions=self.versions(),
            duties=self.duties(),
            attitudes=self.attitudes(),
            notes=self.notes(),  # last: it attaches the markers found everywhere else
        )

    # -- profile ------------------------------------------------------------------------
    def name(self) -> str:
        names = self.profile.key("ocs_name", required=False)
        if names.value is not None:
            for key in ("occupation_name", "job_category_name"):
                name = names.key(key, required=False).text(required=False)
                if name:
                    return name
        self.warn("ocs_profile.ocs_name 沒有職業或職類名稱；以職能基準代碼作為名稱")
        return self.code

    def categories(self) -> Categories:
        node = self.profile.key("category", required=False)
        if node.value is None:
            return Categories()
        return Categories(**{
            field: [Category(name=c.key("name").text(),
                             code=c.key("code", required=False).text(required=False))
                    for c in node.key(field, required=False).items()]
            for field in ("job_categories", "occupations", "industries")})

    def versions(self) -> list[Version]:
        info = self.root.key("version_info", required=False)
        if info.value is None:
            return []
        return [Version(version=v.key("version").text(), code=v.key("ocs_code").text(),
                        **{field: v.key(key, required=False).text(required=False)
                           for field, key in (("name", "ocs_name"), ("status", "status"),
                                              ("note", "update_note"),
                                              ("date", "update_date"))})
                for v in info.key("versions", required=False).items()]

    # -- duties and tasks ---------------------------------------------------------------
    def duties(self) -> list[Duty]:
        units = self.root.key("ocs_content").key("ocu_units")
        duties: list[Duty] = []
        for unit in units.items(nonempty=True):
            code_node = unit.key("ocu_code")
            code = code_node.code(r"T\d+", "T1")
            if any(d.code == code for d in duties):
                code_node.fail(f"主要職責 {code} 重複出現")
            name = self.clean(unit.key("ocu_name"), code)
            tasks = [t for entry in unit.key("tasks").items(nonempty=True)
                     for t in self.entry(entry, code)]
            duties.append(Duty(code=code, name=name, tasks=tasks))
        return duties

    def entry(self, entry: _At, duty: str) -> list[Task]:
        """One task entry: the tasks printed in one block, with one band per competency
        block.  Outputs and indicators go to the task their code names; when one names no
        task of a block of several (P1.2 beside T1.1–T1.5), the block keeps them together."""
        names: dict[str, str] = {}
        for t in entry.key("task_codes").items(nonempty=True):
            node = t.key("code")
            code = node.code(r"T\d+(?:\.\d+)?", "T1.1")
            if code.split(".")[0] != duty:
                self.warn(f"工作任務 {code} 印在主要職責 {duty} 之下（保留來源的位置）")
            if code in self.task_codes:
                node.fail(f"工作任務 {code} 重複出現")
            self.task_codes.add(code)
            names[code] = self.clean(t.key("name"), code, required=False)
            if "." not in code:
                self.warn(f"工作任務只印出主要職責的代碼 {code}"
                          + ("" if names[code] else "，沒有名稱"))
            elif not names[code]:
                self.warn(f"{code}：工作任務沒有名稱")
        codes = list(names)
        bands: dict[str, list[Band]] = {c: [] for c in codes}
        for block in entry.key("competency_blocks").items(nonempty=True):
            level, printed = self.level(block.key("competency_level", required=False),
                                        "/".join(codes))
            # Markers in a shared cell are recorded once, at its first task, as in text imports.
            knowledge = self.refs_of(block.key("knowledge", required=False), "K", codes[0])
            skills = self.refs_of(block.key("skills", required=False), "S", codes[0])
            cell = {c: Band(level=level, printed_level=printed,
                            knowledge=[r.model_copy() for r in knowledge],
                            skills=[r.model_copy() for r in skills],
                            shared_with=[o for o in codes if o != c]) for c in codes}
            for c in codes:
                bands[c].append(cell[c])
            indicators = [Indicator(code=code, text=text)
                          for code, text in self.items(block.key("indicators", required=False),
                                                       "indicator", "text", codes[0])]
            outputs = [Output(code=code, name=name)
                       for code, name in self.items(block.key("outputs", required=False),
                                                    "output", "name", codes[0])]
            self.place(cell, codes, indicators, "indicators")
            self.place(cell, codes, outputs, "outputs")
        return [Task(code=c, name=names[c], bands=bands[c]) for c in codes]

    def items(self, node: _At, kind: str, text_key: str, task: str) -> list[tuple]:
        """(code, text) of each output or indicator; a code glued into a text is split off."""
        letter = "P" if kind == "indicator" else "O"
        out: list[tuple] = []
        for item in node.items():
            code_node = item.key("code", required=kind == "indicator")
            code = code_node.code(letter + r"\d+\.\d+(?:\.\d+)?", letter + "1.1.1") \
                if code_node.value is not None else None
            text = self.clean(item.key(text_key), code or task)
            parts = split_glued(code, text, kind)
            if len(parts) > 1:
                self.warn(f"{code or task}：{_KIND[kind]}文字中黏著其他代碼「{text}」；"
                          f"已分為 {'、'.join(c or '（無代碼）' for c, _ in parts)}")
            out += parts
        seen: dict[str, str] = {}
        for code, text in out:
            if code in seen:
                self.warn(f"{code}：{_KIND[kind]}代碼重複（「{seen[code]}」／「{text}」）")
            elif code:
                seen[code] = text
        return out

    def place(self, cell: dict[str, Band], codes: list[str], items: list, field: str) -> None:
        """Items to the task their code names; in a block of several tasks where one names
        none, all stay together on the block's first task (``items_shared``)."""
        if not items:
            return
        kind = "indicator" if field == "indicators" else "output"
        owners = [named_task(x.code) if x.code else None for x in items]
        if len(codes) > 1 and not all(o in codes for o in owners):
            first = cell[codes[0]]
            first.items_shared = True
            getattr(first, field).extend(items)
            self.warn(f"{'、'.join(codes)} 共用一個區塊，其{_KIND[kind]}"
                      f"（{'、'.join(x.code or '無代碼' for x in items)}）沒有標明屬於哪一項工作任務；"
                      f"保留為整個區塊的{_KIND[kind]}")
            return
        for item, owner in zip(items, owners):
            task = owner if owner in codes else codes[0]
            if owner is not None and owner not in codes and "." in codes[0]:
                self.warn(f"{item.code}：此{_KIND[kind]}印在工作任務 {codes[0]} 之下")
            getattr(cell[task], field).append(item)

    def level(self, node: _At, place: str) -> tuple[int | None, str]:
        """A level 1–6 as a number or a digit in a text; anything else is kept as printed,
        with no level guessed."""
        if node.value is not None and not isinstance(node.value, (int, float, str)):
            node.fail(f"應為 1–6 的級別（實際：{_show(node.value)}）")
        level, printed = parse_level(node.value)
        if level is None:
            self.warn(f"{place}：級別" + (f"「{printed}」不是 1–6 級" if printed else "沒有印出")
                      + "；不推定級別")
        return level, printed

    def refs_of(self, node: _At, kind: str, task: str) -> list[Ref]:
        refs: list[Ref] = []
        for item in node.items():
            code = item.key("code").code(kind + r"\d+", kind + "01")
            name = self.clean(item.key("name"), f"{task}/{code}")
            for c, n in split_glued(code, name, "knowledge" if kind == "K" else "skill"):
                if any(r.code == c and r.name != n for r in refs):
                    self.warn(f"{task}/{c}：同一儲存格中代碼重複，名稱不同"
                              f"（「{next(r.name for r in refs if r.code == c)}」／「{n}」）")
                refs.append(Ref(code=c, name=n))
        return refs

    # -- attitudes and notes ------------------------------------------------------------
    def attitudes(self) -> list[Attitude]:
        node = self.root.key("ocs_attitude", required=False)
        items = node.key("attitudes", required=False).items() if node.value is not None else []
        if not items:
            self.warn("找不到職能內涵（A）（ocs_attitude.attitudes）")
        out = []
        for item in items:
            code_node = item.key("code", required=False)
            code = code_node.code(r"A\d+", "A01") if code_node.value is not None else None
            name_node = item.key("name")
            body = self.clean(name_node, code or "attitudes")
            colon = re.search(r"[：:]", body)
            name, desc = (body[:colon.start()], body[colon.end():]) if colon else (body, "")
            if not name.strip():
                name_node.fail("冒號前沒有態度名稱")
            out.append(Attitude(code=code, name=name.strip(), description=desc.strip()))
        return out

    def notes(self) -> Notes:
        node = self.root.key("notes", required=False)
        notes = Notes()
        if node.value is not None:
            for item in node.key("prerequisites", required=False).items():
                text = item.text(required=False)
                if text and not QUAL_HEAD.fullmatch(text):
                    notes.qualifications.append(Qualification(text=text))
            for item in node.key("supplements", required=False).items():
                text = item.text(required=False)
                m = _FOOTNOTE.match(text)
                if m:
                    number = int(m.group(1))
                    if number < 1:
                        item.fail(f"註解編號 {number}（應從 1 開始）")
                    notes.footnotes.append(Footnote(number=number, text=m.group(2).strip(),
                                                    refs=self.refs.get(number, [])))
                elif text:
                    notes.remarks.append(text)
        for n in sorted(set(self.refs) - {f.number for f in notes.footnotes}):
            self.warn(f"【註{n}】（{self.refs[n][0].place}）沒有對應的註解內容")
        return notes
