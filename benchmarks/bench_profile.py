"""End to end: `kmc-reports profile … --format pdf` against LibreOffice converting the same
profile's DOCX to PDF, each a whole process as a user runs it.

    python benchmarks/bench_profile.py [--rounds 3] [--code KMC2432-001v4] [--cache-dir DIR]

Two comparisons, wall time, median of --rounds runs after one warm-up run of each command
(the commands take turns round by round):

- one profile: `kmc-reports profile CODE --format pdf` against
  `soffice --headless --convert-to pdf CODE-profile.docx`;
- five profiles: `kmc-reports profile A B C D E --format pdf` (the five bundled standards, one
  command) against one soffice call converting the five DOCX.

The DOCX are made first with `kmc-reports profile … --format docx`, untimed.  Everything runs
on a private copy of the data folder, in a temporary folder; LibreOffice gets a private user
profile there (so a LibreOffice already open elsewhere is not used, and its first-start
set-up is the warm-up's).  The font cache is the user's ($KMC_CACHE_DIR, or --cache-dir for a
private one): the warm-up run fills it if empty, so fonts are never cut inside the timing.
Without soffice the LibreOffice side is skipped and only our times are printed.  Aims
(issue 12): ≥ 3× faster than LibreOffice for one profile, ≥ 5× for five.
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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AIMS = {"one": 3.0, "five": 5.0}


def kmc_command() -> list[str]:
    """The installed console script beside this Python, else the module."""
    script = Path(sys.executable).with_name("kmc-reports")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "kmc_reports"]


def timed(cmd: list[str], cwd: Path, env: dict) -> float:
    start = time.perf_counter()
    run = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if run.returncode != 0:
        sys.exit(f"failed ({run.returncode}): {' '.join(cmd)}\n{run.stderr[-2000:]}")
    return seconds


def medians(commands: dict, cwd: Path, env: dict, rounds: int) -> dict:
    """The median time of each command; one warm-up run each (disk cache, font cache,
    LibreOffice's profile), then the commands take turns, so that a machine busy with
    something else slows all of them alike."""
    for cmd in commands.values():
        timed(cmd, cwd, env)
    runs: dict = {key: [] for key in commands}
    for _ in range(rounds):
        for key, cmd in commands.items():
            runs[key].append(timed(cmd, cwd, env))
    return {key: statistics.median(times) for key, times in runs.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    # Measured as a user runs the tool: their Python keeps compiled bytecode (some machines,
    # this one among them, set PYTHONDONTWRITEBYTECODE, which recompiles every module per run).
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--code", default="KMC2432-001v4",
                        help="the standard of the one-profile comparison")
    parser.add_argument("--cache-dir", type=Path, default=None,
                        help="a private font cache (default: $KMC_CACHE_DIR or the user's)")
    args = parser.parse_args()

    env = dict(os.environ)
    if args.cache_dir:
        env["KMC_CACHE_DIR"] = str(args.cache_dir.resolve())
    kmc = kmc_command()
    soffice = shutil.which("soffice") or shutil.which("libreoffice")

    with tempfile.TemporaryDirectory(prefix="kmc-bench-profile-") as tmp:
        tmp = Path(tmp)
        data = tmp / "data"
        shutil.copytree(ROOT / "data", data, ignore=shutil.ignore_patterns("sources"))
        codes = sorted(p.stem for p in (data / "standards").glob("*.yaml"))[:5]
        if args.code not in codes:
            sys.exit(f"{args.code} is not a bundled standard ({', '.join(codes)})")
        base = [*kmc, "--data", str(data), "profile"]

        commands = {
            ("ours", "one"): [*base, args.code, "--format", "pdf", "--out", str(tmp / "one")],
            ("ours", "five"): [*base, *codes, "--format", "pdf", "--out", str(tmp / "five")],
        }
        if soffice:
            timed([*base, *codes, "--format", "docx", "--out", str(tmp / "docx")], tmp, env)
            docx = [str(tmp / "docx" / f"{c}-profile.docx") for c in codes]
            convert = [soffice, f"-env:UserInstallation={(tmp / 'lo-profile').as_uri()}",
                       "--headless", "--convert-to", "pdf", "--outdir", str(tmp / "lo")]
            commands["lo", "one"] = convert + [docx[codes.index(args.code)]]
            commands["lo", "five"] = convert + docx
        times = medians(commands, tmp, env, args.rounds)

        print(f"median of {args.rounds} runs after one warm-up, wall time of the whole "
              f"process, the commands taking turns; {os.cpu_count()} CPUs")
        print(f"  kmc-reports profile {args.code} --format pdf: {times['ours', 'one']:6.2f} s")
        print(f"  kmc-reports profile <{len(codes)} codes> --format pdf: "
              f"{times['ours', 'five']:6.2f} s ({times['ours', 'five'] / len(codes):.2f} s "
              f"per profile)")
        if not soffice:
            print("  LibreOffice (soffice) not installed: no comparison")
            return
        if len(list((tmp / "lo").glob("*.pdf"))) != len(codes):
            sys.exit("LibreOffice did not write every PDF")
        print(f"  soffice --convert-to pdf {args.code}-profile.docx: "
              f"{times['lo', 'one']:6.2f} s")
        print(f"  soffice --convert-to pdf <{len(codes)} DOCX>: {times['lo', 'five']:6.2f} s")
        for key, label in (("one", "one profile"), ("five", f"{len(codes)} profiles")):
            ratio = times["lo", key] / times["ours", key]
            verdict = "ok" if ratio >= AIMS[key] else "below the aim"
            print(f"  {label}: kmc-reports is {ratio:.1f}× faster than LibreOffice "
                  f"(aim ≥ {AIMS[key]:g}×: {verdict})")


if __name__ == "__main__":
    main()
