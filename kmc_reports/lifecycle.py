"""A command's life in one process, as cheap at both ends as it can be.

Start-up (imports, the model, font tables) makes hundreds of thousands of objects that live
until the command ends, and Python's cycle collector, at its defaults, walks them again and
again while they are made: ≈60 ms of a 0.4 s `profile` command (benchmarks/bench_profile.py).
So it is off from the console script's first line (:func:`begin`) until the command has read
its input (:func:`done`).  Then what exists is frozen — never walked again, and shared
copy-on-write by forked workers, as the gc module's documentation advises before a fork —
and collection resumes for the garbage the work makes.

At the end (:func:`end`), the exit handlers run and the output is flushed as at any exit,
but the interpreter's teardown — freeing every module and object one by one, a last
collection — is left to the operating system, which frees the whole process at once
(≈30 ms of that command).
"""

from __future__ import annotations

import atexit
import gc
import os
import sys
from contextlib import contextmanager
from typing import NoReturn

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


def end(code: int | None) -> NoReturn:
    """Exit the console script with `code` (None: 0) once the command is over: exit
    handlers (temp-file clean-up, worker pools) run and stdout and stderr are flushed, as
    at any exit; only the teardown is skipped."""
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a reader gone (`| head`), a closed stream
            pass
    os._exit(code or 0)
