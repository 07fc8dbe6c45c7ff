"""Print a standard the way `pdftotext` (without -layout) prints an iCAP PDF.

Used to test the importer on many page-break positions it has never seen: each cell is wrapped
at its column width, cells follow each other in column order, a merged level/K/S cell is printed
once, and a row cut by a page break continues on the next page after the page marker and the
repeated header, its unfinished cells again in column order — the first lines of short cells
sometimes on one line, as pdftotext joins text on one baseline.
"""

from __future__ import annotations

import random

from kmc_reports.importers.text import width

HEADER = ["主要職責 工作任務 工作產出 行為指標", "職能", "級別", "職能內涵",
          "（K=knowledge 知識）", "職能內涵", "（S=skills 技能)"]
WIDTH = {"duty": 9, "task": 9, "output": 9, "indicator": 43, "level": 1,
         "knowledge": 26, "skill": 26}


def wrap(text: str, first: int, rest: int, rng: random.Random) -> list[str]:
    """Break text into lines of at most `first` then `rest` display columns (a line may end a
    character early, as line-breaking rules do)."""
    lines, cur, limit = [], "", first
    for ch in text:
        if cur and width(cur + ch) > limit:
            if len(cur) > 2 and rng.random() < 0.05:  # kinsoku: one character moves down
                lines.append(cur[:-1])
                cur = cur[-1]
            else:
                lines.append(cur)
                cur = ""
            limit = rest
        cur += ch
    if cur:
        lines.append(cur)
    return lines


def _cells(std, duty, task, first_in_duty, first_in_group, rng):
    band = task.bands[0]
    cells = {c: [] for c in WIDTH}
    if first_in_duty:
        cells["duty"] = wrap(f"{duty.code} {duty.name}", 9, 8, rng)
    cells["task"] = wrap(f"{task.code} {task.name}", 9, 8, rng)
    for o in band.outputs:
        cells["output"] += wrap(f"{o.code} {o.name}", 9, 8, rng)
    for p in band.indicators:
        cells["indicator"] += wrap(f"{p.code} {p.text}", 43, 36, rng)
    if first_in_group:
        cells["level"] = [str(band.level)]
        for r in band.knowledge:
            cells["knowledge"] += wrap(f"{r.code} {r.name}", 26, 22, rng)
        for r in band.skills:
            cells["skill"] += wrap(f"{r.code} {r.name}", 26, 22, rng)
    return cells


def render(std, page_lines: int, seed: int) -> str:
    """The standard as pdftotext text, with a page every `page_lines` table lines."""
    rng = random.Random(seed)
    out = [f"{std.name}職能基準", f"職能基準代碼 {std.code}", "職能基準名稱", "(擇一填寫)",
           "職類", f"職業 {std.name}", "所屬", "類別",
           f"職類別 {std.categories.job_categories[0].name} 職類別代碼 "
           f"{std.categories.job_categories[0].code}",
           f"職業別 {std.categories.occupations[0].name} 職業別代碼 "
           f"{std.categories.occupations[0].code}",
           f"行業別 {std.categories.industries[0].name} 行業別代碼 "
           f"{std.categories.industries[0].code}",
           f"工作描述 {std.description}", f"基準級別 {std.level}", *HEADER]
    page, used = 1, 0
    for duty in std.duties:
        seen_groups: set[str] = set()
        for i, task in enumerate(duty.tasks):
            shared = tuple(sorted([task.code, *task.bands[0].shared_with]))
            cells = _cells(std, duty, task, i == 0, shared not in seen_groups, rng)
            seen_groups.add(shared)
            height = max(len(v) for v in cells.values())
            cut = page_lines - used
            if height <= cut:
                out += _flow(cells, 0, height, rng, merge=False)
                used += height
                continue
            out += _flow(cells, 0, cut, rng, merge=False)
            page += 1
            out += [f"第{page}頁，總共99頁", *HEADER]
            out += _flow(cells, cut, height, rng, merge=True)
            used = height - cut
    out += ["職能內涵（A=attitude 態度）"]
    out += [f"{a.code} {a.name}：{a.description or a.name}" for a in std.attitudes]
    out += ["說明與補充事項", "⚫ 其他補充說明：", "無。"]
    return "\n\n".join(out) + "\n"


def _flow(cells, start, end, rng, merge):
    """The lines start..end of each cell, cell after cell.  After a page break, a duty, task
    or output cell that continues with a single line may share it with the next cell's first
    line, as pdftotext joins text on one baseline."""
    lines: list[str] = []
    joinable = False
    for col in WIDTH:
        part = cells[col][start:end]
        if not part:
            joinable = False
            continue
        if merge and joinable and not part[0][:1].isascii() and rng.random() < 0.5:
            lines[-1] += " " + part[0]
            part = part[1:]
        lines += part
        joinable = merge and col in ("duty", "task") and len(part) == 1 \
            and not part[0][:1].isascii()
    return lines
