"""The synthetic catalogue of benchmarks/synthetic.py: a data folder `kmc-reports build` can
use, valid, with unique codes, and the same bytes for the same seed."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from kmc_reports.analyses import crosswalk
from kmc_reports.model import STANDARD_CODE
from kmc_reports.store import Library

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from synthetic import catalogue_standard, make_catalogue  # noqa: E402


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_catalogue_loads_with_unique_codes_and_same_bytes_for_same_seed(tmp_path):
    codes = make_catalogue(tmp_path / "a", 20, seed=7)
    assert len(codes) == len(set(codes)) == 20
    assert all(re.match(STANDARD_CODE, c) for c in codes)

    standards = Library(tmp_path / "a" / "standards").load()
    assert [s.code for s in standards] == sorted(codes)
    assert len({s.name for s in standards}) == 20  # names differ too
    assert (tmp_path / "a" / "levels.yaml").read_bytes() == \
        (ROOT / "data" / "levels.yaml").read_bytes()
    decisions = crosswalk.load_decisions(tmp_path / "a" / "crosswalk.yaml")
    assert not list(decisions.check(standards))  # every decision names an item

    make_catalogue(tmp_path / "b", 20, seed=7)
    assert files(tmp_path / "a") == files(tmp_path / "b")
    make_catalogue(tmp_path / "c", 20, seed=8)
    assert files(tmp_path / "a") != files(tmp_path / "c")


def test_catalogue_has_realistic_shape_and_overlap(tmp_path):
    make_catalogue(tmp_path, 20)
    standards = Library(tmp_path / "standards").load()
    tasks = [sum(1 for _ in s.tasks()) for s in standards]
    assert min(tasks) >= 1 and sum(tasks) / len(tasks) >= 4
    assert all(any(t.indicators for _, t in s.tasks()) for s in standards)
    names = [n for s in standards for kind in "KS" for ns in s.catalogue(kind).values()
             for n in ns]
    # names shared among standards (the comparison has matches to make), most not all
    assert 0.2 < 1 - len(set(names)) / len(names) < 0.9


def test_a_standard_does_not_depend_on_the_catalogue_size(tmp_path):
    small = make_catalogue(tmp_path / "small", 3)
    big = make_catalogue(tmp_path / "big", 5)
    assert big[:3] == small
    assert (tmp_path / "big" / "standards" / f"{small[2]}.yaml").read_bytes() == \
        (tmp_path / "small" / "standards" / f"{small[2]}.yaml").read_bytes()
    # a smaller catalogue written over a bigger one leaves only its own standards
    make_catalogue(tmp_path / "big", 3)
    assert Library(tmp_path / "big" / "standards").codes() == sorted(small)
    assert catalogue_standard(4) == catalogue_standard(4)
