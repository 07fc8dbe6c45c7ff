"""`kmc-reports build` end to end: the bundled standards, and synthetic catalogues of 100 and
1,000 standards (full build, no-op rebuild, rebuild after one standard changed, peak memory).

    python benchmarks/bench_build.py [--sizes 100,1000] [--quick] [--jobs N] [--no-bundled]
                                     [--keep DIR]

Every figure is the wall time of a whole `kmc-reports build` process, run as a user runs it,
on private copies in a temporary folder (--keep DIR: there instead, and left in place):

- bundled: the five bundled standards (every report, all formats), with the course specs,
  levels and crosswalk decisions of data/.  One cold run (fills the font cache if it is
  empty), then a warm one: `build --force` into the same folder where the option exists,
  else a build into a fresh folder.  Aim (issue 12): < 5 s warm.
- each of --sizes: a catalogue from benchmarks/synthetic.py (seed 0), then
    full       a build into an empty folder;
    no-op      the same build again, nothing changed;
    one edit   the name of one standard changed in its YAML, then the build again;
  with the peak memory of each (the largest process of the tree, as /usr/bin/time reports
  it — GNU time's %M, else getrusage of a helper process; and the sum over the tree's
  processes sampled every 0.1 s from /proc, which counts parallel workers together), and
  the full build's time per standard, whose growth from the smallest to the largest size
  shows whether the build stays linear (1.0×: linear).

`--jobs N`, `--force` and the incremental record (OUT/.kmc-build.json) are detected from
`kmc-reports build --help`; without them the incremental figures print as "not supported by
this version".  What each build says it did is printed and checked (exit code 0, every
standard built or unchanged as expected).  The incremental record hashes the tool's own
sources too: editing the checkout while this runs makes a no-op rebuild remake everything.
Nothing is timed inside the tests: run this by hand.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from synthetic import make_catalogue  # noqa: E402

AIM_BUNDLED_S = 5.0
GNU_TIME = Path("/usr/bin/time")


def kmc_command() -> list[str]:
    """The installed console script beside this Python, else the module."""
    script = Path(sys.executable).with_name("kmc-reports")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "kmc_reports"]


@dataclass
class Run:
    seconds: float
    max_rss_mib: float      # the largest single process of the tree
    tree_rss_mib: float     # the largest sum over the tree's processes (sampled)
    returncode: int
    stdout: str
    stderr: str

    @property
    def summary(self) -> str:
        lines = self.stdout.strip().splitlines()
        return lines[-1] if lines else ""


# -- memory --------------------------------------------------------------------------------

def proc_stats():
    """(pid, the fields of /proc/<pid>/stat after the command name) of every process."""
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        yield int(entry.name), stat[stat.rindex(b")") + 2:].split()


def _children() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for pid, fields in proc_stats():
        kids.setdefault(int(fields[1]), []).append(pid)
    return kids


def _rss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * (os.sysconf("SC_PAGE_SIZE") // 1024)
    except (OSError, ValueError, IndexError):
        return 0


class TreeSampler(threading.Thread):
    """The peak of the summed RSS of a process and all its descendants, sampled."""

    def __init__(self, pid: int, interval: float = 0.1):
        super().__init__(daemon=True)
        self.pid, self.interval, self.peak_kib = pid, interval, 0
        self.stop = threading.Event()
        self.available = Path("/proc/self/statm").exists()

    def run(self) -> None:
        while self.available and not self.stop.is_set():
            kids, tree, todo = _children(), [], [self.pid]
            while todo:
                pid = todo.pop()
                tree.append(pid)
                todo += kids.get(pid, [])
            self.peak_kib = max(self.peak_kib, sum(_rss_kib(p) for p in tree))
            self.stop.wait(self.interval)


def with_peak_memory(cmd: list[str], rss_path: str) -> list[str]:
    """``cmd`` wrapped so that the peak memory (KiB) of its largest process lands in
    ``rss_path``: GNU time, else ru_maxrss of RUSAGE_CHILDREN in a helper of its own."""
    if GNU_TIME.is_file():
        return [str(GNU_TIME), "-f", "%M", "-o", rss_path, *cmd]
    helper = ("import resource, subprocess, sys\n"
              "code = subprocess.run(sys.argv[2:]).returncode\n"
              "open(sys.argv[1], 'w').write(str(resource.getrusage("
              "resource.RUSAGE_CHILDREN).ru_maxrss))\n"
              "sys.exit(code)\n")
    return [sys.executable, "-c", helper, rss_path, *cmd]


def run(cmd: list[str], cwd: Path) -> Run:
    """Run a command; its wall time, peak memory and output."""
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as rss_file:
        wrapped = with_peak_memory(cmd, rss_file.name)
        start = time.perf_counter()
        proc = subprocess.Popen(wrapped, cwd=cwd, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        sampler = TreeSampler(proc.pid)
        sampler.start()
        stdout, stderr = proc.communicate()
        seconds = time.perf_counter() - start
        sampler.stop.set()
        sampler.join()
        text = Path(rss_file.name).read_text().strip().splitlines()
        max_kib = int(text[-1]) if text and text[-1].isdigit() else 0
    return Run(seconds, max_kib / 1024, sampler.peak_kib / 1024, proc.returncode, stdout,
               stderr)


# -- the tool --------------------------------------------------------------------------------

@dataclass
class Features:
    jobs: bool
    force: bool
    incremental: bool  # an OUT/.kmc-build.json record: rebuilds only what changed


def features(kmc: list[str]) -> Features:
    help_text = subprocess.run([*kmc, "build", "--help"], capture_output=True,
                               text=True).stdout
    force = "--force" in help_text
    return Features(jobs="--jobs" in help_text, force=force,
                    incremental=force or ".kmc-build.json" in help_text)


def tool_stamp() -> list[tuple[str, int]]:
    """The tool's sources and templates with their modification times."""
    files = [p for folder in (ROOT / "kmc_reports", ROOT / "templates")
             for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    return sorted((str(p), p.stat().st_mtime_ns) for p in files)


class Builder:
    def __init__(self, kmc: list[str], feats: Features, jobs: int | None):
        self.kmc, self.feats, self.jobs = kmc, feats, jobs
        self.stamp = tool_stamp()
        self.tool_changed = False  # since the previous build: a rebuild is then no no-op

    def __call__(self, data: Path, out: Path, force: bool = False) -> Run:
        stamp = tool_stamp()
        self.tool_changed, self.stamp = stamp != self.stamp, stamp
        cmd = [*self.kmc, "--data", str(data), "build", "--out", str(out)]
        if self.jobs and self.feats.jobs:
            cmd += ["--jobs", str(self.jobs)]
        if force and self.feats.force:
            cmd.append("--force")
        result = run(cmd, data.parent)
        if result.returncode != 0:
            print(f"    build exited with {result.returncode}: "
                  f"{result.stderr.strip().splitlines()[-3:]}", file=sys.stderr)
        return result


def counts(r: Run) -> dict[str, int]:
    """Built/unchanged/failed standards, from the build's summary line, else (a build that
    ended before it) from its progress lines on stderr; empty for a version printing
    neither."""
    out = {}
    for key, word in (("built", "產生"), ("unchanged", "未變更"), ("failed", "失敗")):
        m = re.search(rf"{word} (\d+) 項", r.summary)
        if m:
            out[key] = int(m.group(1))
    if not out and re.search(r"^\[\d+/\d+\] ", r.stderr, re.M):
        out["built"] = len(re.findall(r"^\[\d+/\d+\] \S+ 已產生$", r.stderr, re.M))
        out["failed"] = len(re.findall(r"^\[\d+/\d+\] \S+ 失敗$", r.stderr, re.M))
    return out


def fmt(r: Run) -> str:
    return (f"{r.seconds:8.1f} s   peak RSS {r.max_rss_mib:6.0f} MiB (largest process), "
            f"{r.tree_rss_mib:6.0f} MiB (whole tree)")


def check(r: Run, tool_changed: bool = False, **expected: int) -> str:
    """What the build said it did, and whatever is not as expected."""
    got = counts(r)
    said = f"  [{', '.join(f'{k} {v}' for k, v in got.items())}]" if got else ""
    wrong = [f"{k} {got[k]}, expected {v}" for k, v in expected.items()
             if k in got and got[k] != v]
    if r.returncode != 0:
        wrong.insert(0, f"FAILED, exit {r.returncode}")
    if wrong and tool_changed:
        wrong.append("the tool's sources changed since the previous build")
    return said + (f"  ← {'; '.join(wrong)}" if wrong else "")


# -- the benchmarks ----------------------------------------------------------------------

def bench_bundled(build: Builder, work: Path) -> None:
    data = work / "bundled" / "data"
    shutil.rmtree(data.parent, ignore_errors=True)
    data.mkdir(parents=True)
    for name in ("standards", "courses"):
        shutil.copytree(ROOT / "data" / name, data / name)
    for name in ("levels.yaml", "crosswalk.yaml"):
        shutil.copy(ROOT / "data" / name, data / name)
    n = len(list((data / "standards").glob("*.yaml")))
    print(f"bundled: {n} standards, every report, all formats")
    cold = build(data, data.parent / "out")
    print(f"  cold (first) build       {fmt(cold)}{check(cold, built=n)}")
    if build.feats.force:
        warm = build(data, data.parent / "out", force=True)
        how = "warm build --force"
    else:
        warm = build(data, data.parent / "out-2")
        how = "warm build (fresh folder)"
    verdict = "ok" if warm.seconds < AIM_BUNDLED_S and warm.returncode == 0 else "OVER"
    print(f"  {how:<24} {fmt(warm)}  aim < {AIM_BUNDLED_S:g} s: {verdict}"
          f"{check(warm, built=n)}")
    if build.feats.incremental:
        noop = build(data, data.parent / "out")
        print(f"  no-op rebuild            {fmt(noop)}{check(noop, build.tool_changed, built=0)}")


def edit_one(data: Path) -> str:
    """Change the name of one standard (the middle one) in its YAML; its code."""
    files = sorted((data / "standards").glob("*.yaml"))
    path = files[len(files) // 2]
    text = path.read_text(encoding="utf-8")
    text, n = re.subn(r"^name: (.*)$", r"name: \1（修訂）", text, count=1, flags=re.M)
    assert n == 1, path
    path.write_text(text, encoding="utf-8")
    return path.stem


def bench_size(build: Builder, work: Path, n: int) -> float | None:
    """The figures of one catalogue size; the full build's seconds per standard."""
    data = work / f"syn-{n}" / "data"
    shutil.rmtree(data.parent, ignore_errors=True)
    start = time.perf_counter()
    make_catalogue(data, n, seed=0)
    made = time.perf_counter() - start
    print(f"{n} synthetic standards (catalogue written in {made:.1f} s)")
    out = data.parent / "out"
    full = build(data, out)
    per = full.seconds / n
    print(f"  full build               {fmt(full)}  ({per:.2f} s per standard)"
          f"{check(full, built=n)}")
    if not build.feats.incremental:
        print("  no-op rebuild            not supported by this version")
        print("  rebuild after one edit   not supported by this version")
        return per if full.returncode == 0 else None
    noop = build(data, out)
    print(f"  no-op rebuild            {fmt(noop)}{check(noop, build.tool_changed, built=0)}")
    code = edit_one(data)
    one = build(data, out)
    print(f"  rebuild after one edit   {fmt(one)}  ({code} renamed)"
          f"{check(one, build.tool_changed, built=1)}")
    return per if full.returncode == 0 else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    # Measured as a user runs the tool: their Python keeps compiled bytecode (some machines,
    # this one among them, set PYTHONDONTWRITEBYTECODE, which recompiles every module per run).
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    parser.add_argument("--sizes", default="100,1000",
                        help="catalogue sizes, comma-separated (default: 100,1000)")
    parser.add_argument("--quick", action="store_true", help="100 standards only")
    parser.add_argument("--jobs", type=int, default=None,
                        help="build --jobs N (default: the tool's own, all cores)")
    parser.add_argument("--no-bundled", action="store_true",
                        help="skip the build of the bundled standards")
    parser.add_argument("--keep", type=Path, default=None,
                        help="work in this folder and leave it (default: a temporary one)")
    args = parser.parse_args()
    sizes = [100] if args.quick else [int(s) for s in args.sizes.split(",") if s.strip()]

    kmc = kmc_command()
    feats = features(kmc)
    build = Builder(kmc, feats, args.jobs)
    memory = "GNU time %M" if GNU_TIME.is_file() else "getrusage(RUSAGE_CHILDREN)"
    print(f"kmc-reports build on {os.cpu_count()} CPUs; --jobs: "
          f"{args.jobs or 'default' if feats.jobs else 'not supported by this version'}; "
          f"--force: {'yes' if feats.force else 'not supported by this version'}; "
          f"incremental: {'yes' if feats.incremental else 'not supported by this version'}; "
          f"memory: {memory} + /proc sampling")

    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        work_cm = None
        work = args.keep.resolve()
    else:
        work_cm = tempfile.TemporaryDirectory(prefix="kmc-bench-build-")
        work = Path(work_cm.name)
    try:
        if not args.no_bundled:
            bench_bundled(build, work)
        per = {n: bench_size(build, work, n) for n in sizes}
        done = [(n, p) for n, p in per.items() if p]
        if len(done) > 1:
            (n0, p0), (n1, p1) = done[0], done[-1]
            print(f"time per standard: {p0:.2f} s at {n0}, {p1:.2f} s at {n1}: "
                  f"×{p1 / p0:.2f} for ×{n1 / n0:g} standards (1.00: linear)")
    finally:
        if work_cm is not None:
            work_cm.cleanup()


if __name__ == "__main__":
    main()
