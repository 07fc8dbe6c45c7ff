"""Time and memory of build_crosswalk on 100, 300 and 1,000 synthetic standards.

    python benchmarks/bench_crosswalk.py [--sizes 100 300 1000] [--naive 100]

Each size runs in a fresh process, so its peak RSS (ru_maxrss: the whole process, standards
included) is its own; the time is build_crosswalk alone, with the committed thresholds.
For --naive sizes the same run also scores every pair of distinct (name, core) units with
rapidfuzz's cdist — the brute-force alternative to the bigram filter — and prints the time
ratio, the size of its score matrices, and how many of its pairs ≥ review and ≥ auto the
filter kept.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz, process

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from kmc_reports.analyses import crosswalk  # noqa: E402
from synthetic import generate  # noqa: E402

LIMIT_S, LIMIT_GIB = 60, 4


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def units_of(standards, kind: str) -> list[tuple[str, str]]:
    items = [it for std in standards for it in crosswalk.items_of(std) if it.kind == kind]
    return list(dict.fromkeys((n, crosswalk._core(n, it.domain))
                              for it in items for n in map(crosswalk.normalise, it.names)))


def naive(standards, thresholds) -> dict:
    """Scoring by cdist over all pairs of units against the bigram-filtered score_pairs."""
    out = {"filtered_s": 0.0, "naive_s": 0.0, "kept_review": [0, 0], "kept_auto": [0, 0],
           "naive_matrix_mib": 0.0}
    for kind in crosswalk.KINDS:
        auto, review = thresholds[kind]
        units = units_of(standards, kind)
        start = time.perf_counter()
        i, j, _ = crosswalk.score_pairs(units, review)
        out["filtered_s"] += time.perf_counter() - start
        filtered = set(zip(i.tolist(), j.tolist()))

        start = time.perf_counter()
        norms, cores = [u[0] for u in units], [u[1] for u in units]
        w = crosswalk.CORE_WEIGHT
        score = w * process.cdist(cores, cores, scorer=fuzz.ratio, dtype=np.float32,
                                  workers=-1)
        score += (1 - w) * process.cdist(norms, norms, scorer=fuzz.ratio, dtype=np.float32,
                                         workers=-1)
        out["naive_s"] += time.perf_counter() - start
        out["naive_matrix_mib"] = max(out["naive_matrix_mib"], 2 * score.nbytes / 2**20)
        for key, cut in (("kept_review", review), ("kept_auto", auto)):
            ni, nj = np.nonzero(np.triu(score >= cut - 1e-3, 1))  # float32: a hair lower
            pairs = set(zip(ni.tolist(), nj.tolist()))
            out[key][0] += len(pairs & filtered)
            out[key][1] += len(pairs)
    return out


def one(n: int, with_naive: bool) -> dict:
    standards = generate(n)
    thresholds = crosswalk.load_thresholds()
    before = rss_mib()
    start = time.perf_counter()
    cw = crosswalk.build_crosswalk(standards, thresholds=thresholds)
    seconds = time.perf_counter() - start
    result = {"n": n, "items": sum(len(c.members) for c in cw.concepts),
              "concepts": len(cw.concepts), "possible": len(cw.possible),
              "seconds": seconds, "rss_before_mib": before, "rss_peak_mib": rss_mib()}
    if with_naive:
        result["naive"] = naive(standards, thresholds)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 300, 1000])
    parser.add_argument("--naive", type=int, nargs="*", default=[100, 1000])
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.one, args.one in args.naive)))
        return

    print(f"{'standards':>9} {'items':>7} {'concepts':>8} {'possible':>8} {'build s':>8} "
          f"{'peak RSS MiB':>12} {'(before build)':>14}")
    for n in args.sizes:
        run = subprocess.run([sys.executable, __file__, "--one", str(n), "--naive",
                              *map(str, args.naive)], capture_output=True, text=True,
                             check=True)
        r = json.loads(run.stdout)
        ok = r["seconds"] < LIMIT_S and r["rss_peak_mib"] < LIMIT_GIB * 1024
        print(f"{n:>9} {r['items']:>7} {r['concepts']:>8} {r['possible']:>8} "
              f"{r['seconds']:>8.2f} {r['rss_peak_mib']:>12.0f} {r['rss_before_mib']:>14.0f}"
              f"  {'ok' if ok else f'OVER {LIMIT_S} s / {LIMIT_GIB} GiB'}")
        if "naive" in r:
            v = r["naive"]
            print(f"{'':>9} scoring: bigram filter + cpdist {v['filtered_s']:.2f} s, "
                  f"cdist over all pairs {v['naive_s']:.2f} s "
                  f"({v['naive_s'] / v['filtered_s']:.1f}× the filtered time), its two "
                  f"score matrices {v['naive_matrix_mib']:.0f} MiB (grow with the square of "
                  f"distinct names; the filter scores {crosswalk._BLOCK} rows at a time)")
            print(f"{'':>9} the filter kept {v['kept_auto'][0]}/{v['kept_auto'][1]} pairs "
                  f"≥ auto and {v['kept_review'][0]}/{v['kept_review'][1]} ≥ review")


if __name__ == "__main__":
    main()
