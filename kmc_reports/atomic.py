"""Write files whole or not at all: a temp file in the same folder, then an atomic rename.

Temp files are named ``.<name>.<pid>-<random>.tmp``, so whose they are can be told by name.
This process removes its own when it ends, also when interrupted (:func:`cleanup`, run by the
command line on every exit and by ``atexit``).  Runs that were killed outright leave theirs
behind: the first write into a folder removes those, and only those — files of exactly this
pattern whose process is gone or that are older than a minute (a write takes milliseconds),
so two runs at once never delete each other's files.
"""

from __future__ import annotations

import atexit
import os
import re
import stat
import tempfile
import time
from pathlib import Path

# .<name>.<pid>-<8 characters of tempfile's alphabet>.tmp
TEMP_NAME = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)-[a-z0-9_]{8}\.tmp$")
# before the process id was part of the name: .<name>.<8 characters>.tmp
_OLD_TEMP_NAME = re.compile(r"^\.(?P<name>.+)\.[a-z0-9_]{8}\.tmp$")
STALE_AFTER = 60.0  # seconds

# Folders this process has made temp files in (for cleanup), and those already swept.
# Plain sets, no lock: an interrupt may arrive anywhere, and a lock held then would stay held.
_folders: set[Path] = set()
_swept: set[Path] = set()


def write_bytes(path: str | Path, data: bytes) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    folder = path.parent
    key = folder.resolve()
    _folders.add(key)  # before the temp file exists, so that cleanup() always finds it
    if key not in _swept:
        sweep(folder)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}-", suffix=".tmp",
                               dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text(path: str | Path, text: str) -> None:
    write_bytes(path, text.encode("utf-8"))


def is_stale(path: Path, now: float | None = None) -> bool:
    """A temp file of ours (by its exact name pattern) that no live run is writing: its
    process is gone, or it is older than a minute.  This process's own files are never stale
    (:func:`cleanup` removes them)."""
    m = TEMP_NAME.match(path.name)
    old = None if m else _OLD_TEMP_NAME.match(path.name)
    if not (m or old):
        return False
    if m and int(m["pid"]) == os.getpid():
        return False
    try:
        st = path.lstat()
    except OSError:
        return False
    if not stat.S_ISREG(st.st_mode):
        return False
    if (now if now is not None else time.time()) - st.st_mtime > STALE_AFTER:
        return True
    return bool(m) and not _alive(int(m["pid"]))


def _alive(pid: int) -> bool:
    if os.name == "nt":  # os.kill would terminate it there; rely on the file's age instead
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # some other user's process, or we cannot tell: keep its files
    return True


def sweep(folder: str | Path) -> list[Path]:
    """Remove the stale temp files of killed runs from FOLDER (not its subfolders); returns
    the ones removed."""
    folder = Path(folder)
    _swept.add(folder.resolve())
    removed = []
    try:
        entries = [Path(e.path) for e in os.scandir(folder) if e.name.endswith(".tmp")]
    except OSError:
        return removed
    now = time.time()
    for path in entries:
        if is_stale(path, now):
            try:
                path.unlink()
                removed.append(path)
            except OSError:
                pass
    return removed


def cleanup() -> None:
    """Remove this process's temp files: files being written when it was interrupted."""
    pid = str(os.getpid())
    for folder in list(_folders):
        try:
            entries = [e for e in os.scandir(folder) if e.name.endswith(".tmp")]
        except OSError:
            continue
        for entry in entries:
            m = TEMP_NAME.match(entry.name)
            if m and m["pid"] == pid:
                try:
                    os.unlink(entry.path)
                except OSError:
                    pass


atexit.register(cleanup)
