"""Per-process cost of loading the PDF fonts: reportlab's own parse (the old way) against the
cached tables of kmc_reports.fonts (the new way), measured in the same run.

    python benchmarks/bench_fonts.py [--rounds 7]

Each round starts a fresh Python process per way (a run of the tool is a process), old and
new alternating so that a busy machine slows both alike, and times inside it, after the
imports, the font work a PDF run does: find the default fonts, check the text's characters
against both weights (fontTools character map), register both with reportlab.  The font
cache is the user's (or $KMC_CACHE_DIR); the first run fills it and is not counted.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SETUP = """
import sys, time
sys.path.insert(0, {root!r})
from fontTools.ttLib import TTFont
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont as RLTTFont
from kmc_reports import fonts
paths = {paths!r}
"""

# What the previous fonts.py did in every process (its default_fonts only stat()ed the source).
OLD = """
start = time.perf_counter()
fonts._bundled_source().stat()
for path in paths:
    with TTFont(path, fontNumber=0, lazy=True) as font:
        frozenset(font.getBestCmap())
middle = time.perf_counter()
for name, path in zip(("NotoSansTC", "NotoSansTC-Bold"), paths):
    pdfmetrics.registerFont(RLTTFont(name, path, subfontIndex=0))
"""

NEW = """
start = time.perf_counter()
fs = fonts.default_fonts()
fonts.missing_characters(fs.regular, "職能")
fonts.missing_characters(fs.bold, "職能")
middle = time.perf_counter()
fonts.register_reportlab(fs)
"""

REPORT = """
end = time.perf_counter()
print(middle - start, end - middle)
"""


def run(code: str) -> tuple[float, float]:
    """(seconds to find and check the fonts, seconds to register them) in a fresh process."""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    return float(out[0]), float(out[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    from kmc_reports import fonts

    fs = fonts.default_fonts(notify=lambda line: print(line, file=sys.stderr))
    setup = SETUP.format(root=str(ROOT), paths=[str(fs.regular), str(fs.bold)])
    run(setup + NEW + REPORT)  # fills the cached tables, if this cache has none yet
    old, new = [], []
    for _ in range(args.rounds):
        old.append(run(setup + OLD + REPORT))
        new.append(run(setup + NEW + REPORT))

    print(f"median of {args.rounds} fresh processes each, fonts: {fs.regular.parent}")
    print(f"{'':24}{'old':>9}{'new':>9}{'old/new':>9}")
    for label, pick in (("find + check characters", lambda t: t[0]),
                        ("register with reportlab", lambda t: t[1]),
                        ("total", lambda t: t[0] + t[1])):
        o = statistics.median(map(pick, old))
        n = statistics.median(map(pick, new))
        print(f"{label:24}{o * 1000:7.1f}ms{n * 1000:7.1f}ms{o / n:8.1f}x")


if __name__ == "__main__":
    main()
