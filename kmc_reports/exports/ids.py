"""Identifiers that never change: UUIDv5 names under one fixed project namespace.

A standard version is named by its code without the version suffix and the version the
code ends with (KMC2432-001v4 → "KMC2432-001", "V4"; a code without vN is V1, as
`Standard.latest_version` reads it); an item by that and its key (`items.Node.key`, the
code as printed, made unique).  So the same standard gives the same identifiers in every
export, on every machine, and whichever other standards it is exported with.  CTDL's CTIDs are the same UUIDs as ``ce-<uuid>``.
"""

from __future__ import annotations

import re
import uuid

# Fixed once for kmc-reports: changing it changes every identifier ever exported.
NAMESPACE = uuid.UUID("4746098d-e1e1-410d-afb0-7a1bfbbfff24")


def split_code(code: str) -> tuple[str, str]:
    """KMC2432-001v4 → ("KMC2432-001", "V4"); CCM7114-002 → ("CCM7114-002", "V1")."""
    m = re.match(r"^(.*?)(?:v(\d+))?$", code)
    return m.group(1), f"V{m.group(2) or 1}"


def version_number(code: str) -> int:
    return int(split_code(code)[1][1:])


def name(*parts: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, "|".join(parts))


def standard_id(code: str) -> str:
    return str(name(*split_code(code)))


def item_id(code: str, key: str) -> str:
    return str(name(*split_code(code), key))


def level_id(level: int) -> str:
    """The official level descriptors are one framework shared by every standard."""
    return str(name("iCAP 職能級別", str(level)))


def levels_id() -> str:
    return str(name("iCAP 職能級別"))


def ctid(identifier: str) -> str:
    return f"ce-{identifier}"
