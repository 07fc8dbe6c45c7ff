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
