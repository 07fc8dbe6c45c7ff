"""What an auditor compares once the crosswalk has matched items: counts per standard,
overlap between standards, similar tasks, shared and unique items.

Scale.  A catalogue holds thousands of standards, so nothing here loops over all pairs in
Python: the overlap of two standards comes from a sparse standard×concept incidence product
(`Overlap`), and similar tasks from a sparse task×concept product plus rapidfuzz's vectorised
``cdist`` over distinct task names, in row blocks that bound memory (`task_matches`).  Both
give exactly the numbers of the plain definitions (shared / either, 0.7 × concepts + 0.3 ×
name), pair for pair and in the same order.

Layouts.  Up to `LIMIT` standards the workbook and the summary put standards side by side
(one column per standard, N×N tables); above it they switch to lists that scale: one row per
concept member, each standard's `CLOSEST` closest standards, the `SUMMARY_PAIRS` closest
pairs and the `SUMMARY_CONCEPTS` concepts shared by most standards.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from rapidfuzz import fuzz, process
from scipy import sparse

from ..model import Standard, Task, Version
from .crosswalk import Concept, Crosswalk, normalise

KINDS = (("K", "知識"), ("S", "技能"), ("A", "態度"))

LIMIT = 30             # standards side by side up to this many; lists above it
CLOSEST = 10           # workbook above LIMIT: closest standards of each standard, per kind
SUMMARY_PAIRS = 30     # summary above LIMIT: closest pairs of standards, per kind
SUMMARY_CONCEPTS = 50  # summary above LIMIT: concepts shared by most standards, per kind
SUMMARY_NAMES = 8      # ... with at most this many of their distinct names
_CELLS = 2_000_000     # task pairs scored at a time (a block of rows × all tasks): memory


def large(count: int) -> bool:
    """Whether `count` standards take the layouts that scale (lists, not side by side)."""
    return count > LIMIT


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


@dataclass(frozen=True)
class Pair:
    """Two standards and their overlap in one kind."""

    a: str
    b: str
    value: float  # Jaccard: shared / either
    shared: int   # concepts both have
    either: int   # concepts either has


@dataclass(frozen=True)
class SharedConcept:
    """A concept several standards have, as the summary prints it: its distinct names with
    the number of standards printing each (most first), `more` names left out."""

    id: str
    label: str
    standards: int
    names: list[tuple[str, int]]
    more: int


class Overlap:
    """The concepts of one kind the compared standards have, as a sparse standard×concept
    incidence, and what follows from it: the Jaccard overlap of every two standards (rows
    of the N×N matrix, for side-by-side layouts), each standard's closest standards, the
    closest pairs and the concepts shared by most standards (for the lists above `LIMIT`).

    Iterating gives the matrix rows, as `jaccard` always did; a row is made when asked."""

    def __init__(self, cw: Crosswalk, kind: str):
        self.kind = kind
        self.codes = list(cw.standards)
        self.concepts = [c for c in cw.concepts if c.kind == kind]
        index = {code: i for i, code in enumerate(self.codes)}
        cells = sorted({(index[m.item.standard], j)
                        for j, c in enumerate(self.concepts) for m in c.members})
        rows = np.array([i for i, _ in cells], dtype=np.int64)
        cols = np.array([j for _, j in cells], dtype=np.int64)
        incidence = sparse.csr_matrix((np.ones(len(rows), dtype=np.int64), (rows, cols)),
                                      shape=(len(self.codes), len(self.concepts)))
        self.sizes = np.asarray(incidence.sum(axis=1), dtype=np.int64).reshape(-1)
        self.shared = (incidence @ incidence.T).tocsr()  # shared[i, j]: concepts both have
        self.shared.sort_indices()
        self.large = large(len(self.codes))
        self.limit = LIMIT

    # -- the matrix, for side-by-side layouts ---------------------------------------------
    def __len__(self) -> int:
        return len(self.codes)

    def __getitem__(self, i: int) -> list[float]:
        """Row i: the overlap of standard i with every standard (itself: 1, or 0 if it has
        no concept of this kind)."""
        inter = [0] * len(self.codes)
        lo, hi = self.shared.indptr[i], self.shared.indptr[i + 1]
        for j, x in zip(self.shared.indices[lo:hi].tolist(), self.shared.data[lo:hi].tolist()):
            inter[j] = x
        size = int(self.sizes[i])
        return [x / u if (u := size + s - x) else 0.0
                for x, s in zip(inter, self.sizes.tolist())]

    def __iter__(self):
        return (self[i] for i in range(len(self.codes)))

    def values(self, i: int, js: list[int]) -> list[float]:
        """The overlap of standard i with each of standards `js` (as row i has it)."""
        lo, hi = self.shared.indptr[i], self.shared.indptr[i + 1]
        cols, data = self.shared.indices[lo:hi], self.shared.data[lo:hi]
        js = np.asarray(js, dtype=np.int64)
        inter = np.zeros(len(js), dtype=np.int64)
        if len(cols):
            pos = np.searchsorted(cols, js).clip(max=len(cols) - 1)
            hit = cols[pos] == js
            inter[hit] = data[pos[hit]]
        union = self.sizes[i] + self.sizes[js] - inter
        return np.divide(inter, union, out=np.zeros(len(js)), where=union > 0).tolist()

    # -- lists, for many standards --------------------------------------------------------
    def closest(self, top: int = CLOSEST) -> dict[str, list[Pair]]:
        """Standard → its `top` closest other standards (overlap above 0), by overlap, then
        more shared concepts, then input order."""
        out: dict[str, list[Pair]] = {}
        m = self.shared
        for i, code in enumerate(self.codes):
            lo, hi = m.indptr[i], m.indptr[i + 1]
            js, inter = m.indices[lo:hi], m.data[lo:hi]
            keep = js != i
            js, inter = js[keep], inter[keep]
            union = self.sizes[i] + self.sizes[js] - inter
            values = inter / union
            order = np.lexsort((js, -inter, -values))[:top]
            out[code] = [Pair(code, self.codes[j], float(values[k]), int(inter[k]),
                              int(union[k]))
                         for k, j in zip(order.tolist(), js[order].tolist())]
        return out

    def pairs(self, top: int = SUMMARY_PAIRS) -> list[Pair]:
        """The `top` pairs of standards (each once, in input order) with the largest overlap,
        then more shared concepts, then input order."""
        upper = sparse.triu(self.shared, k=1).tocoo()
        i, j, inter = upper.row, upper.col, upper.data
        union = self.sizes[i] + self.sizes[j] - inter
        values = inter / union
        order = np.lexsort((j, i, -inter, -values))[:top]
        return [Pair(self.codes[i[k]], self.codes[j[k]], float(values[k]), int(inter[k]),
                     int(union[k])) for k in order.tolist()]

    def most_shared(self, top: int = SUMMARY_CONCEPTS) -> list[SharedConcept]:
        """The `top` concepts of two or more standards, most standards first (the
        crosswalk's order: then by label)."""
        return [_shared_concept(c) for c in self.multi[:top]]

    @cached_property
    def multi(self) -> list[Concept]:
        """The concepts of two or more standards, in the crosswalk's order."""
        return [c for c in self.concepts if len(c.standards) > 1]

    @cached_property
    def closest_pairs(self) -> list[Pair]:
        """`pairs()` of the summary."""
        return self.pairs()

    @cached_property
    def top_concepts(self) -> list[SharedConcept]:
        """`most_shared()` of the summary."""
        return self.most_shared()


def _shared_concept(c: Concept) -> SharedConcept:
    by_name: dict[str, set[str]] = {}
    for m in c.members:
        for name in m.item.names:
            by_name.setdefault(name, set()).add(m.item.standard)
    order = sorted(by_name, key=lambda n: -len(by_name[n]))  # stable: first printed first
    return SharedConcept(c.id, c.label, len(c.standards),
                         [(n, len(by_name[n])) for n in order[:SUMMARY_NAMES]],
                         max(0, len(order) - SUMMARY_NAMES))


def jaccard(cw: Crosswalk, kind: str) -> Overlap:
    """Overlap of every two standards: shared concepts / concepts of either (rows of the
    N×N matrix when iterated), with the lists of `Overlap` for many standards."""
    return Overlap(cw, kind)


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


# Each task's similar tasks: at most this many, scoring at least this much.
MATCH_TOP, MATCH_MINIMUM = 3, 0.2


def task_matches(standards: list[Standard], cw: Crosswalk, top: int = MATCH_TOP,
                 minimum: float = MATCH_MINIMUM) -> list[TaskMatch]:
    """For each task, the most similar tasks of the other standards: 70 % shared K/S
    concepts (what the tasks need), 30 % name similarity (what they are called).

    For each task in input order, its `top` matches scoring at least `minimum`, by score,
    then the other standard's code, the other task's code and input order.  Computed in
    blocks of tasks against all tasks: shared concepts by a sparse task×concept product,
    names by rapidfuzz's ``cdist`` over the distinct normalised names (the same
    ``fuzz.ratio``), scores with the same floating-point operations as one pair at a time."""
    tasks = [(std, t) for std in standards for _, t in std.tasks()]
    n = len(tasks)
    if not n:
        return []
    concepts = [_task_concepts(cw, std, t) for std, t in tasks]
    ids: dict[str, int] = {}
    rows, cols = [], []
    for i, c in enumerate(concepts):
        for cid in c:
            rows.append(i)
            cols.append(ids.setdefault(cid, len(ids)))
    incidence = sparse.csr_matrix((np.ones(len(rows), dtype=np.int64), (rows, cols)),
                                  shape=(n, len(ids)))
    other_way = incidence.T.tocsr()
    sizes = np.array([len(c) for c in concepts], dtype=np.int64)
    groups: dict[str, int] = {}
    group = np.array([groups.setdefault(std.code, len(groups)) for std, _ in tasks])
    rank = np.empty(n, dtype=np.int64)  # the order of ties: other standard, task, input
    rank[sorted(range(n), key=lambda j: (tasks[j][0].code, tasks[j][1].code, j))] = \
        np.arange(n)
    distinct: dict[str, int] = {}
    name_id = np.array([distinct.setdefault(normalise(t.name), len(distinct))
                        for _, t in tasks], dtype=np.int64)
    names = list(distinct)

    out: list[TaskMatch] = []
    block = max(1, _CELLS // n)
    for start in range(0, n, block):
        stop = min(n, start + block)
        inter = (incidence[start:stop] @ other_way).toarray()
        union = sizes[start:stop, None] + sizes[None, :] - inter
        c_score = np.divide(inter, union, out=np.zeros(inter.shape), where=union > 0)
        del inter, union
        mine = np.unique(name_id[start:stop])
        ratios = process.cdist([names[k] for k in mine], names, scorer=fuzz.ratio,
                               dtype=np.float64, workers=-1)
        n_score = ratios[np.searchsorted(mine, name_id[start:stop])][:, name_id] / 100
        del ratios
        score = 0.7 * c_score + 0.3 * n_score
        keep = (score >= minimum) & (group[start:stop, None] != group[None, :])
        r, j = np.nonzero(keep)
        del keep
        s = score[r, j]
        order = np.lexsort((rank[j], -s, r))
        r, j = r[order], j[order]
        first = np.searchsorted(r, r)  # r is sorted: where each row's matches begin
        chosen = np.arange(len(r)) - first < top
        for a, b in zip((r[chosen] + start).tolist(), j[chosen].tolist()):
            std, task = tasks[a]
            other_std, other = tasks[b]
            shared = sorted(concepts[a].keys() & concepts[b].keys())
            out.append(TaskMatch(std.code, task, other_std.code, other,
                                 [concepts[a][x] for x in shared],
                                 float(c_score[a - start, b]), float(n_score[a - start, b]),
                                 float(score[a - start, b])))
    return out
