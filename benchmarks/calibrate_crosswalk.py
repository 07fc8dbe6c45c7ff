"""Calibrate the crosswalk thresholds on the labelled pairs of the bundled standards.

    python benchmarks/calibrate_crosswalk.py

Reads data/crosswalk-labels.yaml and scores every labelled pair with the crosswalk's own
scorer.  Per kind it measures what the user sees — pairs that build_crosswalk puts in one
concept (complete link, one item per standard) — for a cut between every two neighbouring
labelled scores, and keeps:

  auto    the cut with the best F1 among those with precision ≥ 0.9 and ≥ AUTO_FLOOR; on a
          tie the one with the widest gap between its neighbouring scores; placed midway in
          the gap, so no labelled pair sits on the threshold (a gap that straddles AUTO_FLOOR
          counts from the floor up; no such cut: 100, identical names only);
  review  the lowest score of a "same" pair below auto, but not below REVIEW_FLOOR.

Writes data/crosswalk-thresholds.yaml (thresholds and measured figures, no dates) and prints
a table: "grouped" is the measure above, "pairs" the scores alone against the threshold,
"LOSO" a leave-one-standard-out estimate (thresholds chosen without one standard's items,
measured on that standard's pairs; each pair is measured in the folds of both its standards),
"seen" the share of "same" pairs joined or listed for review (in `possible`).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kmc_reports.analyses.crosswalk import (KINDS, Item,  # noqa: E402
                                            attitude_dictionary, build_crosswalk,
                                            items_of, pair_score)
from kmc_reports.atomic import write_text  # noqa: E402
from kmc_reports.model import Standard  # noqa: E402
from kmc_reports.store import Library  # noqa: E402

LABELS = ROOT / "data" / "crosswalk-labels.yaml"
THRESHOLDS = ROOT / "data" / "crosswalk-thresholds.yaml"
MIN_PRECISION = 0.9
AUTO_FLOOR = 75.0    # below, fewer than about three in four meaningful characters agree
REVIEW_FLOOR = 50.0  # below, reviewers would mostly see noise


@dataclass(frozen=True)
class Pair:
    kind: str
    a: str      # item refs
    b: str
    same: bool


def read_labels(standards: list[Standard], path: Path = LABELS) -> list[Pair]:
    """The labelled cross-standard pairs; stops if a ref no longer prints the labelled name."""
    items = {it.ref: it for std in standards for it in items_of(std)}

    def ref(text: str) -> str:
        std, code, name = text.split(" ", 2)
        item = items.get(f"{std} {code}")
        if item is None or "／".join(item.names) != name:
            raise SystemExit(f"{path}: {text!r} does not match the standards")
        return item.ref

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    pairs: dict[frozenset, Pair] = {}
    for kind in KINDS:
        for group in data[kind]["same"]:
            for a, b in combinations(map(ref, group["items"]), 2):
                if a.split()[0] != b.split()[0]:
                    pairs[frozenset((a, b))] = Pair(kind, a, b, True)
        for a, b, _why in data[kind]["different"]:
            a, b = ref(a), ref(b)
            if frozenset((a, b)) in pairs:
                raise SystemExit(f"{path}: {a} / {b} is labelled both same and different")
            pairs[frozenset((a, b))] = Pair(kind, a, b, False)
    return list(pairs.values())


def counts(pairs: list[Pair], joined) -> tuple[int, int, int]:
    """True positives, false positives, false negatives of a predicate on pairs."""
    tp = sum(1 for p in pairs if p.same and joined(p))
    fp = sum(1 for p in pairs if not p.same and joined(p))
    return tp, fp, sum(1 for p in pairs if p.same) - tp


def figures(tp: int, fp: int, fn: int) -> dict[str, float]:
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 3), "recall": round(recall, 3), "f1": round(f1, 3)}


def grouped(standards: list[Standard], thresholds: dict):
    """Predicate: are the two items of a pair in one concept of the crosswalk?"""
    cw = build_crosswalk(standards, thresholds=thresholds)
    return lambda p: cw.concept_of(p.a) is cw.concept_of(p.b)


def seen(standards: list[Standard], thresholds: dict):
    """Predicate: is a pair joined, or are its two concepts listed for review?"""
    cw = build_crosswalk(standards, thresholds=thresholds)
    listed = {frozenset((cw.concept_of(c.a.ref).id, cw.concept_of(c.b.ref).id))
              for c in cw.possible}
    return lambda p: frozenset((cw.concept_of(p.a).id, cw.concept_of(p.b).id)) in listed \
        or cw.concept_of(p.a) is cw.concept_of(p.b)


def choose(standards: list[Standard], pairs: list[Pair], items: dict[str, Item]
           ) -> dict[str, tuple[float, float]]:
    """Per kind (auto, review), measured on crosswalks of `standards` (see the docstring)."""
    dictionary = attitude_dictionary(items.values())  # as build_crosswalk reads attitudes
    score = {p: pair_score(items[p.a], items[p.b], dictionary)[0] for p in pairs}
    cuts: dict[str, list[tuple[float, float, float]]] = {}  # kind -> (threshold, low, high)
    for kind in KINDS:
        values = sorted({s for p, s in score.items() if p.kind == kind} | {100.0})
        gaps = [(max(lo, AUTO_FLOOR), hi) for lo, hi in zip(values, values[1:])
                if hi > AUTO_FLOOR]  # the part of each gap at or above the floor
        cuts[kind] = [((lo + hi) / 2, lo, hi) for lo, hi in gaps]
    best: dict[str, tuple] = {}
    for t in sorted({c[0] for cs in cuts.values() for c in cs}):
        joined = grouped(standards, {k: (t, REVIEW_FLOOR) for k in KINDS})
        for kind in KINDS:
            for cut in (c for c in cuts[kind] if c[0] == t):
                f = figures(*counts([p for p in pairs if p.kind == kind], joined))
                rank = (f["f1"], cut[2] - cut[1])
                if f["precision"] >= MIN_PRECISION and (kind not in best or rank > best[kind][0]):
                    best[kind] = (rank, cut)
    out = {}
    for kind in KINDS:
        auto = 100.0
        if kind in best:
            mid, lo, hi = best[kind][1]
            auto = round(mid, 2) if lo < round(mid, 2) <= hi else mid
        below = [s for p, s in score.items() if p.kind == kind and p.same and s < auto]
        out[kind] = (auto, round(max(REVIEW_FLOOR, min(below, default=REVIEW_FLOOR)), 2))
    return out


def measure(standards: list[Standard], pairs: list[Pair], thresholds: dict) -> dict:
    """Figures per kind and overall: grouped (what users see) and pairs alone."""
    items = {it.ref: it for std in standards for it in items_of(std)}
    dictionary = attitude_dictionary(items.values())
    joined, listed = grouped(standards, thresholds), seen(standards, thresholds)

    def alone(p: Pair) -> bool:
        return pair_score(items[p.a], items[p.b], dictionary)[0] >= thresholds[p.kind][0]

    out = {}
    for kind in (*KINDS, "all"):
        ps = [p for p in pairs if kind in ("all", p.kind)]
        out[kind] = {"labelled": len(ps), "same": sum(p.same for p in ps),
                     "grouped": figures(*counts(ps, joined)),
                     "pairs": figures(*counts(ps, alone)),
                     "seen": round(sum(p.same and listed(p) for p in ps)
                                   / max(1, sum(p.same for p in ps)), 3)}
    return out


def leave_one_out(standards: list[Standard], pairs: list[Pair]) -> dict:
    """Thresholds chosen on the other standards, figures on the held-out standard's pairs."""
    totals = {kind: [0, 0, 0] for kind in (*KINDS, "all")}
    for held in standards:
        rest = [s for s in standards if s is not held]
        items = {it.ref: it for std in rest for it in items_of(std)}
        train = [p for p in pairs if p.a in items and p.b in items]
        test = [p for p in pairs if p not in train]
        joined = grouped(standards, choose(rest, train, items))
        for kind in (*KINDS, "all"):
            for n, c in enumerate(counts([p for p in test if kind in ("all", p.kind)], joined)):
                totals[kind][n] += c
    return {kind: figures(*c) for kind, c in totals.items()}


def main() -> None:
    standards = Library(ROOT / "data" / "standards").load()
    pairs = read_labels(standards)
    items = {it.ref: it for std in standards for it in items_of(std)}
    thresholds = choose(standards, pairs, items)
    measured = measure(standards, pairs, thresholds)
    loso = leave_one_out(standards, pairs)
    for kind in measured:
        measured[kind]["leave_one_standard_out"] = loso[kind]

    header = ("# Crosswalk thresholds: made by benchmarks/calibrate_crosswalk.py from\n"
              "# data/crosswalk-labels.yaml.  Do not edit by hand: change the labels or the\n"
              "# scorer and run the script again.  `measured` is on the labelled pairs.\n")
    data = {"thresholds": {k: {"auto": a, "review": r} for k, (a, r) in thresholds.items()},
            "floors": {"auto": AUTO_FLOOR, "review": REVIEW_FLOOR,
                       "min_precision": MIN_PRECISION},
            "measured": measured}
    write_text(THRESHOLDS, header + yaml.safe_dump(data, sort_keys=False, width=100))

    print(f"{'kind':<5}{'auto':>7}{'review':>8}{'pairs':>7}{'same':>6}   "
          f"{'grouped P/R/F1':<18}{'pairs alone P/R/F1':<21}{'LOSO P/R/F1':<18}seen")
    for kind, m in measured.items():
        auto, review = thresholds.get(kind, ("", ""))
        cols = [" ".join(f"{m[k][f]:.2f}" for f in ("precision", "recall", "f1"))
                for k in ("grouped", "pairs", "leave_one_standard_out")]
        print(f"{kind:<5}{auto:>7}{review:>8}{m['labelled']:>7}{m['same']:>6}   "
              f"{cols[0]:<18}{cols[1]:<21}{cols[2]:<18}{m['seen']:.2f}")

    labelled = {frozenset((p.a, p.b)) for p in pairs}
    cw = build_crosswalk(standards, thresholds=thresholds)
    shown = [(c.score, c.a, c.b) for c in cw.possible]
    shown += [(m.score, c.members[0].item, m.item) for c in cw.concepts for m in c.members[1:]]
    gaps = [g for g in shown if frozenset((g[1].ref, g[2].ref)) not in labelled]
    print(f"\nunlabelled pairs the crosswalk joins or lists for review: {len(gaps)}")
    for score, a, b in gaps:
        print(f"  {score:5.1f}  {a.ref} {a.name}  |  {b.ref} {b.name}")


if __name__ == "__main__":
    main()
