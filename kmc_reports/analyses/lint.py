"""Lint: data problems an auditor should look at before a standard is used.

Each rule is a small function from a Standard to findings; ``RULES`` fixes their order,
which is also the order of the report.  Rules read the model only and never change it.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import asdict, dataclass
from typing import Callable, Iterable, Iterator

from ..model import CJK, CELL_CODES, FURNITURE, Standard, Task, code_key, heading, placeholder, squash

SEVERITIES = ("error", "warning", "info")
_LABELS = {"error": "錯誤", "warning": "警告", "info": "提示"}


@dataclass(frozen=True)
class Finding:
    id: str
    severity: str
    standard: str
    place: str
    message: str


Rule = Callable[[Standard], Iterable[Finding]]
RULES: list[Rule] = []


def rule(fn: Rule) -> Rule:
    RULES.append(fn)
    return fn



def _num(code: str) -> int:
    return int(re.findall(r"\d+", code)[-1])


def _stem(code: str) -> str:
    """Everything before the last number: T2. for T2.3, K for K07."""
    return code.rstrip("0123456789")


def _parts(code: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", code))


def _join(codes: Iterable[str]) -> str:
    """List codes in natural order; three or more consecutive ones shrink to first…last."""
    codes = sorted(set(codes), key=code_key)
    runs: list[list[str]] = []
    for c in codes:
        last = runs[-1][-1] if runs else None
        if last and _stem(c) == _stem(last) and _num(c) == _num(last) + 1:
            runs[-1].append(c)
        else:
            runs.append([c])
    return "、".join(f"{r[0]}…{r[-1]}" if len(r) >= 3 else "、".join(r) for r in runs)


def _quote(text: str, limit: int = 24) -> str:
    return f"「{text if len(text) <= limit else text[:limit] + '…'}」"


# -- rules -------------------------------------------------------------------------------

@rule
def name_conflict(std: Standard) -> Iterator[Finding]:
    """One K/S code printed with different names: readers cannot tell which one is meant."""
    for kind, field in (("K", "knowledge"), ("S", "skills")):
        for code, names in std.catalogue(kind).items():
            first: dict[str, str] = {}
            for name in names:
                first.setdefault(squash(name), name)
            if len(first) < 2:
                continue
            shown = []
            for key, name in first.items():
                tasks = [t.code for _, t in std.tasks()
                         if any(r.code == code and squash(r.name) == key
                                for r in getattr(t, field))]
                shown.append(f"{name}（{_join(tasks)}）")
            yield Finding("name-conflict", "warning", std.code, code,
                          f"{code} 在不同任務中名稱不一：{'、'.join(shown)}")


@rule
def shared_name(std: Standard) -> Iterator[Finding]:
    """One name under two codes of a kind: a duplicate entry or a mis-numbered one."""
    for kind in ("K", "S"):
        codes_by_name: dict[str, list[str]] = {}
        shown: dict[str, str] = {}
        for code, names in std.catalogue(kind).items():
            for name in names:
                key = squash(name)
                shown.setdefault(key, name)
                if code not in codes_by_name.setdefault(key, []):
                    codes_by_name[key].append(code)
        for key, codes in codes_by_name.items():
            if len(codes) > 1:
                yield Finding("shared-name", "warning", std.code, codes[0],
                              f"{'、'.join(codes)} 使用相同名稱「{shown[key]}」")


@rule
def occupation_code(std: Standard) -> Iterator[Finding]:
    """The standard code embeds an occupation code; it should match a listed 職業別代碼."""
    listed = [c for c in std.categories.occupations if c.code]
    if not std.occupation_code or not listed:
        return
    if all(c.code != std.occupation_code for c in listed):
        named = "、".join(f"{c.code}（{c.name}）" for c in listed)
        yield Finding("occupation-code", "warning", std.code, "categories.occupations",
                      f"基準代碼 {std.code} 中的職業別 {std.occupation_code} "
                      f"與所屬職業別代碼 {named}不符")


@rule
def level_distance(std: Standard) -> Iterator[Finding]:
    """A task far from the standard's level is usually a mistyped level."""
    if std.level is None:
        return
    for _, task in std.tasks():
        far = [lv for lv in task.levels if abs(lv - std.level) > 1]
        if far:
            yield Finding("level-distance", "warning", std.code, task.code,
                          f"{task.code} 職能級別 {'、'.join(map(str, far))} "
                          f"與基準級別 {std.level} 相差超過一級")


@rule
def no_outputs(std: Standard) -> Iterator[Finding]:
    """Tasks without outputs give curriculum designers and assessors nothing to collect."""
    for _, task in std.tasks():
        block = std.shared_items(task.code)
        if not task.outputs and not (block and block.outputs):
            yield Finding("no-outputs", "info", std.code, task.code,
                          f"{task.code}「{task.name}」沒有工作產出")


def _belongs(task: Task, code: str) -> bool:
    """P1.1.3 and O1.1.2 belong to T1.1."""
    return _parts(code)[:2] == _parts(task.code)


def _names_task(code: str) -> bool:
    """A three-level code (P1.2.3) names its task; a two-level one (P1.2) does not."""
    return len(_parts(code)) == 3


def _missing(numbers: Iterable[int]) -> list[int]:
    have = set(numbers)
    return [n for n in range(1, max(have, default=0) + 1) if n not in have]


@rule
def code_gap(std: Standard) -> Iterator[Finding]:
    """Skipped numbers in a task's structure often mean a row lost in the import.

    K/S/A codes are often drawn from a larger shared catalogue, so their gaps are only info.
    """
    def gap(place: str, what: str) -> Finding:
        return Finding("code-gap", "warning", std.code, place, f"{what}跳號：缺 {place}")

    for n in _missing(_num(d.code) for d in std.duties):
        yield gap(f"T{n}", "主要職責")
    for duty in std.duties:
        own = [t.code for t in duty.tasks if t.code.startswith(duty.code + ".")]
        for n in _missing(_num(c) for c in own):
            yield gap(f"{duty.code}.{n}", f"{duty.code} 的工作任務")
    for _, task in std.tasks():
        tail = task.code[1:]
        for prefix, what, codes in (
                ("P", "行為指標", [p.code for p in task.indicators]),
                ("O", "工作產出", [o.code for o in task.outputs if o.code])):
            for n in _missing(_num(c) for c in codes if _names_task(c) and _belongs(task, c)):
                yield gap(f"{prefix}{tail}.{n}", f"{task.code} 的{what}")
    catalogues = {"K": list(std.catalogue("K")), "S": list(std.catalogue("S")),
                  "A": [a.code for a in std.attitudes if a.code]}
    for kind, codes in catalogues.items():
        missing = _missing(_num(c) for c in codes)
        if not missing:
            continue
        digits = [c[1:] for c in codes]
        width = min(map(len, digits)) if any(d.startswith("0") for d in digits) else 1
        listed = _join(f"{kind}{n:0{width}d}" for n in missing)
        yield Finding("code-gap", "info", std.code, kind,
                      f"{kind} 代碼不連續，缺 {len(missing)} 個：{listed}")


@rule
def foreign_code(std: Standard) -> Iterator[Finding]:
    """An indicator or output numbered for another task was put in the wrong row."""
    blocks = std.tasks_with_unassigned_items()
    for _, task in std.tasks():
        if task.code in blocks or "." not in task.code:
            continue  # items of a block, or of a task printed without its own code
        codes = [p.code for p in task.indicators] + [o.code for o in task.outputs if o.code]
        for code in codes:
            if _names_task(code) and not _belongs(task, code):
                yield Finding("foreign-code", "error", std.code, f"{task.code}/{code}",
                              f"{code} 列在 {task.code} 之下，但代碼屬於 "
                              f"T{'.'.join(map(str, _parts(code)[:2]))}")



_FINAL = tuple("。．.!！?？；;")
_MID_PHRASE = tuple("、，,:：與及和或並且之的")
_PAIRS = {"(": ")", "「": "」", "『": "』"}


def _balanced(text: str) -> bool:
    """Brackets nest properly; half- and full-width parentheses count as one kind."""
    stack: list[str] = []
    for ch in text.replace("（", "(").replace("）", ")"):
        if ch in _PAIRS:
            stack.append(_PAIRS[ch])
        elif ch in _PAIRS.values() and (not stack or stack.pop() != ch):
            return False
    return not stack


@rule
def truncated(std: Standard) -> Iterator[Finding]:
    """Text cut off in the source or the import: open brackets, stubs, dangling phrases.

    A missing final 。 alone is normal in many standards; it only counts as a sign of
    truncation where the standard's indicators otherwise end with 。 (≥ 80 %).
    """
    for place, text in std.texts():
        if not _balanced(text):
            yield Finding("truncated", "warning", std.code, place,
                          f"{place} 括號不成對：{_quote(text, 40)}")
    indicators = [p for _, t in std.tasks() for p in t.indicators]
    ended = sum(1 for p in indicators if squash(p.text).endswith(_FINAL))
    convention = len(indicators) > 1 and ended >= 0.8 * len(indicators)
    for p in indicators:
        text = squash(p.text)
        if len(text) < 6:
            problem = f"文字過短（{len(text)} 字）"
        elif text.endswith(_MID_PHRASE):
            problem = f"結尾「{text[-1]}」語句未完"
        elif convention and not text.endswith(_FINAL) and len(text) < 10:
            problem = f"很短且未以句號結尾（本基準 {ended}/{len(indicators)} 條指標有句號）"
        else:
            continue
        yield Finding("truncated", "warning", std.code, p.code,
                      f"{p.code} 疑似不完整，{problem}：{_quote(p.text, 40)}")
    # Attitude descriptions come from one dictionary and end with 。; one that does not,
    # where the others do, was cut (often by a page break or a truncated file).
    described = [a for a in std.attitudes if a.description]
    ended = sum(1 for a in described if squash(a.description).endswith(_FINAL))
    if len(described) > 1 and ended >= 0.8 * len(described):
        for a in described:
            text = squash(a.description)
            if not text.endswith(_FINAL) or text.endswith(_MID_PHRASE):
                place = a.code or a.name
                yield Finding("truncated", "warning", std.code, place,
                              f"{place} 態度說明疑似不完整，未以句號結尾：{_quote(a.description, 40)}")


_STRAY_SPACE = re.compile(rf"(?<={CJK})\s+(?={CJK})")


@rule
def stray_space(std: Standard) -> Iterator[Finding]:
    """A space between two CJK characters is a line-break leftover; it breaks search."""
    for place, text in std.texts():
        m = _STRAY_SPACE.search(text)
        if m:
            snippet = " ".join(text[max(0, m.start() - 6):m.end() + 6].split())
            yield Finding("stray-space", "info", std.code, place,
                          f"{place} 中文字間有多餘空格：「{snippet}」")


def _words(text: str) -> str:
    return "".join(ch for ch in text if not ch.isspace()
                   and not unicodedata.category(ch).startswith("P"))


@rule
def duplicate_indicator(std: Standard) -> Iterator[Finding]:
    """Two indicators with one text: a copy-paste slip or a task that was split twice.

    Texts compare without spaces and punctuation, so a stray 「。」 hides no duplicate.
    """
    groups: dict[str, list[tuple[str, str]]] = {}
    for _, task in std.tasks():
        for p in task.indicators:
            groups.setdefault(_words(p.text), []).append((p.code, squash(p.text)))
    for found in groups.values():
        if len(found) > 1:
            codes = "、".join(c for c, _ in found)
            note = "（標點有異）" if len({t for _, t in found}) > 1 else ""
            yield Finding("duplicate-indicator", "warning", std.code, found[0][0],
                          f"{codes} 內容相同{note}：{_quote(found[0][1], 40)}")


_CODE = re.compile(r"^[A-Z]\d+(\.\d+)*$")


def _unknown_code(std: Standard, place: str) -> str | None:
    """The first code of a marker place that the standard lacks (T1.1/K01: K01 at T1.1)."""
    everything = _codes(std)
    scope = everything
    for part in place.split("/"):
        if not _CODE.match(part):
            continue
        if part not in scope:
            return part
        task = std.task(part)
        scope = _task_codes(task) if task else everything
    return None


def _task_codes(task: Task) -> set[str]:
    return ({p.code for p in task.indicators} | {o.code for o in task.outputs if o.code}
            | {r.code for r in task.knowledge + task.skills})


def _codes(std: Standard) -> set[str]:
    out = {d.code for d in std.duties} | {a.code for a in std.attitudes if a.code}
    for _, task in std.tasks():
        out |= {task.code} | _task_codes(task)
    return out


@rule
def odd_level(std: Standard) -> Iterator[Finding]:
    """A level cell that is not one level 1–6 (「34」, 「4級以上」) or is empty: the
    importer keeps what was printed and sets no level, so reports and syllabi cannot use it."""
    def finding(place: str, what: str, printed: str) -> Finding:
        shown = f"印為「{printed}」，不是 1–6 級" if printed else "沒有印出"
        return Finding("odd-level", "warning", std.code, place, f"{what}{shown}；未設定級別")

    if std.level is None:
        yield finding("level", "基準級別", std.printed_level)
    for _, task in std.tasks():
        for band in task.bands:
            if band.level is None:
                yield finding(task.code, f"{task.code} 職能級別", band.printed_level)


@rule
def duplicate_code(std: Standard) -> Iterator[Finding]:
    """One code printed twice with different texts (two P1.5, two S06 in one cell): one of
    them is a typo in the source, and reports cannot tell the two apart."""
    reported: set[tuple[str, str, str]] = set()  # a merged cell's slip once, not per task
    for _, task in std.tasks():
        for band in task.bands:
            for what, items, attr in (("行為指標", band.indicators, "text"),
                                      ("工作產出", band.outputs, "name"),
                                      ("知識", band.knowledge, "name"),
                                      ("技能", band.skills, "name")):
                seen: dict[str, str] = {}
                for item in items:
                    text = getattr(item, attr)
                    key = (item.code or "", squash(seen.get(item.code or "", "")), squash(text))
                    if item.code in seen and key[1] != key[2] and key not in reported:
                        reported.add(key)
                        yield Finding("duplicate-code", "error", std.code,
                                      f"{task.code}/{item.code}",
                                      f"{item.code} 在 {task.code} 印了兩次，內容不同"
                                      f"（{what}）：{_quote(seen[item.code])}／{_quote(text)}")
                    elif item.code:
                        seen.setdefault(item.code, text)


@rule
def task_structure(std: Standard) -> Iterator[Finding]:
    """Where the table's structure departs from its codes: a task printed under another
    duty (its own duty is missing from the table), a task printed with only its duty's code,
    a block of tasks whose outputs and indicators name no task."""
    duties = {d.code for d in std.duties}
    for duty, task in std.tasks():
        own = task.code.split(".")[0]
        if own != duty.code:
            missing = "沒有印出" if own not in duties else "另列他處"
            yield Finding("task-structure", "warning", std.code, task.code,
                          f"工作任務 {task.code} 印在主要職責 {duty.code} 之下"
                          f"（主要職責 {own} {missing}）")
        if "." not in task.code:
            yield Finding("task-structure", "warning", std.code, task.code,
                          f"工作任務只印出主要職責的代碼 {task.code}"
                          + ("，沒有名稱" if not task.name else ""))
        for band in task.bands:
            if band.items_shared:
                tasks = _join([task.code, *band.shared_with])
                yield Finding("task-structure", "info", std.code, task.code,
                              f"{tasks} 共用一個區塊，其工作產出與行為指標沒有標明屬於哪一項"
                              f"工作任務（課程與檢核表以整個區塊處理）")


@rule
def damaged_text(std: Standard) -> Iterator[Finding]:
    """Text that carries another cell's content or a placeholder: an indicator ending in
    「4 K01 職業安全衛生相關規範」, an attitude list as a duty name, a leaked heading
    「基準更新紀錄」 among the notes, 「Unknown」 as a name.  The source is damaged; the
    import keeps what was printed, so users must see it here."""
    def find(place: str, message: str) -> Finding:
        return Finding("damaged-text", "warning", std.code, place, message)

    for duty in std.duties:
        if duty.name and placeholder(duty.name):
            yield find(duty.code, f"{duty.code} 名稱為佔位字「{duty.name}」（來源沒有名稱）")
        elif not duty.name:
            yield find(duty.code, f"{duty.code} 沒有名稱")
    for place, text in std.texts():
        flat = squash(text)
        codes = sorted({m.group(0) for m in CELL_CODES.finditer(text)}, key=code_key)
        kinds = {c[0] for c in codes}
        if place.startswith(("T", "P", "O")) and codes and not (
                place.startswith(("K", "S")) and kinds == {place[0]}):
            yield find(place, f"{place} 含有其他欄位的代碼 {'、'.join(codes)}：{_quote(text, 40)}")
        elif FURNITURE.search(text):
            yield find(place, f"{place} 含有表頭或頁首文字：{_quote(text, 40)}")
        elif place.startswith("notes") and heading(flat):
            yield find(place, f"說明與補充事項中混入標題「{flat}」")
        elif text and placeholder(text) and not place.startswith("T"):
            yield find(place, f"{place} 為佔位字「{text}」")


@rule
def unprintable(std: Standard) -> Iterator[Finding]:
    """A character the bundled PDF font (Noto Sans TC) has no glyph for: a PDF of this
    standard would fail, so it is said here, before any PDF is attempted."""
    from ..fonts import bundled_missing

    for place, text in std.texts():
        missing = bundled_missing(text)
        if missing:
            shown = "、".join(f"「{c}」U+{ord(c):04X}" for c in missing[:6])
            yield Finding("unprintable", "error", std.code, place,
                          f"{place} 含有 PDF 字型無法印出的字：{shown}（{_quote(text)}）；"
                          f"請修正，或產生 PDF 時以 --font 指定涵蓋這些字的字型")


@rule
def footnote(std: Standard) -> Iterator[Finding]:
    """A note nobody points to, or a marker at a code that does not exist, misleads readers."""
    for note in std.notes.footnotes:
        if not note.refs:
            yield Finding("footnote", "warning", std.code, f"註{note.number}",
                          f"註{note.number} 沒有任何標記指向它")
        for ref in note.refs:
            missing = _unknown_code(std, ref.place)
            if missing:
                yield Finding("footnote", "warning", std.code, ref.place,
                              f"註{note.number} 的標記位置 {ref.place} 指向不存在的 {missing}")


# -- running and rendering ---------------------------------------------------------------

def lint_standard(std: Standard) -> list[tuple[int, Finding]]:
    return [(i, f) for i, r in enumerate(RULES) for f in r(std)]


def lint_all(standards: Iterable[Standard]) -> list[Finding]:
    """Every rule on every standard, sorted by standard, rule order and code order."""
    found = [pair for std in standards for pair in lint_standard(std)]
    found.sort(key=lambda p: (p[1].standard, p[0], code_key(p[1].place), p[1].message))
    return [f for _, f in found]


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def _count_line(findings: list[Finding]) -> str:
    counts = {s: sum(1 for f in findings if f.severity == s) for s in SEVERITIES}
    return (f"共 {len(findings)} 項："
            + "、".join(f"{_LABELS[s]} {counts[s]}" for s in SEVERITIES))


def render(findings: list[Finding], fmt: str) -> str:
    """'json': an array of finding objects; 'table': aligned text grouped by standard."""
    if fmt == "json":
        return json.dumps([asdict(f) for f in findings], ensure_ascii=False, indent=2) + "\n"
    if fmt != "table":
        raise ValueError(f"unknown lint format {fmt!r}")
    rows = [(_LABELS[f.severity], f.id, f.place) for f in findings]
    widths = [max((_width(r[i]) for r in rows), default=0) for i in range(3)]
    lines: list[str] = []
    current = None
    for f, row in zip(findings, rows):
        if f.standard != current:
            current = f.standard
            count = sum(1 for g in findings if g.standard == current)
            lines += ([""] if lines else []) + [f"{current}（{count} 項）"]
        lines.append("  " + "  ".join([_pad(c, w) for c, w in zip(row, widths)] + [f.message]))
    lines += ([""] if lines else []) + [_count_line(findings)]
    return "\n".join(lines) + "\n"
