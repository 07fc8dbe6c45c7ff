"""Ctrl-C (and SIGTERM) at any moment: one line, exit code 128 + the signal, no traceback and
no half-written file.

While a command runs, the signals raise :class:`Interrupted` — not KeyboardInterrupt, which
click would answer in English — and the command line answers it with :func:`stop`.  Files
are written whole (temp file + rename, :mod:`atomic`), and the temp files of writes cut off
are removed before the line is printed.  Only the standard library is imported here, so the
console script can install the handlers before the slow imports of the rest.
"""

from __future__ import annotations

import signal
import sys
import threading
from contextlib import contextmanager
from collections.abc import Iterator

# How every error and warning line begins (the command name, then the word in Chinese).
ERROR, WARNING = "kmc-reports：錯誤：", "kmc-reports：警告："

_SIGNALS = {signal.SIGINT: "已中斷（Ctrl-C）", signal.SIGTERM: "已終止（SIGTERM）"}
_received = 0  # the signal that arrived (0: none)
_stopping = False  # stop() is cleaning up: further signals wait for it
_depth = 0  # handled() blocks entered (the console script's, then the command line's)
_deferring = False  # inside deferred(): a signal waits until the block is done


class Interrupted(BaseException):
    """A signal stopped the command (a BaseException, so `except Exception` lets it pass)."""

    def __init__(self, signum: int = signal.SIGINT):
        # a library that re-raises exceptions as ``type(exc)(its own message)`` (reportlab
        # does) passes a text: the signal is still the one that arrived
        if not isinstance(signum, int):
            signum = _received or signal.SIGINT
        super().__init__(signum)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        return 128 + self.signum

    @property
    def message(self) -> str:
        return f"{_SIGNALS.get(self.signum, f'已中斷（信號 {self.signum}）')}；未完成的檔案已清除"


def _handler(signum, frame) -> None:
    global _received
    if _stopping:
        return
    _received = _received or signum
    if not _deferring:
        raise Interrupted(signum)


@contextmanager
def deferred() -> Iterator[None]:
    """A signal that arrives inside the block waits until the block is done: writing a
    command's staged files is never cut half-way (old and new reports mixed)."""
    global _deferring
    outer, _deferring = _deferring, True
    try:
        yield
    finally:
        _deferring = outer
    if _received and not outer:
        raise Interrupted(_received)


def received() -> Interrupted | None:
    """The interruption, if a signal arrived: an exception raised while one was being raised
    (Python wraps some, e.g. in a class body) still means the user stopped the command."""
    return Interrupted(_received) if _received else None


@contextmanager
def handled() -> Iterator[None]:
    """Within the block the signals raise Interrupted; the previous handlers come back after.
    A signal the parent process set to be ignored stays ignored.  Signals can only be handled
    in the main thread; elsewhere this does nothing."""
    global _received, _stopping, _depth
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    if not _depth:
        _received, _stopping = 0, False
    _depth += 1
    previous = {}
    hook = sys.unraisablehook

    def unraisable(info) -> None:
        """An interrupt that landed where Python cannot raise it (a __del__, a callback
        inside a library) is not printed; :func:`received` still tells that it came."""
        if not isinstance(info.exc_value, Interrupted):
            hook(info)

    sys.unraisablehook = unraisable
    try:
        for signum in _SIGNALS:
            if signal.getsignal(signum) is not signal.SIG_IGN:  # ignored (a background job
                previous[signum] = signal.signal(signum, _handler)  # of a script): stays so
        yield
    finally:
        _depth -= 1
        for signum, old in previous.items():
            signal.signal(signum, old)
        sys.unraisablehook = hook


def stop(exc: BaseException) -> None:
    """Remove the temp files of cut-off writes, say so in one line, exit 130 (143 for
    SIGTERM).  A KeyboardInterrupt raised some other way counts as Ctrl-C."""
    global _stopping
    _stopping = True  # further signals are ignored while this runs (inside handled())
    if not isinstance(exc, Interrupted):
        exc = Interrupted(signal.SIGINT)
    from . import atomic  # here, not at the top: run() installs the handlers before imports

    atomic.cleanup()
    try:
        if sys.stderr.isatty():
            sys.stderr.write("\r\033[K")  # over the terminal's ^C echo or a progress bar
        sys.stderr.write(f"{ERROR}{exc.message}\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass  # the terminal is gone: the exit code still tells
    sys.exit(exc.exit_code)


def run() -> None:
    """The console script: signals are handled from before the first slow import."""
    from . import lifecycle

    lifecycle.begin()
    try:
        with handled():
            try:
                from .cli import main

                main()
            except Interrupted as exc:
                stop(exc)
            except Exception:
                if received():  # raised while the interrupt was (e.g. wrapped by an import)
                    stop(received())
                raise
    except SystemExit as exc:  # every way a command ends, its code said
        if exc.code is None or isinstance(exc.code, int):
            lifecycle.end(exc.code)
        raise
