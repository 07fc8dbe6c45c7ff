"""Where kmc-reports keeps what it can make again but need not: font instances and their
parsed tables (:mod:`.fonts`), compiled templates (:mod:`.templating`).

Shared by every install and process of one user; each user of it writes whole files only
(:mod:`.atomic`) and names them by what they were made from, so nothing there is ever
read half-written or stale.
"""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path:
    """$KMC_CACHE_DIR, else $XDG_CACHE_HOME/kmc-reports, else ~/.cache/kmc-reports."""
    env = os.environ.get("KMC_CACHE_DIR")
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg and Path(xdg).is_absolute():  # the XDG spec says to ignore relative paths
        return Path(xdg) / "kmc-reports"
    return Path.home() / ".cache" / "kmc-reports"
