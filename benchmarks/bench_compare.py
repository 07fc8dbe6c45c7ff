"""`kmc-reports compare` on synthetic catalogues: this checkout against the previous commit,
in the same run, on the same data.

    python benchmarks/bench_compare.py [--sizes 100,1000] [--formats xlsx,docx,pdf]
                                       [--timeout 900] [--keep DIR] [--against REV]

For each size, a catalogue from benchmarks/synthetic.py (seed 0) is compared by

    new  this checkout:     kmc-reports --data DIR compare --out OUT/comparison.xlsx
                            --format FORMATS
    old  REV (default HEAD), checked out with `git worktree add` in a temporary folder and
         removed afterwards, run by the same Python with the checkout first on sys.path,

each a whole process, as a user runs it: wall time and peak memory (the process's maximum
RSS, from GNU time's %M, else getrusage of a helper process; for a run stopped at the
timeout, the largest RSS sampled from /proc until then), and the ratios old ÷ new.  The
old comparison does every task pair in Python and an N×N table per kind, so it may take
many minutes at 1,000 standards: it is stopped after --timeout seconds and the ratio printed
as a lower bound (≥).  A run that fails (the old summary PDF cannot lay out an N×N table of
100 columns) prints its last error line and the time until it failed; --formats xlsx
compares the workbook alone, which the old one does finish.
Nothing is timed inside the tests: run this by hand.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_build import proc_stats, with_peak_memory  # noqa: E402
from synthetic import make_catalogue  # noqa: E402

# Runs the command line of the checkout at sys.argv[1] (first on sys.path, before the
# editable install of this one).
LAUNCH = ("import sys; sys.path.insert(0, sys.argv.pop(1)); "
          "from kmc_reports.cli import main; sys.argv[0] = 'kmc-reports'; main()")


@dataclass
class Run:
    seconds: float
    rss_mib: float
    returncode: int | None  # None: stopped at the timeout
    error: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def show(self) -> str:
        what = f"{self.seconds:7.1f} s  {self.rss_mib:6.0f} MiB"
        if self.returncode is None:
            return f"{what}  (stopped at the timeout)"
        if self.returncode:
            return f"{what}  (failed, exit {self.returncode}: {self.error[:90]})"
        return what


def _peak_of_group(pgid: int, stop: threading.Event, peak: list[int]) -> None:
    """The largest RSS (KiB) of a process of group `pgid`, sampled every 0.2 s: the figure of
    a run stopped at the timeout, which GNU time cannot report."""
    while not stop.wait(0.2):
        for pid, fields in proc_stats():
            if int(fields[2]) != pgid:
                continue
            try:
                with open(f"/proc/{pid}/statm") as f:
                    rss = int(f.read().split()[1]) * (os.sysconf("SC_PAGE_SIZE") // 1024)
            except (OSError, ValueError, IndexError):
                continue
            peak[0] = max(peak[0], rss)


def run(cmd: list[str], timeout: float) -> Run:
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as rss:
        wrapped = with_peak_memory(cmd, rss.name)
        start = time.perf_counter()
        proc = subprocess.Popen(wrapped, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, start_new_session=True)
        stop, sampled = threading.Event(), [0]
        sampler = threading.Thread(target=_peak_of_group, args=(proc.pid, stop, sampled),
                                   daemon=True)
        sampler.start()
        try:
            _, err = proc.communicate(timeout=timeout)
            code: int | None = proc.returncode
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # its own group: the wrapper and the run
            _, err = proc.communicate()
            code = None
        seconds = time.perf_counter() - start
        stop.set()
        sampler.join()
        lines = [x for x in Path(rss.name).read_text().split() if x.isdigit()]
        kib = int(lines[-1]) if lines and code is not None else sampled[0]
    last = [x for x in err.strip().splitlines() if x.strip() and not x.startswith("Command")]
    return Run(seconds, kib / 1024, code, last[-1].strip() if last else "")


def ratio(old: Run, new: Run, attr: str) -> str:
    if not new.ok:
        return "—"
    value = getattr(old, attr) / max(getattr(new, attr), 1e-9)
    if old.returncode is None:
        return f"≥ {value:.1f}×" if attr == "seconds" else f"{value:.1f}× (so far)"
    if not old.ok:
        return f"{value:.1f}× (old failed)"
    return f"{value:.1f}×"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100,1000")
    parser.add_argument("--formats", default="xlsx,docx,pdf")
    parser.add_argument("--timeout", type=float, default=900.0,
                        help="seconds after which a run is stopped (default 900)")
    parser.add_argument("--against", default="HEAD", help="the old revision (default HEAD)")
    parser.add_argument("--keep", type=Path, help="work here and leave the files")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]

    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-compare-"))
    work.mkdir(parents=True, exist_ok=True)
    old_tree = Path(tempfile.mkdtemp(prefix="prevcmp-")) / "tree"
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(old_tree),
                    args.against], check=True, capture_output=True)
    rev = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", args.against],
                         capture_output=True, text=True).stdout.strip()
    kmc = Path(sys.executable).with_name("kmc-reports")
    new_cmd = [str(kmc)] if kmc.is_file() else [sys.executable, "-m", "kmc_reports.cli"]
    old_cmd = [sys.executable, "-c", LAUNCH, str(old_tree)]
    print(f"compare --format {args.formats}: this checkout (new) vs {args.against} {rev} "
          f"(old); timeout {args.timeout:.0f} s")
    rows = []
    try:
        for n in sizes:
            data = work / f"catalogue-{n}"
            make_catalogue(data, n)
            result = {}
            for name, cmd in (("new", new_cmd), ("old", old_cmd)):
                out = work / f"out-{n}-{name}"
                shutil.rmtree(out, ignore_errors=True)
                r = run([*cmd, "--data", str(data), "compare", "--out",
                         str(out / "comparison.xlsx"), "--format", args.formats], args.timeout)
                result[name] = r
                print(f"{n:5d} standards  {name}: {r.show()}", flush=True)
            new, old = result["new"], result["old"]
            rows.append((n, new, old))
            print(f"{n:5d} standards  old ÷ new: time {ratio(old, new, 'seconds')}, "
                  f"memory {ratio(old, new, 'rss_mib')}", flush=True)
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force",
                        str(old_tree)], check=False, capture_output=True)
        shutil.rmtree(old_tree.parent, ignore_errors=True)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)

    print("\n size | new s | new MiB | old s | old MiB | old ÷ new time | old ÷ new memory")
    for n, new, old in rows:
        print(f"{n:5d} | {new.seconds:5.1f} | {new.rss_mib:7.0f} | {old.seconds:5.1f} | "
              f"{old.rss_mib:7.0f} | {ratio(old, new, 'seconds')} | "
              f"{ratio(old, new, 'rss_mib')}")
    if any(not new.ok for _, new, _ in rows):
        sys.exit(1)


if __name__ == "__main__":
    main()
