"""The consistency check reviewers run on a course report, run here on the document itself.

It reads the tables back out of the rendered syllabus (by the ids its template gives them),
so it also catches what a user's own template changed — not just what the planner meant.
What must be covered (tasks, K/S, indicators) is taken from the plan, i.e. from the model's
codes whatever their shape (T1, T1.1, P1.2, P1.2.3); a check that finds nothing to check
fails and says so (「無從檢核」) rather than passing on 0 items.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from .analyses.syllabus import Plan, minimum_hours
from .course import name_problem
from .document import Document, Table, find_table, grid
from .model import code_key


@dataclass
class Check:
    name: str
    ok: bool
    detail: str


def _rows(table: Table | None, skip_header: int = 1) -> list[list[str]]:
    """Each row's cell texts by grid column (a merged cell's text in each row it spans)."""
    if table is None:
        return []
    return [[slot.cell.text for slot in row] for row in grid(table)[skip_header:]]


def _paragraphs(table: Table | None, col: int) -> list[str]:
    if table is None:
        return []
    out = []
    for row in grid(table)[table.header_rows:]:
        slot = row[col]
        if slot.origin:
            out += [b.text for b in slot.cell.blocks if hasattr(b, "text")]
    return out


def _kv(doc: Document, table_id: str) -> dict[str, str]:
    return {row[0]: row[1] for row in _rows(find_table(doc, table_id), 0) if len(row) > 1}


def _number(text: str) -> float | None:
    m = re.search(r"\d+(?:\.\d+)?", text)
    return float(m.group()) if m else None


def _cell_paragraphs(table: Table, row: list, col: int) -> list[str]:
    return [b.text for b in row[col].cell.blocks if hasattr(b, "text")]


def _unit_rows(table: Table | None) -> list[list]:
    """The body rows of a per-unit table as grid slots."""
    return grid(table)[table.header_rows:] if table is not None else []


def _first_line(text: str) -> str:
    return text.split("\n")[0]


_ITEM = re.compile(r"^[KS]\d+ ")
_TASK = re.compile(r"T\d+(?:\.\d+)?(?: [^\n]*)?")


def _item_texts(paragraphs: list[str]) -> list[str]:
    """「K01 名稱」 of each K/S paragraph (not the 講授/應用 headings)."""
    return [p for p in paragraphs if _ITEM.match(p)]


def _bare_indicator(text: str) -> str:
    """An indicator's own words: without its code, a leading 能/能夠 and the end mark."""
    text = re.sub(r"^P[\d.]+\s*", "", text.strip())
    return re.sub(r"^(能夠|能)", "", text).rstrip("。；;．. ")


def check_syllabus(doc: Document, plan: Plan) -> list[Check]:
    t1, t2, t3, t4 = (find_table(doc, i) for i in ("t1", "t2", "t3", "t4"))
    t5, t8 = find_table(doc, "t5"), find_table(doc, "t8")
    missing = [i for i, t in zip(("表1", "表2", "表3", "表4", "表5", "表8"),
                                 (t1, t2, t3, t4, t5, t8)) if t is None]
    if missing:
        return [Check("文件包含所有設計表格", False, f"找不到{'、'.join(missing)}（範本是否移除了表格的 id？）")]
    cover, info = _kv(doc, "cover"), _kv(doc, "info")
    map_rows = [r for r in _rows(t2) if r[-1] and not r[0].startswith("合計") and r[2]]
    total_2 = next((r for r in _rows(t2) if "合計" in "".join(r[:-1])), None)
    content_rows = [r for r in _rows(t4) if not r[0].startswith("合計")]
    total_4 = next((r for r in _rows(t4) if r[0].startswith("合計")), None)
    checks = []

    hours = {
        "壹、課程資訊": _number(info.get("課程時數", "")),
        "表2 合計": _number(total_2[-1]) if total_2 else None,
        "表2 單元加總": sum(_number(r[5]) or 0 for r in map_rows),
        "表4 合計": _number(total_4[1]) if total_4 else None,
        "表4 單元加總": sum(_number(r[1]) or 0 for r in content_rows),
    }
    modules = []
    for row in map_rows:
        stated = re.search(r"（(\d+(?:\.\d+)?) 小時）", row[0])
        if stated:
            modules.append((row[0].split("\n")[0], float(stated.group(1))))
    module_ok = all(abs(h - sum(_number(r[5]) or 0 for r in map_rows if r[0].startswith(name)))
                    < 1e-9 for name, h in dict(modules).items())
    values = {v for v in hours.values()}
    checks.append(Check("課程時數一致（壹／表2／表4）", len(values) == 1 and module_ok,
                        "；".join(f"{k} {v:g}" if v is not None else f"{k} 缺" for k, v in
                                  hours.items()) + ("" if module_ok else "；模組時數不等於其單元加總")))

    levels = {cover.get("課程職能級別"), info.get("課程職能級別")}
    unit_levels_2 = [r[4] for r in map_rows]
    unit_levels_3 = [r[1] for r in _rows(t3)]
    checks.append(Check("課程職能級別一致（封面／壹）、單元級別一致（表2／表3）",
                        len(levels) == 1 and unit_levels_2 == unit_levels_3,
                        f"課程職能級別 {'、'.join(sorted(filter(None, levels)))}；"
                        f"表2 單元級別 {'、'.join(unit_levels_2)}；表3 {'、'.join(unit_levels_3)}"))

    p1, p3 = _paragraphs(t1, 1), _paragraphs(t3, 3)
    not_in_1 = [p for p in p3 if p not in p1]
    checks.append(Check("表3 對應行為指標與表1 逐字相同",
                        bool(p1) and not not_in_1 and set(p1) == set(p3),
                        f"表1 {len(p1)} 項、表3 {len(p3)} 項" + (
                            f"；不同：{'、'.join(p.split(' ')[0] for p in not_in_1)}" if not_in_1
                            else "；沒有可比對的行為指標" if not p1 else "")))

    names = {"表2": [_first_line(r[2]) for r in map_rows],
             "表3": [_first_line(r[0]) for r in _rows(t3)],
             "表4": [r[0] for r in content_rows], "表5": [r[0] for r in _rows(t5)],
             "表8": [r[0] for r in _rows(t8)]}
    same = all(v == names["表2"] for v in names.values())
    checks.append(Check("單元名稱於各表完全相同", same,
                        f"{len(names['表2'])} 個單元" if same else "；".join(
                            f"{k}：{'、'.join(v)}" for k, v in names.items())))

    # What must be covered comes from the plan (the model's codes, whatever their shape:
    # T1 or T1.1, P1.2 or P1.2.3); where it is covered is read back from the document.
    tasks = Counter(r.code for r in plan.tasks)
    tasks_1 = _leading((r[0] for r in _rows(t1)))
    tasks_2 = _leading((r[3] for r in map_rows))
    checks.append(_covered("表1 每一工作任務都在課程地圖（表2）", tasks, "項工作任務",
                           [("表1 未列", tasks_1), ("未列入課程地圖", tasks_2)]))

    items = Counter(code for _, code in dict.fromkeys(  # each item once per standard
        (r.standard, i.code) for r in plan.tasks for i in r.knowledge + r.skills))
    ks_1 = _leading(_paragraphs(t1, 3) + _paragraphs(t1, 4))
    ks_3 = _leading(_paragraphs(t3, 4) + _paragraphs(t3, 5))
    checks.append(_covered("表1 每一知識、技能都有單元涵蓋", items, "項知識與技能",
                           [("表1 未列", ks_1), ("無單元涵蓋", ks_3)]))

    indicators = Counter(p.code for r in plan.tasks for p in r.indicators)
    assessed = Counter(code for text in _paragraphs(t8, 3)
                       for group in re.findall(r"〔([^〔〕]*)〕", text) for code in group.split("、"))
    checks.append(_covered("每一行為指標都有評量（表8）", indicators, "項行為指標",
                           [("表1 未列", _leading(p1)), ("未評量", assessed)]))

    checks += _unit_checks(t1, t2, t3, t4, t8, map_rows, plan)

    name = cover.get("課程名稱", "")
    problem = name_problem(name)
    checks.append(Check("課程名稱不含級別與禁用字詞", not problem, f"「{name}」{problem}"))

    checks.append(Check("規劃涵蓋（知識、技能均有教學，行為指標均有評量，單元皆對應任務）",
                        not plan.findings,
                        "；".join(f.message for f in plan.findings) or "無缺漏"))
    return checks


def _unit_checks(t1, t2, t3, t4, t8, map_rows, plan: Plan) -> list[Check]:
    """The rules reviewers apply unit by unit: K/S present and exactly what the unit's tasks
    need, 表1's K/S names all in 表3, time for the assessments, objectives that carry their
    indicators word for word."""
    needs: dict[str, set[str]] = {}  # 「T1.1 name」 of 表1 → the K/S texts printed beside it
    names_1: set[str] = set()
    for row in _unit_rows(t1):
        task = _TASK.search(row[0].cell.text)
        items = set(_item_texts(_cell_paragraphs(t1, row, 3) + _cell_paragraphs(t1, row, 4)))
        names_1 |= items
        if task:
            needs.setdefault(task.group(0).strip(), set()).update(items)
    tasks_of = {_first_line(r[2]): _TASK.findall(r[3]) for r in map_rows}

    empty, wrong, names_3, objective_gaps = [], [], set(), []
    for row in _unit_rows(t3):
        unit = _first_line(row[0].cell.text)
        k, s = _cell_paragraphs(t3, row, 4), _cell_paragraphs(t3, row, 5)
        items = _item_texts(k + s)
        names_3 |= set(items)
        if not items and not all("未列" in "".join(col) for col in (k, s)):
            empty.append(unit)
        need = set().union(*(needs.get(t.strip(), set()) for t in tasks_of.get(unit, [])))
        if {i.split(" ")[0] for i in items} != {i.split(" ")[0] for i in need}:
            wrong.append(unit)
        objectives = [re.sub(r"^\d+\.\s*", "", o) for o in _cell_paragraphs(t3, row, 2)]
        indicators = _cell_paragraphs(t3, row, 3)
        if len(objectives) != len(indicators) or any(
                _bare_indicator(p) not in o for o, p in zip(objectives, indicators)):
            objective_gaps.append(unit)

    hours = {_first_line(r[0].cell.text): r[1].cell.text for r in _unit_rows(t4)
             if not r[0].cell.text.startswith("合計")}
    short = []
    for row in _unit_rows(t8):
        unit = _first_line(row[0].cell.text)
        ways = {m.group(1) for p in _cell_paragraphs(t8, row, 3)
                for m in [re.match(r"^(\S+?（\S+?）)：", p)] if m}
        need = minimum_hours(len(ways), plan.spec.min_unit_hours)
        if (_number(hours.get(unit, "")) or 0) < need:
            short.append(f"{unit}（{hours.get(unit, '缺')} 小時，{len(ways)} 種評量需 {need:g} 小時）")

    units = len(_unit_rows(t3))
    objectives = sum(len(_cell_paragraphs(t3, row, 2)) for row in _unit_rows(t3))
    missing_names = sorted(names_1 - names_3)
    none = "無從檢核：表3 沒有任何單元" if not units else ""
    return [
        Check("每一單元都有知識或技能（或註明原因）", bool(units) and not empty,
              none or (f"缺：{'、'.join(empty)}" if empty else f"{units} 個單元都列出知識或技能")),
        Check("各單元的知識、技能恰為其工作任務所需（表1／表2／表3）", bool(units) and not wrong,
              none or (f"不符：{'、'.join(wrong)}" if wrong else f"{units} 個單元皆相符")),
        Check("表1 的知識、技能名稱都出現在表3", bool(names_1) and not missing_names,
              f"表3 缺：{'、'.join(missing_names)}" if missing_names
              else f"{len(names_1)} 項名稱全數出現" if names_1
              else "無從檢核：表1 沒有列出任何知識或技能（0 項）"),
        Check("各單元時數不少於其評量所需（表4／表8）", bool(units) and not short,
              none or ("；".join(short) if short else f"{units} 個單元時數足以完成評量")),
        Check("教學目標逐字包含對應行為指標（表3）", bool(objectives) and not objective_gaps,
              f"不符：{'、'.join(objective_gaps)}" if objective_gaps
              else f"{units} 個單元的教學目標皆含其行為指標（{objectives} 項）" if objectives
              else "無從檢核：表3 沒有任何教學目標（0 項）"),
    ]


def _leading(texts) -> Counter:
    """The first word of every line of ``texts``: the code a row, line or paragraph of the
    document's tables starts with (「T1.1 名稱」, 「P1.2 文字」, 「K01 名稱」)."""
    return Counter(line.split()[0] for text in texts for line in text.split("\n")
                   if line.split())


def _covered(name: str, expected: Counter, noun: str,
             places: list[tuple[str, Counter]]) -> Check:
    """Every code of ``expected`` (as many times as the plan has it) found in each place;
    nothing to check is no pass: a check of 0 items fails and says why."""
    total = sum(expected.values())
    if not total:
        return Check(name, False, f"無從檢核：本課程的表1 沒有任何{noun.removeprefix('項')}"
                                  f"（0 {noun}）")
    gaps = [f"{what}：{'、'.join(sorted((expected - found).keys(), key=code_key))}"
            for what, found in places if expected - found]
    return Check(name, not gaps, "；".join(gaps) or f"{total} {noun}全數涵蓋")
