"""Pieces of one command's work on every core (kmc_reports/parallel.py): results in the
pieces' order whatever order they ran in, the first failing piece's error, the largest
pieces started first."""

from __future__ import annotations

import sys
from functools import partial

import pytest

from kmc_reports import parallel

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forks on Linux")


def _started(log: str, i: int) -> int:
    with open(log, "a") as fh:
        fh.write(f"{i}\n")
    return i * i


def _fails(i: int) -> int:
    if i in (1, 3):
        raise ValueError(f"piece {i}")
    return i


def test_results_in_order_largest_started_first(tmp_path):
    log = str(tmp_path / "log")
    sizes = [1, 9, 2, 8, 3]
    got = parallel.run([partial(_started, log, i) for i in range(5)], jobs=2, sizes=sizes)
    assert got == [0, 1, 4, 9, 16]
    started = [int(x) for x in open(log).read().split()]
    assert started[:2] in ([1, 3], [3, 1]) and sorted(started) == [0, 1, 2, 3, 4]


def test_the_first_failing_piece_in_order_is_raised():
    with pytest.raises(ValueError, match="piece 1"):
        parallel.run([partial(_fails, i) for i in range(5)], jobs=2, sizes=[1, 2, 3, 9, 5])


def test_one_core_runs_here_in_order(tmp_path):
    log = str(tmp_path / "log")
    assert parallel.run([partial(_started, log, i) for i in range(3)], jobs=1,
                        sizes=[1, 2, 3]) == [0, 1, 4]
    assert open(log).read().split() == ["0", "1", "2"]  # here, in order
