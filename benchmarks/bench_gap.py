"""`kmc-reports gap` on a team (issue 13: 200 people in under 10 s).

    python benchmarks/bench_gap.py [--people 200] [--rounds 3] [--code KMC3332-002v3]

The team workbook is made once by tests/gapgen.py (fixed seed; the largest bundled
standard by default: 65 behaviour indicators, so 200 people are 13,000 rows).  Then, in
this process, each round times `read_ratings` (open, check, collect) and `team_gaps` (every
person's rollup, the team's means, common gaps and learning needs) apart; the best round is
printed.  Last, the whole command as a user runs it, each a process of its own, wall time:
the default formats on all cores against the same in one process (`--jobs 1`), and the
team's outputs alone (`--format xlsx`).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import gapgen  # noqa: E402
from kmc_reports.analyses.gaps import team_gaps  # noqa: E402
from kmc_reports.ratings import read_ratings  # noqa: E402
from kmc_reports.store import Library  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--people", type=int, default=200)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--code", default="KMC3332-002v3")
    args = ap.parse_args()
    library = Library(ROOT / "data" / "standards")
    std = library.get(args.code)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "team.xlsx"
        start = time.perf_counter()
        gapgen.team_workbook(std, gapgen.team(std, args.people), path)
        made = time.perf_counter() - start
        rows = args.people * len(gapgen.indicators(std))
        print(f"{args.code}: {args.people} people, {rows} rows, "
              f"{path.stat().st_size / 1e6:.1f} MB (made in {made:.1f} s)")
        reading, rollup = [], []
        for _ in range(args.rounds):
            start = time.perf_counter()
            got, ratings = read_ratings([path], library)
            reading.append(time.perf_counter() - start)
            start = time.perf_counter()
            team = team_gaps(got, ratings)
            rollup.append(time.perf_counter() - start)
        print(f"read_ratings: {min(reading):.2f} s   team_gaps: {min(rollup):.2f} s   "
              f"together: {min(reading) + min(rollup):.2f} s (best of {args.rounds})")
        print(f"{len(team.people)} people, {len(team.common_gaps)} tasks below the bar for "
              f"someone, {len(team.needs)} learning needs")
        os.environ.pop("PYTHONDONTWRITEBYTECODE", None)  # as a user's Python runs
        runs = {"all cores": [], "--jobs 1": [], "--format xlsx": []}
        extra = {"all cores": [], "--jobs 1": ["--jobs", "1"],
                 "--format xlsx": ["--format", "xlsx"]}
        for k in range(args.rounds):
            for label in runs:
                cmd = [sys.executable, "-m", "kmc_reports", "--data", str(ROOT / "data"),
                       "gap", str(path), "--out", str(Path(tmp) / f"out-{label}-{k}"),
                       *extra[label]]
                start = time.perf_counter()
                subprocess.run(cmd, check=True, capture_output=True, cwd=ROOT)
                runs[label].append(time.perf_counter() - start)
    best = {label: min(times) for label, times in runs.items()}
    print(f"kmc-reports gap, {args.people} people, default formats (pdf,xlsx): "
          f"{best['all cores']:.1f} s on {os.cpu_count()} cores, {best['--jobs 1']:.1f} s in one "
          f"process ({best['--jobs 1'] / best['all cores']:.1f}×); team outputs alone "
          f"(--format xlsx): {best['--format xlsx']:.1f} s (best of {args.rounds})")


if __name__ == "__main__":
    main()
