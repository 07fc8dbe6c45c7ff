"""All or nothing: a command renders every file it makes into memory first and writes them
only once all of them succeeded, so a failure (or Ctrl-C) half-way leaves the output folders
exactly as they were — never old and new reports mixed."""

from __future__ import annotations

from pathlib import Path

from .atomic import write_bytes
from .interrupt import deferred


class Staged:
    def __init__(self) -> None:
        self.files: dict[Path, bytes] = {}

    def add(self, path: Path, data: bytes) -> Path:
        self.files[Path(path)] = data
        return Path(path)

    def commit(self) -> list[Path]:
        """Write every file (each whole: temp file + rename), in the order they were made;
        Ctrl-C waits until all are written."""
        with deferred():
            for path, data in self.files.items():
                write_bytes(path, data)
        return list(self.files)
