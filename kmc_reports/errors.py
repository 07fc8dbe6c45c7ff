"""Errors a user can act on: one line, naming the file (and line), exit code 2."""

from __future__ import annotations


class KmcError(Exception):
    """Bad input or a request that cannot be met; the CLI prints it as one line."""

    def __init__(self, message: str, path: str | None = None, line: int | None = None):
        self.message, self.path, self.line = message, path, line
        super().__init__(str(self))

    def __str__(self) -> str:
        where = ""
        if self.path:
            where = f"{self.path}:{self.line}: " if self.line else f"{self.path}: "
        return where + self.message
