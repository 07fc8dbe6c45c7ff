"""Start-up and per-command cost (issue 12): each command as a user runs it, a whole process,
with the share of its time spent importing modules and the heavy libraries it loaded.

    python benchmarks/bench_startup.py [--rounds 3] [--against REF|DIR]

Commands: `--help`, `list`, `lint`, `profile CODE --format docx`, `profile CODE --format pdf`
(CODE: the largest bundled standard) and `profile` of all bundled standards to PDF in one
process.  Wall time is the median of --rounds runs after one warm-up run of each command; the
import share comes from one more run under `python -X importtime` (its top-level imports
against its own wall time).  Everything runs on a private copy of the data folder, in a
temporary folder; the font cache is the user's ($KMC_CACHE_DIR), filled by the warm-up.

--against times another version of the code in the same run, the two taking turns command by
command, and prints this version's time as a ratio of the other's: a folder holding a
checkout, or a git revision (checked out with `git worktree add` into a temporary folder,
removed afterwards).  Both versions read the same copy of this checkout's data folder.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Libraries a command should load only when it uses them.
HEAVY = ("reportlab", "openpyxl", "pdfplumber", "rapidfuzz", "scipy", "numpy", "jinja2",
         "docx", "PIL", "fontTools", "pydantic", "yaml")


def commands(codes: list[str], largest: str) -> list[tuple[str, list[str]]]:
    return [
        ("--help", ["--help"]),
        ("list", ["list"]),
        ("lint", ["lint"]),
        ("profile 1 docx", ["profile", largest, "--format", "docx", "--out", "out"]),
        ("profile 1 pdf", ["profile", largest, "--format", "pdf", "--out", "out"]),
        (f"profile {len(codes)} pdf", ["profile", *codes, "--format", "pdf", "--out", "out"]),
    ]


def run(tree: Path, work: Path, args: list[str], importtime: bool = False):
    """One command in a fresh process running the code of `tree`: wall seconds, and stderr."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    env.pop("KMC_DATA", None)
    cmd = [sys.executable, *(["-X", "importtime"] if importtime else []), "-m", "kmc_reports",
           *args]
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=work, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 1):  # lint may exit 1 with findings
        sys.exit(f"{' '.join(args)} failed in {tree} ({done.returncode}):\n{done.stderr}")
    return seconds, done.stderr


def imports(tree: Path, work: Path, args: list[str]) -> tuple[float, list[str]]:
    """The share of a run spent in imports, and which heavy libraries it loaded."""
    seconds, err = run(tree, work, args, importtime=True)
    total, loaded = 0, set()
    for line in err.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        _, cumulative, name = line.split("|", 2)
        if not cumulative.strip().isdigit():
            continue  # the header line
        if name[1:2] != " ":  # a top-level import (nested ones are indented)
            total += int(cumulative)
        loaded.add(name.strip().split(".")[0])
    return total / 1e6 / seconds, [lib for lib in HEAVY if lib in loaded]


@contextmanager
def checkout(spec: str | None, temp: Path):
    """The folder of the other version: a folder as it is, or a git revision checked out."""
    if spec is None:
        yield None
        return
    if Path(spec).is_dir():
        yield Path(spec).resolve()
        return
    folder = temp / "against"
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "--quiet",
                    str(folder), spec], check=True)
    try:
        yield folder
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(folder)],
                       check=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    # Measured as a user runs the tool: their Python keeps compiled bytecode (some machines,
    # this one among them, set PYTHONDONTWRITEBYTECODE, which recompiles every module per run).
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--against", default=None,
                        help="another version to compare with: a checkout folder or a git ref")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="kmc-startup-") as tmp:
        temp = Path(tmp)
        with checkout(args.against, temp) as other:
            trees = {"this": ROOT} | ({"other": other} if other else {})
            works = {}
            for name in trees:  # one data folder per version: neither sees the other's files
                works[name] = temp / f"work-{name}"
                shutil.copytree(ROOT / "data", works[name] / "data",
                                ignore=shutil.ignore_patterns("sources"))
            standards = sorted((ROOT / "data" / "standards").glob("*.yaml"))
            largest = max(standards, key=lambda p: p.stat().st_size).stem
            todo = commands([p.stem for p in standards], largest)

            for label, argv in todo:  # warm-up: font cache, .pyc files, the disk cache
                for name, tree in trees.items():
                    run(tree, works[name], argv)
            times = {(name, label): [] for name in trees for label, _ in todo}
            for _ in range(args.rounds):
                for label, argv in todo:  # the versions take turns, so load hits both alike
                    for name, tree in trees.items():
                        times[name, label].append(run(tree, works[name], argv)[0])
            share = {(name, label): imports(tree, works[name], argv)
                     for name, tree in trees.items() for label, argv in todo}

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"Python {sys.version.split()[0]}, median of {args.rounds} runs, {os.cpu_count()} CPUs, "
          f"load average {load:.1f}; largest standard {largest}"
          + (f"; against {args.against}" if args.against else ""))
    head = f"{'command':<16} {'wall':>7} {'imports':>8}"
    if len(trees) > 1:
        head += f" {'against':>8} {'imports':>8} {'ratio':>6}"
    print(head + "  heavy libraries loaded (this)")
    for label, _ in todo:
        wall = statistics.median(times["this", label])
        row = f"{label:<16} {wall:>6.2f}s {share['this', label][0]:>7.0%}"
        if len(trees) > 1:
            before = statistics.median(times["other", label])
            row += f" {before:>7.2f}s {share['other', label][0]:>7.0%} {wall / before:>5.2f}×"
        print(row + "  " + (" ".join(share["this", label][1]) or "-"))
    if len(trees) > 1:
        print("libraries the other version loaded:")
        for label, _ in todo:
            print(f"  {label:<16} {' '.join(share['other', label][1]) or '-'}")


if __name__ == "__main__":
    main()
