"""Shared paths and the five bundled standards, imported once per test session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kmc_reports.importers import import_file

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "data" / "sources"
GOLD = Path(__file__).resolve().parent / "gold"
CODES = sorted(p.stem for p in GOLD.glob("*.json"))


def copy_data(data: Path) -> Path:
    """A data folder as a user has one: the bundled standards, course specs, level
    descriptors and crosswalk decisions, copied to ``data``."""
    data.mkdir(parents=True, exist_ok=True)
    for name in ("standards", "courses"):
        shutil.copytree(ROOT / "data" / name, data / name)
    for name in ("levels.yaml", "crosswalk.yaml"):
        shutil.copy(ROOT / "data" / name, data / name)
    return data


@pytest.fixture(scope="session", autouse=True)
def font_cache(tmp_path_factory):
    """One font cache for the whole run, so Noto Sans TC is cut once and every test that
    writes a PDF registers the very same files."""
    from kmc_reports import fonts

    cache = tmp_path_factory.mktemp("kmc-cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("KMC_CACHE_DIR", str(cache))
        fonts.default_fonts()
        yield cache


@pytest.fixture(scope="session")
def library():
    """The bundled standards as the tool reads them (data/standards)."""
    from kmc_reports.store import Library

    return Library(ROOT / "data" / "standards")


@pytest.fixture(scope="session")
def imported():
    """code -> (Standard, warnings) for every bundled source text."""
    out = {}
    for code in CODES:
        warnings: list[str] = []
        out[code] = (import_file(SOURCES / f"{code}.txt", warnings.append), warnings)
    return out


@pytest.fixture(autouse=True)
def no_signal_left_over():
    """A test that delivers a signal to this process (test_interrupt) leaves no trace for
    the next: the module remembers the signal until the process ends, as a command does."""
    yield
    from kmc_reports import interrupt

    interrupt._received, interrupt._stopping = 0, False


def cli_ok(*args):
    """The command line run in-process: an exception it raised is raised here, and it must
    end with exit code 0."""
    from click.testing import CliRunner

    from kmc_reports.cli import main

    result = CliRunner().invoke(main, [str(a) for a in args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert result.exit_code == 0, result.output
    return result
