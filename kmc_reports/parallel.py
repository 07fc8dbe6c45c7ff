"""Independent pieces of one command's work (a document per standard, a report per person),
run on every core.

Workers are forked from the command once it has read its input, loaded its libraries and
registered its fonts, so they start at once and share all of that; only the bytes they make
come back.  Where fork is not the platform's way (macOS, Windows) or there is one piece or
one core, the pieces run here, in order.  Either way the results come back in the pieces'
order, so a command's output does not depend on how it was run.  (The build, whose pieces
are whole standards, runs its own spawned workers: see :mod:`.build`.)
"""

from __future__ import annotations

import os
import signal
import sys
from typing import Callable, Sequence, TypeVar

from . import lifecycle

T = TypeVar("T")

_pieces: Sequence[Callable[[], object]] = ()  # what forked workers run, by index


def _quiet() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the command's to handle


def _piece(index: int):
    return _pieces[index]()


def run(pieces: Sequence[Callable[[], T]], jobs: int | None = None,
        sizes: Sequence[float] | None = None) -> list[T]:
    """Each piece's result, in order; an exception a piece raised is raised here (the
    first in order).  With `sizes` (any measure of each piece's work), workers take the
    largest first, so they end together instead of one finishing a big piece last."""
    global _pieces
    lifecycle.done()
    workers = min(jobs or os.cpu_count() or 1, len(pieces))
    if workers <= 1 or not sys.platform.startswith("linux"):
        return [piece() for piece in pieces]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    order = list(range(len(pieces)))
    if sizes is not None:
        order.sort(key=lambda i: -sizes[i])
    _pieces = pieces
    try:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                                 initializer=_quiet) as pool:
            futures = {i: pool.submit(_piece, i) for i in order}
            return [futures[i].result() for i in range(len(pieces))]
    finally:
        _pieces = ()
