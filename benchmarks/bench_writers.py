"""The DOCX and XLSX writers on every document and workbook of the bundled standards, this
checkout's writers against another revision's, in the same run (issue: 1,000 standards
built in under 10 minutes).

    python benchmarks/bench_writers.py [--rounds 5] [--against REV]

The inputs are made once with this checkout's code: for each bundled standard its profile,
job description, checklist and syllabus (documents), checklist and coverage workbooks; the
comparison of all of them (summary and workbook); two diffs.  Each writer then turns every
input into bytes, the two versions taking turns round by round; the time of a writer is the
best round (the least disturbed), and this checkout's is printed as a ratio of the other's.
Every output of the two versions is compared byte for byte: any difference is an error.

The other revision's `writers/docx.py` and `writers/xlsx.py` are read with `git show REV:…`
(default: the last commit whose writers went through python-docx's and openpyxl's API for
every element and style, as tests/test_writer_bytes.py's REFERENCE) and loaded beside this
checkout's as modules of the same package, so both use the same helpers (ooxml, layout,
zipfix) and the same libraries.
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BEFORE = "56bc669bd2ed0cfbf2117cdc2d705d149c796b6e"  # the writers before the fast paths
WRITERS = {"docx": "kmc_reports/writers/docx.py", "xlsx": "kmc_reports/writers/xlsx.py"}
XLSX_USERS = ("checklist_xlsx", "coverage_xlsx", "comparison_xlsx", "diff_xlsx")


def load_other(rev: str, folder: Path) -> dict:
    """The writers of revision `rev` as modules kmc_reports.writers._other_docx/_xlsx."""
    modules = {}
    for kind, path in WRITERS.items():
        source = subprocess.run(["git", "show", f"{rev}:{path}"], cwd=ROOT, check=True,
                                capture_output=True).stdout
        file = folder / f"_other_{kind}.py"
        file.write_bytes(source)
        name = f"kmc_reports.writers._other_{kind}"
        spec = importlib.util.spec_from_file_location(name, file)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        modules[kind] = module
    return modules


def inputs() -> tuple[list, list]:
    """(documents, workbooks): what the DOCX writer and the XLSX writer are given for the
    bundled standards' reports, recorded by wrapping the writers."""
    import importlib

    from kmc_reports import reports
    from kmc_reports.analyses.diff import diff
    from kmc_reports.build import Project
    from kmc_reports.staging import Staged
    from kmc_reports.writers import docx, xlsx

    documents, workbooks = [], []
    real_docx, real_xlsx = docx.write_docx, xlsx.write_workbook

    def record_docx(doc, config, fonts):
        documents.append((doc, config, fonts))
        return real_docx(doc, config, fonts)

    def record_xlsx(book):
        workbooks.append(book)
        return real_xlsx(book)

    docx.write_docx = record_docx
    users = [importlib.import_module(f"kmc_reports.writers.{m}") for m in XLSX_USERS]
    for m in users:
        m.write_workbook = record_xlsx
    try:
        project = Project(ROOT / "data", None, None, None, lambda *a: None)
        codes = project.library.codes()
        out = Path(tempfile.mkdtemp()) / "out"
        for code in codes:
            std = project.library.get(code)
            spec, path = project.course(code)
            plan = project.syllabus(spec, path, None)
            output = reports.Output(project.options(("docx", "xlsx")), Staged())
            opts = output.opts
            output.documents(reports.profile_document(std, opts), out / f"{code}-profile")
            output.documents(reports.job_document(std, opts), out / f"{code}-job")
            output.checklist(std, out / f"{code}-checklist")
            output.syllabus(plan, out, code)
        project.comparison(codes, out / "comparison.xlsx", ("docx", "xlsx"), Staged())
        for a, b in zip(codes, codes[1:]):
            d = diff(project.library.get(a), project.library.get(b), force=True)
            reports.Output(project.options(("docx", "xlsx")), Staged()).diff(d, out / "d")
    finally:
        docx.write_docx = real_docx
        for m in users:
            m.write_workbook = real_xlsx
    return documents, workbooks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--against", default=BEFORE,
                        help=f"git revision (default {BEFORE[:7]}, before the fast paths)")
    args = parser.parse_args()

    from kmc_reports.writers import docx, xlsx

    with tempfile.TemporaryDirectory() as tmp:
        other = load_other(args.against, Path(tmp))
    documents, workbooks = inputs()
    jobs = {
        "docx": (documents, lambda m, a: m.write_docx(*a), docx, other["docx"]),
        "xlsx": (workbooks, lambda m, a: m.write_workbook(a), xlsx, other["xlsx"]),
    }
    print(f"{len(documents)} documents, {len(workbooks)} workbooks; "
          f"this checkout against {args.against[:12]}, best of {args.rounds} rounds")
    failed = False
    for kind, (items, call, new, old) in jobs.items():
        best = {"new": float("inf"), "old": float("inf")}
        outputs: dict[str, list[bytes]] = {}
        for _ in range(args.rounds):
            for label, module in (("old", old), ("new", new)):
                start = time.perf_counter()
                made = [call(module, item) for item in items]
                best[label] = min(best[label], time.perf_counter() - start)
                outputs[label] = made
        same = sum(a == b for a, b in zip(outputs["old"], outputs["new"]))
        if same != len(items):
            failed = True
        print(f"{kind}: {args.against[:12]} {best['old']:.3f} s, this checkout {best['new']:.3f} s, "
              f"ratio {best['new'] / best['old']:.2f} ({best['old'] / best['new']:.1f}x faster); "
              f"{same}/{len(items)} byte-identical")
    if failed:
        sys.exit("outputs differ from the other revision's")


if __name__ == "__main__":
    main()
