"""Profiles per second, DOCX and PDF, against LibreOffice converting the same DOCX to PDF.

    python benchmarks/bench_profiles.py [--rounds 5] [--big 400]

Fonts are made (and cached) before timing.  Every figure is a median of --rounds runs measured
in this process; the LibreOffice figures come from the same run on the same files, so the
printed ratios compare like with like.  --big also times one synthetic profile with that many
tasks, to show the DOCX table stays linear.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kmc_reports.fonts import default_fonts  # noqa: E402
from kmc_reports.model import Standard  # noqa: E402
from kmc_reports.reports import Options, profile_document  # noqa: E402
from kmc_reports.store import Library  # noqa: E402
from kmc_reports.writers.docx import write_docx  # noqa: E402
from kmc_reports.writers.pdf import write_pdf  # noqa: E402


def median_time(fn, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def big_standard(base: Standard, tasks: int) -> Standard:
    """The first duty's first task copied until the standard has `tasks` tasks."""
    task = base.duties[0].tasks[0]
    duties = []
    for d in range(1, tasks // 10 + 1):
        ts = [task.model_copy(update={"code": f"T{d}.{t}", "bands": [b.model_copy(
            update={"shared_with": []}) for b in task.bands]}) for t in range(1, 11)]
        duties.append(base.duties[0].model_copy(update={"code": f"T{d}", "tasks": ts}))
    return base.model_copy(update={"duties": duties})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--big", type=int, default=400)
    args = parser.parse_args()

    fonts = default_fonts()
    opts = Options()
    standards = Library(ROOT / "data" / "standards").load()
    docs = [profile_document(s, opts) for s in standards]
    n = len(docs)
    write_pdf(docs[0], fonts)  # register fonts and read the cmap outside the timing

    t_docx = median_time(lambda: [write_docx(d, opts.config) for d in docs], args.rounds)
    t_pdf = median_time(lambda: [write_pdf(d, fonts) for d in docs], args.rounds)
    t_both = median_time(lambda: [(write_docx(d, opts.config), write_pdf(d, fonts))
                                  for d in docs], args.rounds)
    print(f"{n} bundled profiles, median of {args.rounds} rounds")
    print(f"  DOCX  {n / t_docx:7.1f} profiles/s  ({1000 * t_docx / n:6.1f} ms each)")
    print(f"  PDF   {n / t_pdf:7.1f} profiles/s  ({1000 * t_pdf / n:6.1f} ms each)")
    print(f"  all {n} profiles in both formats: {t_both:.2f} s (target < 3 s)")

    soffice = shutil.which("soffice")
    if soffice:
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            files = []
            for s, d in zip(standards, docs):
                path = tmp / f"{s.code}.docx"
                path.write_bytes(write_docx(d, opts.config))
                files.append(str(path))
            convert = [soffice, "--headless", "--convert-to", "pdf", "--outdir", str(tmp / "lo")]
            rounds = max(1, min(args.rounds, 3))
            t_one = median_time(lambda: subprocess.run(convert + files[:1], check=True,
                                                       capture_output=True), rounds)
            t_batch = median_time(lambda: subprocess.run(convert + files, check=True,
                                                         capture_output=True), rounds)
        per_doc = t_batch / n
        print(f"  LibreOffice DOCX→PDF: {t_one:.2f} s for one call, {per_doc:.2f} s per "
              f"document in a batch of {n}")
        print(f"  ratio: our PDF writer is {per_doc / (t_pdf / n):.1f}× faster than a batch "
              f"conversion, {t_one / (t_pdf / n):.1f}× faster than one conversion call")
    else:
        print("  LibreOffice (soffice) not installed: no comparison")

    if args.big:
        big = profile_document(big_standard(standards[0], args.big), opts)
        small = profile_document(big_standard(standards[0], max(10, args.big // 10)), opts)
        t_big = median_time(lambda: write_docx(big, opts.config), 3)
        t_small = median_time(lambda: write_docx(small, opts.config), 3)
        print(f"  DOCX with {args.big} tasks: {t_big:.2f} s; with {max(10, args.big // 10)} "
              f"tasks: {t_small:.3f} s (×{t_big / t_small:.1f} for ×10 rows: linear ≈ 10)")
        t_big_pdf = median_time(lambda: write_pdf(big, fonts), 1)
        print(f"  PDF with {args.big} tasks: {t_big_pdf:.2f} s")


if __name__ == "__main__":
    main()
