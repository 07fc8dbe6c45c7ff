"""Hand corrections kept in a standard's YAML and re-applied whenever it is imported again.

A correction names a place (``T1.1``, ``P1.3.2``, ``O2.1.1``, ``T1.1/K01``, ``A01``,
``name``, ``description``), the text as printed and the corrected text, with a reason.  It is
applied only while the source still prints that text, so a fixed source never gets a stale
edit.
"""

from __future__ import annotations

from typing import Callable, Iterable

from .model import Correction, Standard, squash



def _targets(std: Standard, place: str) -> list[tuple[object, str]]:
    """(object, attribute) pairs that hold the text at a place."""
    if place in ("name", "description"):
        return [(std, place)]
    if "/" in place:
        task_code, ref_code = place.split("/", 1)
        task = std.task(task_code)
        field = "knowledge" if ref_code.startswith("K") else "skills"
        return [(r, "name") for b in (task.bands if task else [])
                for r in getattr(b, field) if r.code == ref_code]
    out: list[tuple[object, str]] = []
    for duty in std.duties:
        if duty.code == place:
            out.append((duty, "name"))
        for task in duty.tasks:
            if task.code == place:
                out.append((task, "name"))
            for band in task.bands:
                out += [(p, "text") for p in band.indicators if p.code == place]
                out += [(o, "name") for o in band.outputs if o.code == place]
    out += [(a, "name") for a in std.attitudes if a.code == place]
    return out


def apply_corrections(std: Standard, corrections: Iterable[Correction],
                      warn: Callable[[str], None]) -> Standard:
    std = std.model_copy(deep=True)
    kept = []
    for c in corrections:
        kept.append(c)
        targets = _targets(std, c.place)
        if not targets:
            warn(f"{std.code}：{c.place} 的更正：來源中沒有這個位置；未套用")
            continue
        for obj, attr in targets:
            current = getattr(obj, attr)
            if squash(current) == squash(c.corrected):
                continue
            if squash(current) != squash(c.printed):
                warn(f"{std.code}：{c.place} 的更正：來源現在印的是「{current}」，"
                     f"不是「{c.printed}」；未套用")
                continue
            setattr(obj, attr, c.corrected)
    std.corrections = kept
    return Standard.model_validate(std.model_dump())
