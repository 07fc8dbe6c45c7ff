"""Import accuracy and speed per form, on the 14 real standards of ../shared/real.

    python benchmarks/bench_import.py [--rounds 3]

For each form (OCS JSON, pdftotext text, PDF, DOCX) it prints the share of gold fields right
(tests/real_gold.py) and the median time per standard.  The PDF reader (pdfplumber, cell boxes)
is compared in the same run with the alternative a user has without it: `pdftotext -raw` on the
same PDF, then the text reader — the ratio of their times and of their accuracies is printed.
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
sys.path.insert(0, str(ROOT / "tests"))

from kmc_reports.importers import import_file  # noqa: E402
from real_gold import REAL, compare, load_gold  # noqa: E402

FORMS = {"ocs-json": "json", "text": "txt", "pdf": "pdf", "docx": "docx"}


def measure(paths: list[Path], rounds: int, prepare=None) -> tuple[float, int, int]:
    """(median seconds per standard, fields right, fields in the gold)."""
    times, right, total = [], 0, 0
    for path in paths:
        gold = load_gold(REAL / "gold" / f"{path.stem}.json")
        runs = []
        for _ in range(rounds):
            start = time.perf_counter()
            source = prepare(path) if prepare else path
            std = import_file(source, lambda _: None)
            runs.append(time.perf_counter() - start)
        times.append(statistics.median(runs))
        r, t, _ = compare(std, gold)
        right, total = right + r, total + t
    return statistics.median(times), right, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    codes = sorted(p.stem for p in (REAL / "gold").glob("*.json"))
    print(f"{len(codes)} real standards, median of {args.rounds} runs each\n")
    print(f"{'form':10} {'fields right':>16} {'per standard':>14}")
    results = {}
    for form, ext in FORMS.items():
        sec, right, total = measure([REAL / form / f"{c}.{ext}" for c in codes], args.rounds)
        results[form] = (sec, right / total)
        print(f"{form:10} {right:>6}/{total:<5} {right / total:6.1%} {sec * 1000:10.0f} ms")
    if shutil.which("pdftotext"):
        tmp = Path(tempfile.mkdtemp())

        def via_pdftotext(pdf: Path) -> Path:
            out = tmp / f"{pdf.stem}.txt"
            subprocess.run(["pdftotext", "-raw", str(pdf), str(out)], check=True)
            return out

        sec, right, total = measure([REAL / "pdf" / f"{c}.pdf" for c in codes], args.rounds,
                                    via_pdftotext)
        print(f"{'pdftotext':10} {right:>6}/{total:<5} {right / total:6.1%} {sec * 1000:10.0f} ms"
              "   (pdftotext -raw, then the text reader)")
        ours, acc = results["pdf"]
        print(f"\nPDF reader vs pdftotext + text reader: {sec / ours:.2f}× the speed, "
              f"{acc - right / total:+.1%} fields right")
        shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
