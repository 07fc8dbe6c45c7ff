"""What an output folder was built from: the build's record for incremental rebuilds.

``OUT/.kmc-build.json`` holds, for every target (one standard's reports, the comparison),
a hash of every input that shaped it and the files it wrote.  A target whose hash is
unchanged and whose files are all there is up to date.  The record is rewritten whole
(temp file + rename) after targets finish, so a build cut off half way resumes where it
stopped; a record that cannot be read is ignored (everything is rebuilt), never an error.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .atomic import write_bytes

NAME = ".kmc-build.json"
FORMAT = 1
PACKAGE = Path(__file__).resolve().parent
BUNDLED_DATA = ("levels.yaml", "crosswalk-thresholds.yaml")  # defaults the tool reads


def digest(*parts: bytes | str) -> str:
    """One hash of several inputs; each is length-prefixed, so no two lists collide."""
    h = hashlib.sha256()
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


def file_digest(path: Path | None) -> str:
    """The hash of a file's bytes; "" for no file (a missing optional input is an input too)."""
    if path is None or not path.is_file():
        return ""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def folder_digest(folder: Path | None, pattern: str = "*") -> str:
    """The hash of every file under a folder: relative names and bytes."""
    if folder is None or not folder.is_dir():
        return ""
    files = sorted(p for p in folder.rglob(pattern) if p.is_file() and "__pycache__" not in p.parts)
    return digest(*[x for p in files for x in (p.relative_to(folder).as_posix(), p.read_bytes())])


def tool_digest() -> str:
    """The tool itself: its version and every source, template and data file it ships, so
    a changed install (or a developer's edit) rebuilds what it would now make differently."""
    bundled = PACKAGE.parent / "data"
    return digest(__version__, folder_digest(PACKAGE, "*.py"), folder_digest(PACKAGE, "*.json"),
                  folder_digest(PACKAGE.parent / "templates"),
                  *(file_digest(bundled / name) for name in BUNDLED_DATA))


@dataclass
class Entry:
    key: str  # hash of the inputs; "" when the target failed (always retried)
    files: list[str]  # written, relative to the output folder
    extra: dict = field(default_factory=dict)  # what the build keeps of it (lint findings …)


class Manifest:
    def __init__(self, out: Path):
        self.out = out
        self.path = out / NAME
        self.entries: dict[str, Entry] = {}
        self._saved = time.monotonic()
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if data.get("format") == FORMAT:
                self.entries = {name: Entry(e["key"], list(e["files"]), dict(e.get("extra", {})))
                                for name, e in data["targets"].items()}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            self.entries = {}

    def fresh(self, name: str, key: str) -> bool:
        """Built from exactly these inputs, and every file it wrote is still there."""
        entry = self.entries.get(name)
        return bool(entry and entry.key == key
                    and all((self.out / f).is_file() for f in entry.files))

    def record(self, name: str, key: str, files: list[Path], extra: dict | None = None) -> None:
        self.entries[name] = Entry(key, sorted(p.relative_to(self.out).as_posix() for p in files),
                                   extra or {})

    def failed(self, name: str) -> None:
        """A target that failed keeps its old files (and its record of them) but is retried."""
        old = self.entries.get(name)
        self.entries[name] = Entry("", old.files if old else [], old.extra if old else {})

    def save_every(self, seconds: float) -> None:
        """Save, at most once per ``seconds``: a long build cut off resumes where it was."""
        now = time.monotonic()
        if now - self._saved >= seconds:
            self.save()

    def save(self) -> None:
        self._saved = time.monotonic()
        data = {"format": FORMAT, "targets": {
            name: {"key": e.key, "files": e.files, "extra": e.extra}
            for name, e in sorted(self.entries.items())}}
        write_bytes(self.path, json.dumps(data, ensure_ascii=False, indent=1).encode())
