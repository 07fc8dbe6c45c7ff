"""Shared paths and the five bundled standards, imported once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from kmc_reports.importers import import_file

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "data" / "sources"
GOLD = Path(__file__).resolve().parent / "gold"
CODES = sorted(p.stem for p in GOLD.glob("*.json"))


@pytest.fixture(scope="session")
def imported():
    """code -> (Standard, warnings) for every bundled source text."""
    out = {}
    for code in CODES:
        warnings: list[str] = []
        out[code] = (import_file(SOURCES / f"{code}.txt", warnings.append), warnings)
    return out
