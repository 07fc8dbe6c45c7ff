"""What a person moving up a career path (助理 → 專員 → 主管) still has to learn: the parts of
a target standard that a source standard does not already give, by the crosswalk."""

from __future__ import annotations

from rapidfuzz import fuzz

from ..errors import KmcError
from ..model import Standard, placeholder
from .crosswalk import Crosswalk, normalise

# A target task counts as already mastered only when every K and S it needs is covered, it
# is not asked at a higher level, and a source task is clearly the same job.
SAME_TASK_NAME = 60


def upskill_exclusions(source: Standard, target: Standard, cw: Crosswalk) -> dict[str, str]:
    """Target task and K/S references → why they can be left out of an upskilling course."""
    if source.code == target.code:
        raise KmcError(f"--from 與 --to 指定了同一項職能基準 {source.code}")
    covered: dict[str, str] = {}
    for _, task in target.tasks():
        for band in task.bands:
            for ref in band.knowledge + band.skills:
                key = f"{target.code} {ref.code}"
                concept = cw.concept_of(key)
                mates = [m.item for m in concept.members if m.item.standard == source.code] \
                    if concept else []
                if mates and key not in covered:
                    covered[key] = (f"已由 {source.code} 的 {mates[0].code} {mates[0].name} "
                                    f"涵蓋")
    out = dict(covered)
    for _, task in target.tasks():
        refs = {f"{target.code} {r.code}" for r in task.knowledge + task.skills}
        if not refs or not refs <= covered.keys() or placeholder(task.name):
            continue  # (two tasks without names are not the same task)
        best = max(((fuzz.ratio(normalise(task.name), normalise(t.name)), t)
                    for _, t in source.tasks() if not placeholder(t.name)),
                   key=lambda x: x[0], default=(0, None))
        score, same = best
        if same is not None and score >= SAME_TASK_NAME and max(task.levels, default=0) <= max(same.levels, default=0):
            out[f"{target.code} {task.code}"] = (
                f"與 {source.code} 的 {same.code} {same.name} 相同（名稱相似 {score:.0f}%，"
                f"所需知識與技能皆已具備，級別未提高）")
    return out
