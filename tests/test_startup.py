"""A command loads only the libraries it uses (issue 12): `--help`, `list` and `lint` load
none of the document and comparison libraries, a DOCX never loads reportlab, a PDF never
python-docx.  Timings: benchmarks/bench_startup.py."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from conftest import ROOT, copy_data

HEAVY = {"reportlab", "openpyxl", "pdfplumber", "pdfminer", "rapidfuzz", "scipy", "numpy",
         "jinja2", "docx", "lxml", "PIL", "fontTools", "multiprocessing"}


def loaded(cwd, *args: str) -> set[str]:
    """The top-level packages a command imported (python -X importtime)."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "kmc_reports", *args],
                          cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=300)
    assert done.returncode in (0, 1), done.stderr[-2000:]
    return {line.split("|")[2].strip().split(".")[0] for line in done.stderr.splitlines()
            if line.startswith("import time:") and line.count("|") == 2}


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("startup")
    copy_data(folder / "data")
    return folder


@pytest.mark.parametrize("args, allowed", [
    (["--help"], set()),
    (["list"], set()),
    (["lint"], set()),
    (["profile", "KMC2432-001v4", "--format", "docx", "--out", "out"], {"jinja2", "docx", "lxml"}),
    (["profile", "KMC2432-001v4", "--format", "pdf", "--out", "out"],
     {"jinja2", "reportlab", "PIL"}),  # reportlab loads PIL itself
])
def test_a_command_loads_only_what_it_uses(folder, args, allowed):
    """As a command runs every day: its first run may fill the cache (fontTools parses a
    font's character map once), later runs load only what they use."""
    loaded(folder, *args)
    assert loaded(folder, *args) & HEAVY <= allowed


def test_the_collector_waits_for_start_up(folder):
    """Python's cycle collector is off while a command starts (≈60 ms of a profile command)
    and on again, start-up's objects frozen, once it has read its input: so no command runs
    its work without it."""
    script = "\n".join([
        "import gc, sys",
        "from kmc_reports import interrupt, lifecycle",
        "seen, real = [], lifecycle.done",
        "lifecycle.done = lambda: (seen.append(gc.isenabled()), real())",
        "sys.argv = ['kmc-reports', 'profile', 'KMC2432-001v4', '--format', 'pdf',",
        "            '--out', 'out']",
        "import atexit",  # exit handlers still run at the end (lifecycle.end)
        "atexit.register(lambda: print(seen[0], gc.isenabled(), gc.get_freeze_count() > 0))",
        "interrupt.run()",
    ])
    done = subprocess.run([sys.executable, "-c", script], cwd=folder, capture_output=True,
                          text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split()[-3:] == ["False", "True", "True"]


def test_a_process_that_never_began_keeps_its_collector(tmp_path):
    """Tests and programs using the package keep Python's defaults."""
    import gc

    from kmc_reports import lifecycle, store

    frozen = gc.get_freeze_count()
    store.load_standard(ROOT / "data" / "standards" / "KMC2432-001v4.yaml")
    lifecycle.done()
    assert gc.isenabled() and gc.get_freeze_count() == frozen


def test_reportlabs_url_pattern_compiles_when_first_used():
    """The PDF writer imports platypus without compiling reportlab's URL pattern (25 ms);
    the pattern still works, and re.compile is Python's own again afterwards."""
    script = "\n".join([
        "import re",
        "compile_ = re.compile",
        "from kmc_reports.writers import platypus",
        "from reportlab.platypus import paragraph",
        "assert re.compile is compile_",
        "assert paragraph.uri_pat._compiled is None",
        "got = paragraph._uri_split_pairs('https://www.wda.gov.tw/a/b')",
        "paragraph.uri_pat = re.compile(*paragraph.uri_pat._args)",
        "assert got == paragraph._uri_split_pairs('https://www.wda.gov.tw/a/b'), got",
        "assert paragraph._uri_split_pairs('職能基準') is None",
    ])
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]


@pytest.mark.parametrize("args, code", [(["list"], 0), (["show", "NOPE999-001"], 2)])
def test_a_command_ends_without_teardown_but_as_any_exit(folder, args, code):
    """The console script skips the interpreter's teardown (lifecycle.end), yet exits with
    the command's code, runs exit handlers and flushes everything it printed, also into a
    pipe whose reader stops early."""
    script = "\n".join([
        "import atexit, sys",
        "from kmc_reports import interrupt",
        "atexit.register(lambda: sys.stderr.write('handlers ran\\n'))",
        f"sys.argv = ['kmc-reports', *{args!r}]",
        "interrupt.run()",
        "sys.stderr.write('not reached\\n')",
    ])
    done = subprocess.run([sys.executable, "-c", script], cwd=folder, capture_output=True,
                          text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=300)
    assert done.returncode == code, done.stderr
    assert done.stderr.endswith("handlers ran\n") and "not reached" not in done.stderr
    if code == 0:
        assert done.stdout.rstrip().endswith("（" + str(folder / "data" / "standards") + "）")
    piped = subprocess.run(f"{sys.executable} -m kmc_reports list | head -c 10", shell=True,
                           cwd=folder, capture_output=True, text=True,
                           env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=300)
    assert "Traceback" not in piped.stderr and "Exception ignored" not in piped.stderr
