"""When Python's cycle collector runs during a command.

A command's start-up (imports, the model, font tables) makes hundreds of thousands of objects
that live until it ends, and the collector, at its defaults, walks them again and again while
they are made: ≈60 ms of a 0.4 s `profile` command (benchmarks/bench_profile.py).  So it is
off from the console script's first line (:func:`begin`) until the command has read its
input (:func:`done`).  Then what exists is frozen — never walked again, and shared
copy-on-write by forked workers, as the gc module's documentation advises before a fork —
and collection resumes for the garbage the work makes.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager

_starting = False  # begin() was called and done() not yet


def begin() -> None:
    """A command starts (the console script; a build's worker process)."""
    global _starting
    gc.disable()
    _starting = True


def done() -> None:
    """Its input is read: called by every reader of a standard or source, and before work is
    forked.  The first call ends start-up; later ones, and calls in a process that never
    began (the tests, a library user), change nothing."""
    global _starting
    if _starting:
        _starting = False
        gc.freeze()
        gc.enable()


@contextmanager
def bulk():
    """Around making many objects that hold no cycles (a font's tables: 100,000 numbers in
    dicts and lists): the collections they would set off find nothing (≈10 ms a command)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
