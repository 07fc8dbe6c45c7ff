"""What an auditor compares once the crosswalk has matched items: counts per standard,
overlap between standards, similar tasks, shared and unique items."""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz

from ..model import Standard, Task, Version
from .crosswalk import Crosswalk, normalise

KINDS = (("K", "知識"), ("S", "技能"), ("A", "態度"))


@dataclass
class Overview:
    std: Standard
    duties: int
    tasks: int
    indicators: int
    counts: dict[str, int]  # K, S, A: distinct codes
    version: Version | None


def overview(std: Standard) -> Overview:
    tasks = [t for _, t in std.tasks()]
    return Overview(std, len(std.duties), len(tasks), sum(len(t.indicators) for t in tasks),
                    {"K": len(std.catalogue("K")), "S": len(std.catalogue("S")),
                     "A": len(std.attitudes)}, std.latest_version())


def concept_sets(cw: Crosswalk, kind: str) -> dict[str, set[str]]:
    """Standard → the ids of the concepts of one kind it has."""
    out: dict[str, set[str]] = {code: set() for code in cw.standards}
    for concept in cw.concepts:
        if concept.kind == kind:
            for m in concept.members:
                out[m.item.standard].add(concept.id)
    return out


def jaccard(cw: Crosswalk, kind: str) -> list[list[float]]:
    """Overlap of every two standards: shared concepts / concepts of either."""
    sets = concept_sets(cw, kind)
    rows = []
    for a in cw.standards:
        row = []
        for b in cw.standards:
            union = sets[a] | sets[b]
            row.append(len(sets[a] & sets[b]) / len(union) if union else 0.0)
        rows.append(row)
    return rows


def shared_unique(cw: Crosswalk) -> dict[str, tuple[int, int]]:
    """Standard → (items it shares with another standard, items only it has), all kinds."""
    out = {code: [0, 0] for code in cw.standards}
    for concept in cw.concepts:
        shared = len(concept.standards) > 1
        for m in concept.members:
            out[m.item.standard][0 if shared else 1] += 1
    return {code: (s, u) for code, (s, u) in out.items()}


@dataclass
class TaskMatch:
    standard: str
    task: Task
    other_standard: str
    other: Task
    shared: list[str]  # concept labels both tasks need
    concept_score: float  # shared / either, 0–1
    name_score: float  # 0–1
    score: float


def _task_concepts(cw: Crosswalk, std: Standard, task: Task) -> dict[str, str]:
    ids = {}
    for band in task.bands:
        for ref in band.knowledge + band.skills:
            concept = cw.concept_of(f"{std.code} {ref.code}")
            if concept:
                ids[concept.id] = concept.label
    return ids


def task_matches(standards: list[Standard], cw: Crosswalk, top: int = 3,
                 minimum: float = 0.2) -> list[TaskMatch]:
    """For each task, the most similar tasks of the other standards: 70 % shared K/S
    concepts (what the tasks need), 30 % name similarity (what they are called)."""
    tasks = [(std, t, _task_concepts(cw, std, t), normalise(t.name))
             for std in standards for _, t in std.tasks()]
    out = []
    for std, task, concepts, name in tasks:
        found = []
        for other_std, other, other_concepts, other_name in tasks:
            if other_std.code == std.code:
                continue
            union = concepts.keys() | other_concepts.keys()
            shared = sorted(concepts.keys() & other_concepts.keys())
            c_score = len(shared) / len(union) if union else 0.0
            n_score = fuzz.ratio(name, other_name) / 100
            score = 0.7 * c_score + 0.3 * n_score
            if score >= minimum:
                found.append(TaskMatch(std.code, task, other_std.code, other,
                                       [concepts[i] for i in shared], c_score, n_score, score))
        found.sort(key=lambda m: (-m.score, m.other_standard, m.other.code))
        out += found[:top]
    return out
